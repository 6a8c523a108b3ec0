"""Reductions: sums, means, products, extrema, logical reductions, logsumexp, trace.

Statistics (std, var, median, mode, quantile), norms and scans (cumsum, ...) live in
statistics.py, norms.py and scan.py; this module re-exports them so the whole family is
bound and star-imported from one place. Each forward is one NumPy reduction; each
backward is written with Tensor ops, so higher-order gradients work.
"""
import builtins

from .. import _dtype as dt
from .. import return_types
from .._backend import np
from .._tensor import Tensor
from ..autograd.function import Op
from ._common import dim_tuple, floating, type_word, wrap_dim, write_out, xp_of

ndarray = np.ndarray
BF16 = dt.bfloat16.np_dtype


# ---------------------------------------------------------------------------------------
# helpers shared by the family
# ---------------------------------------------------------------------------------------

def reduction_axes(input, dim):
    """``dim`` (None, (), int or sequence) as a sorted tuple of axes; None and () mean all."""
    nd = input._data.ndim
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(nd))
    if nd == 0:  # a 0-d tensor accepts dim 0 / -1 and reduces nothing
        for d in ((dim,) if isinstance(dim, (int, np.integer)) else dim):
            wrap_dim(int(d), 0)
        return ()
    return dim_tuple(dim, nd)


def _reduced_shape(in_shape, axes, keepdim):
    if keepdim:
        return keepdim_shape(in_shape, axes)
    return tuple(n for i, n in enumerate(in_shape) if i not in axes)


def keepdim_shape(in_shape, axes):
    return tuple(1 if i in axes else n for i, n in enumerate(in_shape))


def expand_reduced(g, in_shape, axes, keepdim):
    """A reduced gradient (or value) broadcast back over the reduced axes of ``in_shape``."""
    if not keepdim:
        g = g.reshape(keepdim_shape(in_shape, axes))
    return g.expand(in_shape)


def native(a):
    """``a`` in a dtype NumPy's reductions handle exactly (bfloat16 through float32)."""
    return a.astype(np.float32) if a.dtype == BF16 else a


def check_nonempty(name, a, axes, whole):
    """PyTorch's errors for max-like reductions over nothing."""
    if a.size:
        return
    if whole:
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                           f"Specify the reduction dim with the 'dim' argument.")
    for ax in axes:
        if a.shape[ax] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {ax} to have non-zero size.")


def _sum_dtype(a, dtype):
    if dtype is not None:
        return dt.to_dtype(dtype).np_dtype
    if a.dtype.kind in "biu":
        return np.dtype(np.int64)  # PyTorch sums bools and ints as int64
    return a.dtype


def _by_dim_name(base):
    """grad_fn name: PyTorch numbers the overloads (SumBackward0 whole tensor, SumBackward1 with dim)."""
    def name(self):
        return base + ("Backward1" if getattr(self, "by_dim", False) else "Backward0")
    return name


# ---------------------------------------------------------------------------------------
# sum / mean / nansum / nanmean
# ---------------------------------------------------------------------------------------

class Sum(Op):
    name = _by_dim_name("Sum")

    @staticmethod
    def forward(ctx, a, axes, keepdim, dtype, by_dim=False):
        ctx.in_shape, ctx.axes, ctx.keepdim, ctx.by_dim = a.shape, axes, keepdim, by_dim
        out_dtype = _sum_dtype(a, dtype)
        if a.dtype == BF16 or a.dtype == np.float16:
            return a.astype(np.float32).sum(axis=axes, keepdims=keepdim).astype(out_dtype)
        return a.sum(axis=axes, keepdims=keepdim, dtype=out_dtype)

    @staticmethod
    def backward(ctx, g):
        return expand_reduced(g, ctx.in_shape, ctx.axes, ctx.keepdim), None, None, None, None


def _is_all(dim):
    return dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0)


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum of elements, over all of them or over ``dim`` (int or tuple). Ints and bools sum as int64."""
    if not isinstance(input, Tensor):
        raise TypeError(f"sum(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    axes = reduction_axes(input, dim)
    return write_out(out, Sum.apply(input, axes, keepdim, dtype, not _is_all(dim)))


class Mean(Op):
    name = _by_dim_name("Mean")

    @staticmethod
    def forward(ctx, a, axes, keepdim, dtype, by_dim=False):
        ctx.in_shape, ctx.axes, ctx.keepdim, ctx.by_dim = a.shape, axes, keepdim, by_dim
        n = 1
        for ax in axes:
            n *= a.shape[ax]
        ctx.count = n
        out_dtype = dt.to_dtype(dtype).np_dtype if dtype is not None else a.dtype
        if n == 0:  # PyTorch: NaN, silently
            return xp_of(a).full(_reduced_shape(a.shape, axes, keepdim), np.nan, out_dtype)
        with np.errstate(invalid="ignore", divide="ignore"):
            if a.dtype == BF16 or a.dtype == np.float16:
                return a.astype(np.float32).mean(axis=axes, keepdims=keepdim).astype(out_dtype)
            return a.mean(axis=axes, keepdims=keepdim, dtype=out_dtype)

    @staticmethod
    def backward(ctx, g):
        return expand_reduced(g / ctx.count, ctx.in_shape, ctx.axes, ctx.keepdim), None, None, None, None


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Arithmetic mean, over all elements or over ``dim``."""
    d = dt.to_dtype(dtype) if dtype is not None else input.dtype
    if d.category < dt.FLOAT:
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either a floating point "
                           f"or complex dtype. Got: {type_word(d)}")
    axes = reduction_axes(input, dim)
    return write_out(out, Mean.apply(input, axes, keepdim, dtype, not _is_all(dim)))


class Nansum(Op):
    @staticmethod
    def forward(ctx, a, axes, keepdim, dtype):
        ctx.in_shape, ctx.axes, ctx.keepdim = a.shape, axes, keepdim
        out_dtype = _sum_dtype(a, dtype)
        if a.dtype.kind not in "fc" and a.dtype != BF16:
            return a.sum(axis=axes, keepdims=keepdim, dtype=out_dtype)
        ctx.kept = ~xp_of(a).isnan(a)
        work = a.astype(np.float32) if a.dtype == BF16 or a.dtype == np.float16 else a
        return xp_of(a).nansum(work, axis=axes, keepdims=keepdim).astype(out_dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        # NaNs were skipped, so they get no gradient
        return expand_reduced(g, ctx.in_shape, ctx.axes, ctx.keepdim) * Tensor._make(ctx.kept), None, None, None


def nansum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum treating NaN as zero."""
    return write_out(out, Nansum.apply(input, reduction_axes(input, dim), keepdim, dtype))


def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Mean over the non-NaN elements."""
    if not input.is_floating_point() and not input.is_complex():
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype but got "
                           f"{type_word(input.dtype)}")
    from .pointwise import isnan
    count = sum(isnan(input).logical_not(), dim, keepdim)
    return write_out(out, nansum(input, dim, keepdim, dtype=dtype) / count)


# ---------------------------------------------------------------------------------------
# prod
# ---------------------------------------------------------------------------------------

class Prod(Op):
    saves_inputs = (0,)
    saves_output = True
    name = _by_dim_name("Prod")

    @staticmethod
    def forward(ctx, a, axis, keepdim, dtype):
        ctx.axis, ctx.keepdim, ctx.in_shape, ctx.by_dim = axis, keepdim, a.shape, axis is not None
        out_dtype = _sum_dtype(a, dtype)
        ctx.has_zero = builtins.bool((a == 0).any()) if a.dtype.kind in "fc" or a.dtype == BF16 else False
        if a.dtype == BF16 or a.dtype == np.float16:
            return a.astype(np.float32).prod(axis=axis, keepdims=keepdim).astype(out_dtype)
        return a.prod(axis=axis, keepdims=keepdim, dtype=out_dtype)

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        axis, keepdim = ctx.axis, ctx.keepdim
        if axis is None:  # whole tensor: the same rule on the flattened input
            a_flat = a.reshape(-1) if a._data.ndim != 1 else a
            return _prod_grad(a_flat, g.reshape(1), out.reshape(1), 0, ctx.has_zero).reshape(ctx.in_shape), \
                None, None, None
        if not keepdim and a._data.ndim:
            g, out = g.unsqueeze(axis), out.unsqueeze(axis)
        return _prod_grad(a, g, out, axis, ctx.has_zero), None, None, None


def _prod_grad(a, g, out, axis, has_zero):
    """d prod / d a_i = product of the other elements; g and out keep the reduced axis."""
    from .pointwise import where
    if a._data.ndim == 0:
        return g
    if not has_zero:
        return g * out / a
    # With zeros: the first zero of a slice gets the product of the rest (itself zero when the
    # slice has a second zero). Everything else keeps g * out / a with zeros divided by 1: its
    # value is 0 there, and it still depends on the zero through out (for double backward).
    xp = xp_of(a._data)
    is_zero = a._data == 0
    first_zero = Tensor._make(is_zero & (xp.cumsum(is_zero, axis=axis) == 1))
    others_at_zero = prod(where(first_zero, 1.0, a), axis, keepdim=True)
    safe_a = where(Tensor._make(is_zero), 1.0, a)
    return where(first_zero, g * others_at_zero, g * out / safe_a)


def prod(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Product of elements, over all of them or along one ``dim``. Ints and bools give int64."""
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"prod() received an invalid combination of arguments - got (Tensor, "
                        f"{type(dim).__name__}), but expected one of: (Tensor input, *, dtype), "
                        f"(Tensor input, int dim, bool keepdim, *, dtype)")
    axis = None
    if dim is not None:
        axis = wrap_dim(dim, input._data.ndim)
        if input._data.ndim == 0:
            axis = None
            if keepdim:
                keepdim = False
    return write_out(out, Prod.apply(input, axis, keepdim, dtype))


# ---------------------------------------------------------------------------------------
# extrema
# ---------------------------------------------------------------------------------------

def _ties_mask(a, out):
    """1 where ``a`` equals the (broadcast) result, NaN matching NaN; as a float Tensor like ``a``."""
    from .pointwise import isnan
    hit = (a == out) | (isnan(a) & isnan(out))
    return hit.to(a.dtype)


class _WholeExtremum(Op):
    """max() / min() of a whole tensor: the gradient is shared evenly by every element equal to it."""
    saves_inputs = (0,)
    saves_output = True
    reducer = None

    @classmethod
    def forward(cls, ctx, a):
        check_nonempty(cls.fn_name, a, (), True)
        xp = xp_of(a)
        return getattr(xp, cls.reducer)(native(a)).astype(a.dtype)

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        mask = _ties_mask(a, out)
        return g * mask / mask.sum()


class Max(_WholeExtremum):
    reducer, fn_name = "max", "max"

    def name(self):
        return "MaxBackward1"


class Min(_WholeExtremum):
    reducer, fn_name = "min", "min"

    def name(self):
        return "MinBackward1"


def dim_select_backward(ctx, g):
    """Backward of ``(values, indices) = op(a, dim, keepdim)`` for ops that pick one element per
    slice (max/min/median/mode along a dim): ``g`` goes back to the picked positions, zero elsewhere.
    Reads ``ctx.dim``, ``ctx.keepdim``, ``ctx.in_shape`` and ``ctx.indices`` (kept-dim shape)."""
    from .sorting import select_backward
    if ctx.in_shape == ():
        return g, None, None
    if not ctx.keepdim:
        g = g.unsqueeze(ctx.dim)
    return select_backward(g, ctx.dim, ctx.indices, ctx.in_shape), None, None


class DimSelect(Op):
    """Base of ``(values, indices) = op(a, dim, keepdim)`` ops that pick one element per slice
    (max/min/median/nanmedian/mode along a dim). Subclasses set ``fn_name`` (for the empty-input
    error) and define ``select(xp, a, dim)`` returning kept-dim ``(values, int64 indices)``."""
    fn_name = None

    @classmethod
    def forward(cls, ctx, a, dim, keepdim):
        xp = xp_of(a)
        ctx.dim, ctx.in_shape, ctx.keepdim = dim, a.shape, keepdim
        if a.ndim == 0:
            ctx.indices = xp.zeros((), np.int64)
            return a.copy(), ctx.indices
        check_nonempty(cls.fn_name, a, (dim,), False)
        values, idx = cls.select(xp, a, dim)
        ctx.indices = idx
        if not keepdim:
            values, idx = values.squeeze(dim), idx.squeeze(dim)
        return values, idx

    @staticmethod
    def backward(ctx, g, _g_indices):
        return dim_select_backward(ctx, g)


class _DimExtremum(DimSelect):
    """max(dim) / min(dim): values and the index of the first extreme (or first NaN)."""
    arg = None

    @classmethod
    def select(cls, xp, a, dim):
        idx = getattr(xp, cls.arg)(native(a), axis=dim, keepdims=True)
        return xp.take_along_axis(a, idx, axis=dim), idx


class MaxDim(_DimExtremum):
    arg, fn_name = "argmax", "max"

    def name(self):
        return "MaxBackward0"


class MinDim(_DimExtremum):
    arg, fn_name = "argmin", "min"

    def name(self):
        return "MinBackward0"


def _extremum(whole_cls, dim_cls, binary, rtype, input, dim, keepdim, out, other):
    if other is not None:
        dim = other
    if isinstance(dim, Tensor):
        return binary(input, dim, out=out) if out is not None else binary(input, dim)
    if dim is None:
        if keepdim:
            raise TypeError(f"{rtype.__name__}() received an invalid combination of arguments - got (Tensor, "
                            f"keepdim=bool), but expected one of: (Tensor input, int dim, bool keepdim)")
        return write_out(out, whole_cls.apply(input))
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"{rtype.__name__}() received an invalid combination of arguments - got (Tensor, "
                        f"{type(dim).__name__}), but expected one of: (Tensor input, int dim, bool keepdim)")
    dim = wrap_dim(dim, input._data.ndim)
    values, indices = dim_cls.apply(input, dim, bool(keepdim))
    if out is not None:
        values, indices = write_out(out[0], values), write_out(out[1], indices)
    return rtype((values, indices))


def max(input, dim=None, keepdim=False, *, out=None, other=None):
    """Largest element; with ``dim``, (values, indices) along it; with a tensor, elementwise maximum."""
    from .pointwise import maximum
    return _extremum(Max, MaxDim, maximum, return_types.max, input, dim, keepdim, out, other)


def min(input, dim=None, keepdim=False, *, out=None, other=None):
    """Smallest element; with ``dim``, (values, indices) along it; with a tensor, elementwise minimum."""
    from .pointwise import minimum
    return _extremum(Min, MinDim, minimum, return_types.min, input, dim, keepdim, out, other)


class _AExtremum(Op):
    """amax / amin over several dims: ties share the gradient evenly."""
    saves_inputs = (0,)
    saves_output = True
    reducer = None

    @classmethod
    def forward(cls, ctx, a, axes, keepdim, whole):
        check_nonempty(cls.__name__.lower(), a, axes, whole)
        ctx.axes, ctx.keepdim, ctx.in_shape = axes, keepdim, a.shape
        return getattr(xp_of(a), cls.reducer)(native(a), axis=axes, keepdims=keepdim).astype(a.dtype)

    @staticmethod
    def backward(ctx, g):
        # NOTE: a NaN result matches nothing, so its slice gets 0/0 = NaN, exactly like PyTorch.
        a, out = ctx.saved_tensors
        axes, keepdim, shape = ctx.axes, ctx.keepdim, ctx.in_shape
        mask = (a == expand_reduced(out, shape, axes, keepdim)).to(a.dtype)
        count = mask.sum(axes, keepdim=True)
        return expand_reduced(g, shape, axes, keepdim) * mask / count, None, None, None


class Amax(_AExtremum):
    reducer = "max"


class Amin(_AExtremum):
    reducer = "min"


def amax(input, dim=(), keepdim=False, *, out=None):
    """Largest values over ``dim`` (int or tuple; all dims by default)."""
    return write_out(out, Amax.apply(input, reduction_axes(input, dim), keepdim, _is_all(dim)))


def amin(input, dim=(), keepdim=False, *, out=None):
    """Smallest values over ``dim`` (int or tuple; all dims by default)."""
    return write_out(out, Amin.apply(input, reduction_axes(input, dim), keepdim, _is_all(dim)))


class Aminmax(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a, axes, keepdim):
        xp = xp_of(a)
        if a.size == 0 or builtins.any(a.shape[ax] == 0 for ax in axes):
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation has "
                               "no identity.")
        ctx.axes, ctx.keepdim, ctx.in_shape = axes, keepdim, a.shape
        w = native(a)
        lo = xp.min(w, axis=axes, keepdims=keepdim).astype(a.dtype)
        hi = xp.max(w, axis=axes, keepdims=keepdim).astype(a.dtype)
        ctx.lo, ctx.hi = lo, hi
        return lo, hi

    @staticmethod
    def backward(ctx, g_min, g_max):
        (a,) = ctx.saved_tensors
        axes, keepdim, shape = ctx.axes, ctx.keepdim, ctx.in_shape
        total = None
        for g, res in ((g_min, ctx.lo), (g_max, ctx.hi)):
            mask = (a == expand_reduced(Tensor._make(res), shape, axes, keepdim)).to(a.dtype)
            part = expand_reduced(g, shape, axes, keepdim) * mask / mask.sum(axes, keepdim=True)
            total = part if total is None else total + part
        return total, None, None


def aminmax(input, *, dim=None, keepdim=False, out=None):
    """(min, max) in one pass, over all elements or along ``dim``."""
    axes = reduction_axes(input, dim)
    lo, hi = Aminmax.apply(input, axes, keepdim)
    return return_types.aminmax((lo, hi))


def _arg_extremum(name, input, dim, keepdim):
    a = input._data
    xp = xp_of(a)
    if a.dtype == np.bool_:
        raise RuntimeError(f"{name}(): does not support bool input")
    fn = getattr(xp, name)
    if dim is None:
        if a.size == 0:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
        idx = xp.asarray(fn(native(a).reshape(-1)), dtype=np.int64)
        return Tensor._make(idx.reshape((1,) * a.ndim) if keepdim else idx)
    dim = wrap_dim(dim, a.ndim)
    if a.ndim == 0:
        return Tensor._make(xp.zeros((), np.int64))
    check_nonempty(name, a, (dim,), False)
    return Tensor._make(fn(native(a), axis=dim, keepdims=keepdim).astype(np.int64, copy=False))


def argmax(input, dim=None, keepdim=False, *, out=None):
    """Index of the first largest element (the first NaN, if any), flattened or along ``dim``."""
    return write_out(out, _arg_extremum("argmax", input, dim, keepdim))


def argmin(input, dim=None, keepdim=False, *, out=None):
    """Index of the first smallest element (the first NaN, if any), flattened or along ``dim``."""
    return write_out(out, _arg_extremum("argmin", input, dim, keepdim))


# ---------------------------------------------------------------------------------------
# logical reductions, counting
# ---------------------------------------------------------------------------------------

def _logical(name, input, dim, keepdim, out):
    a = input._data
    axes = reduction_axes(input, dim)
    res = getattr(xp_of(a), name)(a, axis=axes, keepdims=keepdim)
    if a.dtype == np.uint8:  # PyTorch keeps uint8 for uint8 input
        res = res.astype(np.uint8)
    return write_out(out, Tensor._make(xp_of(a).asarray(res)))


def all(input, dim=None, keepdim=False, *, out=None):
    """True when every element (along ``dim``) is non-zero."""
    return _logical("all", input, dim, keepdim, out)


def any(input, dim=None, keepdim=False, *, out=None):
    """True when some element (along ``dim``) is non-zero."""
    return _logical("any", input, dim, keepdim, out)


def count_nonzero(input, dim=None):
    """Number of non-zero elements, over all of them or over ``dim`` (int or tuple)."""
    a = input._data
    axes = reduction_axes(input, dim)
    return Tensor._make(xp_of(a).asarray((a != 0).sum(axis=axes), dtype=np.int64))


# ---------------------------------------------------------------------------------------
# logsumexp, trace
# ---------------------------------------------------------------------------------------

class Logsumexp(Op):
    saves_inputs = (0,)
    saves_output = True

    @staticmethod
    def forward(ctx, a, axes, keepdim):
        xp = xp_of(a)
        ctx.axes, ctx.keepdim, ctx.in_shape = axes, keepdim, a.shape
        work = a.astype(np.float32) if a.dtype == BF16 or a.dtype == np.float16 else a
        # NOTE: subtract the max so exp never overflows; an infinite max is replaced by 0 so
        # that inf - inf never makes a NaN (all -inf gives -inf, any +inf gives +inf).
        m = xp.max(work, axis=axes, keepdims=True, initial=-np.inf) if work.size else \
            xp.zeros(keepdim_shape(a.shape, axes), work.dtype)
        m = xp.where(xp.isinf(m), 0, m).astype(work.dtype)
        with np.errstate(divide="ignore"):
            out = xp.log(xp.exp(work - m).sum(axis=axes, keepdims=True)) + m
        if not keepdim:
            out = out.reshape(tuple(n for i, n in enumerate(a.shape) if i not in axes))
        return out.astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        # d/da logsumexp(a) = exp(a - logsumexp(a)) = softmax(a)
        from .pointwise import exp
        a, out = ctx.saved_tensors
        shape, axes, keepdim = ctx.in_shape, ctx.axes, ctx.keepdim
        return expand_reduced(g, shape, axes, keepdim) * exp(a - expand_reduced(out, shape, axes, keepdim)), \
            None, None


def logsumexp(input, dim, keepdim=False, *, out=None):
    """log(sum(exp(input))) over ``dim``, computed without overflow."""
    if not (input.is_floating_point() or input.is_complex()):
        input = Tensor._make(floating(input._data))
    return write_out(out, Logsumexp.apply(input, reduction_axes(input, dim), keepdim))


class Trace(Op):
    @staticmethod
    def forward(ctx, a):
        ctx.in_shape = a.shape
        out_dtype = np.int64 if a.dtype.kind in "iu" else a.dtype
        return xp_of(a).asarray(xp_of(a).trace(native(a), dtype=out_dtype if a.dtype != BF16 else np.float32)) \
            .astype(out_dtype)

    @staticmethod
    def backward(ctx, g):
        # d trace(A) / dA = I (rectangular)
        n, m = ctx.in_shape
        return g * Tensor._make(xp_of(g._data).eye(n, m, dtype=g._data.dtype))


def trace(input):
    """Sum of the main diagonal of a 2-D tensor."""
    if input._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input._data.ndim}")
    if input._data.dtype == np.bool_:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    return Trace.apply(input)


from .statistics import *  # noqa: E402,F401,F403
from .statistics import __all__ as _statistics_all  # noqa: E402
from .scan import *  # noqa: E402,F401,F403
from .scan import __all__ as _scan_all  # noqa: E402
from .scan import cumprod_, cumsum_  # noqa: E402,F401
from .norms import *  # noqa: E402,F401,F403
from .norms import __all__ as _norms_all  # noqa: E402

__all__ = ["sum", "mean", "nansum", "nanmean", "prod", "max", "min", "amax", "amin", "aminmax", "argmax",
           "argmin", "all", "any", "count_nonzero", "logsumexp", "trace"] + _statistics_all + _scan_all + \
    _norms_all
METHODS = [n for n in __all__ if n not in ("std_mean", "var_mean")] + ["cumsum_", "cumprod_"]
