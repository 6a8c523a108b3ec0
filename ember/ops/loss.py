"""Loss functions (``ember.nn.functional.*_loss``).

Regression and binary losses live here; class-index losses (nll, cross-entropy) in
``loss_classification.py``, margin and embedding losses in ``loss_margin.py``, CTC in
``loss_ctc.py``. Each fused loss is one Op whose forward computes the elementwise loss
and its reduction in one go; its backward rule is written with Tensor ops. Losses that
PyTorch itself composes from simpler ops are composed the same way here.
"""
import math
import warnings

from .._backend import np
from .._tensor import Tensor
from ..autograd.function import Op
from ..autograd.grad_mode import state as grad_state
from . import pointwise as pw
from ._common import promote, xp_of
from ._loss_common import (_reduce, as_bool_tensor, broadcast_pair, check_not_differentiable, check_reduction,
                           const, legacy_reduction, reduce_array, scale_grad, size_str, warn_target_size)
from .loss_classification import cross_entropy, nll_loss
from .loss_ctc import ctc_loss
from .loss_margin import (cosine_embedding_loss, hinge_embedding_loss, margin_ranking_loss,
                          multi_margin_loss, multilabel_margin_loss, multilabel_soft_margin_loss,
                          soft_margin_loss, triplet_margin_loss, triplet_margin_with_distance_loss)
from .shape import expand


# ---------------------------------------------------------------------------------------
# Regression
# ---------------------------------------------------------------------------------------

def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error: ``|input - target|`` reduced."""
    reduction = legacy_reduction(size_average, reduce, reduction, validate=weight is None)
    warn_target_size(input, target)
    input, target = broadcast_pair(input, target)
    if weight is not None:
        return _weighted(input, (input - target).abs(), weight, reduction, weight_sum_mean=True)
    return _reduce((input - target).abs(), reduction)


def _weighted(input, loss, weight, reduction, weight_sum_mean):
    """PyTorch's per-element ``weight`` path: mean divides by ``weight.sum()`` for l1/mse."""
    if tuple(weight.shape) != tuple(input.shape):
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "mean" and weight_sum_mean:
        return loss.sum() / weight.sum()
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")
    return _reduce(loss, reduction)


class MseLoss(Op):
    saves_inputs = (0, 1)

    @staticmethod
    def forward(ctx, x, y, reduction):
        x, y = promote(x, y)
        diff = x - y
        ctx.reduction, ctx.count = reduction, diff.size
        return reduce_array(diff * diff, reduction)

    @staticmethod
    def backward(ctx, g):
        # d/dx (x - y)^2 = 2 (x - y)
        x, y = ctx.saved_tensors
        xd, yd, gd = x._data, y._data, g._data
        if not grad_state.enabled and xd.dtype == yd.dtype == gd.dtype and xd.dtype.kind == "f" \
                and xd.dtype.itemsize >= 4:
            # No graph to record: the same arithmetic as below on arrays, in one pass less.
            if ctx.reduction == "mean":
                gd = gd / ctx.count if ctx.count else gd * float("nan")
            gx = Tensor._make((xd - yd) * (gd * 2))
            return gx, Tensor._make(-gx._data) if ctx.needs_input_grad[1] else None, None
        gx = (x - y) * (scale_grad(g, ctx.reduction, ctx.count) * 2)
        return gx, -gx if ctx.needs_input_grad[1] else None, None


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error: ``(input - target)^2`` reduced."""
    reduction = legacy_reduction(size_average, reduce, reduction, validate=weight is None)
    warn_target_size(input, target)
    input, target = broadcast_pair(input, target)
    if weight is not None:
        return _weighted(input, (input - target) ** 2, weight, reduction, weight_sum_mean=True)
    return MseLoss.apply(input, target, check_reduction(reduction))


class SmoothL1Loss(Op):
    """Quadratic below ``beta``, linear above (``beta == 0`` is the L1 loss)."""
    saves_inputs = (0, 1)

    @staticmethod
    def forward(ctx, x, y, reduction, beta):
        x, y = promote(x, y)
        diff = x - y
        ad = np.abs(diff)
        ctx.reduction, ctx.count, ctx.beta = reduction, diff.size, beta
        if beta == 0:
            loss = ad
        else:
            loss = np.where(ad < beta, (0.5 / beta) * diff * diff, ad - 0.5 * beta).astype(diff.dtype, copy=False)
        return reduce_array(loss, reduction)

    @staticmethod
    def backward(ctx, g):
        # d/dx: diff / beta inside the quadratic zone, sign(diff) outside it.
        x, y = ctx.saved_tensors
        diff = x - y
        slope = diff.sign() if ctx.beta == 0 else pw.where(as_bool_tensor(np.abs(diff._data) < ctx.beta),
                                                          diff / ctx.beta, diff.sign())
        gx = slope * scale_grad(g, ctx.reduction, ctx.count)
        return gx, -gx if ctx.needs_input_grad[1] else None, None, None


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Smooth L1 loss: ``0.5 d^2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta``."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    warn_target_size(input, target)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    input, target = broadcast_pair(input, target)
    return SmoothL1Loss.apply(input, target, reduction, float(beta))


class HuberLoss(Op):
    saves_inputs = (0, 1)

    @staticmethod
    def forward(ctx, x, y, reduction, delta):
        x, y = promote(x, y)
        diff = x - y
        ad = np.abs(diff)
        ctx.reduction, ctx.count, ctx.delta = reduction, diff.size, delta
        loss = np.where(ad < delta, 0.5 * diff * diff, delta * (ad - 0.5 * delta)).astype(diff.dtype, copy=False)
        return reduce_array(loss, reduction)

    @staticmethod
    def backward(ctx, g):
        # d/dx: diff inside [-delta, delta], delta * sign(diff) outside.
        x, y = ctx.saved_tensors
        diff = x - y
        slope = pw.where(as_bool_tensor(np.abs(diff._data) <= ctx.delta), diff, diff.sign() * ctx.delta)
        gx = slope * scale_grad(g, ctx.reduction, ctx.count)
        return gx, -gx if ctx.needs_input_grad[1] else None, None, None


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """Huber loss: ``0.5 d^2`` where ``|d| < delta``, else ``delta (|d| - 0.5 delta)``."""
    warn_target_size(input, target)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    input, target = broadcast_pair(input, target)
    if weight is not None:
        return _weighted(input, HuberLoss.apply(input, target, "none", float(delta)), weight, reduction,
                         weight_sum_mean=False)
    return HuberLoss.apply(input, target, check_reduction(reduction), float(delta))


# ---------------------------------------------------------------------------------------
# Binary cross-entropy
# ---------------------------------------------------------------------------------------

class BinaryCrossEntropy(Op):
    saves_inputs = (0, 1, 2)

    @staticmethod
    def forward(ctx, x, y, w, reduction):
        xp = xp_of(x)
        if ((x < 0) | (x > 1)).any():
            raise RuntimeError("all elements of input should be between 0 and 1")
        # NOTE: PyTorch clamps each log at -100 so that x = 0 or 1 gives a finite loss.
        with np.errstate(divide="ignore", invalid="ignore"):
            log_x = xp.maximum(xp.log(x), -100)
            log_1mx = xp.maximum(xp.log1p(-x), -100)
        loss = -(y * log_x + (1 - y) * log_1mx)
        if w is not None:
            loss = loss * w
        ctx.reduction, ctx.count = reduction, loss.size
        return reduce_array(loss.astype(x.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx, g):
        x, y, w = ctx.saved_tensors
        g = scale_grad(g, ctx.reduction, ctx.count)
        if w is not None:
            g = g * w
        gx = gy = None
        if ctx.needs_input_grad[0]:
            # d/dx = (x - y) / (x (1 - x)), the denominator floored at 1e-12 as PyTorch does.
            gx = (x - y) / (x * (1 - x)).clamp_min(1e-12) * g
        if ctx.needs_input_grad[1]:
            # d/dy = log(1 - x) - log(x) (unclamped, as PyTorch's rule)
            gy = ((-x).log1p() - x.log()) * g
        return gx, gy, None, None


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """``-w (y log x + (1 - y) log(1 - x))`` on probabilities ``x``."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({size_str(target.shape)}) that is different to the input size "
                         f"({size_str(input.shape)}) is deprecated. Please ensure they have the same size.")
    check_not_differentiable("binary_cross_entropy", "weight", weight)
    if weight is not None and tuple(weight.shape) != tuple(input.shape):
        weight = expand(weight, input.shape)
    return BinaryCrossEntropy.apply(input, target, weight, reduction)


class BinaryCrossEntropyWithLogits(Op):
    saves_inputs = (0, 1, 2, 3)

    @staticmethod
    def forward(ctx, x, y, w, pos_w, reduction):
        xp = xp_of(x)
        # NOTE: softplus(-x) = log1p(exp(-|x|)) + max(-x, 0) never overflows.
        softplus_neg = xp.log1p(xp.exp(-xp.abs(x))) + xp.maximum(-x, 0)
        if pos_w is None:
            loss = (1 - y) * x + softplus_neg
        else:
            loss = (1 - y) * x + (1 + (pos_w - 1) * y) * softplus_neg
        if w is not None:
            loss = loss * w
        ctx.reduction, ctx.count = reduction, loss.size
        return reduce_array(loss.astype(x.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx, g):
        x, y, w, pos_w = ctx.saved_tensors
        g = scale_grad(g, ctx.reduction, ctx.count)
        if w is not None:
            g = g * w
        gx = gy = None
        if ctx.needs_input_grad[0]:
            # d/dx = sigmoid(x) - y, or with pos_weight p: (p y + 1 - y) sigmoid(x) - p y
            if pos_w is None:
                gx = (x.sigmoid() - y) * g
            else:
                py = pos_w * y
                gx = ((py + 1 - y) * x.sigmoid() - py) * g
        if ctx.needs_input_grad[1]:
            # d/dy = -x (+ (p - 1) softplus(-x) with pos_weight)
            gy = -x * g if pos_w is None else \
                (-x + (pos_w - 1) * ((-x.abs()).exp().log1p() + (-x).clamp_min(0))) * g
        return gx, gy, None, None, None


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """Sigmoid + binary cross-entropy in one numerically stable step."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({size_str(target.shape)}) must be the same as input size "
                         f"({size_str(input.shape)})")
    check_not_differentiable("binary_cross_entropy_with_logits", "weight", weight)
    check_not_differentiable("binary_cross_entropy_with_logits", "pos_weight", pos_weight)
    return BinaryCrossEntropyWithLogits.apply(input, target, weight, pos_weight, reduction)


# ---------------------------------------------------------------------------------------
# Divergences and likelihoods (composed, as PyTorch composes them)
# ---------------------------------------------------------------------------------------

def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """KL divergence with ``input`` given as log-probabilities."""
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce, reduction)
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                      "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                      "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                      stacklevel=2)
    elif reduction != "batchmean":
        check_reduction(reduction)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = pw.xlogy(target, target) - target * input
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.ndim != 0 else loss.sum()
    return _reduce(loss, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    """Negative log-likelihood of a Poisson target."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        t = target._data
        with np.errstate(divide="ignore", invalid="ignore"):
            stirling = t * np.log(t) - t + 0.5 * np.log(2 * math.pi * t)
        stirling = np.where(t <= 1, 0, stirling).astype(t.dtype, copy=False)
        # The Stirling term depends on target only; PyTorch's gradient flows to it through target.
        if isinstance(target, Tensor) and target.requires_grad:
            stir = target * target.log() - target + 0.5 * (2 * math.pi * target).log()
            loss = loss + pw.where(as_bool_tensor(t <= 1), stir * 0, stir)
        else:
            loss = loss + const(stirling)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Negative log-likelihood of a Gaussian target with predicted variance ``var``."""
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = Tensor._make(np.full(input.shape, var, dtype=input._data.dtype))
    elif (var._data < 0).any():
        raise ValueError("var has negative entry/entries")
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif input.ndim == var.ndim and sum(b for a, b in zip(input.shape, var.shape) if a != b) == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    # Clamp for stability without changing the gradient path (PyTorch clamps in place under no_grad).
    v = var._data
    var = var + const((np.maximum(v, eps) - v).astype(v.dtype, copy=False))
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


__all__ = [
    "l1_loss", "mse_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "kl_div", "poisson_nll_loss", "gaussian_nll_loss",
    "cross_entropy", "nll_loss", "ctc_loss", "cosine_embedding_loss", "hinge_embedding_loss",
    "margin_ranking_loss", "multi_margin_loss", "multilabel_margin_loss", "multilabel_soft_margin_loss",
    "soft_margin_loss", "triplet_margin_loss", "triplet_margin_with_distance_loss",
]
