"""The one place that chooses the array library: NumPy for the CPU, CuPy for CUDA.

Everything else asks this module for an array module (`xp`) instead of importing
numpy or cupy itself, so one kernel serves both devices (Chainer's idiom).
"""
import numpy

try:  # CuPy is optional; ember imports cleanly without it.
    import cupy  # type: ignore
    _cupy_error = None
except Exception as exc:  # pragma: no cover - depends on the machine
    cupy = None
    _cupy_error = f"{type(exc).__name__}: {exc}"

np = numpy  # the CPU array module, for code that only ever runs on host arrays

try:
    import ml_dtypes  # bfloat16 for NumPy

    bfloat16 = numpy.dtype(ml_dtypes.bfloat16)
except Exception:  # pragma: no cover - ml_dtypes is a declared dependency
    ml_dtypes = None
    bfloat16 = None


def get_array_module(array):
    """The module (numpy or cupy) that owns ``array``."""
    if cupy is not None and isinstance(array, cupy.ndarray):
        return cupy
    return numpy


def module_for_device_type(device_type):
    """The array module that serves a device type ('cpu' or 'cuda')."""
    if device_type == "cpu":
        return numpy
    if device_type == "cuda":
        if cupy is None:
            raise RuntimeError(f"CUDA is not available in ember: CuPy could not be imported ({_cupy_error})")
        return cupy
    raise RuntimeError(f"ember has no backend for device type '{device_type}'")


def cuda_available():
    if cupy is None:
        return False
    try:
        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def cuda_unavailable_reason():
    if cupy is None:
        return f"CuPy is not installed or failed to import ({_cupy_error})"
    try:
        n = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:
        return f"CuPy found no usable CUDA driver ({type(exc).__name__}: {exc})"
    return None if n > 0 else "no CUDA device is visible"


def to_host(array):
    """A NumPy array with the values of ``array`` (a copy only when it lives on a GPU)."""
    if cupy is not None and isinstance(array, cupy.ndarray):
        return cupy.asnumpy(array)
    return array
