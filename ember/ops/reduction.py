"""Reductions: sums, means, extrema, statistics, norms, scans and logical reductions."""
from .. import _dtype as dt
from .._backend import np
from .._tensor import Tensor
from ..autograd.function import Op
from ._common import dim_tuple, floating, write_out, xp_of

ndarray = np.ndarray


def _reduced_shape_for_grad(in_shape, axes, keepdim):
    """The shape a reduced gradient takes before it is expanded back to ``in_shape``."""
    if keepdim:
        return in_shape
    return tuple(1 if i in axes else n for i, n in enumerate(in_shape))


def _sum_dtype(a, dtype):
    if dtype is not None:
        return dt.to_dtype(dtype).np_dtype
    if a.dtype.kind in "biu":
        return np.dtype(np.int64)  # PyTorch sums bools and ints as int64
    return a.dtype


class Sum(Op):
    @staticmethod
    def forward(ctx, a, axes, keepdim, dtype):
        ctx.in_shape, ctx.axes, ctx.keepdim = a.shape, axes, keepdim
        out_dtype = _sum_dtype(a, dtype)
        if a.dtype == dt.bfloat16.np_dtype or a.dtype == np.float16:
            return a.astype(np.float32).sum(axis=axes, keepdims=keepdim).astype(out_dtype)
        return a.sum(axis=axes, keepdims=keepdim, dtype=out_dtype)

    @staticmethod
    def backward(ctx, g):
        shape = _reduced_shape_for_grad(ctx.in_shape, ctx.axes, ctx.keepdim)
        return g.reshape(shape).expand(ctx.in_shape), None, None, None


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum of elements, over all of them or over ``dim`` (int or tuple)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"sum(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    axes = dim_tuple(dim, input._data.ndim) if dim is not None and dim != () and dim != [] else \
        tuple(range(input._data.ndim))
    return write_out(out, Sum.apply(input, axes, keepdim, dtype))


class Mean(Op):
    @staticmethod
    def forward(ctx, a, axes, keepdim, dtype):
        ctx.in_shape, ctx.axes, ctx.keepdim = a.shape, axes, keepdim
        n = 1
        for ax in axes:
            n *= a.shape[ax]
        ctx.count = n
        out_dtype = dt.to_dtype(dtype).np_dtype if dtype is not None else a.dtype
        if a.dtype == dt.bfloat16.np_dtype or a.dtype == np.float16:
            return a.astype(np.float32).mean(axis=axes, keepdims=keepdim).astype(out_dtype)
        with np.errstate(invalid="ignore", divide="ignore"):
            return a.mean(axis=axes, keepdims=keepdim, dtype=out_dtype)

    @staticmethod
    def backward(ctx, g):
        shape = _reduced_shape_for_grad(ctx.in_shape, ctx.axes, ctx.keepdim)
        return (g / ctx.count).reshape(shape).expand(ctx.in_shape), None, None, None


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Arithmetic mean, over all elements or over ``dim``."""
    d = dt.to_dtype(dtype) if dtype is not None else input.dtype
    if d.category < dt.FLOAT:
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either a floating point "
                           f"or complex dtype. Got: {d.name.capitalize() if d.name != 'int64' else 'Long'}")
    axes = dim_tuple(dim, input._data.ndim) if dim is not None and dim != () and dim != [] else \
        tuple(range(input._data.ndim))
    return write_out(out, Mean.apply(input, axes, keepdim, dtype))


__all__ = ["sum", "mean"]
