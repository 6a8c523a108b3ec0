"""Adamax: Adam with the infinity norm."""
from ..ops.creation import zeros_like
from . import _functional_core as core
from .adam import check_lr_eps_betas_wd, new_step
from .optimizer import Optimizer, _to_scalar

__all__ = ["Adamax"]


class Adamax(Optimizer):
    r"""Adamax: :math:`u_t = \max(\beta_2 u_{t-1}, |g_t| + \epsilon)`,
    :math:`\theta_t = \theta_{t-1} - \frac{\gamma}{1-\beta_1^t} \frac{m_t}{u_t}`.

    Args:
        params (iterable): parameters or parameter groups.
        lr (float, optional): learning rate (default: 2e-3).
        betas (Tuple[float, float], optional): (default: (0.9, 0.999)).
        eps (float, optional): (default: 1e-8).
        weight_decay (float, optional): L2 penalty (default: 0).
        foreach, maximize, differentiable, capturable: as in PyTorch.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        check_lr_eps_betas_wd(lr, eps, betas, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _init_state(self, p, state, group):
        state["step"] = new_step()
        state["exp_avg"] = zeros_like(p)
        state["exp_inf"] = zeros_like(p)

    def _update(self, p, grad, state, group):
        beta1, beta2 = group["betas"]
        step = core.increment(state["step"])
        clr = _to_scalar(group["lr"]) / (1 - beta1 ** step)
        return (core.adamax, (p._data, grad._data, state["exp_avg"]._data, state["exp_inf"]._data),
                (beta1, beta2, group["eps"], group["weight_decay"], group["maximize"], clr), 2)
