"""SGD with momentum, dampening, Nesterov momentum and weight decay."""
from .. import _blas_direct
from ..ops.creation import zeros_like
from . import _functional_core as core
from .optimizer import Optimizer, _to_scalar, check_fused

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent (optionally with momentum).

    .. math::
        b_t = \mu b_{t-1} + (1 - \tau) g_t \quad (b_1 = g_1), \qquad
        \theta_t = \theta_{t-1} - \gamma\,(g_t + \mu b_t \text{ if nesterov else } b_t)

    Args:
        params (iterable): parameters or parameter groups.
        lr (float, optional): learning rate (default: 1e-3).
        momentum (float, optional): momentum factor (default: 0).
        dampening (float, optional): dampening for momentum (default: 0).
        weight_decay (float, optional): L2 penalty (default: 0).
        nesterov (bool, optional): Nesterov momentum (default: False).
        maximize (bool, optional): maximize the objective (default: False).
        foreach, differentiable, fused: accepted for compatibility; ember runs its own
            fused kernel either way.

    Example:
        >>> w = ember.zeros(3, requires_grad=True)
        >>> opt = ember.optim.SGD([w], lr=0.1, momentum=0.9)
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        if hasattr(lr, "numel") and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach,
                        differentiable=differentiable, fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        check_fused(fused, differentiable, foreach)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("nesterov", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("differentiable", False)
            group.setdefault("fused", False)

    def _has_state(self, group):
        return _to_scalar(group["momentum"]) != 0

    def _init_state(self, p, state, group):
        pass  # the momentum buffer is created by the first step that needs it

    def _update(self, p, grad, state, group):
        momentum = _to_scalar(group["momentum"])
        buf = None
        first = False
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = zeros_like(p)
                first = True
        arrays = (p._data, grad._data, None if buf is None else buf._data)
        lr, weight_decay, dampening = (_to_scalar(group[k]) for k in ("lr", "weight_decay", "dampening"))
        if weight_decay == 0 and dampening == 0 and not group["maximize"] and not group["nesterov"] \
                and _blas_direct.usable(*(a for a in arrays if a is not None)):
            return (core.sgd_blas, arrays, (lr, momentum, first), 0)
        return (core.sgd, arrays, (lr, weight_decay, group["maximize"], momentum, dampening, group["nesterov"],
                                   first), 2)
