"""Normalization: batch, layer, group, instance, RMS and local-response norm.

Batch, layer and group norm are fused Ops (one forward computing the statistics and
the affine output; grad_fn names as PyTorch's ``Native*NormBackward0``). They share
one backward rule for "normalize over some axes":

    dx = rstd * (gh - mean(gh) - xhat * mean(gh * xhat)),   gh = g * weight

written with Tensor ops. Under ``create_graph`` the statistics are rebuilt from ``x``
with Tensor ops so the gradient itself is differentiable.
"""
import math

from .. import _dtype as dt
from .._backend import np
from .._tensor import Tensor
from ..autograd.function import Op
from ..autograd.grad_mode import state as grad_state
from . import layer_norm_rows
from ._loss_common import const, shape_str
from .shape import cat


def _stats(x, axes, eps):
    """(mean, rstd, xhat) over ``axes`` (kept), in two passes for accuracy."""
    mean = x.mean(axis=axes, keepdims=True)
    centered = x - mean
    var = np.square(centered).mean(axis=axes, keepdims=True)
    rstd = 1.0 / np.sqrt(var + eps)
    centered *= rstd
    return mean, var, rstd, centered


def _affine(xhat, w, b, shape):
    if w is None and b is None:
        return xhat.copy()  # xhat is kept for backward: the output must not alias it
    out = xhat if w is None else xhat * w.reshape(shape)
    if b is not None:
        out = out + b.reshape(shape) if out is xhat else out.__iadd__(b.reshape(shape))
    return out


def _normalize_backward(ctx, g, x_t, w_t, axes, param_shape, param_axes):
    """Gradients (dx, dw, db) of ``xhat * w + b`` with xhat normalized over ``axes``."""
    if not grad_state.enabled and g._data.shape == ctx.xhat.shape and g._data.dtype == ctx.xhat.dtype \
            and g._data.dtype.kind == "f" and g._data.dtype.itemsize >= 4:
        return _normalize_backward_arrays(ctx, g._data, w_t, axes, param_shape, param_axes)
    if grad_state.enabled:
        mean = x_t.mean(axes, keepdim=True)
        centered = x_t - mean
        rstd = ((centered * centered).mean(axes, keepdim=True) + ctx.eps).rsqrt()
        xhat = centered * rstd
    else:
        xhat, rstd = const(ctx.xhat), const(ctx.rstd)
    gw = gb = None
    if ctx.needs_input_grad[1]:
        gw = (g * xhat).sum(param_axes).reshape(param_shape) if param_axes else (g * xhat).reshape(param_shape)
    if len(ctx.needs_input_grad) > 2 and ctx.needs_input_grad[2]:
        gb = g.sum(param_axes).reshape(param_shape) if param_axes else g.reshape(param_shape)
    gx = None
    if ctx.needs_input_grad[0]:
        gh = g if w_t is None else g * w_t.reshape(ctx.w_shape)
        gx = rstd * (gh - gh.mean(axes, keepdim=True) - xhat * (gh * xhat).mean(axes, keepdim=True))
    return gx, gw, gb


def _normalize_backward_arrays(ctx, g, w_t, axes, param_shape, param_axes):
    """The same rule as ``_normalize_backward`` on plain arrays (no graph to build): fewer
    passes and no per-op Tensor overhead."""
    xhat, rstd, need = ctx.xhat, ctx.rstd, ctx.needs_input_grad
    wrap = Tensor._make
    gw = gb = None
    if need[1]:
        gxh = g * xhat
        gw = wrap((gxh.sum(axis=param_axes) if param_axes else gxh).reshape(param_shape))
    if len(need) > 2 and need[2]:
        gb = wrap((g.sum(axis=param_axes) if param_axes else g).reshape(param_shape))
    gx = None
    if need[0]:
        gh = g if w_t is None else g * w_t._data.reshape(ctx.w_shape).astype(g.dtype, copy=False)
        gx = gh * xhat
        m2 = gx.mean(axis=axes, keepdims=True)
        np.multiply(xhat, m2, out=gx)
        gx += gh.mean(axis=axes, keepdims=True)
        np.subtract(gh, gx, out=gx)
        gx *= rstd
        gx = wrap(gx)
    return gx, gw, gb


# ---------------------------------------------------------------------------------------
# Layer norm
# ---------------------------------------------------------------------------------------

class NativeLayerNorm(Op):
    saves_inputs = (0, 1)

    @staticmethod
    def forward(ctx, x, w, b, n_norm, eps):
        axes = tuple(range(x.ndim - n_norm, x.ndim))
        ctx.w_shape = x.shape[x.ndim - n_norm:]
        ctx.axes, ctx.eps = axes, eps
        if _rows_fast(x):
            out, ctx.rstd, ctx.xhat = layer_norm_rows.forward(x, w, b, n_norm, eps)
            return out
        _, _, ctx.rstd, ctx.xhat = _stats(x, axes, eps)
        return _affine(ctx.xhat, w, b, ctx.w_shape).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x_t, w_t = ctx.saved_tensors
        lead = tuple(range(g.ndim - len(ctx.axes)))
        if not grad_state.enabled and g._data.shape == ctx.xhat.shape and g._data.dtype == ctx.xhat.dtype \
                and _rows_fast(ctx.xhat) and ctx.rstd.shape == ctx.xhat.shape[:len(lead)] + (1,) * len(ctx.axes):
            gx, gw, gb = _layer_norm_backward_rows(ctx, g._data, w_t)
        else:
            gx, gw, gb = _normalize_backward(ctx, g, x_t, w_t, ctx.axes, ctx.w_shape, lead)
        return gx, gw, gb, None, None


def _rows_fast(x):
    return type(x) is np.ndarray and (x.dtype == np.float32 or x.dtype == np.float64) and x.flags.c_contiguous \
        and x.size > 0


def _layer_norm_backward_rows(ctx, g, w_t):
    need = ctx.needs_input_grad
    w = None if w_t is None else w_t._data
    gx, gw, gb = layer_norm_rows.backward(g, ctx.xhat, ctx.rstd, w, need[0], need[1],
                                          len(need) > 2 and need[2])
    wrap = Tensor._make
    return (None if gx is None else wrap(gx), None if gw is None else wrap(gw.reshape(ctx.w_shape)),
            None if gb is None else wrap(gb.reshape(ctx.w_shape)))


def _check_normalized_shape(input, normalized_shape, fmt="*, "):
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(int(s) for s in normalized_shape)
    if len(shape) == 0 or tuple(input.shape[input.ndim - len(shape):]) != shape or input.ndim < len(shape):
        raise RuntimeError(f"Given normalized_shape={shape_str(shape)}, expected input with shape "
                           f"[{fmt}{', '.join(str(s) for s in shape)}], but got input of size{shape_str(input.shape)}")
    return shape


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalize over the trailing ``normalized_shape`` dims, then scale and shift."""
    shape = _check_normalized_shape(input, normalized_shape)
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and tuple(p.shape) != shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                               f"{shape_str(p.shape)} and normalized_shape = {shape_str(shape)}")
    return NativeLayerNorm.apply(input, weight, bias, len(shape), float(eps))


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """``x / sqrt(mean(x^2) + eps) * weight`` over the trailing dims (eps defaults to the dtype's)."""
    shape = _check_normalized_shape(input, normalized_shape, fmt="*")
    if eps is None:
        eps = float(np.finfo(input._data.dtype).eps) if input.is_floating_point() and \
            input._data.dtype != dt.bfloat16.np_dtype else 0.0078125
    dims = tuple(range(input.ndim - len(shape), input.ndim))
    out = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return out * weight if weight is not None else out


# ---------------------------------------------------------------------------------------
# Group norm (and instance norm, which is group norm with one channel per group)
# ---------------------------------------------------------------------------------------

class NativeGroupNorm(Op):
    saves_inputs = (0, 1)

    @staticmethod
    def forward(ctx, x, w, b, groups, eps):
        n, c = x.shape[0], x.shape[1]
        grouped = x.reshape(n, groups, -1)
        mean, var, rstd, xhat = _stats(grouped, (2,), eps)
        ctx.eps, ctx.groups, ctx.x_shape = eps, groups, x.shape
        ctx.rstd, ctx.xhat = rstd, xhat.reshape(x.shape)
        ctx.mean, ctx.var = mean, var
        ctx.w_shape = (1, c) + (1,) * (x.ndim - 2)
        return _affine(ctx.xhat, w, b, ctx.w_shape).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x_t, w_t = ctx.saved_tensors
        n, c = ctx.x_shape[0], ctx.x_shape[1]
        groups = ctx.groups
        param_axes = (0,) + tuple(range(2, g.ndim))
        gw = gb = None
        if ctx.needs_input_grad[1] or ctx.needs_input_grad[2]:
            xhat = const(ctx.xhat) if not grad_state.enabled else _group_xhat(x_t, groups, ctx.eps)
            if ctx.needs_input_grad[1]:
                gw = (g * xhat).sum(param_axes)
            if ctx.needs_input_grad[2]:
                gb = g.sum(param_axes)
        gx = None
        if ctx.needs_input_grad[0]:
            gh = g if w_t is None else g * w_t.reshape(ctx.w_shape)
            gh = gh.reshape(n, groups, -1)
            if grad_state.enabled:
                xg = x_t.reshape(n, groups, -1)
                centered = xg - xg.mean(2, keepdim=True)
                rstd = ((centered * centered).mean(2, keepdim=True) + ctx.eps).rsqrt()
                xhat_g = centered * rstd
            else:
                xhat_g, rstd = const(ctx.xhat.reshape(n, groups, -1)), const(ctx.rstd)
            gx = rstd * (gh - gh.mean(2, keepdim=True) - xhat_g * (gh * xhat_g).mean(2, keepdim=True))
            gx = gx.reshape(ctx.x_shape)
        return gx, gw, gb, None, None


def _group_xhat(x_t, groups, eps):
    n = x_t.shape[0]
    xg = x_t.reshape(n, groups, -1)
    centered = xg - xg.mean(2, keepdim=True)
    return (centered * ((centered * centered).mean(2, keepdim=True) + eps).rsqrt()).reshape(x_t.shape)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalize each group of ``C // num_groups`` channels of every sample, then scale and shift."""
    if input.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.ndim}")
    c = input.shape[1]
    if c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input "
                           f"of shape {shape_str(input.shape)} and num_groups={num_groups}")
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and (p.ndim != 1 or p.shape[0] != c):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of channels in input, "
                               f"but got {name} of shape {shape_str(p.shape)} and input of shape "
                               f"{shape_str(input.shape)}")
    return NativeGroupNorm.apply(input, weight, bias, int(num_groups), float(eps))


# ---------------------------------------------------------------------------------------
# Batch norm
# ---------------------------------------------------------------------------------------

class NativeBatchNorm(Op):
    saves_inputs = (0, 1)

    @staticmethod
    def forward(ctx, x, w, b, running_mean, running_var, training, momentum, eps):
        c = x.shape[1]
        axes = (0,) + tuple(range(2, x.ndim))
        shape = (1, c) + (1,) * (x.ndim - 2)
        ctx.training, ctx.eps, ctx.axes, ctx.w_shape = training, eps, axes, shape
        if training:
            mean, var, rstd, xhat = _stats(x, axes, eps)
            if running_mean is not None or running_var is not None:
                count = x.size // c
                _update_running(running_mean, running_var, mean.reshape(c), var.reshape(c), count, momentum)
        else:
            mean = running_mean.reshape(shape).astype(x.dtype, copy=False)
            rstd = (1.0 / np.sqrt(running_var.reshape(shape) + eps)).astype(x.dtype, copy=False)
            xhat = (x - mean) * rstd
        ctx.rstd, ctx.xhat, ctx.mean = rstd, xhat, mean
        return _affine(xhat, w, b, shape).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x_t, w_t = ctx.saved_tensors
        c = ctx.w_shape[1]
        if ctx.training:
            return _normalize_backward(ctx, g, x_t, w_t, ctx.axes, (c,), ctx.axes) + (None,) * 5
        # Eval: y = (x - running_mean) * rstd * w + b with constant statistics.
        rstd = const(ctx.rstd)
        xhat = const(ctx.xhat) if not grad_state.enabled else (x_t - const(ctx.mean)) * rstd
        gx = g * rstd if w_t is None else g * (rstd * w_t.reshape(ctx.w_shape))
        gw = (g * xhat).sum(ctx.axes) if ctx.needs_input_grad[1] else None
        gb = g.sum(ctx.axes) if ctx.needs_input_grad[2] else None
        return (gx if ctx.needs_input_grad[0] else None), gw, gb, None, None, None, None, None


def _update_running(running_mean, running_var, mean, var, count, momentum):
    """In-place exponential moving average of the statistics; the variance is unbiased."""
    if running_mean is not None:
        running_mean *= 1 - momentum
        running_mean += (momentum * mean).astype(running_mean.dtype, copy=False)
    if running_var is not None:
        unbiased = var * (count / (count - 1)) if count > 1 else var * math.inf
        running_var *= 1 - momentum
        running_var += (momentum * unbiased).astype(running_var.dtype, copy=False)


def _bump(*tensors):
    for t in tensors:
        if t is not None:
            t._vc[0] += 1


def _size_repr(shape):
    return "torch.Size([" + ", ".join(str(s) for s in shape) + "])"


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-5):
    """Normalize each channel over the batch (and spatial dims); updates running stats in training."""
    if training:
        size = input.shape
        per_channel = 1
        for i, s in enumerate(size):
            if i != 1:
                per_channel *= s
        if per_channel == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                             f"{_size_repr(size)}")
    elif running_mean is None:
        raise RuntimeError("running_mean must be defined in evaluation mode")
    elif running_var is None:
        raise RuntimeError("running_var must be defined in evaluation mode")
    c = input.shape[1] if input.ndim > 1 else 1
    for name, p in (("weight", weight), ("bias", bias), ("running_mean", running_mean),
                    ("running_var", running_var)):
        if p is not None and p.numel() != c:
            raise RuntimeError(f"{name} should contain {c} elements not {p.numel()}")
    rm = None if running_mean is None else running_mean._data
    rv = None if running_var is None else running_var._data
    out = NativeBatchNorm.apply(input, weight, bias, rm, rv, bool(training), float(momentum or 0.0), float(eps))
    if training:
        pass  # PyTorch updates running stats without bumping their version counters
    return out


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """Normalize each channel of each sample over its spatial dims."""
    if use_input_stats:
        spatial = 1
        for s in input.shape[2:]:
            spatial *= s
        if spatial == 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                             f"{_size_repr(input.shape)}")
    else:
        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    c = input.shape[1]
    if running_mean is not None or running_var is not None:
        # The batch's statistics per (sample, channel), averaged over samples, feed the running stats.
        axes = tuple(range(2, input.ndim))
        x = input._data
        mean = x.mean(axis=axes)
        var = x.var(axis=axes)
        count = x.size // (x.shape[0] * c)
        rm = None if running_mean is None else running_mean._data
        rv = None if running_var is None else running_var._data
        unbiased = var * (count / (count - 1))
        if rm is not None:
            rm *= 1 - momentum
            rm += (momentum * mean.mean(axis=0)).astype(rm.dtype, copy=False)
        if rv is not None:
            rv *= 1 - momentum
            rv += (momentum * unbiased.mean(axis=0)).astype(rv.dtype, copy=False)
        pass  # PyTorch updates running stats without bumping their version counters
    return NativeGroupNorm.apply(input, weight, bias, c, float(eps))


# ---------------------------------------------------------------------------------------
# Local response norm (composed, as in PyTorch)
# ---------------------------------------------------------------------------------------

def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """``x / (k + alpha * mean of x^2 over size neighbouring channels)^beta``."""
    if input.ndim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input (got {input.ndim} "
                         "dimensions)")
    if input.numel() == 0:
        return input
    sq = input * input
    c = input.shape[1]
    before, after = size // 2, (size - 1) // 2
    pad_shape = list(input.shape)
    parts = []
    if before:
        pad_shape[1] = before
        parts.append(input.new_zeros(pad_shape))
    parts.append(sq)
    if after:
        pad_shape[1] = after
        parts.append(input.new_zeros(pad_shape))
    padded = cat(parts, 1) if len(parts) > 1 else sq
    # Sliding sum over `size` channels (zero padding counts toward the average, as avg_pool's default).
    window = padded.narrow(1, 0, c)
    for i in range(1, size):
        window = window + padded.narrow(1, i, c)
    div = (window * (alpha / size) + k) ** beta
    return input / div


__all__ = ["batch_norm", "layer_norm", "group_norm", "instance_norm", "rms_norm", "local_response_norm"]
