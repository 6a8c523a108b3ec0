"""Class-index losses: ``nll_loss`` and ``cross_entropy``.

``cross_entropy`` is one fused Op: a max-shifted log-softmax and the negative
log-likelihood in a handful of NumPy passes, finite for any finite logits. Its
gradient is ``(softmax * sum(coef) - coef) * g`` where ``coef`` are the per-class
weights each sample's loss puts on ``-log p`` (one-hot, smoothed or soft targets).
The grad_fn shows as ``NllLossBackward0``, as in PyTorch (log_softmax + nll_loss).
"""
from .._backend import np
from .._tensor import Tensor
from ..autograd.function import Op
from ..autograd.grad_mode import state as grad_state
from ._common import type_word, xp_of
from ._loss_common import const, legacy_reduction, scale_grad, shape_str


def _check_target(input, target, weight, probs_allowed):
    """Validate shapes and dtypes as PyTorch does; return True for class-probability targets."""
    if input.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.ndim})")
    if probs_allowed and tuple(input.shape) == tuple(target.shape) and target.is_floating_point():
        return True
    if input.ndim != 1 and target.ndim >= 1 and input.shape[0] != target.shape[0]:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
                         f"({target.shape[0]}).")
    if input.ndim == 1 and target.ndim > 0 or input.ndim == 2 and target.ndim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if input.ndim > 2:
        expected = (input.shape[0],) + tuple(input.shape[2:])
        if tuple(target.shape) != expected:
            raise RuntimeError(f"Expected target size {shape_str(expected)}, got {shape_str(target.shape)}")
    if target._data.dtype not in (np.int64, np.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {type_word(target.dtype)}")
    n_classes = input.shape[1] if input.ndim > 1 else input.shape[0]
    if weight is not None and (weight.ndim != 1 or weight.shape[0] != n_classes):
        raise RuntimeError(f"weight tensor should be defined either for all {n_classes} classes or no classes "
                           f"but got weight tensor of shape: {shape_str(weight.shape)}")
    return False


def _class_axis(x):
    return 1 if x.ndim > 1 else 0


def _gather_target(x, target, ignore_index, axis):
    """(valid mask, target with ignored entries set to 0); raise on out-of-range classes."""
    valid = target != ignore_index
    n_classes = x.shape[axis]
    bad = valid & ((target < 0) | (target >= n_classes))
    if bad.any():
        raise IndexError(f"Target {int(target[bad].reshape(-1)[0])} is out of bounds.")
    safe = np.where(valid, target, 0).astype(np.int64, copy=False)
    return valid, safe


def _weight_row(weight, x, axis):
    """``weight`` shaped to broadcast against ``x`` along the class axis."""
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    return weight.reshape(shape)


def _rows_to_class_shape(values, axis):
    """A per-sample array (N, d...) with the class axis put back as size 1."""
    return np.expand_dims(values, axis)


class _NllName:
    def name(self):
        return "NllLoss2DBackward0" if getattr(self, "ndim", 2) > 2 else "NllLossBackward0"


class NllLoss(_NllName, Op):
    @staticmethod
    def forward(ctx, x, target, weight, ignore_index, reduction):
        axis = _class_axis(x)
        valid, safe = _gather_target(x, target, ignore_index, axis)
        idx = _rows_to_class_shape(safe, axis)
        picked = np.take_along_axis(x, idx, axis).squeeze(axis)
        w_t = valid.astype(x.dtype) if weight is None else np.where(valid, weight[safe], 0).astype(x.dtype)
        loss = -(w_t * picked)
        ctx.ndim, ctx.axis, ctx.idx, ctx.w_t, ctx.shape, ctx.reduction = x.ndim, axis, idx, w_t, x.shape, reduction
        return _reduce_rows(ctx, loss, w_t)

    @staticmethod
    def backward(ctx, g):
        # d loss_i / d x[i, t_i] = -w_{t_i}; zero elsewhere.
        coef = np.zeros(ctx.shape, ctx.w_t.dtype)
        np.put_along_axis(coef, ctx.idx, _rows_to_class_shape(-ctx.w_t, ctx.axis), ctx.axis)
        return const(coef) * _row_grad(ctx, g), None, None, None, None


def _reduce_rows(ctx, loss, divisor_weights):
    reduction = ctx.reduction
    if reduction == "none":
        return loss
    total = loss.sum()
    if reduction == "sum":
        return np.asarray(total, loss.dtype)
    ctx.divisor = divisor_weights.sum() if divisor_weights is not None else ctx.count
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(total / ctx.divisor, loss.dtype)


def _row_grad(ctx, g):
    """The upstream gradient per sample, shaped (N, 1, d...) to broadcast over classes."""
    if ctx.reduction == "none":
        return g.unsqueeze(ctx.axis)
    if ctx.reduction == "mean":
        return scale_grad(g, "mean", float(ctx.divisor))
    return g


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """Negative log-likelihood of class ``target`` given log-probabilities ``input`` (N, C, d...)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_target(input, target, weight, probs_allowed=False)
    return NllLoss.apply(input, target._data, None if weight is None else weight._data, ignore_index, reduction)


class CrossEntropyLoss(_NllName, Op):
    """Fused log_softmax + nll (class indices or class probabilities, label smoothing)."""
    saves_inputs = (0, 1)

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index, reduction, smoothing, probs):
        axis = _class_axis(x)
        n_classes = x.shape[axis]
        xp = xp_of(x)
        # NOTE: subtracting the row max keeps exp() in range, so logits of 1e4 stay finite.
        m = x.max(axis=axis, keepdims=True) if x.size else xp.zeros_like(x.sum(axis=axis, keepdims=True))
        logp = x - m
        lse = xp.log(xp.exp(logp).sum(axis=axis, keepdims=True))
        logp -= lse
        ctx.ndim, ctx.axis, ctx.reduction, ctx.smoothing, ctx.probs = x.ndim, axis, reduction, smoothing, probs
        ctx.logp, ctx.shift, ctx.weight = logp, m, weight
        w_row = None if weight is None else _weight_row(weight, x, axis).astype(x.dtype, copy=False)
        if probs:
            coef = target * (1 - smoothing) + smoothing / n_classes if smoothing else target
            if w_row is not None:
                coef = coef * w_row
            loss = -(logp * coef).sum(axis=axis).astype(x.dtype, copy=False)
            ctx.count = x.size // n_classes if n_classes else 0
            return _reduce_rows(ctx, loss, None)
        valid, safe = _gather_target(x, target, ignore_index, axis)
        idx = _rows_to_class_shape(safe, axis)
        w_t = valid.astype(x.dtype) if weight is None else np.where(valid, weight[safe], 0).astype(x.dtype)
        loss = -(w_t * np.take_along_axis(logp, idx, axis).squeeze(axis))
        if smoothing:
            smooth = -(logp.sum(axis=axis) if w_row is None else (logp * w_row).sum(axis=axis))
            loss = (1 - smoothing) * loss + (smoothing / n_classes) * np.where(valid, smooth, 0)
            loss = loss.astype(x.dtype, copy=False)
        ctx.idx, ctx.valid, ctx.w_t = idx, valid, w_t
        return _reduce_rows(ctx, loss, w_t)

    @staticmethod
    def backward(ctx, g):
        x_t, target_t = ctx.saved_tensors
        g_row = _row_grad(ctx, g)
        axis, eps = ctx.axis, ctx.smoothing
        n_classes = ctx.logp.shape[axis]
        w_row = None if ctx.weight is None else _weight_row(ctx.weight, ctx.logp, axis).astype(
            ctx.logp.dtype, copy=False)
        if grad_state.enabled:
            # Double backward: softmax rebuilt from x with Tensor ops (the shift is a constant).
            e = (x_t - const(ctx.shift)).exp()
            p = e / e.sum(axis, keepdim=True)
        else:
            p = None
        grad_target = None
        if ctx.probs:
            tgt = target_t * (1 - eps) + eps / n_classes if eps else target_t
            coef = tgt * const(w_row) if w_row is not None else tgt
            if ctx.needs_input_grad[1]:
                logp = const(ctx.logp) if p is None else (p.log())
                grad_target = -(logp * (const(w_row) if w_row is not None else 1)) * (1 - eps) * g_row
            if not ctx.needs_input_grad[0]:
                return None, grad_target, None, None, None, None, None
            if p is None:
                p = const(np.exp(ctx.logp))
            return (p * coef.sum(axis, keepdim=True) - coef) * g_row, grad_target, None, None, None, None, None
        if not ctx.needs_input_grad[0]:
            return (None,) * 7
        # Class indices: coef = (1-eps) w_t onehot(t) + eps/C w_c (valid rows only).
        w_t = _rows_to_class_shape(ctx.w_t, axis)
        csum = (1 - eps) * w_t
        if eps:
            w_total = n_classes if w_row is None else w_row.sum()
            csum = csum + (eps / n_classes) * w_total * _rows_to_class_shape(ctx.valid, axis)
        if p is None and isinstance(g_row, Tensor) and g_row._data.ndim == 0:
            return _fast_index_grad(ctx, g_row._data, w_t, csum, w_row), None, None, None, None, None, None
        coef = np.zeros(ctx.logp.shape, ctx.logp.dtype)
        np.put_along_axis(coef, ctx.idx, (1 - eps) * w_t, axis)
        if eps:
            smooth = _rows_to_class_shape(ctx.valid, axis) * (eps / n_classes)
            coef += smooth * (1 if w_row is None else w_row)
        if p is None:
            p = const(np.exp(ctx.logp))
        return (p * const(csum) - const(coef)) * g_row, None, None, None, None, None, None


def _fast_index_grad(ctx, g, w_t, csum, w_row):
    """The common case (scalar loss, no create_graph) in three NumPy passes."""
    axis, eps = ctx.axis, ctx.smoothing
    n_classes = ctx.logp.shape[axis]
    grad = np.exp(ctx.logp)
    grad *= csum * g
    if eps:
        grad -= (_rows_to_class_shape(ctx.valid, axis) * (eps / n_classes * g)) * (1 if w_row is None else w_row)
    at_target = np.take_along_axis(grad, ctx.idx, axis)
    np.put_along_axis(grad, ctx.idx, at_target - (1 - eps) * w_t * g, axis)
    return Tensor._make(grad.astype(ctx.logp.dtype, copy=False))


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """Cross-entropy between logits ``input`` (N, C, d...) and class indices or class probabilities."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    probs = _check_target(input, target, weight, probs_allowed=True)
    if probs and ignore_index >= 0:
        raise RuntimeError("ignore_index is not supported for floating point target")
    if weight is not None and weight.requires_grad and grad_state.enabled:
        raise RuntimeError("The function 'nll_loss_forward' is not differentiable with respect to argument "
                           "'weight'. This input cannot have requires_grad True.")
    w = None if weight is None else weight._data
    if probs:
        return CrossEntropyLoss.apply(input, target, w, ignore_index, reduction, float(label_smoothing), True)
    if not input.is_floating_point():
        raise RuntimeError(f"\"log_softmax_lastdim_kernel_impl\" not implemented for '{type_word(input.dtype)}'")
    return CrossEntropyLoss.apply(input, target._data, w, ignore_index, reduction, float(label_smoothing), False)

