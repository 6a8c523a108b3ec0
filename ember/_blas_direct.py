"""BLAS routines NumPy does not expose, called on NumPy's own OpenBLAS through ctypes.

- ``axpy`` (``y += alpha * x``) and ``scal`` (``x *= alpha``), for optimizer steps. NumPy has
  no fused multiply-add: ``p += -lr * buf`` is two passes and two roundings. ``axpy`` is one
  pass with one fused multiply-add per element (as PyTorch's ``add_(..., alpha=)``, so SGD's
  update is bit-identical to PyTorch's), and OpenBLAS runs a long one on all its threads.
- ``add_row_vector`` (``a += v`` for every row of a matrix), as the rank-1 update ``ger`` with a
  vector of ones: exact (``1 * v[j]`` is ``v[j]``), threaded, and 3-4x faster than NumPy's
  broadcast add on nn.Linear's outputs.

Only C-contiguous float32/float64 NumPy arrays of one dtype; everything else (and a NumPy
without a recognised OpenBLAS) gets ``False`` back and the caller does it with NumPy.
"""
import ctypes

from ._backend import np

# (symbol pattern, integer width) of the CBLAS entry points in the OpenBLAS builds NumPy ships.
_PATTERNS = (("scipy_cblas_{}64_", ctypes.c_int64), ("cblas_{}64_", ctypes.c_int64))

_funcs = None   # {name: ctypes function} once looked up; {} when unavailable
_MIN_SIZE = 1   # even tiny arrays: one ctypes call is cheaper than NumPy's four passes


def _lookup():
    from ._threads import loaded_openblas
    for path, lib in loaded_openblas():
        if "numpy" not in path:
            continue   # only the BLAS NumPy itself runs on
        for pattern, blasint in _PATTERNS:
            found = {}
            ptr = ctypes.c_void_p
            for kind, ctype in (("s", ctypes.c_float), ("d", ctypes.c_double)):
                axpy = getattr(lib, pattern.format(kind + "axpy"), None)
                scal = getattr(lib, pattern.format(kind + "scal"), None)
                ger = getattr(lib, pattern.format(kind + "ger"), None)
                if axpy is None or scal is None or ger is None:
                    break
                axpy.restype = scal.restype = ger.restype = None
                axpy.argtypes = [blasint, ctype, ptr, blasint, ptr, blasint]
                scal.argtypes = [blasint, ctype, ptr, blasint]
                ger.argtypes = [ctypes.c_int, blasint, blasint, ctype, ptr, blasint, ptr, blasint, ptr, blasint]
                found[kind + "axpy"], found[kind + "scal"], found[kind + "ger"] = axpy, scal, ger
            if len(found) == 6:
                found["ones"] = {}
                return found
    return {}


def usable(*arrays, same_size=True):
    """Whether axpy/scal take these arrays (NumPy, C-contiguous, one float dtype and size)."""
    global _funcs
    first = arrays[0]
    if type(first) is not np.ndarray or first.size < _MIN_SIZE or first.dtype not in (np.float32, np.float64):
        return False
    for a in arrays:
        if type(a) is not np.ndarray or a.dtype != first.dtype or not a.flags.c_contiguous \
                or (same_size and a.size != first.size):
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


_ROW_MIN = 1 << 14   # elements; below this NumPy's broadcast add is as fast as the ctypes call
_RowMajor = 101


def add_row_vector(a, v):
    """``a += v`` on every row of the 2-D ``a`` (``v`` of length ``a.shape[1]``); False if not done."""
    if a.ndim != 2 or v.ndim != 1 or v.shape[0] != a.shape[1] or a.size < _ROW_MIN \
            or not usable(v, a, same_size=False):   # a last: the one written
        return False
    rows, cols = a.shape
    kind = "s" if a.dtype == np.float32 else "d"
    ones = _funcs["ones"].get((kind, rows))
    if ones is None:
        if len(_funcs["ones"]) > 64:
            _funcs["ones"].clear()
        ones = _funcs["ones"][(kind, rows)] = np.ones(rows, a.dtype)
    _funcs[kind + "ger"](_RowMajor, rows, cols, 1.0, ones.ctypes.data, 1, v.ctypes.data, 1, a.ctypes.data, cols)
    return True
