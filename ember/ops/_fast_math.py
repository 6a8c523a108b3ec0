"""NumPy kernels for hot training paths (float32 GELU), evaluated in cache-sized blocks.

A long chain of whole-array NumPy passes is bound by memory traffic: each pass
streams the full array through RAM. Running the same chain on blocks of a few
thousand elements keeps every temporary in L1/L2 cache and is several times faster.
"""
from .._backend import np

_BLOCK = 32768

# erf(x) = x * P(x^2) / Q(x^2) on |x| <= 4 (beyond that erf is +-1 in float32).
# NOTE: a rational least-squares fit of erf(sqrt(t))/sqrt(t) on t in [0, 16] (weighted
# for relative error, refined by reweighting with 1/Q); its own error is 2.5e-9
# relative, so what remains is float32 rounding in the evaluation (a few ulp).
_ERF_P = tuple(np.float32(c) for c in (
    1.1283791670955126, 0.18505351541519165, 0.05436939239501953, 0.003853090829029679,
    0.0003826560429297388, 4.768405017890222e-06, -1.3618908229999999e-08))
_ERF_Q = tuple(np.float32(c) for c in (
    1.0, 0.4973328411579132, 0.11396060883998871, 0.015479382500052452, 0.0013124131457880139,
    6.390792807284743e-05))
_F32 = np.float32
_INV_SQRT_2 = _F32(0.7071067811865476)
_INV_SQRT_2PI = _F32(0.3989422804014327)


def _erf_block(x, out, t, q):
    """out[:] = erf(x) for one float32 block; ``x`` is clipped in place, ``t`` and ``q`` are scratch."""
    np.clip(x, _F32(-4.0), _F32(4.0), out=x)
    np.multiply(x, x, out=t)
    np.multiply(t, _ERF_P[-1], out=out)
    out += _ERF_P[-2]
    for c in _ERF_P[-3::-1]:
        out *= t
        out += c
    np.multiply(t, _ERF_Q[-1], out=q)
    q += _ERF_Q[-2]
    for c in _ERF_Q[-3::-1]:
        q *= t
        q += c
    out *= x
    out /= q
    return out


def _blocks(n):
    for start in range(0, n, _BLOCK):
        yield start, min(start + _BLOCK, n)


def gelu_f32(x):
    """(x * Phi(x), Phi(x)) for a float32 array, Phi the standard normal CDF."""
    flat = np.ascontiguousarray(x).reshape(-1)
    out = np.empty(flat.shape, np.float32)
    cdf = np.empty(flat.shape, np.float32)
    t = np.empty(min(_BLOCK, flat.size), np.float32)
    q = np.empty_like(t)
    z = np.empty_like(t)
    with np.errstate(invalid="ignore"):  # +-inf inputs give nan exactly like the unfused formula
        for s, e in _blocks(flat.size):
            _gelu_block(flat, out, cdf, z, t, q, s, e)
    return out.reshape(x.shape), cdf.reshape(x.shape)


def _gelu_block(flat, out, cdf, z, t, q, s, e):
    m = e - s
    xs, cs = flat[s:e], cdf[s:e]
    np.multiply(xs, _INV_SQRT_2, out=z[:m])
    _erf_block(z[:m], cs, t[:m], q[:m])
    cs += _F32(1.0)
    cs *= _F32(0.5)
    np.multiply(xs, cs, out=out[s:e])


def gelu_backward_f32(g, x, cdf):
    """g * (Phi(x) + x * phi(x)) for float32 arrays (phi the standard normal density)."""
    shape = np.broadcast_shapes(g.shape, x.shape)
    if g.shape != shape or g.dtype != np.float32:
        g = np.broadcast_to(g, shape).astype(np.float32)
    gf = np.ascontiguousarray(g).reshape(-1)
    xf = np.ascontiguousarray(x).reshape(-1)
    cf = cdf.reshape(-1)
    out = np.empty(gf.shape, np.float32)
    with np.errstate(invalid="ignore", over="ignore"):
        for s, e in _blocks(gf.size):
            _gelu_backward_block(gf, xf, cf, out, s, e)
    return out.reshape(shape)


def _gelu_backward_block(gf, xf, cf, out, s, e):
    xs, o = xf[s:e], out[s:e]
    np.multiply(xs, xs, out=o)
    o *= _F32(-0.5)
    np.exp(o, out=o)
    o *= xs
    o *= _INV_SQRT_2PI
    o += cf[s:e]
    o *= gf[s:e]
