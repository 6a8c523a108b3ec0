"""Statistics: std, var (and their _mean forms), median, nanmedian, mode, quantile, nanquantile.

Re-exported by reduction.py. Order statistics go through one stable argsort, so ties and
NaNs (sorted last) are handled the same way as in sort().
"""
import numbers
import warnings

from .. import _dtype as dt
from .. import return_types
from .._backend import np
from .._tensor import Tensor
from ..autograd.function import Op
from ._common import wrap_dim, xp_of
from .reduction import DimSelect  # reduction imports this module only after defining DimSelect

BF16 = dt.bfloat16.np_dtype


def _axes(input, dim):
    from .reduction import reduction_axes
    return reduction_axes(input, dim)


def _expand(g, shape, axes, keepdim):
    from .reduction import expand_reduced
    return expand_reduced(g, shape, axes, keepdim)


# ---------------------------------------------------------------------------------------
# var / std
# ---------------------------------------------------------------------------------------

def _variance(a, axes, correction, keepdim, name):
    """(variance array, divisor) with PyTorch's warning when the divisor is not positive."""
    xp = xp_of(a)
    n = 1
    for ax in axes:
        n *= a.shape[ax]
    divisor = n - correction
    if divisor <= 0:
        warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
                      f"reduction factor (input numel divided by output numel).", UserWarning, stacklevel=4)
        divisor = 0 if divisor < 0 else divisor
    work = a.astype(np.float32) if a.dtype == BF16 or a.dtype == np.float16 else a
    with np.errstate(invalid="ignore", divide="ignore"):
        dev = work - work.mean(axis=axes, keepdims=True)
        sq = (dev.real * dev.real + dev.imag * dev.imag) if a.dtype.kind == "c" else dev * dev
        var = sq.sum(axis=axes, keepdims=keepdim) / xp.asarray(divisor, dtype=sq.dtype)
    return var, divisor


def _real_dtype(d):
    return np.dtype(np.float32) if d == np.complex64 else np.dtype(np.float64) if d == np.complex128 else d


class Var(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a, axes, correction, keepdim):
        var, ctx.divisor = _variance(a, axes, correction, keepdim, "var")
        ctx.axes, ctx.keepdim, ctx.in_shape = axes, keepdim, a.shape
        return var.astype(_real_dtype(a.dtype), copy=False)

    @staticmethod
    def backward(ctx, g):
        # d var / d a_i = 2 (a_i - mean) / (N - correction)
        (a,) = ctx.saved_tensors
        centered = a - a.mean(ctx.axes, keepdim=True)
        factor = 2.0 / ctx.divisor if ctx.divisor else float("inf")
        return _expand(g, ctx.in_shape, ctx.axes, ctx.keepdim) * centered * factor, None, None, None


class Std(Op):
    saves_inputs = (0,)
    saves_output = True

    @staticmethod
    def forward(ctx, a, axes, correction, keepdim):
        var, ctx.divisor = _variance(a, axes, correction, keepdim, "std")
        ctx.axes, ctx.keepdim, ctx.in_shape = axes, keepdim, a.shape
        return xp_of(a).sqrt(var).astype(_real_dtype(a.dtype), copy=False)

    @staticmethod
    def backward(ctx, g):
        # d std / d a_i = (a_i - mean) / ((N - correction) std); zero where std is zero (as PyTorch)
        from .pointwise import where
        a, out = ctx.saved_tensors
        scale = where(out == 0, 0.0, g / (out * 2))
        centered = a - a.mean(ctx.axes, keepdim=True)
        factor = 2.0 / ctx.divisor if ctx.divisor else float("inf")
        return _expand(scale, ctx.in_shape, ctx.axes, ctx.keepdim) * centered * factor, None, None, None


def _var_args(name, input, dim, unbiased, keepdim, correction):
    if not (input.is_floating_point() or input.is_complex()):
        raise RuntimeError("std and var only support floating point and complex dtypes")
    if isinstance(dim, bool):  # legacy std(input, unbiased)
        dim, unbiased = None, dim
    if correction is not None and unbiased is not None:
        raise RuntimeError(f"{name}: Cannot pass both correction and unbiased arguments")
    if correction is None:
        correction = 0 if unbiased is False else 1
    return _axes(input, dim), correction, bool(keepdim)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Variance over ``dim`` with divisor N - ``correction`` (1 by default; ``unbiased=False`` gives 0)."""
    axes, correction, keepdim = _var_args("var", input, dim, unbiased, keepdim, correction)
    res = Var.apply(input, axes, correction, keepdim)
    return res if out is None else out.copy_(res)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Standard deviation over ``dim`` with divisor N - ``correction``."""
    axes, correction, keepdim = _var_args("std", input, dim, unbiased, keepdim, correction)
    res = Std.apply(input, axes, correction, keepdim)
    return res if out is None else out.copy_(res)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(var, mean) over ``dim``."""
    from .reduction import mean
    v = var(input, dim, unbiased, keepdim, correction=correction)
    return v, mean(input, None if isinstance(dim, bool) else dim, keepdim)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(std, mean) over ``dim``."""
    from .reduction import mean
    s = std(input, dim, unbiased, keepdim, correction=correction)
    return s, mean(input, None if isinstance(dim, bool) else dim, keepdim)


# ---------------------------------------------------------------------------------------
# median / nanmedian / mode
# ---------------------------------------------------------------------------------------

def _median_positions(sorted_vals, dim, ignore_nan):
    """Position (in sorted order, keepdims) of the lower median; a NaN's position when it propagates."""
    xp = xp_of(sorted_vals)
    n = sorted_vals.shape[dim]
    nan_count = xp.isnan(sorted_vals).sum(axis=dim, keepdims=True) if sorted_vals.dtype.kind in "fc" \
        else xp.zeros(tuple(1 if i == dim else s for i, s in enumerate(sorted_vals.shape)), np.int64)
    if ignore_nan:
        valid = n - nan_count
        return xp.maximum(valid - 1, 0) // 2
    # NaNs sort last; a slice holding one reports its first NaN
    return xp.where(nan_count > 0, n - nan_count, (n - 1) // 2)


class _WholeMedian(Op):
    """median() / nanmedian() of a whole tensor: ties share the gradient evenly."""
    saves_inputs = (0,)
    saves_output = True
    ignore_nan = False

    @classmethod
    def forward(cls, ctx, a):
        from .sorting import sortable
        xp = xp_of(a)
        if a.size == 0:
            return xp.asarray(np.nan, dtype=a.dtype) if a.dtype.kind == "f" or a.dtype == BF16 else \
                xp.zeros((), a.dtype)
        flat = sortable(a).reshape(-1)
        s = xp.sort(flat)
        pos = _median_positions(s.reshape(1, -1), 1, cls.ignore_nan).reshape(())
        return s[int(pos)].astype(a.dtype).reshape(())

    @staticmethod
    def backward(ctx, g):
        from .reduction import _ties_mask
        a, out = ctx.saved_tensors
        mask = _ties_mask(a, out)
        return g * mask / mask.sum()


class Median(_WholeMedian):
    pass


class Nanmedian(_WholeMedian):
    ignore_nan = True


class _DimMedian(DimSelect):
    ignore_nan = False

    @classmethod
    def select(cls, xp, a, dim):
        from .sorting import stable_order
        order = stable_order(a, dim)
        s = xp.take_along_axis(a, order, axis=dim)
        pos = _median_positions(s, dim, cls.ignore_nan)
        return xp.take_along_axis(s, pos, axis=dim), xp.take_along_axis(order, pos, axis=dim)


class MedianDim(_DimMedian):
    fn_name = "median"

    def name(self):
        return "MedianBackward1"


class NanmedianDim(_DimMedian):
    fn_name, ignore_nan = "nanmedian", True

    def name(self):
        return "NanmedianBackward1"


def _check_not_bool(name, input):
    if input._data.dtype == np.bool_:
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for 'Bool'")


def median(input, dim=None, keepdim=False, *, out=None):
    """Lower median (NaN if any); with ``dim``, (values, indices) along it."""
    _check_not_bool("median", input)
    if dim is None:
        return Median.apply(input)
    dim = wrap_dim(dim, input._data.ndim)
    return return_types.median(MedianDim.apply(input, dim, bool(keepdim)))


def nanmedian(input, dim=None, keepdim=False, *, out=None):
    """Lower median of the non-NaN values; with ``dim``, (values, indices) along it."""
    _check_not_bool("nanmedian", input)
    if dim is None:
        return Nanmedian.apply(input)
    dim = wrap_dim(dim, input._data.ndim)
    return return_types.nanmedian(NanmedianDim.apply(input, dim, bool(keepdim)))


class Mode(DimSelect):
    fn_name = "mode"

    @staticmethod
    def select(xp, a, dim):
        from .sorting import stable_order
        moved = xp.moveaxis(a, dim, -1)
        lead, n = moved.shape[:-1], moved.shape[-1]
        rows = moved.reshape(-1, n)
        order = stable_order(rows, 1)
        s = xp.take_along_axis(rows, order, axis=1)
        pos = xp.arange(n)
        change = s[:, 1:] != s[:, :-1]
        start = xp.concatenate([xp.ones((rows.shape[0], 1), bool), change], axis=1)
        end = xp.concatenate([change, xp.ones((rows.shape[0], 1), bool)], axis=1)
        # each element's run: first position (running max of starts), last (reverse running min of ends)
        run_start = xp.maximum.accumulate(xp.where(start, pos, 0), axis=1)
        run_end = xp.flip(xp.minimum.accumulate(xp.flip(xp.where(end, pos, n), 1), axis=1), 1)
        length = run_end - run_start
        best = xp.argmax(length, axis=1)[:, None]  # first longest run: the smallest most common value
        last = xp.take_along_axis(run_end, best, axis=1)  # its last element: the largest original index
        values = xp.take_along_axis(s, last, axis=1).reshape(lead)
        idx = xp.take_along_axis(order, last, axis=1).reshape(lead).astype(np.int64)
        return xp.expand_dims(values, dim), xp.expand_dims(idx, dim)


def mode(input, dim=-1, keepdim=False, *, out=None):
    """Most frequent value along ``dim`` (the smallest among equals) and the index of its last occurrence."""
    dim = wrap_dim(dim, input._data.ndim)
    return return_types.mode(Mode.apply(input, dim, bool(keepdim)))


# ---------------------------------------------------------------------------------------
# quantile / nanquantile
# ---------------------------------------------------------------------------------------

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(name, input, q, dim, keepdim, interpolation, ignore_nan):
    from .pointwise import lerp
    from .scatter import Gather
    from .sorting import sort
    a = input._data
    xp = xp_of(a)
    if a.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(f"{name}() interpolation must be one of linear, lower, higher, midpoint or nearest. "
                         f"Got {interpolation}")
    scalar_q = isinstance(q, numbers.Number)
    if scalar_q:
        q_arr = xp.asarray([q], dtype=a.dtype)
    else:
        if q._data.ndim > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        if q._data.dtype != a.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        scalar_q = q._data.ndim == 0
        q_arr = q._data.reshape(-1)
    if q_arr.size and (float(q_arr.min()) < 0 or float(q_arr.max()) > 1):
        bad = float(q_arr.min()) if float(q_arr.min()) < 0 else float(q_arr.max())
        raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {bad}" if scalar_q and
                           isinstance(q, numbers.Number) else f"{name}() q values must be in the range [0, 1]")
    if dim is None:
        x, d = input.reshape(-1), 0
    else:
        d = wrap_dim(dim, a.ndim)
        x = input if a.ndim else input.reshape(1)
    if x._data.shape[d] == 0:
        raise IndexError(f"{name}() input tensor must be non-empty")
    s = sort(x, d).values.movedim(d, -1)                  # (..., n), NaNs last
    n = s._data.shape[-1]
    nq = q_arr.size
    sd = s._data
    is_nan = xp.isnan(sd)
    if ignore_nan:
        valid = (n - is_nan.sum(axis=-1, keepdims=True)).astype(a.dtype)
        ranks = q_arr * xp.maximum(valid - 1, 0)             # (..., nq)
    else:
        ranks = xp.broadcast_to(q_arr * a.dtype.type(n - 1), sd.shape[:-1] + (nq,))
        ranks = xp.where(is_nan[..., -1:], a.dtype.type(n - 1), ranks)  # a NaN anywhere gives NaN
    if interpolation == "lower":
        ranks = xp.floor(ranks)
    elif interpolation == "higher":
        ranks = xp.ceil(ranks)
    elif interpolation == "nearest":
        ranks = xp.round(ranks)
    below = xp.floor(ranks).astype(np.int64)
    above = xp.ceil(ranks).astype(np.int64)
    lo = Gather.apply(s, s._data.ndim - 1, below)
    hi = Gather.apply(s, s._data.ndim - 1, above)
    if interpolation == "midpoint":
        weights = xp.where(below != above, a.dtype.type(0.5), a.dtype.type(0))
    else:
        weights = (ranks - below).astype(a.dtype)
    result = lerp(lo, hi, Tensor._make(weights)) if interpolation in ("linear", "midpoint") else lo
    result = result.movedim(-1, 0)                           # (nq, ...)
    if keepdim:
        if dim is None:
            result = result.reshape((nq,) + (1,) * a.ndim)
        elif a.ndim:
            result = result.unsqueeze(d + 1)
    if scalar_q:
        result = result.squeeze(0)
    return result


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """The ``q``-th quantiles (scalar or 1-D ``q``) along ``dim`` (flattened when None); NaN if any NaN."""
    res = _quantile("quantile", input, q, dim, keepdim, interpolation, False)
    return res if out is None else out.copy_(res)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """quantile() that ignores NaNs (NaN only where a slice holds nothing else)."""
    res = _quantile("nanquantile", input, q, dim, keepdim, interpolation, True)
    return res if out is None else out.copy_(res)


__all__ = ["var", "std", "var_mean", "std_mean", "median", "nanmedian", "mode", "quantile", "nanquantile"]
