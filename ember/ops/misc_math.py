"""Assorted math of torch's top level: comparisons of whole tensors, products and rotations
built from other ops, integer helpers, covariance, trapezoid rules, histograms."""
import itertools
import math
import numbers

from .. import _dtype as dt
from .. import return_types
from .._backend import np
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import Op
from . import shape as _shape
from ._common import result_dtype, write_out, xp_of


def _check(x, fn, arg="input", pos=1):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{arg}' (position {pos}) must be Tensor, not {type(x).__name__}")


def _tensor_of(x, like=None):
    if isinstance(x, Tensor):
        return x
    from .creation import tensor
    if like is not None and isinstance(x, numbers.Number) and not isinstance(x, bool):
        return tensor(x, dtype=result_dtype(like._data, x))
    return tensor(x)


# ---- whole-tensor comparisons ---------------------------------------------------------------
def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|input - other| <= atol + rtol * |other|, elementwise (infinities equal only to themselves)."""
    _check(input, "isclose")
    _check(other, "isclose", "other", 2)
    if input.dtype is not other.dtype:
        raise RuntimeError(f"{input.dtype.name.capitalize()} did not match {other.dtype.name.capitalize()}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
    a, b = input._data, other._data
    xp = xp_of(a)
    if a.dtype == np.bool_:
        return Tensor._make(a == b)
    close = a == b
    if a.dtype.kind in "fc" or a.dtype == dt.bfloat16.np_dtype:
        af, bf = a.astype(np.float64) if a.dtype.kind == "f" or a.dtype == dt.bfloat16.np_dtype else a, \
            b.astype(np.float64) if b.dtype.kind == "f" or b.dtype == dt.bfloat16.np_dtype else b
        with np.errstate(invalid="ignore", over="ignore"):
            diff = xp.abs(af - bf)
            close = close | (xp.isfinite(diff) & (diff <= atol + rtol * xp.abs(bf)))
        if equal_nan:
            close = close | (xp.isnan(a) & xp.isnan(b))
    else:
        diff = xp.abs(a.astype(np.float64) - b.astype(np.float64))
        close = close | (diff <= atol + rtol * xp.abs(b.astype(np.float64)))
    return Tensor._make(xp.asarray(close))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True when every element of ``input`` is close to ``other`` (see :func:`isclose`)."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other):
    """True when both tensors have the same size and elements."""
    _check(input, "equal")
    _check(other, "equal", "other", 2)
    if input._data.shape != other._data.shape:
        return False
    return bool((input._data == other._data).all())


def is_same_size(input, other):
    return input._data.shape == other._data.shape


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """Whether each element of ``elements`` occurs in ``test_elements``."""
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin() received an invalid combination of arguments")
    e = elements._data if isinstance(elements, Tensor) else np.asarray(elements)
    t = test_elements._data if isinstance(test_elements, Tensor) else np.asarray(test_elements)
    res = np.isin(e, t, invert=invert)
    return Tensor._make(np.asarray(res))


# ---- products, rotations, blocks ------------------------------------------------------------
def kron(input, other, *, out=None):
    """Kronecker product: result[i*m + k] = input[i] * other[k] along every dim."""
    nd = max(input.dim(), other.dim())
    a = input.reshape((1,) * (nd - input.dim()) + tuple(input.shape))
    b = other.reshape((1,) * (nd - other.dim()) + tuple(other.shape))
    a_shape = [s for d in a.shape for s in (d, 1)]
    b_shape = [s for d in b.shape for s in (1, d)]
    prod = a.reshape(a_shape) * b.reshape(b_shape)
    return write_out(out, prod.reshape(tuple(x * y for x, y in zip(a.shape, b.shape))))


def _cross_along(a, b, d):
    a0, a1, a2 = a.select(d, 0), a.select(d, 1), a.select(d, 2)
    b0, b1, b2 = b.select(d, 0), b.select(d, 1), b.select(d, 2)
    return _shape.stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], d)


def linalg_cross(input, other, *, dim=-1, out=None):
    """Cross product of 3-vectors along ``dim`` (batch dims broadcast)."""
    if input.dim() != other.dim():
        raise RuntimeError(f"linalg.cross: inputs must have the same number of dimensions.")
    d = _wrap_dim(dim, input.dim())
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {input.shape[d]} and "
                           f"{other.shape[d]}")
    a, b = _shape.broadcast_tensors(input, other)
    return write_out(out, _cross_along(a, b, d))


def cross(input, other, dim=None, *, out=None):
    """torch.cross: like linalg.cross, but ``dim=None`` picks the first dim of size 3."""
    if dim is None:
        if input.dim() != other.dim():
            raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
        sizes = np.broadcast_shapes(tuple(input.shape), tuple(other.shape))
        dim = next((i for i, s in enumerate(sizes) if s == 3), None)
        if dim is None:
            raise RuntimeError(f"no dimension of size 3 in input")
    return linalg_cross(input, other, dim=dim, out=out)


def rot90(input, k=1, dims=(0, 1)):
    """Rotate by 90 degrees ``k`` times in the plane of ``dims`` (from the first toward the second)."""
    dims = list(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.dim() < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {input.dim()}")
    d0, d1 = _wrap_dim(dims[0], input.dim()), _wrap_dim(dims[1], input.dim())
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}")
    k %= 4
    if k == 1:
        return _shape.flip(input, (d1,)).transpose(d0, d1)
    if k == 2:
        return _shape.flip(input, (d0, d1))
    if k == 3:
        return _shape.flip(input, (d0,)).transpose(d0, d1)
    return input.clone()


def block_diag(*tensors):
    """A block-diagonal matrix from 0-, 1- and 2-D blocks (0-D is 1x1, 1-D is one row)."""
    from ..nn.functional import pad
    blocks = []
    for i, t in enumerate(tensors):
        if t.dim() > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has "
                               f"{t.dim()} dimensions")
        blocks.append(t.reshape(1, 1) if t.dim() == 0 else t.reshape(1, -1) if t.dim() == 1 else t)
    if not blocks:
        from .creation import empty
        return empty(1, 0)
    dtype = result_dtype(*[b._data for b in blocks])
    width = sum(b.shape[1] for b in blocks)
    rows, col = [], 0
    for b in blocks:
        n = b.shape[1]
        rows.append(pad(b.to(dtype), (col, width - col - n)))
        col += n
    return _shape.cat(rows, 0)


def combinations(input, r=2, with_replacement=False):
    """All length-``r`` combinations of a 1-D tensor's elements, one per row."""
    if input.dim() != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        from .creation import empty
        return empty(0, dtype=input.dtype)
    n = input.shape[0]
    make = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    idx = np.array(list(make(range(n), r)), dtype=np.int64).reshape(-1, r)
    return input[Tensor._make(idx)]


# ---- statistics ------------------------------------------------------------------------------
def cov(input, *, correction=1, fweights=None, aweights=None):
    """Covariance of the variables in the rows of ``input`` (observations in columns)."""
    if input.dim() > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an input with "
                           f"{input.dim()} dimensions")
    x = input.reshape(1, -1) if input.dim() < 2 else input
    if not x.is_floating_point() and not x.is_complex():
        x = x.to(dt.get_default_dtype())
    n_obs = x.shape[1]
    w = None
    if fweights is not None:
        w = fweights
    if aweights is not None:
        w = aweights if w is None else w * aweights
    if w is None:
        mean = x.mean(1, keepdim=True)
        norm = n_obs - correction
        w_sum = None
    else:
        w = w.to(x.dtype)
        w_sum = w.sum()
        mean = (x * w).sum(1, keepdim=True) / w_sum
        if correction == 0:
            norm = w_sum
        elif aweights is None:
            norm = w_sum - correction
        else:
            norm = w_sum - correction * (w * aweights).sum() / w_sum
    xm = x - mean
    xw = xm if w is None else xm * w
    from .linalg import mm
    c = mm(xw, xm.t().conj() if xm.is_complex() else xm.t())
    if isinstance(norm, Tensor):
        norm = norm.clamp(min=0)
    else:
        norm = max(norm, 0)
    c = c / norm
    return c.squeeze() if input.dim() < 2 else c


def corrcoef(input):
    """Pearson correlation coefficients of the rows of ``input``."""
    c = cov(input)
    if c.dim() == 0:
        return c / c
    d = c.diagonal()
    std = d.sqrt()
    c = c / std.unsqueeze(1)
    c = c / std.unsqueeze(0)
    return c.clamp(-1, 1)


# ---- trapezoid rules ----------------------------------------------------------------------
def _trap_dx(x, y, dim):
    if x.dim() == 1:
        dx = x[1:] - x[:-1]
        shape = [1] * y.dim()
        shape[dim] = dx.shape[0]
        return dx.reshape(shape)
    return x.narrow(dim, 1, x.shape[dim] - 1) - x.narrow(dim, 0, x.shape[dim] - 1)


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """Integral of ``y`` along ``dim`` by the trapezoid rule (spacing ``dx`` or sample points ``x``)."""
    d = _wrap_dim(dim, y.dim())
    n = y.shape[d]
    if n == 0:
        return y.sum(d) * 0
    left, right = y.narrow(d, 0, n - 1), y.narrow(d, 1, n - 1)
    if x is not None and isinstance(x, Tensor):
        return ((left + right) * _trap_dx(x, y, d)).sum(d) / 2
    spacing = 1 if dx is None else dx if x is None else x
    return (left + right).sum(d) * (spacing / 2)


def trapz(y, x=None, *, dx=None, dim=-1):
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """Running trapezoid integral along ``dim`` (one fewer element than ``y``)."""
    d = _wrap_dim(dim, y.dim())
    n = y.shape[d]
    left, right = y.narrow(d, 0, max(n - 1, 0)), y.narrow(d, min(1, n), max(n - 1, 0))
    if x is not None and isinstance(x, Tensor):
        return ((left + right) * _trap_dx(x, y, d) / 2).cumsum(d)
    spacing = 1 if dx is None else dx if x is None else x
    return ((left + right) * (spacing / 2)).cumsum(d)


# ---- integer and float-bit helpers ----------------------------------------------------------
def _int_binary(name, fn, a, b):
    a, b = _tensor_of(a), _tensor_of(b, a)
    res = result_dtype(a._data, b._data)
    if res.is_floating_point or res.is_complex or res is dt.bool:
        raise NotImplementedError(f'"{name}_cpu" not implemented for \'{_word(res)}\'')
    return Tensor._make(np.asarray(fn(a._data.astype(res.np_dtype), b._data.astype(res.np_dtype))))


def _word(d):
    from ._common import type_word
    return type_word(d)


def gcd(input, other, *, out=None):
    """Elementwise greatest common divisor (integer tensors)."""
    return write_out(out, _int_binary("gcd", np.gcd, input, other))


def lcm(input, other, *, out=None):
    """Elementwise least common multiple (integer tensors)."""
    return write_out(out, _int_binary("lcm", np.lcm, input, other))


class Frexp(Op):
    @staticmethod
    def forward(ctx, a):
        m, e = np.frexp(a)
        ctx.exponent = e
        return m.astype(a.dtype, copy=False), e.astype(np.int32)

    @staticmethod
    def backward(ctx, gm, ge):
        # mantissa = x / 2**e with e piecewise constant
        return gm / Tensor._make(np.ldexp(np.ones((), gm._data.dtype), ctx.exponent).astype(gm._data.dtype))


def frexp(input, *, out=None):
    """Split floats into mantissa in [0.5, 1) and integer exponent: input = mantissa * 2**exponent."""
    if not input.is_floating_point():
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    m, e = Frexp.apply(input)
    return return_types.frexp((m, e))


def ldexp(input, other, *, out=None):
    """input * 2**other."""
    from .pointwise import pow as _pow
    return write_out(out, input * _pow(2.0, other) if isinstance(other, Tensor) else input * 2.0 ** other)


class Nextafter(Op):
    differentiable = False

    @staticmethod
    def forward(ctx, a, b):
        return np.nextafter(a, b)


def nextafter(input, other, *, out=None):
    """The next float after ``input`` in the direction of ``other``."""
    if input.dtype is not other.dtype:
        raise RuntimeError(f"expected scalar type {input.dtype.name} but found {other.dtype.name}")
    return write_out(out, Nextafter.apply(input, other))


def vander(x, N=None, increasing=False):
    """Vandermonde matrix: columns are powers of ``x`` (decreasing unless ``increasing``)."""
    if x.dim() != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    from .creation import ones, empty
    x = x if x.dtype.is_floating_point or x.is_complex() else x.to(dt.int64)
    if n == 0:
        return empty(x.shape[0], 0, dtype=x.dtype)
    cols = [ones(x.shape[0], 1, dtype=x.dtype)]
    if n > 1:
        # A running product keeps the gradient right at x = 0 (unlike x ** k).
        cols.append(x.unsqueeze(1).expand(x.shape[0], n - 1).cumprod(1))
    res = _shape.cat(cols, 1)
    return res if increasing else _shape.flip(res, (1,))


def unravel_index(indices, shape):
    """Coordinates (one int64 tensor per dim of ``shape``) of flat ``indices``."""
    idx = indices if isinstance(indices, Tensor) else _tensor_of(indices)
    if idx.is_floating_point() or idx.is_complex() or idx.dtype is dt.bool:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {idx.dtype}")
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if any(s < 0 for s in shape):
        raise ValueError("'shape' cannot have negative values, but got " + str(shape))
    total = math.prod(shape)
    a = idx._data.astype(np.int64)
    if ((a < -total) | (a >= total)).any():
        raise ValueError(f"'indices' must be in range [{-total}, {total - 1}] for shape {shape}")
    a = np.where(a < 0, a + total, a)
    coords = np.unravel_index(a, shape) if shape else ()
    return tuple(Tensor._make(np.asarray(c, dtype=np.int64)) for c in coords)


def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """Central differences in the interior and one-sided ones at the edges, per dim (like NumPy)."""
    dims = list(range(input.dim())) if dim is None else [dim] if isinstance(dim, int) else list(dim)
    dims = [_wrap_dim(d, input.dim()) for d in dims]
    if not isinstance(spacing, (list, tuple)):
        spacing = [spacing] * len(dims)
    elif len(spacing) != len(dims):
        raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar or it's spacing and dim "
                           f"arguments to have the same length, but got a spacing argument of length "
                           f"{len(spacing)} and a dim argument of length {len(dims)}.")
    f = input if input.is_floating_point() or input.is_complex() else input.to(dt.get_default_dtype())
    out = []
    for d, h in zip(dims, spacing):
        n = f.shape[d]
        if n < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least edge_order+1")
        out.append(_gradient_one(f, d, h, edge_order))
    return tuple(out)


def _gradient_one(f, d, h, edge_order):
    n = f.shape[d]

    def sl(start, length):
        return f.narrow(d, start, length)
    if isinstance(h, Tensor):
        coords = h.to(f.dtype) if h.is_floating_point() else h.to(dt.get_default_dtype())
        dx = coords[1:] - coords[:-1]
        shape = [1] * f.dim()
        shape[d] = n - 1
        dx = dx.reshape(shape)
        hl, hr = dx.narrow(d, 0, n - 2), dx.narrow(d, 1, n - 2)
        interior = (hl * hl * sl(2, n - 2) - hr * hr * sl(0, n - 2) + (hr * hr - hl * hl) * sl(1, n - 2)) / \
            (hl * hr * (hl + hr))
        h0, hn = dx.narrow(d, 0, 1), dx.narrow(d, n - 2, 1)
        if edge_order == 1:
            first = (sl(1, 1) - sl(0, 1)) / h0
            last = (sl(n - 1, 1) - sl(n - 2, 1)) / hn
        else:
            h1, hm = dx.narrow(d, 1, 1), dx.narrow(d, n - 3, 1)
            first = (-(2 * h0 + h1) / (h0 * (h0 + h1)) * sl(0, 1) + (h0 + h1) / (h0 * h1) * sl(1, 1)
                     - h0 / (h1 * (h0 + h1)) * sl(2, 1))
            last = (hn / (hm * (hm + hn)) * sl(n - 3, 1) - (hn + hm) / (hm * hn) * sl(n - 2, 1)
                    + (2 * hn + hm) / (hn * (hm + hn)) * sl(n - 1, 1))
    else:
        interior = (sl(2, n - 2) - sl(0, n - 2)) / (2 * h)
        if edge_order == 1:
            first = (sl(1, 1) - sl(0, 1)) / h
            last = (sl(n - 1, 1) - sl(n - 2, 1)) / h
        else:
            first = (-1.5 * sl(0, 1) + 2 * sl(1, 1) - 0.5 * sl(2, 1)) / h
            last = (0.5 * sl(n - 3, 1) - 2 * sl(n - 2, 1) + 1.5 * sl(n - 1, 1)) / h
    return _shape.cat([first, interior, last], d)


# ---- histograms (NumPy's binning; not differentiable) ----------------------------------
def _float_only(input, name):
    if not input.is_floating_point():
        raise RuntimeError(f'"{name}_cpu" not implemented for \'{_word(input.dtype)}\'')


def histogram(input, bins=100, *, range=None, weight=None, density=False, out=None):
    """Counts of ``input`` in ``bins`` (a count over ``range`` or explicit edges); returns (hist, bin_edges)."""
    _float_only(input, "histogram")
    a = input._data
    b = bins._data if isinstance(bins, Tensor) else bins
    w = None if weight is None else weight._data
    if range is None and not isinstance(bins, Tensor):
        if a.size:
            lo, hi = float(a.min()), float(a.max())
        else:
            lo, hi = 0.0, 0.0
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5  # NumPy widens a degenerate range by 0.5, PyTorch by 1 in total too
        range = (lo, hi)
    hist, edges = np.histogram(a, bins=b, range=range if not isinstance(bins, Tensor) else None, weights=w,
                               density=density)
    return return_types.histogram((Tensor._make(hist.astype(a.dtype)), Tensor._make(edges.astype(a.dtype))))


def histogramdd(input, bins=10, *, range=None, weight=None, density=False):
    """Multi-dimensional histogram of the rows of ``input`` (last dim = coordinates)."""
    _float_only(input, "histogramdd")
    a = input._data.reshape(-1, input.shape[-1])
    if isinstance(bins, (list, tuple)) and bins and isinstance(bins[0], Tensor):
        b = [x._data for x in bins]
    else:
        b = bins
    rng = None if range is None else [(range[2 * i], range[2 * i + 1]) for i in builtins_range(a.shape[1])]
    if rng is None and not isinstance(b, list):
        rng = []
        for i in builtins_range(a.shape[1]):
            lo, hi = (float(a[:, i].min()), float(a[:, i].max())) if a.shape[0] else (0.0, 0.0)
            rng.append((lo - 0.5, hi + 0.5) if lo == hi else (lo, hi))
    hist, edges = np.histogramdd(a, bins=b, range=rng, weights=None if weight is None else weight._data.reshape(-1),
                                 density=density)
    return return_types.histogramdd((Tensor._make(hist.astype(a.dtype)),
                                     [Tensor._make(e.astype(a.dtype)) for e in edges]))


builtins_range = range


# ---- norms built from vector_norm ---------------------------------------------------------
def dist(input, other, p=2):
    """The ``p``-norm of ``input - other``."""
    from .norms import vector_norm
    return vector_norm(input - other, p)


def renorm(input, p, dim, maxnorm):
    """Rescale each slice along ``dim`` whose ``p``-norm exceeds ``maxnorm`` down to norm ``maxnorm``."""
    from .norms import vector_norm
    from .pointwise import where
    if p <= 0:
        raise RuntimeError(f"renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    d = _wrap_dim(dim, input.dim())
    others = tuple(i for i in builtins_range(input.dim()) if i != d)
    norms = vector_norm(input, p, others, keepdim=True)
    factor = where(norms > maxnorm, maxnorm / (norms + 1e-7), 1.0)
    return input * factor


def frobenius_norm(input, dim=(-2, -1), keepdim=False):
    from .norms import vector_norm
    return vector_norm(input, 2, dim, keepdim)


def nuclear_norm(input, dim=(-2, -1), keepdim=False):
    from .norms import matrix_norm
    return matrix_norm(input, "nuc", dim, keepdim)


def nonzero_static(input, *, size, fill_value=-1):
    """Indices of nonzeros, truncated or padded with ``fill_value`` to exactly ``size`` rows."""
    idx = np.argwhere(input._data)[:size]
    pad = np.full((size - idx.shape[0], input.dim()), fill_value, np.int64)
    return Tensor._make(np.concatenate([idx.astype(np.int64), pad], 0))


def put(input, index, source, accumulate=False):
    """Out-of-place :meth:`Tensor.put_`."""
    return input.clone().put_(index, source, accumulate)


__all__ = ["isclose", "allclose", "equal", "is_same_size", "isin", "kron", "cross", "rot90", "block_diag",
           "combinations", "cov", "corrcoef", "trapezoid", "trapz", "cumulative_trapezoid", "gcd", "lcm",
           "frexp", "ldexp", "nextafter", "vander", "unravel_index", "gradient", "histogram", "histogramdd", "dist",
           "renorm", "frobenius_norm", "nuclear_norm", "nonzero_static", "put"]
METHODS = ["isclose", "allclose", "equal", "is_same_size", "kron", "cross", "rot90", "cov", "corrcoef", "gcd",
           "lcm", "frexp", "ldexp", "nextafter", "histogram", "dist", "renorm", "nonzero_static",
           "put"]
