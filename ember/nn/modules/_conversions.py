"""Module device/dtype conversions (to, cpu, float, ...) over one walk, ``_apply`` (a mixin of Module)."""
from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad


class _ConversionMixin:
    """Module's to/cpu/cuda/type/float/double/half/bfloat16/to_empty/share_memory, all via ``_apply``."""

    def share_memory(self):
        return self._apply(lambda t: t.share_memory_())

    def _apply(self, fn, recurse=True):
        if recurse:
            for module in self.children():
                module._apply(fn)
        for param in self._parameters.values():
            if param is None:
                continue
            with no_grad():
                new = fn(param)
            # Keep the Parameter object (optimizers hold references to it): swap its array.
            if new is not param:
                param.data = new
            grad = param._grad
            if grad is not None:
                with no_grad():
                    new_grad = fn(grad)
                if new_grad is not grad:
                    grad.data = new_grad
        for key, buf in self._buffers.items():
            if buf is not None:
                self._buffers[key] = fn(buf)
        return self

    def to(self, *args, **kwargs):
        """Move/cast parameters and buffers: ``to(device)``, ``to(dtype)``, ``to(tensor)``, ``to(device, dtype)``.

        Only floating/complex tensors change dtype.
        """
        device, dtype, non_blocking = _parse_to(*args, **kwargs)
        if dtype is not None and not (dtype.is_floating_point or dtype.is_complex):
            raise TypeError("nn.Module.to only accepts floating point or complex dtypes, but got desired "
                            f"dtype={dtype}")

        def convert(t):
            cast = dtype if (t.is_floating_point() or t.is_complex()) else None
            if device is None and cast is None:
                return t
            kw = {}
            if device is not None:
                kw["device"] = device
            if cast is not None:
                kw["dtype"] = cast
            return t.to(**kw)
        return self._apply(convert)

    def to_empty(self, *, device=None, recurse=True):
        from ...ops.creation import empty_like
        return self._apply(lambda t: empty_like(t, device=device), recurse=recurse)

    def cpu(self):
        return self._apply(lambda t: t.cpu())

    def cuda(self, device=None):
        return self._apply(lambda t: t.cuda(device))

    def type(self, dst_type):
        return self._apply(lambda t: t.type(dst_type))

    def float(self):
        return self._apply(lambda t: t.float() if t.is_floating_point() else t)

    def double(self):
        return self._apply(lambda t: t.double() if t.is_floating_point() else t)

    def half(self):
        return self._apply(lambda t: t.half() if t.is_floating_point() else t)

    def bfloat16(self):
        return self._apply(lambda t: t.bfloat16() if t.is_floating_point() else t)


def _parse_to(*args, **kwargs):
    """(device, dtype, non_blocking) from Tensor.to-style arguments."""
    from ..._device import device as _device_cls
    from ..._dtype import dtype as _dtype_cls
    device = kwargs.pop("device", None)
    dtype = kwargs.pop("dtype", None)
    non_blocking = kwargs.pop("non_blocking", False)
    kwargs.pop("copy", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() received an invalid combination of arguments - got unexpected keyword "
                        f"'{next(iter(kwargs))}'")
    for a in args:
        if isinstance(a, Tensor):
            device, dtype = a.device, a.dtype
        elif isinstance(a, _dtype_cls):
            dtype = a
        elif isinstance(a, (str, _device_cls, int)) and not isinstance(a, bool):
            device = _device_cls(a) if not isinstance(a, int) else _device_cls("cuda", a)
        elif isinstance(a, bool):
            non_blocking = a
        elif a is not None:
            raise TypeError(f"to() received an invalid combination of arguments - got ({type(a).__name__})")
    if device is not None and not isinstance(device, _device_cls):
        device = _device_cls(device)
    return device, dtype, non_blocking
