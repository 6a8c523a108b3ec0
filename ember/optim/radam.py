"""RAdam: Adam with a rectified adaptive learning rate."""
from ..ops.creation import zeros_like
from . import _functional_core as core
from .adam import check_lr_eps_betas_wd, new_step
from .optimizer import Optimizer, _to_scalar

__all__ = ["RAdam"]


class RAdam(Optimizer):
    r"""RAdam. With :math:`\rho_\infty = 2/(1-\beta_2) - 1` and
    :math:`\rho_t = \rho_\infty - 2t\beta_2^t/(1-\beta_2^t)`, the step is a plain momentum step
    while :math:`\rho_t \le 5` and the rectified Adam step afterwards.

    Args:
        params (iterable): parameters or parameter groups.
        lr (float, optional): learning rate (default: 1e-3).
        betas (Tuple[float, float], optional): (default: (0.9, 0.999)).
        eps (float, optional): (default: 1e-8).
        weight_decay (float, optional): (default: 0).
        decoupled_weight_decay (bool, optional): AdamW-style decay (default: False).
        foreach, maximize, capturable, differentiable: as in PyTorch.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        check_lr_eps_betas_wd(lr, eps, betas, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay, differentiable=differentiable)
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)
            group.setdefault("capturable", False)

    def _init_state(self, p, state, group):
        state["step"] = new_step()
        state["exp_avg"] = zeros_like(p)
        state["exp_avg_sq"] = zeros_like(p)

    def _update(self, p, grad, state, group):
        beta1, beta2 = group["betas"]
        lr = _to_scalar(group["lr"])
        step = core.increment(state["step"])
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
        rect = None
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
        return (core.radam, (p._data, grad._data, state["exp_avg"]._data, state["exp_avg_sq"]._data),
                (lr, beta1, beta2, group["eps"], group["weight_decay"], group["decoupled_weight_decay"],
                 group["maximize"], bias_correction1, bias_correction2, rect), 2)
