"""Adadelta."""
from ..ops.creation import tensor, zeros_like
from . import _functional_core as core
from .optimizer import Optimizer, _to_scalar, scalar_dtype, check_lr

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    r"""Adadelta: :math:`v_t = \rho v_{t-1} + (1-\rho) g_t^2`,
    :math:`\Delta_t = \frac{\sqrt{u_{t-1}+\epsilon}}{\sqrt{v_t+\epsilon}} g_t`,
    :math:`u_t = \rho u_{t-1} + (1-\rho)\Delta_t^2`, :math:`\theta_t = \theta_{t-1} - \gamma\Delta_t`.

    Args:
        params (iterable): parameters or parameter groups.
        lr (float, optional): coefficient scaling delta (default: 1.0).
        rho (float, optional): (default: 0.9).
        eps (float, optional): (default: 1e-6).
        weight_decay (float, optional): (default: 0).
        foreach, capturable, maximize, differentiable: as in PyTorch.
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, p, state, group):
        state["step"] = tensor(0.0, dtype=scalar_dtype())
        state["square_avg"] = zeros_like(p)
        state["acc_delta"] = zeros_like(p)

    def _update(self, p, grad, state, group):
        core.increment(state["step"])
        return (core.adadelta, (p._data, grad._data, state["square_avg"]._data, state["acc_delta"]._data),
                (_to_scalar(group["lr"]), group["rho"], group["eps"], group["weight_decay"], group["maximize"]),
                3)
