"""RMSprop (optionally centered, with momentum)."""
from ..ops.creation import tensor, zeros_like
from . import _functional_core as core
from .optimizer import Optimizer, _to_scalar, scalar_dtype, check_lr

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop: :math:`v_t = \alpha v_{t-1} + (1-\alpha) g_t^2`, step
    :math:`\gamma g_t / (\sqrt{v_t - \bar g_t^2 \text{ if centered}} + \epsilon)`, optionally through a
    momentum buffer.

    Args:
        params (iterable): parameters or parameter groups.
        lr (float, optional): learning rate (default: 1e-2).
        alpha (float, optional): smoothing constant (default: 0.99).
        eps (float, optional): (default: 1e-8).
        weight_decay (float, optional): (default: 0).
        momentum (float, optional): (default: 0).
        centered (bool, optional): normalize by the estimated variance (default: False).
        capturable, foreach, maximize, differentiable: as in PyTorch.
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach, maximize=maximize,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, p, state, group):
        state["step"] = tensor(0.0, dtype=scalar_dtype())
        state["square_avg"] = zeros_like(p)
        if group["momentum"] > 0:
            state["momentum_buffer"] = zeros_like(p)
        if group["centered"]:
            state["grad_avg"] = zeros_like(p)

    def _update(self, p, grad, state, group):
        core.increment(state["step"])
        momentum = group["momentum"]
        if momentum > 0 and "momentum_buffer" not in state:
            state["momentum_buffer"] = zeros_like(p)
        if group["centered"] and "grad_avg" not in state:
            state["grad_avg"] = zeros_like(p)
        gavg = state["grad_avg"]._data if group["centered"] else None
        buf = state["momentum_buffer"]._data if momentum > 0 else None
        return (core.rmsprop, (p._data, grad._data, state["square_avg"]._data, gavg, buf),
                (_to_scalar(group["lr"]), group["alpha"], group["eps"], group["weight_decay"], momentum,
                 group["maximize"]), 2)
