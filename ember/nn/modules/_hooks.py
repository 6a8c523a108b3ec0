"""Hook plumbing for Module: removable handles, global hook registries, backward hooks, and
the Module mixin that registers hooks and runs the hooked call path.

Full backward hooks work like PyTorch's: the module's tensor inputs and outputs are
passed through an identity autograd node (``BackwardHookFunction``). The node on the
outputs sees the gradients w.r.t. the outputs (and runs the backward pre-hooks); the
node on the inputs sees the gradients w.r.t. the inputs and calls the user's hooks
with both.
"""
import functools
import warnings
import weakref
from collections import OrderedDict

from ..._tensor import Tensor
from ...autograd.function import Op
from ...autograd.grad_mode import state as _grad_state
from ...autograd.node import RemovableHandle as _BaseHandle


class RemovableHandle(_BaseHandle):
    """A handle that also removes its id from extra dicts (e.g. the with_kwargs flags)."""

    def __init__(self, hooks_dict, *, extra_dict=None):
        super().__init__(hooks_dict)
        if extra_dict is None:
            extra_dict = ()
        elif isinstance(extra_dict, dict):
            extra_dict = (extra_dict,)
        self._extra_refs = tuple(weakref.ref(d) for d in extra_dict)

    def remove(self):
        super().remove()
        for ref in self._extra_refs:
            d = ref()
            if d is not None and self.id in d:
                del d[self.id]


class _WrappedHook:
    """A hook bound (weakly) to the module it belongs to."""

    def __init__(self, hook, module=None):
        self.hook = hook
        functools.update_wrapper(self, hook)
        self.with_module = module is not None
        if module is not None:
            self.module = weakref.ref(module)

    def __call__(self, *args, **kwargs):
        if self.with_module:
            module = self.module()
            if module is None:
                raise RuntimeError("You are trying to call the hook of a dead Module!")
            return self.hook(module, *args, **kwargs)
        return self.hook(*args, **kwargs)

    def __getstate__(self):
        state = {"hook": self.hook, "with_module": self.with_module}
        if self.with_module:
            state["module"] = self.module()
        return state

    def __setstate__(self, state):
        self.hook = state["hook"]
        self.with_module = state["with_module"]
        if self.with_module:
            if state["module"] is None:
                raise RuntimeError("You are trying to revive the hook of a dead Module!")
            self.module = weakref.ref(state["module"])


# Hooks that run for every module (torch.nn.modules.module.register_module_*).
_global_buffer_registration_hooks = OrderedDict()
_global_module_registration_hooks = OrderedDict()
_global_parameter_registration_hooks = OrderedDict()
_global_backward_pre_hooks = OrderedDict()
_global_backward_hooks = OrderedDict()
_global_is_full_backward_hook = None
_global_forward_pre_hooks = OrderedDict()
_global_forward_hooks = OrderedDict()
_global_forward_hooks_always_called = OrderedDict()
_global_forward_hooks_with_kwargs = OrderedDict()


def _register(hooks, hook, extra=None):
    handle = RemovableHandle(hooks, extra_dict=extra)
    hooks[handle.id] = hook
    return handle


def register_module_buffer_registration_hook(hook):
    """Hook ``hook(module, name, buffer) -> None or Tensor`` run by every register_buffer."""
    return _register(_global_buffer_registration_hooks, hook)


def register_module_module_registration_hook(hook):
    """Hook ``hook(module, name, submodule) -> None or Module`` run by every register_module."""
    return _register(_global_module_registration_hooks, hook)


def register_module_parameter_registration_hook(hook):
    """Hook ``hook(module, name, param) -> None or Parameter`` run by every register_parameter."""
    return _register(_global_parameter_registration_hooks, hook)


def register_module_forward_pre_hook(hook):
    """Forward pre-hook ``hook(module, args)`` common to all modules."""
    return _register(_global_forward_pre_hooks, hook)


def register_module_forward_hook(hook, *, with_kwargs=False, always_call=False):
    """Forward hook ``hook(module, args, output)`` common to all modules."""
    handle = RemovableHandle(_global_forward_hooks,
                             extra_dict=(_global_forward_hooks_always_called, _global_forward_hooks_with_kwargs))
    _global_forward_hooks[handle.id] = hook
    if with_kwargs:
        _global_forward_hooks_with_kwargs[handle.id] = True
    if always_call:
        _global_forward_hooks_always_called[handle.id] = True
    return handle


def register_module_full_backward_pre_hook(hook):
    """Backward pre-hook ``hook(module, grad_output)`` common to all modules."""
    return _register(_global_backward_pre_hooks, hook)


def _set_global_full(flag):
    global _global_is_full_backward_hook
    if _global_is_full_backward_hook is (not flag):
        raise RuntimeError("Cannot use both regular backward hooks and full backward hooks as a global Module "
                           "hook. Please use only one of them.")
    _global_is_full_backward_hook = flag


def register_module_backward_hook(hook):
    """Deprecated non-full backward hook common to all modules."""
    _set_global_full(False)
    return _register(_global_backward_hooks, hook)


def register_module_full_backward_hook(hook):
    """Backward hook ``hook(module, grad_input, grad_output)`` common to all modules."""
    _set_global_full(True)
    return _register(_global_backward_hooks, hook)


# --- full backward hooks ------------------------------------------------------------------
class BackwardHookFunction(Op):
    """Identity on any number of tensors; a place to hang gradient hooks."""

    @staticmethod
    def forward(ctx, *arrays):
        return tuple(arrays)

    @staticmethod
    def backward(ctx, *grads):
        return grads

    def name(self):
        return "BackwardHookFunctionBackward"


class BackwardHook:
    """Connects a module's output gradients to its input gradients for the user's hooks."""

    def __init__(self, module, user_hooks, user_pre_hooks):
        self.module = module
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.grad_outputs = None
        self.n_outputs = -1
        self.output_tensors_index = None
        self.n_inputs = -1
        self.input_tensors_index = None

    @staticmethod
    def _pack_with_none(indices, values, size):
        res = [None] * size
        for idx, val in zip(indices, values):
            res[idx] = val
        return tuple(res)

    @staticmethod
    def _unpack_none(indices, values):
        return tuple(values[idx] for idx in indices)

    def _apply_on_tensors(self, fn, args):
        from ..._tensor import Tensor
        idx = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        tensors = [args[i] for i in idx]
        if not (_grad_state.enabled and any(t.requires_grad for t in tensors)):
            return args, None
        new = BackwardHookFunction.apply(*tensors)
        for old, t in zip(tensors, new):
            # The identity's outputs alias its inputs: share the version counter too.
            t._vc = old._vc
        node = next(t.grad_fn for t in new if t.grad_fn is not None)
        fn(node)
        out = list(args)
        for i, t in zip(idx, new):
            out[i] = t
        return (tuple(out) if type(args) is tuple else type(args)(*out)), idx

    def setup_input_hook(self, args):
        def attach(node):
            def hook(grad_input, _grad_output):
                if self.grad_outputs is None:
                    # Gradient reached the inputs without passing the outputs (double backward).
                    return None
                res = self._pack_with_none(self.input_tensors_index, grad_input, self.n_inputs)
                for user_hook in self.user_hooks:
                    out = user_hook(self.module, res, self.grad_outputs)
                    if out is None:
                        continue
                    if len(out) != len(res):
                        raise RuntimeError("Backward hook returned an invalid number of grad_input, "
                                           f"got {len(out)}, but expected {len(res)}")
                    res = out
                self.grad_outputs = None
                return self._unpack_none(self.input_tensors_index, res)
            node.register_hook(hook)

        res, idx = self._apply_on_tensors(attach, args)
        self.n_inputs = len(args)
        self.input_tensors_index = idx
        return res

    def setup_output_hook(self, args):
        def attach(node):
            def hook(_grad_input, grad_output):
                self.grad_outputs = self._pack_with_none(self.output_tensors_index, grad_output, self.n_outputs)
                if self.user_pre_hooks:
                    expected = len(self.grad_outputs)
                    for pre in self.user_pre_hooks:
                        new = pre(self.module, self.grad_outputs)
                        if new is None:
                            continue
                        if len(new) != expected:
                            raise RuntimeError("Backward pre hook returned an invalid number of grad_output, "
                                               f"got {len(new)}, but expected {expected}")
                        self.grad_outputs = new
                local = self.grad_outputs
                if self.input_tensors_index is None:
                    # No input needs a gradient: call the hooks now with all-None grad_input.
                    warnings.warn("Full backward hook is firing when gradients are computed with respect to "
                                  "module outputs since no inputs require gradients. See "
                                  "https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html"
                                  "#torch.nn.Module.register_full_backward_hook for more details.",
                                  stacklevel=5)
                    grad_inputs = self._pack_with_none([], [], self.n_inputs)
                    for user_hook in self.user_hooks:
                        res = user_hook(self.module, grad_inputs, self.grad_outputs)
                        if res is not None and not (isinstance(res, tuple) and all(r is None for r in res)):
                            raise RuntimeError("Backward hook for Modules where no input requires gradient "
                                               "should always return None or None for all gradients.")
                    self.grad_outputs = None
                if local is not None:
                    return tuple(local[i] for i in self.output_tensors_index)
                return None
            node.register_hook(hook)

        is_tuple = isinstance(args, tuple)
        if not is_tuple:
            args = (args,)
        res, idx = self._apply_on_tensors(attach, args)
        self.n_outputs = len(args)
        self.output_tensors_index = idx
        return res if is_tuple else res[0]


# The global hook dicts are read on every hooked call: bind them once.
_g_fwd_pre = _global_forward_pre_hooks
_g_fwd = _global_forward_hooks
_g_bwd_pre = _global_backward_pre_hooks
_g_bwd = _global_backward_hooks


class _HooksMixin:
    """Module's hook registration and the hooked call path (``__call__`` takes it only when
    some hook is registered)."""

    def _call_impl(self, *args, **kwargs):
        forward_call = self.forward
        if not (self._forward_hooks or self._forward_pre_hooks or self._backward_hooks
                or self._backward_pre_hooks or _g_fwd or _g_fwd_pre or _g_bwd or _g_bwd_pre):
            return forward_call(*args, **kwargs)
        result = None
        called_always = set()
        try:
            full_bw, non_full_bw, bw_pre = [], [], []
            if self._backward_pre_hooks or _g_bwd_pre:
                bw_pre = self._get_backward_pre_hooks()
            if self._backward_hooks or _g_bwd:
                full_bw, non_full_bw = self._get_backward_hooks()
            for hook_id, hook in (*_g_fwd_pre.items(), *self._forward_pre_hooks.items()):
                if hook_id in self._forward_pre_hooks_with_kwargs:
                    res = hook(self, args, kwargs)
                    if res is not None:
                        if isinstance(res, tuple) and len(res) == 2:
                            args, kwargs = res
                        else:
                            raise RuntimeError("forward pre-hook must return None or a tuple of "
                                               f"(new_args, new_kwargs), but got {res}.")
                else:
                    res = hook(self, args)
                    if res is not None:
                        args = res if isinstance(res, tuple) else (res,)
            bw_hook = None
            if full_bw or bw_pre:
                bw_hook = BackwardHook(self, full_bw, bw_pre)
                args = bw_hook.setup_input_hook(args)
            result = forward_call(*args, **kwargs)
            for hook_id, hook in (*_g_fwd.items(), *self._forward_hooks.items()):
                if hook_id in self._forward_hooks_always_called or hook_id in _global_forward_hooks_always_called:
                    called_always.add(hook_id)
                if hook_id in self._forward_hooks_with_kwargs or hook_id in _global_forward_hooks_with_kwargs:
                    res = hook(self, args, kwargs, result)
                else:
                    res = hook(self, args, result)
                if res is not None:
                    result = res
            if bw_hook is not None:
                if not isinstance(result, (Tensor, tuple)):
                    import warnings
                    warnings.warn("For backward hooks to be called, module output should be a Tensor or a tuple "
                                  f"of Tensors but received {type(result)}", stacklevel=2)
                result = bw_hook.setup_output_hook(result)
            if non_full_bw:
                var = result
                while not isinstance(var, Tensor):
                    if isinstance(var, dict):
                        var = next(v for v in var.values() if isinstance(v, Tensor))
                    else:
                        var = var[0]
                if var.grad_fn is not None:
                    for hook in non_full_bw:
                        var.grad_fn.register_hook(_WrappedHook(hook, self))
            return result
        except Exception:
            self._run_always_called_hooks(args, kwargs, result, called_always)
            raise

    def _run_always_called_hooks(self, args, kwargs, result, already):
        import warnings
        for hooks, always, with_kwargs, where in (
                (_g_fwd, _global_forward_hooks_always_called, _global_forward_hooks_with_kwargs,
                 "global module forward hook"),
                (self._forward_hooks, self._forward_hooks_always_called, self._forward_hooks_with_kwargs,
                 "module forward hook")):
            for hook_id, hook in hooks.items():
                if hook_id not in always or hook_id in already:
                    continue
                try:
                    res = hook(self, args, kwargs, result) if hook_id in with_kwargs else hook(self, args, result)
                    if res is not None:
                        result = res
                except Exception as e:
                    warnings.warn(f"{where} with ``always_call=True`` raised an exception that was silenced as "
                                  f"another error was raised in forward: {e}", stacklevel=2)

    def _get_backward_hooks(self):
        full, non_full = [], []
        if _global_is_full_backward_hook is True:
            full += _g_bwd.values()
        elif _global_is_full_backward_hook is False:
            non_full += _g_bwd.values()
        if self._is_full_backward_hook is True:
            full += self._backward_hooks.values()
        elif self._is_full_backward_hook is False:
            non_full += self._backward_hooks.values()
        return full, non_full

    def _get_backward_pre_hooks(self):
        return [*_g_bwd_pre.values(), *self._backward_pre_hooks.values()]

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """``hook(module, args) -> None or new args`` (``hook(module, args, kwargs)`` with with_kwargs)."""
        handle = RemovableHandle(self._forward_pre_hooks, extra_dict=self._forward_pre_hooks_with_kwargs)
        self._forward_pre_hooks[handle.id] = hook
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs[handle.id] = True
        if prepend:
            self._forward_pre_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
        """``hook(module, args, output) -> None or new output``."""
        handle = RemovableHandle(self._forward_hooks,
                                 extra_dict=(self._forward_hooks_with_kwargs, self._forward_hooks_always_called))
        self._forward_hooks[handle.id] = hook
        if with_kwargs:
            self._forward_hooks_with_kwargs[handle.id] = True
        if always_call:
            self._forward_hooks_always_called[handle.id] = True
        if prepend:
            self._forward_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_full_backward_pre_hook(self, hook, prepend=False):
        """``hook(module, grad_output) -> None or new grad_output``, before input gradients are computed."""
        handle = RemovableHandle(self._backward_pre_hooks)
        self._backward_pre_hooks[handle.id] = hook
        if prepend:
            self._backward_pre_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_full_backward_hook(self, hook, prepend=False):
        """``hook(module, grad_input, grad_output) -> None or new grad_input``."""
        if self._is_full_backward_hook is False:
            raise RuntimeError("Cannot use both regular backward hooks and full backward hooks on a single Module. "
                               "Please use only one of them.")
        self._is_full_backward_hook = True
        handle = RemovableHandle(self._backward_hooks)
        self._backward_hooks[handle.id] = hook
        if prepend:
            self._backward_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_backward_hook(self, hook):
        """Deprecated: a hook on the grad_fn of the module's output (use register_full_backward_hook)."""
        if self._is_full_backward_hook is True:
            raise RuntimeError("Cannot use both regular backward hooks and full backward hooks on a single Module. "
                               "Please use only one of them.")
        self._is_full_backward_hook = False
        handle = RemovableHandle(self._backward_hooks)
        self._backward_hooks[handle.id] = hook
        return handle
