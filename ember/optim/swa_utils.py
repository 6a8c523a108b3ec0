"""Stochastic weight averaging and EMA: AveragedModel, SWALR, update_bn."""
import itertools
import math
import warnings
from copy import deepcopy

from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from ..ops.creation import tensor
from .lr_scheduler import LRScheduler, _format_param

__all__ = ["AveragedModel", "update_bn", "SWALR", "get_ema_multi_avg_fn", "get_swa_multi_avg_fn",
           "get_ema_avg_fn", "get_swa_avg_fn"]


def _check_decay(decay):
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")


def get_ema_multi_avg_fn(decay=0.999):
    """An in-place EMA over lists of tensors: ``ema = lerp(ema, current, 1 - decay)``."""
    _check_decay(decay)

    @no_grad()
    def ema_update(ema_params, current_params, _):
        if ema_params[0].is_floating_point() or ema_params[0].is_complex():
            for e, c in zip(ema_params, current_params):
                e.lerp_(c, 1 - decay)
        else:
            for e, c in zip(ema_params, current_params):
                e.copy_(e * decay + c * (1 - decay))
    return ema_update


def get_swa_multi_avg_fn():
    """An in-place running mean over lists of tensors."""
    @no_grad()
    def swa_update(averaged, current, num_averaged):
        if averaged[0].is_floating_point() or averaged[0].is_complex():
            w = 1 / (num_averaged + 1)
            w = w.item() if isinstance(w, Tensor) else w
            for a, c in zip(averaged, current):
                a.lerp_(c, w)
        else:
            for a, c in zip(averaged, current):
                diff = c - a
                if isinstance(num_averaged, Tensor):
                    a.addcdiv_(diff, num_averaged + 1)
                else:
                    a.add_(diff, alpha=1.0 / (num_averaged + 1))
    return swa_update


def get_ema_avg_fn(decay=0.999):
    """``decay * ema + (1 - decay) * current`` (returns a new tensor)."""
    _check_decay(decay)

    @no_grad()
    def ema_update(ema_param, current_param, num_averaged):
        return decay * ema_param + (1 - decay) * current_param
    return ema_update


def get_swa_avg_fn():
    """Running mean: ``avg + (current - avg) / (n + 1)`` (returns a new tensor)."""
    @no_grad()
    def swa_update(averaged_param, current_param, num_averaged):
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)
    return swa_update


def _module_base():
    from ..nn import Module
    return Module


def _make_averaged_model():
    Module = _module_base()

    class AveragedModel(Module):
        """A copy of ``model`` whose parameters are averaged over ``update_parameters`` calls.

        Args:
            model (Module): the model to average.
            device (optional): device for the averaged copy.
            avg_fn (callable, optional): ``avg_fn(averaged, current, n) -> Tensor`` per parameter.
            multi_avg_fn (callable, optional): in-place update over lists of tensors.
            use_buffers (bool): average buffers too instead of copying them (default: False).
        """

        def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
            super().__init__()
            if avg_fn is not None and multi_avg_fn is not None:
                raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
            self.module = deepcopy(model)
            if device is not None:
                self.module = self.module.to(device)
            self.register_buffer("n_averaged", tensor(0, dtype=_long()))
            self.avg_fn = avg_fn
            self.multi_avg_fn = multi_avg_fn
            self.use_buffers = use_buffers

        def forward(self, *args, **kwargs):
            return self.module(*args, **kwargs)

        def update_parameters(self, model):
            if self.use_buffers:
                mine = itertools.chain(self.module.parameters(), self.module.buffers())
                theirs = itertools.chain(model.parameters(), model.buffers())
            else:
                mine, theirs = self.parameters(), model.parameters()
            mine_d, theirs_d = [], []
            first = bool(self.n_averaged == 0)
            for p_avg, p_model in zip(mine, theirs):
                cur = p_model.detach()
                mine_d.append(p_avg.detach())
                theirs_d.append(cur)
                if first:
                    with no_grad():
                        p_avg.detach().copy_(cur)
            if self.n_averaged > 0:
                with no_grad():
                    if self.multi_avg_fn is None and self.avg_fn is None:
                        # PyTorch's CPU path (no foreach kernels): the running mean per tensor.
                        swa = get_swa_avg_fn()
                        for a, c in zip(mine_d, theirs_d):
                            a.copy_(swa(a, c, self.n_averaged))
                    elif self.avg_fn is None:
                        fn = self.multi_avg_fn
                        # group by dtype like PyTorch's foreach grouping
                        groups = {}
                        for a, c in zip(mine_d, theirs_d):
                            groups.setdefault(a.dtype, ([], []))
                            groups[a.dtype][0].append(a)
                            groups[a.dtype][1].append(c)
                        for avgs, curs in groups.values():
                            fn(avgs, curs, self.n_averaged)
                    else:
                        for a, c in zip(mine_d, theirs_d):
                            a.copy_(self.avg_fn(a, c, self.n_averaged))
            if not self.use_buffers:
                with no_grad():
                    for b_avg, b_model in zip(self.module.buffers(), model.buffers()):
                        b_avg.detach().copy_(b_model.detach())
            with no_grad():
                self.n_averaged += 1

    return AveragedModel


def _long():
    from .. import int64
    return int64


_AveragedModel = None


def __getattr__(name):
    # AveragedModel subclasses ember.nn.Module, built on first use.
    global _AveragedModel
    if name == "AveragedModel":
        if _AveragedModel is None:
            _AveragedModel = _make_averaged_model()
            _AveragedModel.__module__ = __name__
        return _AveragedModel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@no_grad()
def update_bn(loader, model, device=None):
    """Recompute BatchNorm running statistics with one pass over ``loader`` (cumulative averages)."""
    momenta = {}
    for module in model.modules():
        if _is_batchnorm(module):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    for batch in loader:
        if isinstance(batch, (list, tuple)):
            batch = batch[0]
        if device is not None:
            batch = batch.to(device)
        model(batch)
    for module, m in momenta.items():
        module.momentum = m
    model.train(was_training)


def _is_batchnorm(module):
    for cls in type(module).__mro__:
        if cls.__name__ == "_BatchNorm":
            return True
    return False


class SWALR(LRScheduler):
    """Anneal each group's lr to a fixed ``swa_lr`` over ``anneal_epochs`` epochs (cos or linear), then hold."""

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos", last_epoch=-1):
        swa_lrs = _format_param("swa_lr", optimizer, swa_lr)
        for lr, group in zip(swa_lrs, optimizer.param_groups):
            group["swa_lr"] = lr
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self):
        if not self._get_lr_called_within_step:
            warnings.warn("To get the last learning rate computed by the scheduler, please use "
                          "`get_last_lr()`.", UserWarning, stacklevel=2)
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        # Recover the lr before annealing from the current one, then apply this step's mix.
        prev_t = max(0, min(1, (step - 1) / max(1, self.anneal_epochs)))
        prev_alpha = self.anneal_func(prev_t)
        prev_lrs = [self._get_initial_lr(g["lr"], g["swa_lr"], prev_alpha) for g in self.optimizer.param_groups]
        t = max(0, min(1, step / max(1, self.anneal_epochs)))
        alpha = self.anneal_func(t)
        return [g["swa_lr"] * alpha + lr * (1 - alpha) for g, lr in zip(self.optimizer.param_groups, prev_lrs)]

    def _set_anneal_func(self, strategy):
        self._anneal_strategy = strategy
        self.anneal_func = self._cosine_anneal if strategy == "cos" else self._linear_anneal

    def state_dict(self):
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "anneal_func")}

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)
