"""Let NumPy's OpenBLAS threads fall asleep sooner after a product (glibc/OpenBLAS builds only).

After each multi-threaded matrix product OpenBLAS's worker threads busy-wait for the next one,
by default for 2**28 clock ticks (~0.1 s). A training step interleaves products with large
elementwise work (im2col, pooling, GELU, optimizer updates) that ember runs on its own
threads, and a worker spinning on a core slows that work to about half speed. With the
wait cut to 2**20 ticks (a few tenths of a millisecond) a spinning worker still catches
the next product of a back-to-back chain (an MLP's layers) but is asleep during the
elementwise phases between them. Measured on a 2-core machine (BENCHMARKS.md, "across
commits"): GPT-style step -10%, LeNet-style CNN step -9% on its own and it is what makes the
blocked convolution pay (without it that CNN step is 50% slower); MLP step +2-3%.

OpenBLAS reads ``OPENBLAS_THREAD_TIMEOUT`` when it starts its threads. If NumPy is not loaded
yet, setting the variable is all it takes. If it is, OpenBLAS is told to re-read its
environment and its (idle) thread pool is restarted — only while no other thread could be
inside OpenBLAS. A value the user already set is left alone; ``EMBER_BLAS_SPIN_TUNING=0``
turns this off.
"""
import ctypes
import os
import sys

TIMEOUT_EXPONENT = "20"

applied = False
_ours = False   # the variable in the environment was set by tune(), not by the user


def tune():
    """Shorten OpenBLAS's idle spin once; returns whether the setting is in effect."""
    global applied
    if applied or os.environ.get("EMBER_BLAS_SPIN_TUNING", "1") == "0":
        return applied
    if "OPENBLAS_THREAD_TIMEOUT" in os.environ or "GOTO_THREAD_TIMEOUT" in os.environ:
        return False
    global _ours
    os.environ["OPENBLAS_THREAD_TIMEOUT"] = TIMEOUT_EXPONENT
    _ours = True
    applied = "numpy" not in sys.modules or _restart_loaded_pools()
    return applied


def short():
    """Whether OpenBLAS's idle threads sleep quickly in this process: ember set it, or the
    environment asked for a timeout no longer than ember's before OpenBLAS started."""
    if applied or _ours:
        return applied
    value = os.environ.get("OPENBLAS_THREAD_TIMEOUT") or os.environ.get("GOTO_THREAD_TIMEOUT")
    try:
        return value is not None and int(value) <= int(TIMEOUT_EXPONENT)
    except ValueError:
        return False


def _restart_loaded_pools():
    import threading
    if threading.active_count() > 1:
        return False   # another thread might be inside OpenBLAS right now
    from ._threads import loaded_openblas
    done = False
    for _, lib in loaded_openblas():
        read_env = getattr(lib, "openblas_read_env", None)
        shutdown = getattr(lib, "blas_thread_shutdown_", None)
        if read_env is None or shutdown is None:
            continue
        read_env.restype, read_env.argtypes = None, []
        shutdown.restype, shutdown.argtypes = ctypes.c_int, []
        read_env()
        shutdown()   # the next multi-threaded call starts the pool again, with the new timeout
        done = True
    if done:
        import numpy
        a = numpy.ones((512, 512), numpy.float32)
        a @ a        # restart the pool now rather than inside the first timed product
    return done
