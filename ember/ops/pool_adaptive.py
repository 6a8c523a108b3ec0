"""Adaptive pooling (output size fixed, windows computed from it) and max-unpooling.

Adaptive window i along a dim of length L covers [floor(i*L/out), ceil((i+1)*L/out)).
Average pooling over such windows is linear and separable: one (out, L) averaging matrix
per spatial dim. Adaptive max pooling loops over the (few) offsets inside the largest window
and records PyTorch's flat indices; its gradient scatters through those indices.
"""
import math
from itertools import product

from .._backend import np
from .._tensor import Tensor
from ..autograd.function import Op
from ._common import xp_of
from .conv import ntuple


def _windows(length, out):
    i = np.arange(out)
    start = (i * length) // out
    end = -((-(i + 1) * length) // out)
    return start, end


def _avg_matrix(length, out, dtype):
    start, end = _windows(length, out)
    pos = np.arange(length)
    inside = (pos[None, :] >= start[:, None]) & (pos[None, :] < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


def _apply_along(y, mats, transpose=False):
    """Multiply the trailing spatial dims of y by one matrix each: y[..., L] -> y[..., out]."""
    xp = xp_of(y)
    nd = len(mats)
    for i, m in enumerate(mats):
        m = xp.asarray(m if transpose else m.T)  # (L, out) applied on the right of axis i
        ax = y.ndim - nd + i
        if ax == y.ndim - 1:
            y = xp.matmul(y, m)
        else:
            y = xp.moveaxis(xp.matmul(xp.moveaxis(y, ax, -1), m), -1, ax)
    return xp.ascontiguousarray(y)


class _AdaptiveAvgPool(Op):
    @staticmethod
    def forward(ctx, x, out_size):
        nd = len(out_size)
        mats = [_avg_matrix(x.shape[-nd + i], out_size[i], x.dtype) for i in range(nd)]
        ctx.mats = mats
        return _apply_along(x, mats)

    @staticmethod
    def backward(ctx, g):
        return AdaptiveAvgPoolBackward.apply(g, ctx.mats), None


class AdaptiveAvgPoolBackward(Op):
    @staticmethod
    def forward(ctx, g, mats):
        ctx.mats = mats
        return _apply_along(g, mats, transpose=True)

    @staticmethod
    def backward(ctx, gg):
        return _LinearAlong.apply(gg, ctx.mats), None


class _LinearAlong(Op):
    @staticmethod
    def forward(ctx, x, mats):
        ctx.mats = mats
        return _apply_along(x, mats)

    @staticmethod
    def backward(ctx, g):
        return AdaptiveAvgPoolBackward.apply(g, ctx.mats), None


AdaptiveAvgPool2D = type("AdaptiveAvgPool2D", (_AdaptiveAvgPool,), {"__slots__": ()})
AdaptiveAvgPool3D = type("AdaptiveAvgPool3D", (_AdaptiveAvgPool,), {"__slots__": ()})


def _adaptive_size(output_size, x, nd, name):
    if x.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got {list(x.shape)}")
    for i in range(1, x.dim()):
        if x.shape[i] == 0:
            raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch dimensions, but "
                               f"input has sizes {list(x.shape)} with dimension {i} being empty")
    if isinstance(output_size, int):
        output_size = (output_size,) * nd
    sizes = tuple(x.shape[-nd + i] if v is None else int(v) for i, v in enumerate(output_size))
    if len(sizes) != nd:
        raise RuntimeError(f"{name}: internal error: output_size.size() must be {nd}")
    if any(v < 0 for v in sizes):
        raise RuntimeError(f"{name}: elements of output_size must be greater than or equal to 0 but received "
                           f"{list(sizes)}")
    return sizes


def adaptive_avg_pool1d(input, output_size):
    """Average pooling to a fixed output length."""
    (o,) = ntuple(output_size, 1, "output_size")
    if input.dim() not in (2, 3):
        raise RuntimeError(f"adaptive_avg_pool1d(): Expected 2D or 3D tensor, but got {list(input.shape)}")
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, o)).squeeze(-2)


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed (H_out, W_out); ``None`` keeps the input's size."""
    sizes = _adaptive_size(output_size, input, 2, "adaptive_avg_pool2d")
    if sizes == (1, 1):
        return input.mean(dim=(-2, -1), keepdim=True)  # PyTorch does the same (grad_fn MeanBackward1)
    return AdaptiveAvgPool2D.apply(input, sizes)


def adaptive_avg_pool3d(input, output_size):
    """Average pooling to a fixed (D_out, H_out, W_out)."""
    sizes = _adaptive_size(output_size, input, 3, "adaptive_avg_pool3d")
    if sizes == (1, 1, 1):
        return input.mean(dim=(-3, -2, -1), keepdim=True)
    return AdaptiveAvgPool3D.apply(input, sizes)


# ----------------------------------------------------------------------------------------
# adaptive max pooling and the flat-index scatter / gather it shares with max_unpool
# ----------------------------------------------------------------------------------------


def _adaptive_max_arrays(x, out_size):
    xp = xp_of(x)
    nd = len(out_size)
    image = x.shape[-nd:]
    wins = [_windows(image[i], out_size[i]) for i in range(nd)]
    kmax = [int((e - s).max()) if len(s) else 0 for s, e in wins]
    best = flat_best = None
    for offs in product(*[range(k) for k in kmax]):
        idx = []
        flat = None
        for i, j in enumerate(offs):
            s, e = wins[i]
            pos = np.minimum(s + j, e - 1)  # past a short window's end: repeat its last cell
            shape = [1] * nd
            shape[i] = out_size[i]
            idx.append(xp.asarray(pos.reshape(shape)))
            flat = idx[-1] if flat is None else flat * image[i] + idx[-1]
        v = x[(Ellipsis,) + tuple(idx)]
        flat = xp.broadcast_to(flat, v.shape)
        if best is None:
            best = xp.array(v, copy=True)
            flat_best = xp.array(flat, dtype=np.int64, copy=True)
            continue
        m = xp.greater(v, best)
        if x.dtype.kind == "f":
            m |= xp.isnan(v)
        xp.copyto(best, v, where=m)
        xp.copyto(flat_best, flat, where=m)
    return best, flat_best


def _scatter_planes(values, flat, plane_shape, accumulate=True):
    """out[..., plane] with out.flat_in_plane[flat] (+)= values; planes are the trailing dims."""
    xp = xp_of(values)
    nd = len(plane_shape)
    lead = flat.shape[:flat.ndim - nd]
    plane = math.prod(plane_shape)
    rows = math.prod(lead)
    base = (xp.arange(rows, dtype=np.int64) * plane).reshape(lead + (1,) * nd) if lead else 0
    pos = (flat + base).ravel()
    if accumulate:
        out = xp.bincount(pos, weights=values.ravel().astype(np.float64), minlength=rows * plane)
        out = out.astype(values.dtype)
    else:
        out = xp.zeros(rows * plane, values.dtype)
        out[pos] = values.ravel()
    return out.reshape(lead + tuple(plane_shape))


class IndexScatter(Op):
    """out = zeros(plane_shape) per plane with values added at flat indices."""

    @staticmethod
    def forward(ctx, values, flat, plane_shape, accumulate):
        ctx.flat, ctx.nd = flat, len(plane_shape)
        return _scatter_planes(values, flat, plane_shape, accumulate)

    @staticmethod
    def backward(ctx, g):
        return IndexGather.apply(g, ctx.flat, ctx.nd), None, None, None


class IndexGather(Op):
    """out[..., i] = src_plane.flat[flat[..., i]]."""

    @staticmethod
    def forward(ctx, src, flat, nd):
        ctx.flat, ctx.plane = flat, src.shape[-nd:]
        xp = xp_of(src)
        lead = src.shape[:-nd]
        s2 = src.reshape(lead + (-1,))
        f2 = flat.reshape(lead + (-1,))
        return xp.take_along_axis(s2, f2, axis=-1).reshape(flat.shape)

    @staticmethod
    def backward(ctx, g):
        return IndexScatter.apply(g, ctx.flat, ctx.plane, True), None, None


class _AdaptiveMaxPool(Op):
    @staticmethod
    def forward(ctx, x, out_size):
        best, flat = _adaptive_max_arrays(x, out_size)
        ctx.flat, ctx.plane = flat, x.shape[-len(out_size):]
        return best

    @staticmethod
    def backward(ctx, g):
        return IndexScatter.apply(g, ctx.flat, ctx.plane, True), None


AdaptiveMaxPool2D = type("AdaptiveMaxPool2D", (_AdaptiveMaxPool,), {"__slots__": ()})
AdaptiveMaxPool3D = type("AdaptiveMaxPool3D", (_AdaptiveMaxPool,), {"__slots__": ()})


def _adaptive_max(nd, input, output_size, return_indices, name):
    sizes = _adaptive_size(output_size, input, nd, name)
    op = AdaptiveMaxPool3D if nd == 3 else AdaptiveMaxPool2D
    out = op.apply(input, sizes)
    if not return_indices:
        return out
    flat = out.grad_fn.flat if out.grad_fn is not None else _adaptive_max_arrays(input._data, sizes)[1]
    return out, Tensor._make(flat)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max pooling to a fixed output length."""
    (o,) = ntuple(output_size, 1, "output_size")
    if input.dim() not in (2, 3):
        raise RuntimeError(f"adaptive_max_pool1d(): Expected 2D or 3D tensor, but got {list(input.shape)}")
    res = adaptive_max_pool2d(input.unsqueeze(-2), (1, o), return_indices)
    if return_indices:
        return res[0].squeeze(-2), res[1].squeeze(-2)
    return res.squeeze(-2)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling to a fixed (H_out, W_out); indices are flat positions in each input plane."""
    return _adaptive_max(2, input, output_size, return_indices, "adaptive_max_pool2d")


def adaptive_max_pool3d(input, output_size, return_indices=False):
    return _adaptive_max(3, input, output_size, return_indices, "adaptive_max_pool3d")


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=True):
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=True):
    return adaptive_max_pool2d(input, output_size, True)


# ----------------------------------------------------------------------------------------
# max_unpool
# ----------------------------------------------------------------------------------------


class _MaxUnpool(Op):
    @staticmethod
    def forward(ctx, x, flat, plane):
        ctx.flat = flat
        ctx.nd = len(plane)
        return _scatter_planes(x, flat, plane, accumulate=False)

    @staticmethod
    def backward(ctx, g):
        return IndexGather.apply(g, ctx.flat, ctx.nd), None, None


MaxUnpool2D = type("MaxUnpool2D", (_MaxUnpool,), {"__slots__": ()})
MaxUnpool3D = type("MaxUnpool3D", (_MaxUnpool,), {"__slots__": ()})


def _unpool_size(nd, input, kernel_size, stride, padding, output_size):
    k = ntuple(kernel_size, nd, "kernel_size")
    s = k if stride is None else ntuple(stride, nd, "stride")
    p = ntuple(padding, nd, "padding")
    spatial = tuple(input.shape[-nd:])
    default = tuple((spatial[i] - 1) * s[i] - 2 * p[i] + k[i] for i in range(nd))
    if output_size is None:
        return default
    output_size = tuple(int(v) for v in output_size)
    if len(output_size) == nd + 2 or len(output_size) == nd + 1:
        output_size = output_size[-nd:]
    if len(output_size) != nd:
        raise ValueError(f"output_size should be a sequence containing {nd} or {nd + 2} elements, but it has a "
                         f"length of '{len(output_size)}'")
    for i in range(nd):
        lo, hi = default[i] - s[i], default[i] + s[i]
        if not lo < output_size[i] < hi:
            raise ValueError(f'invalid output_size "{list(output_size)}" (dim {i} must be between {lo} and {hi})')
    return output_size


def _max_unpool(nd, input, indices, kernel_size, stride, padding, output_size):
    plane = _unpool_size(nd, input, kernel_size, stride, padding, output_size)
    if indices.shape != input.shape:
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor ({list(input.shape)})"
                           f" but got indices tensor with shape: {list(indices.shape)}")
    flat = indices._data.astype(np.int64)
    size = math.prod(plane)
    if flat.size and (flat.min() < 0 or flat.max() >= size):
        bad = int(flat.max()) if flat.max() >= size else int(flat.min())
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                           f"{'x'.join(map(str, plane))}")
    op = MaxUnpool3D if nd == 3 else MaxUnpool2D
    return op.apply(input, flat, plane)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool1d: each value goes back to its recorded index, zeros elsewhere."""
    plane = _unpool_size(1, input, kernel_size, stride, padding, output_size)
    return _max_unpool(1, input, indices, kernel_size, stride, padding, plane)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool2d: each value goes back to its recorded index, zeros elsewhere."""
    return _max_unpool(2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpool(3, input, indices, kernel_size, stride, padding, output_size)


__all__ = ["adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d", "adaptive_max_pool1d",
           "adaptive_max_pool2d", "adaptive_max_pool3d", "adaptive_max_pool1d_with_indices",
           "adaptive_max_pool2d_with_indices", "max_unpool1d", "max_unpool2d", "max_unpool3d"]
