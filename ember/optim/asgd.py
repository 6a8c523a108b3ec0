"""ASGD: averaged stochastic gradient descent."""
from .._dtype import get_default_dtype
from ..ops.creation import tensor, zeros_like
from . import _functional_core as core
from .optimizer import Optimizer, _to_scalar, scalar_dtype, check_lr

__all__ = ["ASGD"]


class ASGD(Optimizer):
    r"""Averaged SGD: :math:`\theta_t = \theta_{t-1}(1 - \lambda\eta_t) - \eta_t g_t`, with the running
    average :math:`a_t` of the iterates kept in ``state["ax"]`` once :math:`t > t_0`.

    Args:
        params (iterable): parameters or parameter groups.
        lr (float, optional): learning rate (default: 1e-2).
        lambd (float, optional): decay term (default: 1e-4).
        alpha (float, optional): power for the eta update (default: 0.75).
        t0 (float, optional): point at which averaging starts (default: 1e6).
        weight_decay (float, optional): (default: 0).
        foreach, maximize, differentiable, capturable: as in PyTorch.
    """

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        check_lr(lr)
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _init_state(self, p, state, group):
        sd = scalar_dtype()
        state["step"] = tensor(0.0, dtype=sd)
        state["eta"] = tensor(float(_to_scalar(group["lr"])), dtype=sd)
        state["mu"] = tensor(1.0, dtype=sd)
        state["ax"] = zeros_like(p)

    def _update(self, p, grad, state, group):
        lr = _to_scalar(group["lr"])
        lambd, alpha, t0 = group["lambd"], group["alpha"], group["t0"]
        step = core.increment(state["step"])
        eta = core.value(state["eta"])
        mu = core.value(state["mu"])
        job = (core.asgd, (p._data, grad._data, state["ax"]._data),
               (eta, lambd, mu, group["weight_decay"], group["maximize"]), 2)
        # The next step's eta and mu. PyTorch builds them as default-dtype tensors and copies them
        # into the state, so they are rounded to the default dtype even when the state is float64.
        via = get_default_dtype().np_dtype
        core.set_value(state["eta"], lr / ((1 + lambd * lr * step) ** alpha), via)
        core.set_value(state["mu"], 1 / max(1, step - t0), via)
        return job
