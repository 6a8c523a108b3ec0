"""ember.autograd: reverse-mode automatic differentiation."""
from .. import _dtype as dt
from .._backend import get_array_module
from .._backend import np as _np
from . import function as _function_module
from .engine import run_backward
from .function import Function, InplaceFunction, NestedIOFunction, once_differentiable
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled,
                        no_grad, set_grad_enabled)
from .node import gradient_edge


def _as_tuple(x):
    if x is None:
        return None
    if isinstance(x, (list, tuple)):
        return tuple(x)
    return (x,)


def _make_root_grads(outputs, grad_tensors):
    Tensor = _function_module.Tensor
    if grad_tensors is None:
        grad_tensors = (None,) * len(outputs)
    if len(grad_tensors) != len(outputs):
        raise RuntimeError(f"Mismatch in number of gradients: got {len(grad_tensors)} gradients for "
                           f"{len(outputs)} outputs")
    grads = []
    for out, g in zip(outputs, grad_tensors):
        if g is None:
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if out._data.dtype.kind not in "fc" and out._data.dtype != dt.bfloat16.np_dtype:
                raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but got "
                                   f"{out.dtype}")
            data = out._data
            xp = _np if type(data) is _np.ndarray else get_array_module(data)
            g = Tensor._make(xp.ones(data.shape, data.dtype))
        elif not isinstance(g, Tensor):
            from ..ops.creation import tensor
            g = tensor(g, dtype=out.dtype)
        else:
            if g._data.shape != out._data.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[{len(grads)}] has a shape of "
                                   f"torch.Size({list(g.shape)}) and output[{len(grads)}] has a shape of "
                                   f"torch.Size({list(out.shape)}).")
            if g.dtype.category != out.dtype.category:
                raise RuntimeError(f"For complex Tensors, both grad_output and output are required to have the "
                                   f"same dtype. Mismatch in dtype: grad_output[{len(grads)}] has a dtype of "
                                   f"{g.dtype} and output[{len(grads)}] has a dtype of {out.dtype}.")
        grads.append(g)
    return grads


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    """Accumulate gradients of ``tensors`` into the ``.grad`` of the leaves they depend on."""
    tensors = _as_tuple(tensors)
    grad_tensors = _as_tuple(grad_tensors if grad_tensors is not None else grad_variables)
    for t in tensors:
        if not t._requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    if retain_graph is None:
        retain_graph = create_graph
    roots = [gradient_edge(t) for t in tensors]
    grads = _make_root_grads(tensors, grad_tensors)
    inputs = _as_tuple(inputs)
    if inputs is not None and len(inputs) == 0:
        raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    captured = run_backward(roots, grads, retain_graph, create_graph, inputs=inputs, accumulate=True)
    if inputs is not None:
        for t, g in zip(inputs, captured):
            if t.grad_fn is not None and g is not None:  # non-leaf inputs get .grad too
                t._grad = g if t._grad is None else t._grad + g


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Gradients of ``outputs`` with respect to ``inputs``, returned (not accumulated)."""
    from .._tensor import Tensor
    outputs = _as_tuple(outputs)
    single_input = isinstance(inputs, Tensor)
    inputs = _as_tuple(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    for t in inputs:
        if not isinstance(t, Tensor):
            raise TypeError(f"grad(): inputs must be Tensors, got {type(t).__name__}")
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    for t in outputs:
        if not t._requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    if retain_graph is None:
        retain_graph = create_graph
    roots = [gradient_edge(t) for t in outputs]
    grads = _make_root_grads(outputs, _as_tuple(grad_outputs))
    captured = run_backward(roots, grads, retain_graph, create_graph, inputs=inputs, accumulate=False,
                            allow_unused=allow_unused)
    if materialize_grads:
        from ..ops.creation import zeros_like
        captured = [zeros_like(t) if g is None else g for t, g in zip(inputs, captured)]
    if not create_graph:
        captured = [g.detach() if g is not None else None for g in captured]
    return tuple(captured)


from . import functional  # noqa: E402
from .gradcheck import gradcheck, gradgradcheck  # noqa: E402


class Variable:
    """Deprecated alias kept for old code: ``Variable(t)`` returns ``t``."""

    def __new__(cls, data, requires_grad=False, volatile=False):
        if requires_grad:
            data.requires_grad_(True)
        return data


def set_detect_anomaly(mode=True, check_nan=True):
    return detect_anomaly(mode)


class detect_anomaly:
    """Accepted for compatibility; ember's errors already name the failing op."""

    def __init__(self, mode=True, check_nan=True):
        self.mode = mode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __call__(self, fn):
        return fn


__all__ = ["Function", "backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "gradcheck", "gradgradcheck", "functional", "Variable", "once_differentiable", "detect_anomaly",
           "set_detect_anomaly", "is_grad_enabled"]
