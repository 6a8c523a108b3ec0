"""Argument checks shared by the elementwise op families (pointwise.py re-exports them)."""
import numbers

from .._backend import np
from .._tensor import Tensor
from ._common import write_out


def _binary_args(name, a, b):
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        if isinstance(a, numbers.Number) and isinstance(b, numbers.Number):
            from .creation import scalar_tensor
            a = scalar_tensor(a)
        else:
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(a).__name__}")
    if not isinstance(b, (Tensor, numbers.Number)):
        if isinstance(b, (list, tuple)) or hasattr(b, "__array__"):
            from .creation import tensor as _tensor
            b = _tensor(b)
        else:
            raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not {type(b).__name__}")
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        sa, sb = a._data.shape, b._data.shape
        if sa != sb:
            try:
                np.broadcast_shapes(sa, sb)
            except ValueError:
                _raise_broadcast(sa, sb)
    return a, b


def _raise_broadcast(sa, sb):
    # Find the first mismatching dimension from the right, as PyTorch reports it.
    n = max(len(sa), len(sb))
    pa = (1,) * (n - len(sa)) + tuple(sa)
    pb = (1,) * (n - len(sb)) + tuple(sb)
    for i in range(n - 1, -1, -1):
        if pa[i] != pb[i] and pa[i] != 1 and pb[i] != 1:
            raise RuntimeError(f"The size of tensor a ({pa[i]}) must match the size of tensor b ({pb[i]}) "
                               f"at non-singleton dimension {i}")
    raise RuntimeError(f"shapes {list(sa)} and {list(sb)} cannot be broadcast")


raise_broadcast_error = _raise_broadcast


def _unary(name, op, doc):
    def fn(input, *, out=None):
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
        return write_out(out, op.apply(input))
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn
