"""``y += alpha * x`` and ``x *= alpha`` through NumPy's own OpenBLAS (ctypes), for optimizer steps.

NumPy has no fused multiply-add: ``p += -lr * buf`` is two passes and two roundings. BLAS's
``axpy`` is one pass, computes each element with one fused multiply-add (as PyTorch's
``add_(..., alpha=)`` does, so SGD's update is bit-identical to PyTorch's), and OpenBLAS runs a
long one on all its threads, which are already awake after the backward pass's products.

Only C-contiguous float32/float64 NumPy arrays of one dtype; everything else (and a NumPy
without a recognised OpenBLAS) gets ``False`` back and the caller does it with NumPy.
"""
import ctypes
import os

from ._backend import np

# (symbol pattern, integer width) of the CBLAS entry points in the OpenBLAS builds NumPy ships.
_PATTERNS = (("scipy_cblas_{}64_", ctypes.c_int64), ("cblas_{}64_", ctypes.c_int64))

_funcs = None   # {name: ctypes function} once looked up; {} when unavailable
_MIN_SIZE = 1   # even tiny arrays: one ctypes call is cheaper than NumPy's four passes


def _lookup():
    from ._threads import _openblas_paths
    mode = getattr(os, "RTLD_NOLOAD", 0) | ctypes.RTLD_GLOBAL
    for path in _openblas_paths():
        if "numpy" not in path:
            continue   # only the BLAS NumPy itself runs on
        try:
            lib = ctypes.CDLL(path, mode=mode)
        except OSError:
            continue
        for pattern, blasint in _PATTERNS:
            found = {}
            for kind, ctype in (("s", ctypes.c_float), ("d", ctypes.c_double)):
                axpy = getattr(lib, pattern.format(kind + "axpy"), None)
                scal = getattr(lib, pattern.format(kind + "scal"), None)
                if axpy is None or scal is None:
                    break
                axpy.restype = scal.restype = None
                axpy.argtypes = [blasint, ctype, ctypes.c_void_p, blasint, ctypes.c_void_p, blasint]
                scal.argtypes = [blasint, ctype, ctypes.c_void_p, blasint]
                found[kind + "axpy"], found[kind + "scal"] = axpy, scal
            if len(found) == 4:
                return found
    return {}


def usable(*arrays):
    """Whether axpy/scal take these arrays (NumPy, C-contiguous, one float dtype and size)."""
    global _funcs
    first = arrays[0]
    if first.size < _MIN_SIZE or first.dtype not in (np.float32, np.float64):
        return False
    for a in arrays:
        if type(a) is not np.ndarray or a.dtype != first.dtype or not a.flags.c_contiguous \
                or a.size != first.size:
            return False
    if arrays[-1].flags.writeable is False:
        return False
    if _funcs is None:
        _funcs = _lookup()
    return bool(_funcs)


def axpy(alpha, x, y):
    """``y += alpha * x`` in place (one rounding per element); False if not done."""
    if not usable(x, y):
        return False
    kind = "s" if y.dtype == np.float32 else "d"
    _funcs[kind + "axpy"](y.size, alpha, x.ctypes.data, 1, y.ctypes.data, 1)
    return True


def scal(alpha, x):
    """``x *= alpha`` in place; False if not done."""
    if not usable(x):
        return False
    kind = "s" if x.dtype == np.float32 else "d"
    _funcs[kind + "scal"](x.size, alpha, x.ctypes.data, 1)
    return True
