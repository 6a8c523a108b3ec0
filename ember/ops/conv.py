"""Convolutions (1-3 spatial dims; strided, padded, dilated, grouped, transposed), unfold and fold.

Every convolution is im2col + ONE matrix product. The column matrix is laid out channel-major,
``cols[c, k..., n, o...]`` with shape (C*prod(k), N*prod(out)), so the forward is a single GEMM
``W (O, K) @ cols (K, N*P)`` and the weight gradient is a single GEMM ``g (O, N*P) @ cols.T``.
The input gradient is ``W.T @ g`` followed by col2im, which adds one strided slice per kernel
offset (a loop over kernel offsets, never over pixels).

The three bilinear maps of a convolution y = C(x, w) are ``C`` itself, its input adjoint
``Bx(g, w)`` (which is also the transposed convolution) and its weight adjoint ``Bw(g, x)``.
Each one's gradient is again one of the three, so double backward needs no extra kernels.
"""
import math
from itertools import product

from .. import _dtype as dt
from .._backend import np
from .._tensor import Tensor
from ..autograd.function import Op
from ..autograd.grad_mode import state as _grad_state
from . import _parallel
from ._common import xp_of

# ----------------------------------------------------------------------------------------
# argument normalization
# ----------------------------------------------------------------------------------------


def ntuple(value, n, name="kernel_size"):
    """``value`` (int or sequence) as an n-tuple of Python ints."""
    if isinstance(value, (int, np.integer)):
        return (int(value),) * n
    value = tuple(int(v) for v in value)
    if len(value) == 1 and n > 1:
        return value * n
    if len(value) != n:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} values to match "
                           f"the convolution dimensions, but got {name}={list(value)}")
    return value


def _shape_list(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


class Geometry:
    """How an image (N, C, *S) and its column side (N, O, *P) line up in one convolution."""
    __slots__ = ("k", "s", "d", "lo", "hi", "groups", "image", "out")

    def __init__(self, k, s, d, lo, hi, groups, image, out):
        self.k, self.s, self.d, self.lo, self.hi = k, s, d, lo, hi
        self.groups, self.image, self.out = groups, image, out

    @property
    def padded(self):
        return tuple(i + a + b for i, a, b in zip(self.image, self.lo, self.hi))

    @property
    def wide(self):
        # Stride 1: lay columns out "wide" (see im2col), so every copy moves long contiguous runs.
        return all(v == 1 for v in self.s)

    def plane_strides(self):
        """Element strides of one C-contiguous padded image plane."""
        st = [1] * len(self.padded)
        for i in range(len(st) - 2, -1, -1):
            st[i] = st[i + 1] * self.padded[i + 1]
        return st

    def wide_len(self):
        """Columns per (n, c) in the wide layout: flat plane positions from the first output to the last."""
        return sum((o - 1) * p for o, p in zip(self.out, self.plane_strides())) + 1


def _compute_dtype(a):
    # Half-precision GEMMs go through float32 (NumPy has no fast float16/bfloat16 BLAS).
    if a.dtype == np.float16 or a.dtype == dt.bfloat16.np_dtype:
        return np.float32
    return None


# ----------------------------------------------------------------------------------------
# scratch buffers
# ----------------------------------------------------------------------------------------
# Column matrices are tens of MB. A fresh array of that size is fresh memory from the OS, and
# first-touch page faults cost as much as the copy that fills it, so the large temporaries
# (columns, the GEMM result before it is reordered, column gradients) are handed back here
# once nothing refers to them and reused by the next call of the same shape.

_SCRATCH = {}
_SCRATCH_LIMIT = 1 << 29   # bytes kept at most; past it the pool is emptied


def take_scratch(xp, shape, dtype):
    """An uninitialized array, reused from an earlier ``give_scratch`` when one fits."""
    free = _SCRATCH.get((xp.__name__, shape, np.dtype(dtype).str))
    if free:
        return free.pop()
    return xp.empty(shape, dtype)


def give_scratch(a):
    """Return ``a`` for reuse; the caller guarantees nothing else refers to it."""
    if a is None or a.base is not None:
        return
    key = (type(a).__module__.split(".")[0], a.shape, a.dtype.str)
    free = _SCRATCH.setdefault(key, [])
    if len(free) < 2:
        if sum(b.nbytes for v in _SCRATCH.values() for b in v) + a.nbytes > _SCRATCH_LIMIT:
            _SCRATCH.clear()
            free = _SCRATCH.setdefault(key, [])
        free.append(a)


# ----------------------------------------------------------------------------------------
# two-way splits of memory-bound copies
# ----------------------------------------------------------------------------------------
# im2col, col2im and the layout changes around the GEMMs are single NumPy copies or adds that
# run on one core while OpenBLAS runs its GEMMs on all of them. Split along an outer axis
# they run in the caller's thread and the elementwise pool's threads (NumPy releases the GIL
# in copy and ufunc loops); each element is still computed by the same single operation.
# NOTE: right after a GEMM, OpenBLAS's idle threads busy-wait (~0.1 s by default) on the
# other cores, so these splits only pay (~14% of a conv-net step on 2 cores) once the BLAS
# threads are told to sleep sooner (OPENBLAS_THREAD_TIMEOUT); until then they are neutral.

_SPLIT_MIN = 2 << 20   # bytes written; below this the hand-off costs more than it saves


def split_run(xp, fn, n, nbytes):
    """``fn(lo, hi)`` over [0, n), split across threads when writing ``nbytes`` is worth it."""
    workers = _parallel._workers() if xp is np and n >= 2 and nbytes >= _SPLIT_MIN else ()
    if not workers:
        fn(0, n)
        return
    parts = min(n, len(workers) + 1)
    bounds = [(n * i // parts, n * (i + 1) // parts) for i in range(parts)]
    _parallel.run_tasks(lambda i: fn(*bounds[i]), parts)


# ----------------------------------------------------------------------------------------
# array kernels
# ----------------------------------------------------------------------------------------


def as_strided(xp, a, shape, strides, writeable=False):
    if xp is np:
        return np.lib.stride_tricks.as_strided(a, shape, strides, writeable=writeable)
    return xp.lib.stride_tricks.as_strided(a, shape, strides)


def pad_zeros(x, lo, hi, value=0):
    """``x`` (N, C, *S) with ``value`` added around each spatial dim (no copy when nothing to add)."""
    if not any(lo) and not any(hi):
        return x
    xp = xp_of(x)
    shape = x.shape[:2] + tuple(s + a + b for s, a, b in zip(x.shape[2:], lo, hi))
    out = xp.full(shape, value, x.dtype) if value else xp.zeros(shape, x.dtype)
    out[(slice(None), slice(None)) + tuple(slice(a, a + s) for a, s in zip(lo, x.shape[2:]))] = x
    return out


def crop(x, lo, size):
    """The spatial window [lo, lo + size) of ``x`` (N, C, *S), as a contiguous array."""
    if not any(lo) and tuple(size) == x.shape[2:]:
        return x
    xp = xp_of(x)
    return xp.ascontiguousarray(x[(slice(None), slice(None)) + tuple(slice(a, a + s) for a, s in zip(lo, size))])


def window_view(xpad, k, s, d, out, channel_major=True):
    """Strided view of every kernel window: (C, *k, N, *out) (or (N, C, *k, *out)), no copy."""
    xp = xp_of(xpad)
    st = xpad.strides
    nd = len(k)
    kstr = tuple(st[2 + i] * d[i] for i in range(nd))
    ostr = tuple(st[2 + i] * s[i] for i in range(nd))
    n, c = xpad.shape[:2]
    if channel_major:
        return as_strided(xp, xpad, (c,) + tuple(k) + (n,) + tuple(out), (st[1],) + kstr + (st[0],) + ostr)
    return as_strided(xp, xpad, (n, c) + tuple(k) + tuple(out), (st[0], st[1]) + kstr + ostr)


def im2col(x, geo, scratch=False):
    """Columns (C*prod(k), N*L) of the zero-padded image ``x`` (N, C, *S); in a scratch buffer if asked.

    Usually L = prod(out). With stride 1 the layout is "wide": column j of sample n is the flat
    padded-plane position j (from the first output's to the last one's), so for a fixed kernel
    offset a whole sample is ONE contiguous run of the input. Positions between rows (j that are
    not outputs) are computed and ignored; they cost a few percent more GEMM work.
    """
    xp = xp_of(x)
    n, c = x.shape[:2]
    kk = math.prod(geo.k)
    if geo.wide:
        xpad = xp.ascontiguousarray(pad_zeros(x, geo.lo, geo.hi))
        it = xpad.itemsize
        ps = geo.plane_strides()
        length = geo.wide_len()
        st = xpad.strides
        view = as_strided(xp, xpad, (c,) + tuple(geo.k) + (n, length),
                          (st[1],) + tuple(geo.d[i] * ps[i] * it for i in range(len(ps))) + (st[0], it))
        width = n * length
    else:
        view = window_view(pad_zeros(x, geo.lo, geo.hi), geo.k, geo.s, geo.d, geo.out)
        width = n * math.prod(geo.out)
    if not scratch:
        return xp.ascontiguousarray(view).reshape(c * kk, width)
    cols = take_scratch(xp, (c * kk, width), x.dtype)
    dst = cols.reshape(view.shape)

    def copy(lo, hi):
        dst[lo:hi] = view[lo:hi]
    split_run(xp, copy, c, cols.nbytes)
    return cols


def col2im(cols, n, c, geo, dtype):
    """Sum columns laid out (C, *k, N, *out) (or wide, see im2col) back into an image (N, C, *geo.image)."""
    xp = xp_of(cols)
    full = (slice(None), slice(None))
    if geo.wide and cols.ndim != 2 + 2 * len(geo.k):
        length = geo.wide_len()
        ps = geo.plane_strides()
        gx = xp.zeros((n, c, math.prod(geo.padded)), dtype)
        cols = cols.reshape((c,) + tuple(geo.k) + (n, length))
        for offs in product(*[range(k) for k in geo.k]):
            start = sum(o * geo.d[i] * ps[i] for i, o in enumerate(offs))
            gx[:, :, start:start + length] += cols[(slice(None),) + offs].swapaxes(0, 1)
        return crop(gx.reshape((n, c) + geo.padded), geo.lo, geo.image)
    gx = xp.zeros((n, c) + geo.padded, dtype)
    if cols.ndim != 2 + 2 * len(geo.k):
        cols = cols.reshape((c,) + tuple(geo.k) + (n,) + tuple(geo.out))
    for offs in product(*[range(k) for k in geo.k]):
        dst = gx[full + tuple(slice(o * geo.d[i], o * geo.d[i] + (geo.out[i] - 1) * geo.s[i] + 1, geo.s[i])
                              for i, o in enumerate(offs))]
        dst += cols[(slice(None),) + offs].swapaxes(0, 1)
    return crop(gx, geo.lo, geo.image)


_BLOCK_BYTES = 4 << 20   # column-gradient bytes per block of wide_input_grad


def wide_input_grad(w2, gt, n, c, geo, dtype):
    """Bx for stride 1 from wide ``gt`` (O, N*L): the GEMM and col2im a few samples at a time.

    Each block's column gradient (about 4 MB) is summed into the image while still in cache,
    instead of writing the whole (C*prod(k), N*L) matrix out and reading it back.
    """
    xp = xp_of(gt)
    o, kdim = w2.shape
    length = geo.wide_len()
    ps = geo.plane_strides()
    step = max(1, min(n, _BLOCK_BYTES // max(1, kdim * length * gt.itemsize)))
    gx = xp.zeros((n, c, math.prod(geo.padded)), dtype)
    tmp = take_scratch(xp, (kdim, step * length), dtype)
    g3 = gt.reshape(o, n, length)
    starts = [sum(v * geo.d[i] * ps[i] for i, v in enumerate(offs)) for offs in product(*[range(k) for k in geo.k])]
    wt = w2.T
    for n0 in range(0, n, step):
        m = min(step, n - n0)
        blk = tmp[:, :m * length]
        xp.matmul(wt, g3[:, n0:n0 + m].reshape(o, m * length), out=blk)
        blk = blk.reshape(c, len(starts), m, length)
        dst = gx[n0:n0 + m]

        def add(lo, hi, blk=blk, dst=dst):
            for j, st in enumerate(starts):
                dst[:, lo:hi, st:st + length] += blk[lo:hi, j].swapaxes(0, 1)
        split_run(xp, add, c, blk.nbytes)
    give_scratch(tmp)
    return crop(gx.reshape((n, c) + geo.padded), geo.lo, geo.image)


def cols_side(g, geo):
    """(N, O, *out) -> contiguous (O, N*L) in im2col's column layout (wide: zeros between rows)."""
    if not geo.wide:
        return channel_major(g)
    xp = xp_of(g)
    n, o = g.shape[:2]
    buf = xp.zeros((o, n, geo.wide_len()), g.dtype)
    _outputs_of(buf, geo)[...] = g.swapaxes(0, 1)
    return buf.reshape(o, -1)


def _outputs_of(y3, geo):
    """View (O, N, *out) of the output positions inside a wide (O, N, L) array."""
    xp = xp_of(y3)
    it = y3.itemsize
    ps = geo.plane_strides()
    return as_strided(xp, y3, y3.shape[:2] + tuple(geo.out), y3.strides[:2] + tuple(p * it for p in ps),
                      writeable=True)


def channel_major(g):
    """(N, O, *P) -> contiguous (O, N*P)."""
    xp = xp_of(g)
    n, o = g.shape[:2]
    return xp.ascontiguousarray(g.reshape(n, o, -1).swapaxes(0, 1)).reshape(o, -1)


def _grouped_matmul(xp, a, b, groups, trans_a=False, trans_b=False):
    """Per group: a_g (rows split by group) @ b_g. ``a`` is (G*r, q) and ``b`` is (G*q', m)."""
    if groups == 1:
        a2 = a.T if trans_a else a
        b2 = b.T if trans_b else b
        return xp.matmul(a2, b2)
    a3 = a.reshape(groups, a.shape[0] // groups, -1)
    b3 = b.reshape(groups, b.shape[0] // groups, -1)
    if trans_a:
        a3 = a3.transpose(0, 2, 1)
    if trans_b:
        b3 = b3.transpose(0, 2, 1)
    return xp.matmul(a3, b3)


def conv_forward(x, w, b, geo, keep_cols=False):
    """y = C(x, w) + b with y (N, O, *out). Returns (y, cols or None)."""
    xp = xp_of(x)
    cd = _compute_dtype(x)
    orig = x.dtype
    if cd is not None:
        x, w, b = x.astype(cd), w.astype(cd), None if b is None else b.astype(cd)
    n = x.shape[0]
    o = w.shape[0]
    cols = im2col(x, geo, scratch=True)
    y_buf = None
    if geo.groups == 1:
        y_buf = take_scratch(xp, (o, cols.shape[1]), x.dtype)
        y = xp.matmul(w.reshape(o, -1), cols, out=y_buf).reshape(o, n, -1)
    else:
        y = _grouped_matmul(xp, w.reshape(o, -1), cols, geo.groups).reshape(o, n, -1)
    out = xp.empty((n, o) + tuple(geo.out), x.dtype)
    if geo.wide:
        src = _outputs_of(y, geo).swapaxes(0, 1)
        flat = out
        bshape = (1, o) + (1,) * len(geo.k)
    else:
        src = y.swapaxes(0, 1)
        flat = out.reshape(n, o, -1)
        bshape = (1, o, 1)
    bias = None if b is None else b.reshape(bshape)

    def gather(lo, hi):
        if bias is not None:
            xp.add(src[lo:hi], bias, out=flat[lo:hi])
        else:
            flat[lo:hi] = src[lo:hi]
    split_run(xp, gather, n, out.nbytes)
    give_scratch(y_buf)
    if cd is not None:
        out = out.astype(orig)
    if not keep_cols:
        give_scratch(cols)
        cols = None
    return out, cols


def conv_input_grad(g, w, geo, c_in, b=None, gt=None):
    """Bx(g, w): the adjoint of C(., w) applied to g (N, O, *out); an image (N, c_in, *geo.image)."""
    xp = xp_of(g)
    cd = _compute_dtype(g)
    orig = g.dtype
    if cd is not None:
        g, w = g.astype(cd), w.astype(cd)
        gt = None
    n, o = g.shape[:2]
    if gt is None:
        gt = cols_side(g, geo)
    gcols = _grouped_matmul(xp, w.reshape(o, -1), gt, geo.groups, trans_a=True)
    gx = col2im(gcols, n, c_in, geo, g.dtype)
    if b is not None:
        gx += b.astype(gx.dtype).reshape((1, -1) + (1,) * len(geo.k))
    return gx.astype(orig) if cd is not None else gx


def conv_weight_grad(g, x, geo, w_shape, cols=None, gt=None):
    """Bw(g, x): the adjoint of C(x, .) applied to g; a weight of shape ``w_shape``."""
    xp = xp_of(g)
    cd = _compute_dtype(g)
    orig = g.dtype
    if cd is not None:
        g, x = g.astype(cd), x.astype(cd)
        gt = None
        cols = None if cols is None else cols.astype(cd)
    if cols is None:
        cols = im2col(x, geo)
    if gt is None:
        gt = cols_side(g, geo)
    gw = _grouped_matmul(xp, gt, cols, geo.groups, trans_b=True).reshape(w_shape)
    return gw.astype(orig) if cd is not None else gw


# ----------------------------------------------------------------------------------------
# ops
# ----------------------------------------------------------------------------------------


class Convolution(Op):
    """y = conv(x, w) + b, or the transposed convolution when ``transposed`` is set."""
    saves_inputs = (0, 1)

    @staticmethod
    def forward(ctx, x, w, b, geo, transposed, gt=None):
        ctx.geo, ctx.transposed = geo, transposed
        if x.dtype != w.dtype:
            w = w.astype(x.dtype)
        if transposed:
            c_out = w.shape[1] * geo.groups
            ctx.cols = None
            return conv_input_grad(x, w, geo, c_out, b, gt)
        if conv_blocked.applies(x, w, geo):
            ctx.cols = None
            return conv_blocked.forward(x, w, b, geo)
        y, ctx.cols = conv_forward(x, w, b, geo, keep_cols=ctx.needs_input_grad[1])
        return y

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        geo = ctx.geo
        need = ctx.needs_input_grad
        if not _grad_state.enabled and not ctx.transposed and _compute_dtype(g._data) is None:
            return _array_backward(ctx, g._data, x._data, w._data, need)
        gx = gw = gb = None
        gt = cols_side(g._data, geo) if (need[0] and need[1] and not ctx.transposed) else None
        if not ctx.transposed:
            if need[0]:
                gx = Convolution.apply(g, w, None, geo, True, gt)
            if need[1]:
                gw = ConvWeightGrad.apply(g, x, geo, tuple(w.shape), ctx.cols, gt)
        else:
            if need[0]:
                gx = Convolution.apply(g, w, None, geo, False)
            if need[1]:
                gw = ConvWeightGrad.apply(x, g, geo, tuple(w.shape), None, None)
        if need[2]:
            gb = g.sum(dim=(0,) + tuple(range(2, g.dim())))
        ctx.cols = None
        return gx, gw, gb, None, None, None


def _array_backward(ctx, g, x, w, need):
    """Convolution's backward on arrays, for when no graph of the backward is wanted.

    Same math as the Tensor path, with the scratch pool: ``gt`` is shared by all three
    gradients, the cached columns are released after the weight gradient, and the bias
    gradient is a row sum of ``gt`` (its wide-layout gaps are zero).
    """
    xp = xp_of(g)
    geo = ctx.geo
    cols, ctx.cols = ctx.cols, None
    if w.dtype != g.dtype:
        w = w.astype(g.dtype)
    if cols is None and conv_blocked.applies(x, w, geo):
        grads = conv_blocked.backward(g, x, w, geo, need[0], need[1], need[2])
        return tuple(None if a is None else Tensor._make(a) for a in grads) + (None, None, None)
    n, o = g.shape[:2]
    if geo.wide:
        gt = take_scratch(xp, (o, n * geo.wide_len()), g.dtype)
        inner = _outputs_of(gt.reshape(o, n, -1), geo)
        src = g.swapaxes(0, 1)

        def build(lo, hi):
            gt[lo:hi].fill(0)
            inner[lo:hi] = src[lo:hi]
        split_run(xp, build, o, gt.nbytes)
    else:
        gt = channel_major(g)
    gx = gw = gb = None
    if need[1]:
        if cols is None:
            cols = im2col(x, geo, scratch=True)
        gw = _grouped_matmul(xp, gt, cols, geo.groups, trans_b=True).reshape(w.shape)
    give_scratch(cols)
    if need[2]:
        gb = gt.sum(axis=1)
    if need[0]:
        w2 = w.reshape(o, -1)
        if geo.groups == 1 and geo.wide:
            gx = wide_input_grad(w2, gt, n, x.shape[1], geo, g.dtype)
        else:
            gcols = _grouped_matmul(xp, w2, gt, geo.groups, trans_a=True)
            gx = col2im(gcols, n, x.shape[1], geo, g.dtype)
    give_scratch(gt)
    return tuple(None if a is None else Tensor._make(a) for a in (gx, gw, gb)) + (None, None, None)


class ConvWeightGrad(Op):
    """gw = Bw(g, x), the weight gradient of a convolution (its own gradient is a convolution)."""
    saves_inputs = (0, 1)

    @staticmethod
    def forward(ctx, g, x, geo, w_shape, cols=None, gt=None):
        ctx.geo = geo
        return conv_weight_grad(g, x, geo, w_shape, cols, gt)

    @staticmethod
    def backward(ctx, ggw):
        g, x = ctx.saved_tensors
        geo = ctx.geo
        need = ctx.needs_input_grad
        # <ggw, Bw(g, x)> = <g, C(x, ggw)> = <Bx(g, ggw), x>
        dg = Convolution.apply(x, ggw, None, geo, False) if need[0] else None
        dx = Convolution.apply(g, ggw, None, geo, True) if need[1] else None
        return dg, dx, None, None, None, None


from . import conv_blocked  # noqa: E402 - it uses this module's array helpers

# ----------------------------------------------------------------------------------------
# public functions
# ----------------------------------------------------------------------------------------

_TYPE_WORD = {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16"}


def _check_common(name, input, weight, bias, nd):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}() received an invalid combination of arguments - got ({type(input).__name__}, ...)")
    if not isinstance(weight, Tensor):
        raise TypeError(f"{name}(): argument 'weight' (position 2) must be Tensor, not {type(weight).__name__}")
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got "
                           f"input of size: {_shape_list(input.shape)}")
    if weight.dim() != nd + 2:
        raise RuntimeError(f"weight should have at least three dimensions" if weight.dim() < 3 else
                           f"Expected {nd + 2}-dimensional input for {nd + 2}-dimensional weight "
                           f"{_shape_list(weight.shape)}, but got {nd + 1}-dimensional input of size "
                           f"{_shape_list(input.shape)} instead")
    if input.dtype != weight.dtype:
        raise RuntimeError(f"expected scalar type {_scalar_word(input.dtype)} but found {_scalar_word(weight.dtype)}")
    if bias is not None and bias.dtype != input.dtype:
        raise RuntimeError(f"Input type ({_TYPE_WORD.get(input.dtype.name, input.dtype.name)}) and bias type "
                           f"({_TYPE_WORD.get(bias.dtype.name, bias.dtype.name)}) should be the same")
    if input.dtype.name not in _TYPE_WORD:
        raise RuntimeError(f"\"{name}\" not implemented for '{_scalar_word(input.dtype)}'")


def _scalar_word(d):
    return {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
            "int64": "Long", "int32": "Int"}.get(d.name, d.name)


def _parse_padding(padding, nd, k, d, s):
    if isinstance(padding, str):
        if padding == "valid":
            return (0,) * nd, (0,) * nd
        if padding == "same":
            if any(x != 1 for x in s):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            total = [d[i] * (k[i] - 1) for i in range(nd)]
            lo = tuple(t // 2 for t in total)
            return lo, tuple(t - a for t, a in zip(total, lo))
        raise RuntimeError(f"Invalid padding string: '{padding}'")
    p = ntuple(padding, nd, "padding")
    if any(v < 0 for v in p):
        raise RuntimeError("negative padding is not supported")
    return p, p


def _convolution(name, nd, input, weight, bias, stride, padding, dilation, groups,
                 transposed=False, output_padding=0):
    _check_common(name, input, weight, bias, nd)
    s = ntuple(stride, nd, "stride")
    d = ntuple(dilation, nd, "dilation")
    if any(v <= 0 for v in s):
        raise RuntimeError("non-positive stride is not supported")
    if any(v <= 0 for v in d):
        raise RuntimeError("dilation should be greater than zero")
    if not isinstance(groups, int) or groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    k = tuple(weight.shape[2:])
    if transposed and isinstance(padding, str):
        raise TypeError(f"{name}(): argument 'padding' must be tuple of ints, not str")
    lo, hi = _parse_padding(padding, nd, k, d, s)
    batched = input.dim() == nd + 2
    x = input if batched else input.unsqueeze(0)
    n, c = x.shape[:2]
    spatial = tuple(x.shape[2:])
    ws = tuple(weight.shape)
    if not transposed:
        if ws[0] % groups:
            raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0,"
                               f" but got weight of size [{_shape_list(ws)}] instead")
        if c != ws[1] * groups:
            raise RuntimeError(f"Given groups={groups}, weight of size {_shape_list(ws)}, expected input"
                               f"{_shape_list(x.shape)} to have {ws[1] * groups} channels, but got {c} channels "
                               f"instead")
        padded = tuple(spatial[i] + lo[i] + hi[i] for i in range(nd))
        eff = tuple(d[i] * (k[i] - 1) + 1 for i in range(nd))
        if any(padded[i] < eff[i] for i in range(nd)):
            raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
                               f"Kernel size: ({' x '.join(map(str, eff))}). Kernel size can't be greater than "
                               f"actual input size")
        out = tuple((padded[i] - eff[i]) // s[i] + 1 for i in range(nd))
        geo = Geometry(k, s, d, lo, hi, groups, spatial, out)
        o = ws[0]
    else:
        op = ntuple(output_padding, nd, "output_padding")
        if any(op[i] >= s[i] and op[i] >= d[i] for i in range(nd)):
            words = ("height", "width") if nd == 2 else (("",) if nd == 1 else ("depth", "height", "width"))
            parts = " ".join(f"output_padding_{w}: {v}" if w else f"output_padding: {v}" for w, v in zip(words, op))
            parts += " " + " ".join(f"stride_{w}: {v}" if w else f"stride: {v}" for w, v in zip(words, s))
            parts += " " + " ".join(f"dilation_{w}: {v}" if w else f"dilation: {v}" for w, v in zip(words, d))
            raise RuntimeError(f"output padding must be smaller than either stride or dilation, but got {parts}")
        if c != ws[0]:
            raise RuntimeError(f"Given transposed=1, weight of size {_shape_list(ws)}, expected input"
                               f"{_shape_list(x.shape)} to have {ws[0]} channels, but got {c} channels instead")
        if ws[0] % groups:
            raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0,"
                               f" but got weight of size [{_shape_list(ws)}] instead")
        image = tuple((spatial[i] - 1) * s[i] - lo[i] - hi[i] + d[i] * (k[i] - 1) + op[i] + 1 for i in range(nd))
        if any(v <= 0 for v in image):
            raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, spatial))}). Calculated output "
                               f"size per channel: ({' x '.join(map(str, image))}). Output size is too small")
        # The direct convolution this one transposes maps the padded image back to ``spatial``;
        # output_padding cells lie past the last window and stay zero (plus bias).
        geo = Geometry(k, s, d, lo, hi, groups, image, spatial)
        o = ws[1] * groups
    out_channels = o
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != out_channels):
        raise RuntimeError(f"Given weight of size {_shape_list(ws)}, expected bias to be 1-dimensional with "
                           f"{out_channels} elements, but got bias of size {_shape_list(bias.shape)} instead")
    y = Convolution.apply(x, weight, bias, geo, transposed)
    return y if batched else y.squeeze(0)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution over an input of shape (N, C_in, L) or (C_in, L)."""
    return _convolution("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution over an input of shape (N, C_in, H, W) or (C_in, H, W)."""
    return _convolution("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D convolution over an input of shape (N, C_in, D, H, W) or (C_in, D, H, W)."""
    return _convolution("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """1-D transposed convolution (the gradient of conv1d with respect to its input)."""
    return _convolution("conv_transpose1d", 1, input, weight, bias, stride, padding, dilation, groups,
                        True, output_padding)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """2-D transposed convolution (the gradient of conv2d with respect to its input)."""
    return _convolution("conv_transpose2d", 2, input, weight, bias, stride, padding, dilation, groups,
                        True, output_padding)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """3-D transposed convolution (the gradient of conv3d with respect to its input)."""
    return _convolution("conv_transpose3d", 3, input, weight, bias, stride, padding, dilation, groups,
                        True, output_padding)


# ----------------------------------------------------------------------------------------
# unfold / fold (im2col / col2im on 4-D images)
# ----------------------------------------------------------------------------------------


class Im2Col(Op):
    @staticmethod
    def forward(ctx, x, geo):
        ctx.geo = geo
        xp = xp_of(x)
        n, c = x.shape[:2]
        view = window_view(pad_zeros(x, geo.lo, geo.hi), geo.k, geo.s, geo.d, geo.out, channel_major=False)
        return xp.ascontiguousarray(view).reshape(n, c * math.prod(geo.k), math.prod(geo.out))

    @staticmethod
    def backward(ctx, g):
        return Col2Im.apply(g, ctx.geo), None


class Col2Im(Op):
    @staticmethod
    def forward(ctx, cols, geo):
        ctx.geo = geo
        n = cols.shape[0]
        c = cols.shape[1] // math.prod(geo.k)
        six = cols.reshape((n, c) + tuple(geo.k) + tuple(geo.out))
        nd = len(geo.k)
        # (N, C, *k, *out) -> (C, *k, N, *out) as a view; col2im reads it slice by slice
        order = (1,) + tuple(range(2, 2 + nd)) + (0,) + tuple(range(2 + nd, 2 + 2 * nd))
        return col2im(six.transpose(order), n, c, geo, cols.dtype)

    @staticmethod
    def backward(ctx, g):
        return Im2Col.apply(g, ctx.geo), None


def _fold_args(kernel_size, dilation, padding, stride):
    k = ntuple(kernel_size, 2, "kernel_size")
    d = ntuple(dilation, 2, "dilation")
    p = ntuple(padding, 2, "padding")
    s = ntuple(stride, 2, "stride")
    if any(v <= 0 for v in k):
        raise RuntimeError(f"kernel size should be greater than zero, but got kernel_height: {k[0]} kernel_width: "
                           f"{k[1]}")
    if any(v <= 0 for v in s):
        raise RuntimeError(f"stride should be greater than zero, but got stride_height: {s[0]} stride_width: {s[1]}")
    if any(v <= 0 for v in d):
        raise RuntimeError(f"dilation should be greater than zero, but got dilation_height: {d[0]} "
                           f"dilation_width: {d[1]}")
    if any(v < 0 for v in p):
        raise RuntimeError(f"padding should be non-negative, but got pad_height: {p[0]} pad_width: {p[1]}")
    return k, d, p, s


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding blocks: (N, C, H, W) -> (N, C * prod(kernel_size), L)."""
    if input.dim() not in (3, 4):
        raise RuntimeError(f"Input Error: Only 3D or 4D input Tensors are supported (got {input.dim()}D)")
    k, d, p, s = _fold_args(kernel_size, dilation, padding, stride)
    batched = input.dim() == 4
    x = input if batched else input.unsqueeze(0)
    spatial = tuple(x.shape[2:])
    out = tuple((spatial[i] + 2 * p[i] - d[i] * (k[i] - 1) - 1) // s[i] + 1 for i in range(2))
    if any(v < 1 for v in out):
        raise RuntimeError(f"Given input with spatial size ({spatial[0]}, {spatial[1]}), kernel_size=({k[0]}, "
                           f"{k[1]}), dilation=({d[0]}, {d[1]}), padding=({p[0]}, {p[1]}), calculated shape of the "
                           f"array of sliding blocks as ({out[0]}, {out[1]}), but its components must be at least "
                           f"one.")
    y = Im2Col.apply(x, Geometry(k, s, d, p, p, 1, spatial, out))
    return y if batched else y.squeeze(0)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Combine sliding blocks into an image: (N, C * prod(kernel_size), L) -> (N, C, *output_size)."""
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported "
                           f"(got {input.dim()}D)")
    k, d, p, s = _fold_args(kernel_size, dilation, padding, stride)
    size = ntuple(output_size, 2, "output_size")
    batched = input.dim() == 3
    x = input if batched else input.unsqueeze(0)
    kk = k[0] * k[1]
    if x.shape[1] % kk:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of kernel_size, "
                           f"but got input.size(1)={x.shape[1]} and kernel_size=({k[0]}, {k[1]})")
    out = tuple((size[i] + 2 * p[i] - d[i] * (k[i] - 1) - 1) // s[i] + 1 for i in range(2))
    if out[0] * out[1] != x.shape[2]:
        raise RuntimeError(f"Given output_size=({size[0]}, {size[1]}), kernel_size=({k[0]}, {k[1]}), "
                           f"dilation=({d[0]}, {d[1]}), padding=({p[0]}, {p[1]}), stride=({s[0]}, {s[1]}), expected "
                           f"size of input's dimension 2 to match the calculated number of sliding blocks "
                           f"{out[0]} * {out[1]} = {out[0] * out[1]}, but got input.size(2)={x.shape[2]}.")
    y = Col2Im.apply(x, Geometry(k, s, d, p, p, 1, size, out))
    return y if batched else y.squeeze(0)


__all__ = ["unfold", "fold", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"]
