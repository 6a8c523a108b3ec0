"""Gradient clipping: clip_grad_norm_, clip_grad_value_, get_total_norm, clip_grads_with_norm_."""
import functools

from ..._backend import np
from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_"]


def _no_grad(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with no_grad():
            return fn(*args, **kwargs)
    return wrapper


def _as_list(tensors):
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def _vector_norm_array(a, p):
    a = np.abs(a.astype(np.float64) if a.dtype.itemsize < 8 else a).ravel()
    if p == np.inf:
        return a.max(initial=0.0)
    if p == -np.inf:
        return a.min() if a.size else np.inf
    if p == 0:
        return float(np.count_nonzero(a))
    if p == 1:
        return a.sum()
    if p == 2:
        return np.sqrt(np.dot(a, a))
    return (a ** p).sum() ** (1.0 / p)


@_no_grad
def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The p-norm of all ``tensors`` together, as if concatenated into one vector."""
    from ...ops.creation import tensor as _tensor_fn
    tensors = _as_list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return _tensor_fn(0.0)
    # Per-tensor norms, then the norm of those norms (the same two-stage order PyTorch uses).
    norms = np.array([_vector_norm_array(_host(t._data), norm_type) for t in tensors])
    total = _vector_norm_array(norms, norm_type)
    out = _tensor_fn(total, dtype=tensors[0].dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so "
                           "it cannot be clipped. To disable this error and scale the gradients by the non-finite "
                           "norm anyway, set `error_if_nonfinite=False`")
    return out


def _host(a):
    return a if isinstance(a, np.ndarray) else a.get()


@_no_grad
def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale the gradients of ``parameters`` by min(1, max_norm / (total_norm + 1e-6))."""
    grads = [p.grad for p in _as_list(parameters) if p.grad is not None]
    if not grads:
        return
    coef = (float(max_norm) / (total_norm + 1e-6)).clamp(max=1.0)
    for g in grads:
        g.mul_(coef.to(g.dtype))


@_no_grad
def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Rescale gradients in place so their total p-norm is at most ``max_norm``; returns the total norm.

    Args:
        parameters (Iterable[Tensor] or Tensor): tensors whose ``.grad`` is clipped.
        max_norm (float): largest allowed norm.
        norm_type (float): p of the p-norm (``inf`` for the max norm). Default: 2.0.
        error_if_nonfinite (bool): raise if the total norm is nan/inf. Default: ``False``.
    """
    parameters = _as_list(parameters)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated alias of :func:`clip_grad_norm_`."""
    import warnings
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


@_no_grad
def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient to [-clip_value, clip_value] in place."""
    clip_value = float(clip_value)
    for p in _as_list(parameters):
        if p.grad is not None:
            p.grad.clamp_(min=-clip_value, max=clip_value)
