"""Margin and embedding losses.

PyTorch composes most of these from pointwise ops, and so does ember (their grad_fn
is the last op, as in PyTorch). ``soft_margin_loss``, ``multi_margin_loss`` and
``multilabel_margin_loss`` are native kernels there and fused Ops here.
"""
from .._backend import np
from .._tensor import Tensor
from ..autograd.function import Op
from . import pointwise as pw
from ._common import promote
from ._loss_common import (_reduce, as_bool_tensor, broadcast_pair, check_not_differentiable, check_reduction,
                           const, legacy_reduction, reduce_array, scale_grad, shape_str)
from .activation import logsigmoid
from .distance import pairwise_distance


def _zeros_like(t):
    return Tensor._make(np.zeros(t.shape, t._data.dtype))


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """``1 - cos(x1, x2)`` for target 1, ``max(0, cos(x1, x2) - margin)`` for target -1."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    if target.ndim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if target.ndim == 1 and (input1.ndim != 2 or input2.ndim != 2):
        raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with sizes "
                           f"{shape_str(input1.shape)} and {shape_str(input2.shape)}.")
    if target.ndim == 0 and (input1.ndim != 1 or input2.ndim != 1):
        raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with sizes "
                           f"{shape_str(input1.shape)} and {shape_str(input2.shape)}.")
    dim = input1.ndim - 1
    eps = 1e-12  # keeps the denominator positive for zero vectors, as PyTorch's kernel does
    prod = (input1 * input2).sum(dim)
    mag1 = (input1 * input1).sum(dim) + eps
    mag2 = (input2 * input2).sum(dim) + eps
    cos = prod / (mag1 * mag2).sqrt()
    zeros = _zeros_like(cos)
    t = target._data
    pos = pw.where(as_bool_tensor(t == 1), 1 - cos, zeros)
    neg = pw.where(as_bool_tensor(t == -1), (cos - margin).clamp_min(0), zeros)
    return _reduce(pos + neg, reduction)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """``max(0, -y (x1 - x2) + margin)``."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    if input1.ndim != input2.ndim or input1.ndim != target.ndim:
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {_size(input1)}, input2: {_size(input2)}, target: {_size(target)} ")
    return _reduce((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def _size(t):
    return "torch.Size([" + ", ".join(str(s) for s in t.shape) + "])"


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    """``x`` where target is 1, ``max(0, margin - x)`` where target is -1."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    zeros = _zeros_like(input)
    t = np.broadcast_to(target._data, np.broadcast_shapes(target.shape, input.shape))
    margin_part = pw.where(as_bool_tensor(t != 1), (margin - input).clamp_min(0), zeros)
    self_part = pw.where(as_bool_tensor(t != -1), input, zeros)
    return _reduce(margin_part + self_part, reduction)


class SoftMarginLoss(Op):
    saves_inputs = (0, 1)

    @staticmethod
    def forward(ctx, x, y, reduction):
        x, y = promote(x, y)
        ctx.reduction, ctx.count = reduction, np.broadcast_shapes(x.shape, y.shape)
        ctx.count = int(np.prod(ctx.count))
        # PyTorch's kernel computes log1p(exp(-y x)) directly (no overflow guard); so do we.
        with np.errstate(over="ignore"):
            return reduce_array(np.log1p(np.exp(-y * x)), reduction)

    @staticmethod
    def backward(ctx, g):
        # d/dx log(1 + exp(-y x)) = -y * sigmoid(-y x)
        x, y = ctx.saved_tensors
        g = scale_grad(g, ctx.reduction, ctx.count)
        s = (-y * x).sigmoid() * g
        return -y * s, None, None


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Two-class logistic loss ``log(1 + exp(-y x))``."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_not_differentiable("soft_margin_loss", "target", target)
    input, target = broadcast_pair(input, target)
    return SoftMarginLoss.apply(input, target, reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """Per-class logistic loss averaged over classes."""
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.ndim - 1
    loss = loss.sum(class_dim) / input.shape[class_dim]
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    return _reduce(loss, reduction)


class MultiMarginLoss(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, x, target, p, margin, weight, reduction):
        x2 = x.reshape(1, -1) if x.ndim == 1 else x
        n, c = x2.shape
        t = target.reshape(-1)
        if t.size != n:
            raise RuntimeError(f"inconsistent target size, expected {n} but got {shape_str(target.shape)}")
        if ((t < 0) | (t >= c)).any():
            raise RuntimeError("target out of range")
        rows = np.arange(n)
        z = margin - x2[rows, t][:, None] + x2
        active = z > 0
        active[rows, t] = False  # the target class never counts against itself
        w_t = np.ones(n, x.dtype) if weight is None else weight[t].astype(x.dtype)
        h = np.where(active, z, 0)
        loss = ((h if p == 1 else h * h).sum(1) * w_t / c).astype(x.dtype, copy=False)
        if x.ndim == 1 and reduction == "none":
            loss = loss.reshape(())
        ctx.shape, ctx.t, ctx.active, ctx.w_t, ctx.p, ctx.margin = x.shape, t, active, w_t, p, margin
        ctx.reduction, ctx.count, ctx.c = reduction, loss.size, c
        return reduce_array(loss, reduction)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        n, c = ctx.active.shape
        onehot = np.zeros((n, c), x._data.dtype)
        onehot[np.arange(n), ctx.t] = 1
        g = scale_grad(g, ctx.reduction, ctx.count)
        g = g.reshape(n, 1) if ctx.reduction == "none" else g
        scale = const((ctx.w_t / ctx.c).astype(x._data.dtype).reshape(n, 1) * ctx.active)
        if ctx.p == 1:
            per_j = scale * g
        else:  # d/dz z^2 = 2 z, with z = margin - x_y + x_j
            x2 = x.reshape(n, c)
            x_y = (x2 * const(onehot)).sum(1, keepdim=True)
            per_j = 2 * (ctx.margin - x_y + x2) * scale * g
        grad = per_j - const(onehot) * per_j.sum(1, keepdim=True)
        return grad.reshape(ctx.shape), None, None, None, None, None


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):
    """Multi-class hinge loss ``sum_j max(0, margin - x[y] + x[j])^p / C``."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    return MultiMarginLoss.apply(input, target._data, p, float(margin),
                                 None if weight is None else weight._data, reduction)


class MultilabelMarginLoss(Op):
    @staticmethod
    def forward(ctx, x, target, reduction):
        x2 = x.reshape(1, -1) if x.ndim == 1 else x
        t2 = target.reshape(1, -1) if target.ndim == 1 else target
        n, c = x2.shape
        if ((t2 < -1) | (t2 >= c)).any():
            raise RuntimeError("argument #2 'target' is out of range")
        # Each row's targets are the entries before its first -1; count repeats as PyTorch's loop does.
        stopped = np.cumsum(t2 == -1, axis=1) > 0
        slot = np.where(stopped, c, t2) + (c + 1) * np.arange(n)[:, None]  # column c collects the stops
        counts = np.bincount(slot.reshape(-1), minlength=n * (c + 1)).reshape(n, c + 1)[:, :c]
        others = counts == 0
        z = 1 - x2[:, :, None] + x2[:, None, :]          # z[i, j, k] = 1 - (x_j - x_k)
        pair = counts[:, :, None] * others[:, None, :] * (z > 0)
        loss = ((z * pair).sum((1, 2)) / c).astype(x.dtype, copy=False)
        if x.ndim == 1 and reduction == "none":
            loss = loss.reshape(())
        # d/dx_j = -1 and d/dx_k = +1 for every active pair (j target, k not a target).
        ctx.dloss = ((pair.sum(1) - pair.sum(2)) / c).astype(x.dtype).reshape(x.shape)
        ctx.reduction, ctx.count, ctx.n = reduction, loss.size, n
        return reduce_array(loss, reduction)

    @staticmethod
    def backward(ctx, g):
        g = scale_grad(g, ctx.reduction, ctx.count)
        if ctx.reduction == "none" and g.ndim == 1:
            g = g.unsqueeze(1)
        return const(ctx.dloss) * g, None, None


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Multi-label hinge loss over (target, non-target) class pairs."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    if tuple(input.shape) != tuple(target.shape):
        raise RuntimeError(f"inconsistent target size: {shape_str(target.shape)} for input of size: "
                           f"{shape_str(input.shape)}")
    return MultilabelMarginLoss.apply(input, target._data, reduction)


def _check_triplet_dims(anchor, positive, negative):
    if not (anchor.ndim == positive.ndim == negative.ndim):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and "
                           f"negative {negative.ndim}D inputs")


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    """``max(0, d(a, p) - d(a, n) + margin)`` with the p-norm pairwise distance."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    _check_triplet_dims(anchor, positive, negative)
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = pw.minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce((margin + d_pos - d_neg).clamp_min(0), reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0,
                                      swap=False, reduction="mean"):
    """Triplet loss with a user-supplied distance (pairwise_distance by default)."""
    check_reduction(reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    _check_triplet_dims(anchor, positive, negative)
    if distance_function is None:
        def distance_function(a, b):
            return pairwise_distance(a, b, 2.0, 1e-6)
    d_pos = distance_function(anchor, positive)
    d_neg = distance_function(anchor, negative)
    if swap:
        d_neg = pw.minimum(d_neg, distance_function(positive, negative))
    return _reduce((margin + d_pos - d_neg).clamp_min(0), reduction)
