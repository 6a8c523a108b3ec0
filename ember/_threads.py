"""The process-wide intra-op thread count: ``ember.set_num_threads`` / ``ember.get_num_threads``.

Every place in ember that splits work over threads (ops/_parallel.py's pool and its users,
the optimizer pool, the RNG's normal transform) reads ``num_threads()`` when it runs, so a
change takes effect on the next op; with 1 thread nothing is split.

``set_num_threads`` also sets the thread count of the OpenBLAS that NumPy's matmul runs on,
at runtime through ctypes (as threadpoolctl does): each OpenBLAS found among the shared
libraries mapped into this process (``/proc/self/maps``; else NumPy's bundled-library folder,
opened only if already loaded) gets its ``*_set_num_threads`` called. With another BLAS
(MKL, Accelerate...) or none found, only ember's own threads follow the setting (silently).
"""
import ctypes
import glob
import os
import threading

# Name prefixes of OpenBLAS's thread-count entry points: plain builds, 64-bit-integer builds,
# and the scipy-openblas builds NumPy's wheels bundle (with and without the 64_ suffix).
_SYMBOLS = ("openblas_{}_num_threads", "openblas_{}_num_threads64_",
            "scipy_openblas_{}_num_threads64_", "scipy_openblas_{}_num_threads")


def _env_threads(name):
    value = os.environ.get(name, "")
    try:
        n = int(value)
    except ValueError:
        return 0
    return n if n > 0 else 0


def _default():
    # PyTorch's default: MKL_NUM_THREADS, else OMP_NUM_THREADS, else the core count. Its x86
    # wheels (MKL) never report more threads than cores, so the environment value is capped too.
    cores = os.cpu_count() or 1
    env = _env_threads("MKL_NUM_THREADS") or _env_threads("OMP_NUM_THREADS")
    return min(env, cores) if env else cores


_num_threads = _default()


def num_threads():
    """The current setting (fast: read on every large op)."""
    return _num_threads


def _openblas_paths():
    paths = []
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.rstrip("\n").split(None, 5)[-1]
                if path.startswith("/") and "openblas" in os.path.basename(path).lower() and path not in paths:
                    paths.append(path)
    except OSError:
        pass
    paths.sort(key=lambda p: "numpy" not in p)   # NumPy's own first: blas_num_threads reports it
    if not paths:
        import numpy
        root = os.path.dirname(os.path.dirname(numpy.__file__))
        for folder in (os.path.join(root, "numpy.libs"), os.path.join(os.path.dirname(numpy.__file__), ".dylibs")):
            paths += sorted(glob.glob(os.path.join(folder, "*openblas*")))
    return paths


def loaded_openblas():
    """(path, ctypes library) of every OpenBLAS already loaded in this process (never loads one)."""
    mode = getattr(os, "RTLD_NOLOAD", 0) | ctypes.RTLD_GLOBAL
    for path in _openblas_paths():
        try:
            yield path, ctypes.CDLL(path, mode=mode)
        except OSError:
            continue


def _openblas_functions():
    """(getter, setter) ctypes functions of every loaded OpenBLAS."""
    found = []
    for _, lib in loaded_openblas():
        for pattern in _SYMBOLS:
            getter = getattr(lib, pattern.format("get"), None)
            setter = getattr(lib, pattern.format("set"), None)
            if getter is not None and setter is not None:
                getter.restype, getter.argtypes = ctypes.c_int, []
                setter.restype, setter.argtypes = None, [ctypes.c_int]
                found.append((getter, setter))
                break
    return found


def blas_num_threads():
    """NumPy's OpenBLAS thread count, or None when no OpenBLAS is found."""
    funcs = _openblas_functions()
    return funcs[0][0]() if funcs else None


def _set_blas_threads(n):
    for _, setter in _openblas_functions():
        setter(n)


_blas_funcs = None        # (getter, setter) of each OpenBLAS, looked up on first use
_single_lock = threading.Lock()
_single_depth = 0         # how many blas_single_threaded blocks are open (any thread)
_single_saved = []        # the thread counts to give back when the last one closes


class blas_single_threaded:
    """Context: OpenBLAS computes on the calling thread only (ember splits the work over its
    own threads meanwhile). Blocks may overlap across threads: the first to open saves each
    OpenBLAS's thread count and the last to close gives it back."""
    __slots__ = ()

    def __enter__(self):
        global _blas_funcs, _single_depth, _single_saved
        with _single_lock:
            if _blas_funcs is None:
                _blas_funcs = _openblas_functions()
            if _single_depth == 0:
                _single_saved = [get() for get, _ in _blas_funcs]
                for _, set_ in _blas_funcs:
                    set_(1)
            _single_depth += 1

    def __exit__(self, *exc):
        global _single_depth
        with _single_lock:
            _single_depth -= 1
            if _single_depth == 0:
                for (_, set_), n in zip(_blas_funcs, _single_saved):
                    set_(n)


def get_num_threads():
    return _num_threads


def set_num_threads(n):
    """Set the number of threads ember's CPU ops (and NumPy's OpenBLAS) use."""
    import numbers
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise RuntimeError(f"set_num_threads expects an int, but got {type(n).__name__}")
    if n <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    global _num_threads, _single_saved
    _num_threads = int(n)
    with _single_lock:
        if _single_depth:   # a blas_single_threaded block is open: it hands this count back on close
            _single_saved = [_num_threads] * len(_blas_funcs)
            return
        _set_blas_threads(_num_threads)
