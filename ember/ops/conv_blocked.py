"""Stride-1 convolutions computed a few samples at a time, each block on one core, in cache.

conv.py's general path builds the whole column matrix (C*prod(k), N*L) — tens of MB for a
small conv net — and hands it to one multi-threaded GEMM: the columns are written to memory
once and read back by every GEMM that needs them. Here the batch is cut into blocks of a few
samples whose columns fit in a core's cache. Each block is a task: build its columns (the
same "wide" layout as conv.py's im2col), run its GEMMs with single-threaded BLAS, and scatter
its result; ember's threads and the caller take tasks until none are left, so the cores
stay busy even when one of them is shared with something else. It pays only while OpenBLAS's
own idle threads sleep rather than spin on those cores (ember/_blas_spin.py): with them
spinning, the LeNet-style training step is 50% slower than with the single big GEMM.

Backward recomputes a block's columns from the input instead of keeping them from the
forward: copying from a cached input block is cheaper than streaming a saved column matrix
back from memory, and nothing large is held between forward and backward.

The weight and bias gradients are sums of per-block results, added in block order after all
tasks finish, so the result does not depend on which thread ran which block.

Layers with fewer column rows than output channels (a first layer on images) take the
"narrow" layout of conv_narrow.py instead, on the same blocks-and-threads machinery.
"""
import math
from itertools import product

from .. import _blas_spin, _threads
from .._backend import np
from . import _parallel
from .conv import as_strided, crop, pad_zeros

_BLOCK_BYTES = 1 << 21
_MIN_TASKS = 4           # at least this many blocks, so a slow thread only delays one of them


def applies(x, w, geo):
    """Whether this path computes the convolution: NumPy float32/float64, stride 1, one group,
    and OpenBLAS's idle threads known to sleep quickly (else the single-GEMM path is faster)."""
    return (type(x) is np.ndarray and x.dtype in (np.float32, np.float64) and geo.groups == 1
            and geo.wide and x.shape[0] >= 2 and _blas_spin.short())


def sample_blocks(n, per_sample_bytes):
    """[(n0, n1), ...] covering n samples: about _BLOCK_BYTES of columns each, and at least
    _MIN_TASKS blocks (the first block is the longest)."""
    step = max(1, _BLOCK_BYTES // max(1, per_sample_bytes))
    step = min(step, max(1, -(-n // _MIN_TASKS)))
    return [(s, min(s + step, n)) for s in range(0, n, step)]


def weights_with_bias(w2, b):
    """The (O, K) weight matrix with the bias as one more column (None: unchanged): against a
    row of ones under the columns, the product adds the bias."""
    if b is None:
        return w2
    return np.concatenate([w2, b.reshape(-1, 1).astype(w2.dtype, copy=False)], axis=1)


class _Plan:
    """Sizes shared by forward and backward: flat padded planes and the kernel-offset starts."""

    def __init__(self, x_shape, w_shape, geo, itemsize):
        self.n, self.c = x_shape[:2]
        self.o = w_shape[0]
        self.geo = geo
        self.kk = math.prod(geo.k)
        self.kdim = self.c * self.kk
        self.plane = math.prod(geo.padded)
        self.length = geo.wide_len()
        ps = geo.plane_strides()
        self.out_strides = ps
        self.starts = [sum(v * geo.d[i] * ps[i] for i, v in enumerate(offs))
                       for offs in product(*[range(k) for k in geo.k])]
        self.blocks = sample_blocks(self.n, self.kdim * self.length * itemsize)
        self.step = self.blocks[0][1]

    def columns(self, xflat, n0, n1, buf):
        """Columns (C*prod(k), m*L) of samples [n0, n1) of the padded flat input (N, C, plane),
        written into the flat buffer ``buf`` by ONE strided copy (a single GIL-free NumPy call:
        with several threads, each extra call is another hand-over of the GIL)."""
        m = n1 - n0
        src = xflat[n0:n1]
        it = src.itemsize
        geo = self.geo
        k_strides = tuple(geo.d[i] * self.out_strides[i] * it for i in range(len(geo.k)))
        view = as_strided(np, src, (self.c,) + tuple(geo.k) + (m, self.length),
                          (src.strides[1],) + k_strides + (src.strides[0], it))
        dst = buf[:self.kdim * m * self.length].reshape(view.shape)
        dst[...] = view
        return dst.reshape(self.kdim, m * self.length)

    def outputs(self, wide):
        """View (O, m, *out) of the output positions inside a wide (O, m, L) block."""
        it = wide.itemsize
        return as_strided(np, wide, wide.shape[:2] + tuple(self.geo.out),
                          wide.strides[:2] + tuple(p * it for p in self.out_strides), writeable=True)


def _run(tasks, count):
    """Run ``tasks(i)`` for i in [0, count) on the caller and ember's threads, BLAS single-threaded."""
    with _threads.blas_single_threaded():
        _parallel.run_tasks(tasks, count)


def forward(x, w, b, geo):
    """y = conv(x, w) + b, shape (N, O, *out)."""
    if conv_narrow.applies(x, w, geo):
        return conv_narrow.forward(x, w, b, geo)
    plan = _Plan(x.shape, w.shape, geo, x.itemsize)
    xflat = np.ascontiguousarray(pad_zeros(x, geo.lo, geo.hi)).reshape(plan.n, plan.c, plan.plane)
    # the bias rides in the product, so the scatter below is a plain copy (a broadcast add there
    # costs as much again)
    w2 = weights_with_bias(w.reshape(plan.o, plan.kdim), b)
    y = np.empty((plan.n, plan.o) + tuple(geo.out), x.dtype)
    scratch = _Scratch.of(plan, x.dtype)

    def task(i):
        n0, n1 = plan.blocks[i]
        m = n1 - n0
        cols_buf, wide_buf = scratch.get()
        try:
            cols = plan.columns(xflat, n0, n1, cols_buf)
            if b is not None:
                cols = _with_ones_row(cols, cols_buf)
            wide = wide_buf[:, :m * plan.length]
            np.matmul(w2, cols, out=wide)
            y[n0:n1].swapaxes(0, 1)[...] = plan.outputs(wide.reshape(plan.o, m, plan.length))
        finally:
            scratch.put((cols_buf, wide_buf))
    _run(task, len(plan.blocks))
    return y


def backward(g, x, w, geo, need_x, need_w, need_b):
    """(gx, gw, gb) of y = conv(x, w) + b for the output gradient ``g``; None where not needed."""
    if conv_narrow.applies(x, w, geo, need_x):
        return (None,) + conv_narrow.backward(g, x, w, geo, need_w, need_b)
    plan = _Plan(x.shape, w.shape, geo, x.itemsize)
    dtype = g.dtype
    w2 = w.reshape(plan.o, plan.kdim)
    # W^T with its rows ordered (kernel offset, channel): one product then gives, per offset,
    # a (C, plane) slab laid out like a sample of the input gradient (see _add_shifted)
    w_jc = np.ascontiguousarray(w2.T.reshape(plan.c, plan.kk, plan.o).transpose(1, 0, 2)) \
        .reshape(plan.kdim, plan.o) if need_x else None
    xflat = np.ascontiguousarray(pad_zeros(x, geo.lo, geo.hi)).reshape(plan.n, plan.c, plan.plane) \
        if need_w else None
    gx = np.empty((plan.n, plan.c, plan.plane), dtype) if need_x else None
    partial = [None] * len(plan.blocks)
    bias_partial = [None] * len(plan.blocks)
    scratch = _Scratch.of(plan, dtype, with_grad=True)

    def task(i):
        n0, n1 = plan.blocks[i]
        m = n1 - n0
        cols_buf, wide_buf, slabs = scratch.get()
        try:
            # The output gradient in the wide layout: zeros at the positions that are not outputs.
            wide = wide_buf[:, :m * plan.length]
            plan.outputs(wide.reshape(plan.o, m, plan.length))[...] = g[n0:n1].swapaxes(0, 1)
            if need_w:
                cols = plan.columns(xflat, n0, n1, cols_buf)
                if need_b:
                    # the same product then also sums the output gradient over positions (the
                    # bias gradient; the gaps are zero), with no separate pass over it
                    cols = _with_ones_row(cols, cols_buf)
                partial[i] = np.matmul(cols, wide.T)   # (K, O): faster in OpenBLAS than (O, K)
            elif need_b:
                bias_partial[i] = wide.sum(axis=1)   # the gaps are zero
            if need_x:
                length = plan.length
                for k in range(m):
                    np.matmul(w_jc, wide[:, k * length:(k + 1) * length], out=slabs[:, :length])
                    _add_shifted(gx[n0 + k].reshape(-1), slabs.reshape(plan.kk, -1), plan.starts)
        finally:
            scratch.put((cols_buf, wide_buf, slabs))
    _run(task, len(plan.blocks))
    gw = gb = None
    if need_w:
        total = _sum_in_order(partial)
        gw = np.ascontiguousarray(total[:plan.kdim].T).reshape(w.shape)
        if need_b:
            gb = total[plan.kdim].copy()
    elif need_b:
        gb = _sum_in_order(bias_partial)
    if need_x:
        gx = crop(gx.reshape((plan.n, plan.c) + geo.padded), geo.lo, geo.image)
    return gx, gw, gb


def _with_ones_row(cols, buf):
    """The (K + 1, n) matrix of the (K, n) columns ``cols`` (the start of the flat ``buf``)
    with a row of ones under them, written in place after them in ``buf``."""
    size, n = cols.size, cols.shape[1]
    buf[size:size + n] = 1
    return buf[:size + n].reshape(cols.shape[0] + 1, n)


def _add_shifted(dst, slabs, starts):
    """col2im of one sample: ``dst`` (C * plane, flat) = the sum over kernel offsets j of
    ``slabs[j]`` (C planes, flat) moved ``starts[j]`` positions along the flat array.

    A slab's plane holds the wide positions [0, L) and zeros after them. L plus the largest
    offset is exactly the plane size, so every wide position lands inside its own channel's
    plane, and what a shift pushes over a channel boundary (or off the end) is only those
    zeros: each offset is ONE contiguous add over the whole sample. Cutting the rows into
    (C, L) windows instead makes it a strided add, about 4x slower in NumPy.
    """
    size = dst.shape[0]
    np.copyto(dst, slabs[0])   # offset 0 (starts[0] == 0) covers every position: no zero fill
    for j in range(1, len(starts)):
        st = starts[j]
        dst[st:] += slabs[j, :size - st]


def _sum_in_order(parts):
    """Sum of per-block results in block order (the same for any thread schedule)."""
    total = parts[0]
    for p in parts[1:]:
        total += p
    return total


class _Scratch:
    """Block buffers: a task takes a free set (or makes one) and puts it back. Kept between calls
    (per layer shape) so every step reuses cache-warm memory instead of faulting in fresh pages."""
    _kept = {}

    @classmethod
    def of(cls, plan, dtype, with_grad=False):
        key = (plan.c, plan.kk, plan.o, plan.step, plan.length, np.dtype(dtype).str, with_grad)
        found = cls._kept.get(key)
        if found is None:
            if len(cls._kept) >= 16:
                cls._kept.clear()
            found = cls._kept[key] = cls(plan, dtype, with_grad)
        return found

    def __init__(self, plan, dtype, with_grad=False):
        self._plan, self._dtype, self._grad = plan, dtype, with_grad
        self._free = []

    def get(self):
        try:
            return self._free.pop()
        except IndexError:
            p = self._plan
            bufs = (np.empty((p.kdim + 1) * p.step * p.length, self._dtype),   # + a row of ones
                    # zeros: backward writes only the output positions of its wide gradient,
                    # so the gaps between rows stay zero from here on
                    np.zeros((p.o, p.step * p.length), self._dtype))
            if self._grad:
                # zeros: a slab's plane is written only at the wide positions [0, L); the rest
                # stays zero, which _add_shifted relies on
                bufs += (np.zeros((p.kdim, p.plane), self._dtype),)
            return bufs

    def put(self, bufs):
        self._free.append(bufs)


from . import conv_narrow  # noqa: E402 - it uses this module's task runner
