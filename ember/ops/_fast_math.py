"""NumPy kernels for hot training paths (float32 GELU), evaluated in cache-sized blocks.

A long chain of whole-array NumPy passes is bound by memory traffic: each pass
streams the full array through RAM. Running the same chain on blocks of a few
thousand elements keeps every temporary in L1/L2 cache and is several times faster.
"""
from .._backend import np
from . import _parallel

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
_INV_SQRT_2PI = _F32(0.3989422804014327)


def _phi_coefficients():
    """Phi(x) = 1/2 + x * P(x^2) / Q(x^2): the erf fit above with erf's argument x / sqrt(2)
    and the 1/2 factor folded into the coefficients, and Q scaled to be monic (one pass less
    in its Horner chain). Folding the constants saves three passes over every block."""
    p = [float(c) * 0.5 ** i * (0.5 / 2 ** 0.5) for i, c in enumerate(_ERF_P)]
    q = [float(c) * 0.5 ** i for i, c in enumerate(_ERF_Q)]
    lead = q[-1]
    return tuple(_F32(c / lead) for c in p), tuple(_F32(c / lead) for c in q[:-1])


_PHI_P, _PHI_Q = _phi_coefficients()
_CLIP = _F32(4.0 * 2 ** 0.5)   # |x / sqrt(2)| <= 4, the fit's range
_HALF = _F32(0.5)
_PARALLEL_MIN = 1 << 18        # elements; below this one thread wins
_PAR_BLOCK = 1 << 17


def _cdf_block(x, out, z, t, q):
    """out[:] = Phi(x) for one float32 block; ``z``, ``t`` and ``q`` are scratch."""
    np.clip(x, -_CLIP, _CLIP, out=z)
    np.multiply(z, z, out=t)
    np.multiply(t, _PHI_P[-1], out=out)
    out += _PHI_P[-2]
    for c in _PHI_P[-3::-1]:
        out *= t
        out += c
    np.add(t, _PHI_Q[-1], out=q)
    for c in _PHI_Q[-2::-1]:
        q *= t
        q += c
    out *= z
    out /= q
    out += _HALF
    return out


def _run_blocks(kernel, n, scratch):
    """Run ``kernel(start, stop, *scratch_arrays)`` over cache-sized blocks of [0, n); a large
    array is split into one contiguous share per thread (each with its own scratch)."""
    def chunk(s, e, block):
        bufs = [np.empty(min(block, e - s), np.float32) for _ in range(scratch)]
        for bs in range(s, e, block):
            kernel(bs, min(bs + block, e), *bufs)
    if n >= _PARALLEL_MIN:
        workers = _parallel._workers()
        if workers:
            # Threads hand the GIL back and forth between NumPy calls, so each thread works on
            # larger blocks (fewer calls) than the single-thread path's cache-sized ones.
            _parallel._run_split(lambda s, e: chunk(s, e, _PAR_BLOCK), n, len(workers) + 1)
            return
    chunk(0, n, _BLOCK)


def gelu_f32(x):
    """(x * Phi(x), Phi(x)) for a float32 array, Phi the standard normal CDF."""
    flat = np.ascontiguousarray(x).reshape(-1)
    out = np.empty(flat.shape, np.float32)
    cdf = np.empty(flat.shape, np.float32)

    def kernel(s, e, z, t, q):
        m = e - s
        xs, cs = flat[s:e], cdf[s:e]
        with np.errstate(invalid="ignore"):  # +-inf inputs give nan exactly like the unfused formula
            _cdf_block(xs, cs, z[:m], t[:m], q[:m])
            np.multiply(xs, cs, out=out[s:e])
    _run_blocks(kernel, flat.size, 3)
    return out.reshape(x.shape), cdf.reshape(x.shape)


def gelu_backward_f32(g, x, cdf):
    """g * (Phi(x) + x * phi(x)) for float32 arrays (phi the standard normal density)."""
    shape = np.broadcast_shapes(g.shape, x.shape)
    if g.shape != shape or g.dtype != np.float32:
        g = np.broadcast_to(g, shape).astype(np.float32)
    gf = np.ascontiguousarray(g).reshape(-1)
    xf = np.ascontiguousarray(x).reshape(-1)
    cf = cdf.reshape(-1)
    out = np.empty(gf.shape, np.float32)

    def kernel(s, e):
        with np.errstate(invalid="ignore", over="ignore"):
            _gelu_backward_block(gf, xf, cf, out, s, e)
    _run_blocks(kernel, gf.size, 0)
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
