"""Rprop: resilient backpropagation."""
from ..ops.creation import full_like, tensor, zeros_like
from . import _functional_core as core
from .optimizer import Optimizer, _to_scalar, scalar_dtype, check_lr

__all__ = ["Rprop"]


class Rprop(Optimizer):
    r"""Rprop: each element keeps its own step size, multiplied by ``etaplus`` while the gradient keeps
    its sign and by ``etaminus`` when it flips (then that element skips one step); the parameter moves by
    ``-sign(g) * step_size``.

    Args:
        params (iterable): parameters or parameter groups.
        lr (float, optional): initial step size (default: 1e-2).
        etas (Tuple[float, float], optional): (etaminus, etaplus) (default: (0.5, 1.2)).
        step_sizes (Tuple[float, float], optional): minimal and maximal step sizes (default: (1e-6, 50)).
        capturable, foreach, maximize, differentiable: as in PyTorch.
    """

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False,
                 foreach=None, maximize=False, differentiable=False):
        check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _init_state(self, p, state, group):
        state["step"] = tensor(0.0, dtype=scalar_dtype())
        state["prev"] = zeros_like(p)
        lr = _to_scalar(group["lr"])
        state["step_size"] = full_like(p, complex(lr, lr) if p.is_complex() else lr)

    def _update(self, p, grad, state, group):
        core.increment(state["step"])
        etaminus, etaplus = group["etas"]
        step_size_min, step_size_max = group["step_sizes"]
        return (core.rprop, (p._data, grad._data, state["prev"]._data, state["step_size"]._data),
                (etaminus, etaplus, step_size_min, step_size_max, group["maximize"]), 2)
