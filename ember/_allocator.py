"""Keep large temporaries in the heap between training steps (glibc only).

By default glibc serves every allocation above a threshold with a fresh ``mmap`` and gives
it back to the OS when freed, so each step's activations and gradients pay page faults
again when first written (a fresh 46 MB array costs as much as the copy that fills it).
Raising the mmap and trim thresholds lets freed blocks be reused, the way PyTorch's
caching allocator reuses memory: about 7-15% of a conv-net training step. The cost is
that memory freed at the top of the heap is returned to the OS less eagerly.

Set ``EMBER_MALLOC_TUNING=0`` before importing ember to leave the allocator alone.
"""
import ctypes
import ctypes.util
import os
import sys

_M_TRIM_THRESHOLD = -1
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3

applied = False


def tune():
    """Raise glibc's mmap/trim thresholds once; a no-op off glibc or when disabled."""
    global applied
    if applied or os.environ.get("EMBER_MALLOC_TUNING", "1") == "0" or not sys.platform.startswith("linux"):
        return applied
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    ok = mallopt(_M_MMAP_THRESHOLD, 1 << 30)
    ok &= mallopt(_M_TRIM_THRESHOLD, (1 << 31) - 1)
    ok &= mallopt(_M_TOP_PAD, 64 << 20)
    applied = bool(ok)
    return applied
