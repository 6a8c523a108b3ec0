"""Adagrad."""
from ..ops.creation import full_like, tensor
from . import _functional_core as core
from .optimizer import Optimizer, _to_scalar, scalar_dtype, check_lr, check_fused

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad: :math:`s_t = s_{t-1} + g_t^2`,
    :math:`\theta_t = \theta_{t-1} - \frac{\gamma}{1 + (t-1)\eta} \frac{g_t}{\sqrt{s_t} + \epsilon}`.

    Args:
        params (iterable): parameters or parameter groups.
        lr (float, optional): learning rate (default: 1e-2).
        lr_decay (float, optional): :math:`\eta` (default: 0).
        weight_decay (float, optional): (default: 0).
        initial_accumulator_value (float, optional): starting value of :math:`s` (default: 0).
        eps (float, optional): (default: 1e-10).
        foreach, maximize, differentiable, fused: as in PyTorch.
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        check_lr(lr)
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        check_fused(fused, differentiable, foreach)
        # Adagrad's state exists from construction on (PyTorch does the same).
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, self.state[p], group)

    def _init_state(self, p, state, group):
        state["step"] = tensor(0.0, dtype=scalar_dtype())
        init = self.defaults["initial_accumulator_value"]
        state["sum"] = full_like(p, complex(init, init) if p.is_complex() else init)

    def _update(self, p, grad, state, group):
        step = core.increment(state["step"])
        clr = _to_scalar(group["lr"]) / (1 + (step - 1) * group["lr_decay"])
        return (core.adagrad, (p._data, grad._data, state["sum"]._data),
                (clr, group["eps"], group["weight_decay"], group["maximize"]), 2)
