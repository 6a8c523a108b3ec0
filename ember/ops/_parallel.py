"""Large elementwise kernels split over a small thread pool.

One NumPy ufunc call runs on one core; PyTorch's CPU kernels use every core. A ufunc
over a contiguous array releases the GIL, so running it on halves of a big array in
two threads (the caller's and one pool thread) roughly halves the time once the
array is large enough that the hand-off (tens of microseconds) is noise. Results are
bit-identical to the single call: each element is computed by the same loop.
The thread count follows ``ember.set_num_threads`` (ember/_threads.py).
"""
import itertools
import os
import threading

from .. import _threads
from .._backend import np

PARALLEL_MIN = 1 << 20   # elements; below this one thread wins
_ALIGN = 1 << 12         # chunk boundaries on whole 16 KiB (float32) pages
_MAX_THREADS = 8         # elementwise work is memory-bound: more threads only share the bandwidth

_started = []            # every worker thread started so far
_workers_list = None     # the first (threads - 1) of them, for the current setting
_workers_lock = threading.Lock()
_ndarray = np.ndarray


class _Worker:
    """A daemon thread that runs one task at a time, handed over through two locks (a lighter
    hand-off than an executor's queue and futures: this VM wakes a thread in ~35 us)."""

    def __init__(self):
        self._go = threading.Lock()
        self._go.acquire()
        self._done = threading.Lock()
        self._done.acquire()
        self._task = self._error = None
        threading.Thread(target=self._loop, name="ember-elementwise", daemon=True).start()

    def _loop(self):
        while True:
            self._go.acquire()
            try:
                self._task()
            except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
                self._error = exc
            self._done.release()

    def start(self, task):
        self._task, self._error = task, None
        self._go.release()

    def wait(self):
        self._done.acquire()
        self._task = None
        if self._error is not None:
            raise self._error


def _workers():
    """The pool threads a split may use now: ``ember.get_num_threads() - 1`` of them (at most
    ``_MAX_THREADS - 1``; none with 1 thread, so nothing is split). Threads are started on first
    need and kept; a lower setting simply leaves the extra ones idle (blocked on a lock)."""
    want = min(_threads.num_threads(), _MAX_THREADS) - 1
    active = _workers_list
    if active is None or len(active) != want:
        with _workers_lock:
            while len(_started) < want:
                _started.append(_Worker())
            active = _set_active(_started[:want])
    return active


def _set_active(workers):
    # A fresh list each time: a split already running keeps the list it took.
    global _workers_list
    _workers_list = workers
    return workers


def _run_split(kernel, n, pieces=4):
    """Run ``kernel(start, stop)`` over [0, n) in chunks shared between this thread and the
    workers: each takes the next chunk until none are left, so a worker that wakes late
    simply takes fewer (the caller never idles waiting on a fixed share)."""
    workers = _workers()
    pieces = max(pieces, len(workers) + 1)
    step = -(-n // pieces)
    step = -(-step // _ALIGN) * _ALIGN
    bounds = [(s, min(s + step, n)) for s in range(0, n, step)]
    run_tasks(lambda i: kernel(*bounds[i]), len(bounds))


_busy = threading.Lock()


def run_tasks(task, count):
    """Run ``task(i)`` for every i in [0, count): the caller and the pool threads each take the
    next index until none are left (a thread that starts late or runs slowly takes fewer).
    One caller at a time may use the workers; a concurrent caller runs on its own thread."""
    workers = _workers() if count > 1 else ()
    taken = itertools.count()  # next() on a count is atomic under the GIL

    def work():
        for i in taken:
            if i >= count:
                return
            task(i)
    if not workers or not _busy.acquire(blocking=False):
        work()
        return
    try:
        workers = workers[:count - 1]
        for w in workers:
            w.start(work)
        try:
            work()
        finally:
            for w in workers:
                w.wait()
    finally:
        _busy.release()


def _caller_errstate(overrides):
    # NumPy's error state is per thread (a context variable): carry the caller's over.
    err = np.geterr()
    if overrides:
        err.update(overrides)
    return err


def binary(ufunc, a, b, errstate=None):
    """``ufunc(a, b)`` split over threads, or None when it doesn't pay (or doesn't apply).

    Applies to two C-contiguous NumPy arrays of one shape and dtype with at least
    ``PARALLEL_MIN`` elements, whose result has that dtype too.
    """
    if type(a) is not _ndarray or type(b) is not _ndarray or a.size < PARALLEL_MIN or a.shape != b.shape \
            or a.dtype != b.dtype or not (a.flags.c_contiguous and b.flags.c_contiguous) or not _workers():
        return None
    out = np.empty(a.shape, a.dtype)
    fa, fb, fo = a.reshape(-1), b.reshape(-1), out.reshape(-1)
    err = _caller_errstate(errstate)

    def kernel(s, e):
        with np.errstate(**err):
            ufunc(fa[s:e], fb[s:e], out=fo[s:e])
    _run_split(kernel, fa.size)
    return out


def unary(ufunc, a, errstate=None):
    """``ufunc(a)`` split over threads (same dtype out), or None when it doesn't pay."""
    if type(a) is not _ndarray or a.size < PARALLEL_MIN or not a.flags.c_contiguous or not _workers():
        return None
    out = np.empty(a.shape, a.dtype)
    fa, fo = a.reshape(-1), out.reshape(-1)
    err = _caller_errstate(errstate)

    def kernel(s, e):
        with np.errstate(**err):
            ufunc(fa[s:e], out=fo[s:e])
    _run_split(kernel, fa.size)
    return out


def split_map(kernel, n):
    """``kernel(start, stop)`` over [0, n): split over threads when ``n`` is large enough to pay
    and the pool has threads, else one call on this thread. The kernel must treat any chunk
    the same way (elementwise work), so the result never depends on the split."""
    if n >= PARALLEL_MIN and _workers():
        _run_split(kernel, n)
    else:
        kernel(0, n)


def _is_big_flat(*arrays):
    """All NumPy, C-contiguous, one size of at least PARALLEL_MIN: worth a split_map."""
    first = arrays[0]
    return all(type(a) is _ndarray and a.flags.c_contiguous and a.size == first.size for a in arrays) \
        and first.size >= PARALLEL_MIN


def _reset_after_fork():
    # A forked child (e.g. a DataLoader worker) has none of the parent's threads.
    global _workers_list, _started, _busy, _workers_lock
    _workers_list, _started = None, []
    _busy, _workers_lock = threading.Lock(), threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)
