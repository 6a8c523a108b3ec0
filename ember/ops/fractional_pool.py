"""Fractional max pooling (Graham, 2014): max over windows placed at pseudo-random offsets.

For each (sample, channel) plane one random number per spatial dim ``u`` in [0, 1) places
the window starts: ``start[i] = int((i + u) * alpha) - int(u * alpha)`` with
``alpha = (in - k) / (out - 1)``, and the last start is pinned to ``in - k``. The sequence
is computed in the input's dtype, as PyTorch's kernel does, so the windows are the same.
The random numbers come from ``ember.rand`` with PyTorch's shape, so seeds match too.
"""
from .._backend import np
from .._tensor import Tensor
from ..autograd.function import Op
from ._common import xp_of

__all__ = ["fractional_max_pool2d", "fractional_max_pool2d_with_indices", "fractional_max_pool3d",
           "fractional_max_pool3d_with_indices"]
METHODS = []

_DIM_WORDS = {1: ("width",), 2: ("height", "width"), 3: ("time", "height", "width")}


def _tuple(value, n):
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return (value,) * n


def _start_sequences(samples, in_size, out_size, k):
    """Window starts, shape (planes, out_size), from per-plane samples (planes,) in their dtype."""
    dtype = samples.dtype.type
    planes = samples.shape[0]
    seq = np.zeros((planes, out_size), dtype=np.int64)
    if out_size > 1:
        alpha = dtype(in_size - k) / dtype(out_size - 1)
        steps = np.arange(out_size - 1).astype(samples.dtype)
        # NOTE: every step rounds to the sample dtype, like the scalar_t arithmetic of the C++ kernel.
        left = ((steps[None, :] + samples[:, None]) * alpha).astype(np.int64)
        seq[:, :-1] = left - (samples * alpha).astype(np.int64)[:, None]
    if out_size > 0:
        seq[:, -1] = in_size - k
    return seq


class _FractionalMaxPool(Op):
    @staticmethod
    def forward(ctx, x, kernel, out_size, samples):
        nd = len(kernel)
        batched = x.ndim == nd + 2
        xb = x if batched else x[None]
        n, c = xb.shape[:2]
        spatial = xb.shape[2:]
        planes = xb.reshape((n * c, -1))
        host = samples if isinstance(samples, np.ndarray) else samples.get()
        samp = host[:n].reshape(n * c, nd)
        flat_index = np.zeros((n * c,) + tuple(out_size) + tuple(kernel), dtype=np.int64)
        start_index = np.zeros((n * c,) + tuple(out_size), dtype=np.int64)
        stride = 1
        # Flat index of each window element: sum over dims of (start + offset) * stride.
        for d in range(nd - 1, -1, -1):
            # Samples are stored (W, H) for 2-D and (T, H, W) for 3-D, as PyTorch's kernels read them.
            col = (nd - 1 - d) if nd == 2 else d
            starts = _start_sequences(samp[:, col], spatial[d], out_size[d], kernel[d])
            pos = starts[:, :, None] + np.arange(kernel[d])[None, None, :]
            shape = [n * c] + [1] * (2 * nd)
            shape[1 + d] = out_size[d]
            shape[1 + nd + d] = kernel[d]
            flat_index = flat_index + (pos * stride).reshape(shape)
            start_index = start_index + (starts * stride).reshape(shape[:1 + nd])
            stride *= spatial[d]
        window = int(np.prod(kernel))
        flat_index = flat_index.reshape((n * c, -1, window))
        xp = xp_of(x)
        idx_dev = xp.asarray(flat_index)
        if window == 0:
            # An empty window: the kernel reports -inf at the window's start.
            vals = xp.full(flat_index.shape[:2], -np.inf, dtype=x.dtype)
            chosen = xp.asarray(start_index.reshape(flat_index.shape[:2]))
        else:
            vals = xp.take_along_axis(planes, idx_dev.reshape(n * c, -1), axis=1).reshape(idx_dev.shape)
            pick = xp.argmax(vals, axis=2)
            nan = xp.isnan(vals)
            if nan.any():
                # The kernel keeps the last NaN it meets.
                last_nan = window - 1 - xp.argmax(nan[:, :, ::-1], axis=2)
                pick = xp.where(nan.any(axis=2), last_nan, pick)
            chosen = xp.take_along_axis(idx_dev, pick[..., None], axis=2)[..., 0]
            vals = xp.take_along_axis(vals, pick[..., None], axis=2)[..., 0]
        out_shape = (n, c) + tuple(out_size)
        out = vals.reshape(out_shape)
        indices = chosen.reshape(out_shape)
        if not batched:
            out, indices = out[0], indices[0]
        ctx.indices = indices
        ctx.in_shape = x.shape
        ctx.nd = nd
        return out, indices

    @staticmethod
    def backward(ctx, grad, grad_indices=None):
        from .creation import zeros
        in_shape = ctx.in_shape
        nd = ctx.nd
        lead = int(np.prod(in_shape[:len(in_shape) - nd]))
        idx = Tensor._make(ctx.indices.reshape(lead, -1))
        base = zeros((lead, int(np.prod(in_shape[len(in_shape) - nd:]))), dtype=grad.dtype, device=grad.device)
        grad_input = base.scatter_add(1, idx, grad.reshape(lead, -1)).view(in_shape)
        return grad_input, None, None, None


class FractionalMaxPool2D(_FractionalMaxPool):
    pass


class FractionalMaxPool3D(_FractionalMaxPool):
    pass


def _fractional_max_pool(op, nd, input, kernel_size, output_size, output_ratio, _random_samples):
    name = f"fractional_max_pool{nd}d"
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
    if output_size is None:
        # NOTE: like PyTorch, a bare float ratio is a TypeError here (the modules pass tuples).
        if len(output_ratio) > nd:
            raise ValueError(f"{name} requires output_ratio to either be a single Int or tuple of Ints.")
        ratio = _tuple(output_ratio, nd)
        output_size = [int(input.size(d - nd) * ratio[d]) for d in range(nd)]
    kernel = tuple(int(k) for k in _tuple(kernel_size, nd))
    out_size = tuple(int(o) for o in _tuple(output_size, nd))
    if _random_samples is None:
        from .random_ops import rand
        n_batch = 1 if input.dim() == nd + 1 else input.size(0)
        _random_samples = rand(n_batch, input.size(-nd - 1), nd, dtype=input.dtype, device=input.device)
    _check(name, nd, input, kernel, out_size, _random_samples)
    return op.apply(input, kernel, out_size, _random_samples._data)


def _check(name, nd, input, kernel, out_size, samples):
    prefix = f"{name}(): " if nd == 2 else f"{name}_out(): "
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{prefix}Expected {nd + 1}D or {nd + 2}D tensor, but got: {list(input.shape)}")
    for d in range(1 if input.dim() == nd + 2 else 0, input.dim()):
        if input.shape[d] == 0:
            raise RuntimeError(f"{prefix}Expected input to have non-zero size for non-batch dimensions, but got"
                               f"{list(input.shape)} with dimension {d} being empty.")
    if samples.dim() != 3:
        raise RuntimeError(f"Expect _random_samples to have 3 dimensions, got {samples.dim()}")
    if samples.size(2) != nd:
        raise RuntimeError(f"Expect _random_samples.size(2) equals to {nd}; got {samples.size(2)}.")
    n_batch = input.size(0) if input.dim() == nd + 2 else 1
    if samples.size(0) < n_batch:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if samples.size(1) != input.size(-nd - 1):
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if samples.dtype != input.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    spatial = input.shape[-nd:]
    for d, word in enumerate(_DIM_WORDS[nd]):
        # NOTE: PyTorch's 3-D kernel rejects a last window ending exactly at the border (strict <).
        last = out_size[d] + kernel[d] - 1
        if last > spatial[d] or (nd == 3 and last == spatial[d]):
            raise RuntimeError(f"{prefix}pool {word} {kernel[d]} too large relative to input {word} {spatial[d]}")


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """2-D fractional max pooling; returns ``(output, indices)`` (flat H*W indices per plane).

    Args:
        kernel_size (int or tuple): window size. output_size (int or tuple): target (oH, oW), or
        output_ratio (float or tuple): output size as a fraction of the input size.
        _random_samples (Tensor, optional): (N, C, 2) samples in [0, 1); drawn with rand if None.
    """
    return _fractional_max_pool(FractionalMaxPool2D, 2, input, kernel_size, output_size, output_ratio,
                                _random_samples)


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    """2-D fractional max pooling (see fractional_max_pool2d_with_indices); indices only if asked."""
    out, indices = fractional_max_pool2d_with_indices(input, kernel_size, output_size, output_ratio,
                                                      return_indices, _random_samples)
    return (out, indices) if return_indices else out


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """3-D fractional max pooling; returns ``(output, indices)`` (flat T*H*W indices per plane)."""
    return _fractional_max_pool(FractionalMaxPool3D, 3, input, kernel_size, output_size, output_ratio,
                                _random_samples)


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    """3-D fractional max pooling (see fractional_max_pool3d_with_indices); indices only if asked."""
    out, indices = fractional_max_pool3d_with_indices(input, kernel_size, output_size, output_ratio,
                                                      return_indices, _random_samples)
    return (out, indices) if return_indices else out

