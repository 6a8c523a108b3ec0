"""Adam (and, with decoupled weight decay, AdamW)."""
from ..ops.creation import tensor, zeros_like
from . import _functional_core as core
from .optimizer import Optimizer, _to_scalar, check_fused, check_lr, scalar_dtype

__all__ = ["Adam"]


def check_lr_eps_betas_wd(lr, eps, betas, weight_decay):
    """The validation Adam and its relatives share (PyTorch's messages)."""
    check_lr(lr)
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


def new_step():
    """A fresh ``step`` counter: a 0-dim float tensor, as in PyTorch 2.x state dicts."""
    return tensor(0.0, dtype=scalar_dtype())


class Adam(Optimizer):
    r"""Adam: adaptive moment estimation.

    .. math::
        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\quad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,\quad
        \theta_t = \theta_{t-1} - \frac{\gamma}{1-\beta_1^t}\,
                   \frac{m_t}{\sqrt{v_t}/\sqrt{1-\beta_2^t} + \epsilon}

    Args:
        params (iterable): parameters or parameter groups.
        lr (float, optional): learning rate (default: 1e-3).
        betas (Tuple[float, float], optional): decay rates of the moment estimates (default: (0.9, 0.999)).
        eps (float, optional): term added to the denominator (default: 1e-8).
        weight_decay (float, optional): weight decay (default: 0).
        amsgrad (bool, optional): use the running maximum of v_t (default: False).
        maximize (bool, optional): maximize the objective (default: False).
        decoupled_weight_decay (bool, optional): AdamW-style decay (default: False).
        foreach, capturable, differentiable, fused: accepted for compatibility.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        if hasattr(lr, "numel") and foreach and not capturable:
            raise ValueError("lr as a Tensor is not supported for capturable=False and foreach=True")
        check_lr_eps_betas_wd(lr, eps, betas, weight_decay)
        is_t = [hasattr(b, "numel") for b in betas[:2]]
        if not (all(isinstance(b, float) for b in betas[:2]) or all(is_t)):
            raise ValueError("betas must be either both floats or both Tensors")
        for i, b in enumerate(betas[:2]):
            if is_t[i]:
                if not capturable and foreach:
                    raise ValueError(f"betas[{i}] as a Tensor is not supported for capturable=False and "
                                     "foreach=True")
                if b.numel() != 1:
                    raise ValueError(f"Tensor betas[{i}] must be 1-element")
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)
        check_fused(fused, differentiable, foreach)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            for key, default in (("amsgrad", False), ("maximize", False), ("foreach", None),
                                 ("capturable", False), ("differentiable", False),
                                 ("decoupled_weight_decay", False), ("fused", None)):
                group.setdefault(key, default)
            for p in group["params"]:
                st = self.state.get(p, {})
                if st and not hasattr(st.get("step"), "numel"):
                    st["step"] = tensor(float(st["step"]), dtype=scalar_dtype())

    def _init_state(self, p, state, group):
        state["step"] = new_step()
        state["exp_avg"] = zeros_like(p)
        state["exp_avg_sq"] = zeros_like(p)
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = zeros_like(p)

    def _update(self, p, grad, state, group):
        if getattr(grad, "is_sparse", False):
            raise RuntimeError("Adam does not support sparse gradients, please consider SparseAdam instead")
        beta1, beta2 = (_to_scalar(b) for b in group["betas"])
        lr = _to_scalar(group["lr"])
        step = core.increment(state["step"])
        # Bias corrections in Python floats, in PyTorch's order, so the scalars match exactly.
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        step_size = lr / bias_correction1
        bc2_sqrt = bias_correction2 ** 0.5
        vmax = None
        if group["amsgrad"]:
            if "max_exp_avg_sq" not in state:
                state["max_exp_avg_sq"] = zeros_like(p)
            vmax = state["max_exp_avg_sq"]._data
        return (core.adam,
                (p._data, grad._data, state["exp_avg"]._data, state["exp_avg_sq"]._data, vmax),
                (lr, beta1, beta2, group["eps"], _to_scalar(group["weight_decay"]),
                 group["decoupled_weight_decay"], group["maximize"], step_size, bc2_sqrt), 2)
