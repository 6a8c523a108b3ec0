"""Parameter, Buffer and their lazy (uninitialized) forms.

A Parameter is a Tensor subclass that a Module registers automatically when it is
assigned as an attribute. It shares the array and version counter of the tensor it
wraps (no copy), exactly like ``torch.nn.Parameter``.
"""
from .._tensor import Tensor

__all__ = ["Parameter", "UninitializedParameter", "is_lazy", "Buffer", "UninitializedBuffer",
           "UninitializedTensorMixin"]


def _empty0():
    from ..ops.creation import empty
    return empty(0)


class _ParameterMeta(type):
    # A tensor flagged ``_is_param`` counts as a Parameter (PyTorch does the same for
    # tensor subclasses that cannot be re-wrapped).
    def __instancecheck__(cls, instance):
        if cls is Parameter and isinstance(instance, Tensor) and getattr(instance, "_is_param", False):
            return True
        return super().__instancecheck__(instance)


class Parameter(Tensor, metaclass=_ParameterMeta):
    """A Tensor that is a module parameter.

    Args:
        data (Tensor): parameter tensor (an empty tensor if None).
        requires_grad (bool, optional): whether the parameter requires gradient. Default: ``True``.
            ``no_grad`` mode does not change this default.
    """

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = _empty0()
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter(): argument 'data' must be Tensor, not {type(data).__name__}")
        return Tensor._make_subclass(cls, data, requires_grad)

    def __init__(self, data=None, requires_grad=True):
        pass

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.data.clone(), self.requires_grad)
        memo[id(self)] = result
        return result

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __reduce_ex__(self, protocol):
        state = {k: v for k, v in self.__dict__.items() if not k.startswith("_post")}
        return (_rebuild_parameter, (self.detach().cpu().numpy().copy(), self.requires_grad, type(self), state))


def _rebuild_parameter(array, requires_grad, cls=Parameter, state=None):
    param = cls(Tensor._make(array), requires_grad)
    if state:
        param.__dict__.update(state)
    return param


_UNINIT_MSG = ("Can't access the shape of an uninitialized parameter or buffer. This error usually happens "
               "in `load_state_dict` when trying to load an uninitialized parameter into an initialized one. "
               "Call `forward` to initialize the parameters before accessing their attributes.")


class UninitializedTensorMixin:
    """Shared behaviour of lazy parameters/buffers: no shape until ``materialize``."""

    cls_to_become = None

    def materialize(self, shape, device=None, dtype=None):
        """Give the tensor a shape (uninitialized memory) and turn it into ``cls_to_become``."""
        from ..ops.creation import empty
        if isinstance(shape, int):
            shape = (shape,)
        if dtype is None:
            dtype = self.data.dtype
        new = empty(tuple(shape), device=device, dtype=dtype)
        self._data = new._data
        self._vc[0] += 1
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError(_UNINIT_MSG)

    def size(self, dim=None):
        raise RuntimeError(_UNINIT_MSG)

    def numel(self):
        raise RuntimeError(_UNINIT_MSG)

    def share_memory_(self):
        raise RuntimeError("Can't share memory on an uninitialized parameter or buffer. Call `forward` to "
                           "initialize the parameters before calling `module.share_memory()`.")

    def __repr__(self):
        return f"<{self.__class__.__name__}>"

    __str__ = __repr__

    def __reduce_ex__(self, protocol):
        return (self.__class__, (self.requires_grad,))


def is_lazy(param):
    """True if ``param`` is an uninitialized (lazy) parameter or buffer."""
    return isinstance(param, UninitializedTensorMixin)


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A Parameter whose shape is decided on the first forward call (used by Lazy* modules)."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        from ..ops.creation import empty
        data = empty(0, device=device, dtype=dtype)
        return Tensor._make_subclass(cls, data, requires_grad)

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.requires_grad, self.data.device, self.data.dtype)
        memo[id(self)] = result
        return result


class _BufferMeta(type):
    def __instancecheck__(cls, instance):
        if cls is Buffer and isinstance(instance, Tensor) and getattr(instance, "_is_buffer", False):
            return True
        return super().__instancecheck__(instance)


class Buffer(Tensor, metaclass=_BufferMeta):
    """A Tensor that a Module registers as a buffer when assigned as an attribute.

    Args:
        data (Tensor): buffer tensor (an empty tensor if None).
        persistent (bool, optional): whether the buffer is part of ``state_dict``. Default: ``True``.
    """

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            data = _empty0()
        t = data.detach().requires_grad_(data.requires_grad)
        t.persistent = persistent
        t._is_buffer = True
        return t


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer whose shape is decided on the first forward call."""

    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None, persistent=True):
        from ..ops.creation import empty
        data = empty(0, device=device, dtype=dtype)
        t = Tensor._make_subclass(cls, data, requires_grad)
        t.persistent = persistent
        t._is_buffer = True
        return t

    def __init__(self, *args, **kwargs):
        pass
