"""NAdam: Adam with Nesterov momentum (momentum-decay schedule of Dozat)."""
from ..ops.creation import tensor, zeros_like
from . import _functional_core as core
from .adam import check_lr_eps_betas_wd, new_step
from .optimizer import Optimizer, _to_scalar, scalar_dtype

__all__ = ["NAdam"]


class NAdam(Optimizer):
    r"""NAdam. With :math:`\mu_t = \beta_1(1 - \tfrac12 0.96^{t\psi})` and
    :math:`\Pi_t = \prod_{i\le t}\mu_i`:

    .. math::
        \theta_t = \theta_{t-1} - \gamma\Big(\frac{(1-\mu_t) g_t}{1-\Pi_t}
                   + \frac{\mu_{t+1} m_t}{1-\Pi_t\mu_{t+1}}\Big) \Big/ \big(\sqrt{v_t/(1-\beta_2^t)}+\epsilon\big)

    Args:
        params (iterable): parameters or parameter groups.
        lr (float, optional): learning rate (default: 2e-3).
        betas (Tuple[float, float], optional): (default: (0.9, 0.999)).
        eps (float, optional): (default: 1e-8).
        weight_decay (float, optional): (default: 0).
        momentum_decay (float, optional): :math:`\psi` (default: 4e-3).
        decoupled_weight_decay (bool, optional): AdamW-style decay (default: False).
        foreach, maximize, capturable, differentiable: as in PyTorch.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        check_lr_eps_betas_wd(lr, eps, betas, weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("capturable", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)

    def _init_state(self, p, state, group):
        state["step"] = new_step()
        state["mu_product"] = tensor(1.0, dtype=scalar_dtype())
        state["exp_avg"] = zeros_like(p)
        state["exp_avg_sq"] = zeros_like(p)

    def _update(self, p, grad, state, group):
        beta1, beta2 = group["betas"]
        lr = _to_scalar(group["lr"])
        psi = group["momentum_decay"]
        step = core.increment(state["step"])
        bias_correction2 = 1 - beta2 ** step
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * psi)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * psi)))
        # The running product lives in a float32 (scalar-dtype) tensor, rounding as in PyTorch.
        core.scale_(state["mu_product"], mu)
        mu_product = core.value(state["mu_product"])
        mu_product_next = mu_product * mu_next
        grad_coef = -lr * (1.0 - mu) / (1.0 - mu_product)
        avg_coef = (-lr * mu_next) / (1.0 - mu_product_next)
        return (core.nadam, (p._data, grad._data, state["exp_avg"]._data, state["exp_avg_sq"]._data),
                (lr, beta1, beta2, group["eps"], group["weight_decay"], group["decoupled_weight_decay"],
                 group["maximize"], bias_correction2, grad_coef, avg_coef), 2)
