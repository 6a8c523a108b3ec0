"""Small top-level helpers of PyTorch's namespace that belong to no op family."""
import builtins

from . import _dtype as dt
from ._backend import cuda_available, np
from ._tensor import Tensor
from ._threads import get_num_threads, set_num_threads  # noqa: F401  (exported in __all__)


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_storage(obj):
    return False


def is_floating_point(input):
    return input.is_floating_point()


def is_complex(input):
    return input.is_complex()


def is_nonzero(input):
    if input.numel() != 1:
        raise RuntimeError(f"Boolean value of Tensor with {'no values' if input.numel() == 0 else 'more than one value'} "
                           "is ambiguous")
    return builtins.bool(input.item())


def numel(input):
    return input.numel()


def result_type(tensor1, tensor2):
    from .ops._common import result_dtype
    a = tensor1._data if isinstance(tensor1, Tensor) else tensor1
    b = tensor2._data if isinstance(tensor2, Tensor) else tensor2
    return result_dtype(a, b)


def promote_types(type1, type2):
    return dt.promote_types(type1, type2)


def can_cast(from_, to):
    return dt.can_cast(from_, to)


class finfo:
    def __init__(self, type=None):
        type = type or dt.get_default_dtype()
        info = np.finfo(np.float32 if type.name == "bfloat16" else type.np_dtype)
        self.dtype = type.name
        if type.name == "bfloat16":
            self.bits, self.eps, self.max, self.min = 16, 0.0078125, 3.3895313892515355e+38, -3.3895313892515355e+38
            self.tiny = self.smallest_normal = 1.1754943508222875e-38
            self.resolution = 0.01
        else:
            self.bits = info.bits
            self.eps = builtins.float(info.eps)
            self.max = builtins.float(info.max)
            self.min = builtins.float(info.min)
            self.tiny = self.smallest_normal = builtins.float(info.tiny)
            self.resolution = builtins.float(info.resolution)

    def __repr__(self):
        return (f"finfo(resolution={self.resolution}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    def __init__(self, type):
        info = np.iinfo(type.np_dtype)
        self.bits, self.min, self.max, self.dtype = info.bits, builtins.int(info.min), builtins.int(info.max), type.name

    def __repr__(self):
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"


def set_default_tensor_type(t):
    mapping = {"torch.FloatTensor": dt.float32, "torch.DoubleTensor": dt.float64}
    dt.set_default_dtype(mapping.get(t, t) if isinstance(t, str) else dt.float32)


def get_num_interop_threads():
    return 1


def set_num_interop_threads(n):
    pass


def use_deterministic_algorithms(mode, *, warn_only=False):
    pass


def are_deterministic_algorithms_enabled():
    return False


def compile(model=None, **kwargs):
    """No compiler in ember: returns the model (or a decorator that returns the function)."""
    if model is None:
        return lambda fn: fn
    return model


class _Cuda:
    """ember.cuda: CuPy-backed when available."""

    @staticmethod
    def is_available():
        return cuda_available()

    @staticmethod
    def device_count():
        if not cuda_available():
            return 0
        from ._backend import cupy
        return cupy.cuda.runtime.getDeviceCount()

    @staticmethod
    def manual_seed(seed):
        pass

    @staticmethod
    def manual_seed_all(seed):
        pass

    @staticmethod
    def synchronize(device=None):
        if cuda_available():
            from ._backend import cupy
            cupy.cuda.Device().synchronize()

    @staticmethod
    def is_bf16_supported():
        return False

    @staticmethod
    def empty_cache():
        pass


cuda = _Cuda()


class _Backends:
    class mps:
        @staticmethod
        def is_available():
            return False

        @staticmethod
        def is_built():
            return False

    class cudnn:
        deterministic = False
        benchmark = False
        enabled = True

    class mkldnn:
        enabled = False


backends = _Backends()

__all__ = ["is_tensor", "is_storage", "is_floating_point", "is_complex", "is_nonzero", "numel", "result_type",
           "promote_types", "can_cast", "finfo", "iinfo", "set_default_tensor_type", "get_num_threads",
           "set_num_threads", "get_num_interop_threads", "set_num_interop_threads",
           "use_deterministic_algorithms", "are_deterministic_algorithms_enabled", "compile", "cuda",
           "backends"]
