"""SparseAdam: lazy Adam that only touches the rows a gradient touches.

ember has no sparse tensors, so the gradient is dense: the rows (along dim 0) holding
any nonzero are the rows the update touches. That matches PyTorch for gradients such
as ``nn.Embedding(sparse=True)``'s, except that a row PyTorch lists explicitly with an
all-zero gradient is skipped here.
"""
from ..ops.creation import zeros_like
from . import _functional_core as core
from .optimizer import Optimizer, _to_scalar, check_lr

__all__ = ["SparseAdam"]


class SparseAdam(Optimizer):
    """Adam for embedding-like parameters: moments and parameters change only on touched rows.

    Args:
        params (iterable): parameters or parameter groups.
        lr (float, optional): learning rate (default: 1e-3).
        betas (Tuple[float, float], optional): (default: (0.9, 0.999)).
        eps (float, optional): (default: 1e-8).
        maximize (bool, optional): (default: False).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        check_lr(lr, strict=True)
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, maximize=maximize))
        complex_params = [[gi, pi] for gi, g in enumerate(self.param_groups)
                          for pi, p in enumerate(g["params"]) if p.is_complex()]
        if complex_params:
            raise ValueError(f"Complex params at indices {complex_params}: SparseAdam does not support "
                             "complex parameters")

    def _init_state(self, p, state, group):
        state["step"] = 0
        state["exp_avg"] = zeros_like(p)
        state["exp_avg_sq"] = zeros_like(p)

    def _update(self, p, grad, state, group):
        beta1, beta2 = group["betas"]
        state["step"] += 1
        g = -grad if group.get("maximize", False) else grad
        core.sparse_adam_rows(p._data, g._data, state["exp_avg"]._data, state["exp_avg_sq"]._data,
                              core.nonzero_rows(g), _to_scalar(group["lr"]), beta1, beta2, group["eps"],
                              state["step"])
        core.bump([p, state["exp_avg"], state["exp_avg_sq"]])
        return None
