"""Scans along one dimension: cumsum, cumprod, cummax, cummin, logcumsumexp; and diff.

Re-exported by reduction.py. Forwards are single ``ufunc.accumulate`` calls.
"""
from .. import _dtype as dt
from .. import return_types
from .._backend import np
from .._tensor import Tensor
from ..autograd.function import Op
from ._common import apply_inplace, type_word, wrap_dim, xp_of

BF16 = dt.bfloat16.np_dtype


def _scan_dtype(a, dtype):
    if dtype is not None:
        return dt.to_dtype(dtype).np_dtype
    return np.dtype(np.int64) if a.dtype.kind in "biu" else a.dtype


def _reverse_cumsum(g, dim):
    """sum_{j >= i} g_j along ``dim`` (the adjoint of cumsum)."""
    return cumsum(g.flip(dim), dim).flip(dim)


def _half_safe(a):
    return a.astype(np.float32) if a.dtype == BF16 or a.dtype == np.float16 else a


class Cumsum(Op):
    @staticmethod
    def forward(ctx, a, dim, dtype):
        ctx.dim = dim
        out_dtype = _scan_dtype(a, dtype)
        acc = np.float32 if out_dtype == BF16 or out_dtype == np.float16 else out_dtype
        if a.ndim == 0:
            return a.astype(out_dtype)
        return xp_of(a).cumsum(a, axis=dim, dtype=acc).astype(out_dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        if g._data.ndim == 0:
            return g, None, None
        return _reverse_cumsum(g, ctx.dim), None, None


def cumsum(input, dim, *, dtype=None, out=None):
    """Running sum along ``dim``. Ints and bools accumulate as int64."""
    dim = wrap_dim(dim, input._data.ndim)
    res = Cumsum.apply(input, dim, dtype)
    return res if out is None else out.copy_(res)


def cumsum_(self, dim, *, dtype=None):
    return apply_inplace(Cumsum, self, wrap_dim(dim, self._data.ndim), dtype)


class Cumprod(Op):
    saves_inputs = (0,)
    saves_output = True

    @staticmethod
    def forward(ctx, a, dim, dtype):
        ctx.dim = dim
        out_dtype = _scan_dtype(a, dtype)
        ctx.has_zero = bool((a == 0).any())
        if a.ndim == 0:
            return a.astype(out_dtype)
        return xp_of(a).cumprod(_half_safe(a.astype(out_dtype, copy=False)), axis=dim).astype(out_dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        if g._data.ndim == 0:
            return g, None, None
        return _cumprod_grad(a, g, out, ctx.dim, ctx.has_zero), None, None


def _cumprod_grad(a, g, out, dim, has_zero):
    """d/da_k of sum_j g_j out_j = sum_{j >= k} g_j prod_{i <= j, i != k} a_i."""
    from .pointwise import where
    if not has_zero:
        return _reverse_cumsum(g * out, dim) / a
    # With zeros, take each slice's first zero z. At z the products skip a_z: cumprod of a with
    # a_z set to 1. Elsewhere the division formula holds with zeros divided by 1 (after z every
    # product holds a_z, so the value is 0 but it still depends on a_z for double backward).
    xp = xp_of(a._data)
    is_zero = a._data == 0
    zeros_so_far = xp.cumsum(is_zero, axis=dim)
    first = Tensor._make(is_zero & (zeros_so_far == 1))
    safe_a = where(Tensor._make(is_zero), 1.0, a)
    skipped = cumprod(where(first, 1.0, a), dim)
    grad_first = _reverse_cumsum(where(Tensor._make(zeros_so_far >= 1), g * skipped, 0.0), dim)
    return where(first, grad_first, _reverse_cumsum(g * out, dim) / safe_a)


def cumprod(input, dim, *, dtype=None, out=None):
    """Running product along ``dim``. Ints and bools accumulate as int64."""
    dim = wrap_dim(dim, input._data.ndim)
    res = Cumprod.apply(input, dim, dtype)
    return res if out is None else out.copy_(res)


def cumprod_(self, dim, *, dtype=None):
    return apply_inplace(Cumprod, self, wrap_dim(dim, self._data.ndim), dtype)


class _CumExtremum(Op):
    """cummax / cummin: running extreme and the index where it was (last) reached."""
    ufunc = None

    @classmethod
    def forward(cls, ctx, a, dim):
        xp = xp_of(a)
        ctx.dim, ctx.in_shape = dim, a.shape
        if a.ndim == 0:
            ctx.indices = xp.zeros((), np.int64)
            return a.copy(), ctx.indices
        w = _half_safe(a)
        running = getattr(xp, cls.ufunc).accumulate(w, axis=dim)
        hit = w == running
        if w.dtype.kind in "fc":
            hit |= xp.isnan(w) & xp.isnan(running)  # a NaN stays the extreme once reached
        pos_shape = [1] * a.ndim
        pos_shape[dim] = a.shape[dim]
        pos = xp.arange(a.shape[dim], dtype=np.int64).reshape(pos_shape)
        # index of the latest position where the element equals the running extreme (ties: latest)
        idx = xp.maximum.accumulate(xp.where(hit, pos, 0), axis=dim)
        ctx.indices = idx
        return running.astype(a.dtype, copy=False), idx

    @staticmethod
    def backward(ctx, g, _g_indices):
        from .scatter import ScatterAdd
        if ctx.in_shape == ():
            return g, None
        # each output's gradient goes to the element it copied (several outputs may share one)
        zeros = Tensor._make(xp_of(g._data).zeros(ctx.in_shape, g._data.dtype))
        return ScatterAdd.apply(zeros, ctx.dim, ctx.indices, g), None


class Cummax(_CumExtremum):
    ufunc = "maximum"


class Cummin(_CumExtremum):
    ufunc = "minimum"


def cummax(input, dim, *, out=None):
    """Running maximum along ``dim`` and the index of each running maximum."""
    dim = wrap_dim(dim, input._data.ndim)
    return return_types.cummax(Cummax.apply(input, dim))


def cummin(input, dim, *, out=None):
    """Running minimum along ``dim`` and the index of each running minimum."""
    dim = wrap_dim(dim, input._data.ndim)
    return return_types.cummin(Cummin.apply(input, dim))


class Logcumsumexp(Op):
    saves_inputs = (0,)
    saves_output = True

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        if a.ndim == 0:
            return a.copy()
        # NOTE: logaddexp.accumulate never forms exp(a) directly, so large inputs stay finite.
        return xp_of(a).logaddexp.accumulate(_half_safe(a), axis=dim).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        # grad_k = sum_{j >= k} g_j exp(a_k - out_j); done in log space, positive and negative
        # parts of g separately, so no exp overflows.
        from .pointwise import exp, log, where
        a, out = ctx.saved_tensors
        if g._data.ndim == 0:
            return g, None
        dim = ctx.dim

        # NOTE: masked-out entries get the lowest finite float, not -inf, so the nested
        # logcumsumexp of double backward never meets inf - inf.
        lowest = float(np.finfo(np.float32 if g._data.dtype == BF16 else g._data.dtype).min)

        def part(mask, magnitude):
            log_g = where(mask, log(where(mask, magnitude, 1.0)), lowest)
            return exp(logcumsumexp((log_g - out).flip(dim), dim).flip(dim) + a)
        positive, negative = Tensor._make(g._data > 0), Tensor._make(g._data < 0)
        with np.errstate(over="ignore"):  # lowest + negative -> -inf -> exp gives 0, as intended
            return part(positive, g) - part(negative, -g), None


def logcumsumexp(input, dim, *, out=None):
    """log(cumsum(exp(input))) along ``dim``, computed stably."""
    if not (input.is_floating_point() or input.is_complex()):
        raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for '{type_word(input.dtype)}'")
    dim = wrap_dim(dim, input._data.ndim)
    res = Logcumsumexp.apply(input, dim)
    return res if out is None else out.copy_(res)


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """n-th forward difference along ``dim`` (logical xor for bools), with optional prepend/append."""
    from .pointwise import logical_xor
    from .shape import cat
    if input._data.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    dim = wrap_dim(dim, input._data.ndim)
    x = input
    if prepend is not None or append is not None:
        parts = [p for p in (prepend, input, append) if p is not None]
        parts = [p if p._data.ndim else p.expand(*[1 if i == dim else s for i, s in enumerate(input.shape)])
                 for p in parts]
        x = cat(parts, dim)
    for _ in range(n):
        length = x._data.shape[dim]
        if length == 0:
            break
        hi, lo = x.narrow(dim, 1, length - 1), x.narrow(dim, 0, length - 1)
        x = logical_xor(hi, lo) if x._data.dtype == np.bool_ else hi - lo
    return x


__all__ = ["cumsum", "cumprod", "cummax", "cummin", "logcumsumexp", "diff"]
