"""Pooling: max, average, power-average, adaptive (average / max) and max-unpooling.

Fixed-window pools loop over kernel offsets (never pixels): each offset is one strided view
of the padded input, combined with one vectorized NumPy call. Max pooling remembers, per
output, which offset won (first maximum, NaN wins like PyTorch); its backward writes the
gradient back through those same strided views. Adaptive average pooling is separable and
linear, so it is one small averaging matrix per spatial dim.
"""
import math
import sys
from itertools import product

from .._backend import np
from .._tensor import Tensor
from ..autograd.function import Op
from ._common import xp_of
from .conv import crop, ntuple, pad_zeros, split_run


# ----------------------------------------------------------------------------------------
# geometry
# ----------------------------------------------------------------------------------------


def pool_out_size(length, k, s, p, d, ceil_mode):
    span = length + 2 * p - d * (k - 1) - 1
    out = (span + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= length + p:
        out -= 1  # the last window must start inside the input or its left padding
    return out


class PoolGeometry:
    __slots__ = ("k", "s", "p", "d", "image", "out", "hi")

    def __init__(self, k, s, p, d, image, out):
        self.k, self.s, self.p, self.d, self.image, self.out = k, s, p, d, image, out
        # right padding so every window (ceil_mode may add one) lies inside the padded array
        self.hi = tuple(max(p[i], (out[i] - 1) * s[i] + d[i] * (k[i] - 1) + 1 - image[i] - p[i])
                        for i in range(len(k)))

    def window(self, offs):
        return (slice(None), slice(None)) + tuple(
            slice(o * self.d[i], o * self.d[i] + (self.out[i] - 1) * self.s[i] + 1, self.s[i])
            for i, o in enumerate(offs))

    def offsets(self):
        return product(*[range(k) for k in self.k])

    @property
    def overlapping(self):
        return any(self.s[i] < self.d[i] * (self.k[i] - 1) + 1 for i in range(len(self.k)))


def _pool_geometry(name, x, nd, kernel_size, stride, padding, dilation, ceil_mode):
    k = ntuple(kernel_size, nd, "kernel_size")
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else ntuple(stride, nd, "stride")
    p = ntuple(padding, nd, "padding")
    d = ntuple(dilation, nd, "dilation")
    if any(v <= 0 for v in k):
        raise RuntimeError(f"kernel size should be greater than zero, but got kernel_size={list(k)}")
    if any(v <= 0 for v in s):
        raise RuntimeError(f"stride should be greater than zero, but got stride={list(s)}")
    if any(v <= 0 for v in d):
        raise RuntimeError(f"dilation should be greater than zero, but got dilation={list(d)}")
    for i in range(nd):
        if p[i] < 0 or p[i] > k[i] // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p[i]}, "
                               f"kernel_size={k[i]} and dilation={d[i]}")
    if x.dim() not in (nd + 1, nd + 2) or x.numel() == 0 and any(v == 0 for v in x.shape[-nd:]):
        raise RuntimeError(f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for input")
    image = tuple(x.shape[-nd:])
    out = tuple(pool_out_size(image[i], k[i], s[i], p[i], d[i], ceil_mode) for i in range(nd))
    if any(v <= 0 for v in out):
        c = x.shape[-nd - 1]
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, (c,) + image))}). Calculated output size: "
                           f"({'x'.join(map(str, (c,) + out))}). Output size is too small")
    return PoolGeometry(k, s, p, d, image, out)


def _batched(x, nd):
    """(x as (N, C, *S), whether a batch dim was added)."""
    if x.dim() == nd + 1:
        return x.unsqueeze(0), True
    return x, False


# ----------------------------------------------------------------------------------------
# max pooling
# ----------------------------------------------------------------------------------------


def _max_pool_arrays(x, geo):
    """(max values, winning kernel-offset number) for every window of x (N, C, *S)."""
    xp = xp_of(x)
    lowest = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    xpad = pad_zeros(x, geo.p, geo.hi, value=lowest)
    kk = math.prod(geo.k)
    arg_dtype = np.uint8 if kk < 256 else np.int32
    best = arg = None
    for n, offs in enumerate(geo.offsets()):
        v = xpad[geo.window(offs)]
        if best is None:
            best = xp.array(v, copy=True)
            arg = xp.zeros(best.shape, arg_dtype)
            continue
        m = xp.greater(v, best)
        xp.copyto(best, v, where=m)
        xp.copyto(arg, n, where=m)
    if x.dtype.kind == "f" and xp.isnan(best).any():
        # PyTorch's rule: a NaN always takes the window (the last NaN wins)
        for n, offs in enumerate(geo.offsets()):
            v = xpad[geo.window(offs)]
            m = xp.isnan(v)
            xp.copyto(best, v, where=m)
            xp.copyto(arg, n, where=m)
    return best, arg


def _flat_indices(arg, geo):
    """PyTorch's indices: the flat position of each winner inside its (unpadded) input plane."""
    xp = xp_of(arg)
    nd = len(geo.k)
    kidx = xp.unravel_index(arg.astype(np.int64), geo.k)
    flat = None
    for i in range(nd):
        shape = [1] * (nd + 2)
        shape[2 + i] = geo.out[i]
        pos = (xp.arange(geo.out[i]) * geo.s[i] - geo.p[i]).reshape(shape) + kidx[i] * geo.d[i]
        flat = pos if flat is None else flat * geo.image[i] + pos
    return flat.astype(np.int64)


def _max_pool_scatter(g, arg, geo, dtype):
    """The gradient of max pooling: g written back to each window's winning position."""
    xp = xp_of(g)
    n, c = g.shape[:2]
    padded = tuple(geo.image[i] + geo.p[i] + geo.hi[i] for i in range(len(geo.k)))
    gx = xp.zeros((n, c) + padded, dtype)
    overlap = geo.overlapping
    for num, offs in enumerate(geo.offsets()):
        dst = gx[geo.window(offs)]
        m = arg == num
        if overlap:
            dst += xp.where(m, g, 0)
        else:  # windows are disjoint: every input cell is written at most once
            xp.copyto(dst, g, where=m)
    return crop(gx, geo.p, geo.image)


def _max_pool_gather(gg, arg, geo):
    """Inverse direction of the scatter: each window reads gg at its winning position."""
    xp = xp_of(gg)
    ggpad = pad_zeros(gg, geo.p, geo.hi)
    out = xp.zeros(arg.shape, gg.dtype)
    for num, offs in enumerate(geo.offsets()):
        xp.copyto(out, ggpad[geo.window(offs)], where=arg == num)
    return out


# ----------------------------------------------------------------------------------------
# max pooling over disjoint tiles (stride == kernel, no padding or dilation): the common case
# ----------------------------------------------------------------------------------------
# The window max is taken separably, first along W then along H. Doing W first keeps
# PyTorch's "first maximum in row-major order" rule: a tie between rows goes to the upper
# row, whose own winner is already its leftmost maximum. The per-axis winners are kept
# (not the combined offset), and the gradient is spread back one axis at a time with bit
# masks (exact: inf and NaN gradients land only on the winner, never 0 * inf).

_UINT = {2: np.uint16, 4: np.uint32, 8: np.uint64}


def _tiles(x, geo):
    return (len(geo.k) == 2 and geo.s == geo.k and not any(geo.p) and geo.d == (1, 1)
            and x.dtype.kind == "f" and x.itemsize in _UINT
            and all(geo.out[i] * geo.k[i] <= geo.image[i] for i in range(2)))


def _first_max(xp, views):
    """(max, index of the first maximum) over a list of same-shape views (rows split over threads)."""
    best = xp.empty(views[0].shape, views[0].dtype)
    idx = xp.empty(best.shape, np.bool_ if len(views) <= 2 else np.uint8)

    def part(lo, hi):
        _first_max_into(xp, [v[lo:hi] for v in views], best[lo:hi], idx[lo:hi])
    split_run(xp, part, best.shape[0], best.nbytes * len(views))
    return best, idx


def _first_max_into(xp, views, best, idx):
    if len(views) == 1:
        best[...] = views[0]
        idx[...] = 0
        return
    if len(views) == 2:
        xp.maximum(views[0], views[1], out=best)
        xp.greater(views[1], views[0], out=idx)
        return
    best[...] = views[0]
    idx[...] = 0
    for j in range(1, len(views)):
        m = xp.greater(views[j], best)
        xp.copyto(best, views[j], where=m)
        xp.copyto(idx, j, where=m)


def _spread(xp, src, idx, outs):
    """outs[j] = src where idx == j else +0.0, by bit masking (every element of every out written)."""
    def part(lo, hi):
        _spread_rows(xp, src[lo:hi], idx[lo:hi], [o[lo:hi] for o in outs])
    split_run(xp, part, src.shape[0], src.nbytes * len(outs))


def _spread_rows(xp, src, idx, outs):
    ut = _UINT[src.itemsize]
    bits = src.view(ut)
    if len(outs) == 1:
        outs[0].view(ut)[...] = bits
        return
    if len(outs) == 2:
        hit = outs[1].view(ut)
        xp.bitwise_and(bits, xp.subtract(0, idx, dtype=ut), out=hit)
        xp.bitwise_xor(bits, hit, out=outs[0].view(ut))
        return
    for j, o in enumerate(outs):
        xp.bitwise_and(bits, xp.subtract(0, idx == j, dtype=ut), out=o.view(ut))


_LITTLE_ENDIAN = sys.byteorder == "little"   # _spread_pairs: the left cell is the low half


def _spread_pairs(src, right, gx):
    """The kw == 2 case of _spread into the (contiguous) input gradient ``gx``: each output pair
    (left, right) is one integer twice the item's width, the item's bits shifted up by a full
    item when the right cell won. One contiguous pass instead of two writes at stride 2
    (which NumPy runs several times slower)."""
    half, whole = _UINT[src.itemsize], _UINT[src.itemsize * 2]
    pairs = gx.view(whole).reshape(src.shape)
    shift = src.itemsize * 8

    def part(lo, hi):
        amount = np.multiply(right[lo:hi].view(np.uint8), np.uint8(shift))
        np.left_shift(src[lo:hi].view(half), amount, out=pairs[lo:hi], dtype=whole)
    split_run(np, part, src.shape[0], gx.nbytes)


class _Winners:
    """Where each disjoint tile's maximum sits: per-row column winners, then the row winner."""
    __slots__ = ("aw", "ah", "k", "out", "shape", "_arg")

    def __init__(self, aw, ah, k, out, shape):
        self.aw, self.ah, self.k, self.out, self.shape, self._arg = aw, ah, k, out, shape, None

    def offsets(self):
        """The kernel-offset number (kh_i * kw + kw_i) of every window's winner, as (N, C, *out)."""
        if self._arg is None:
            kh, kw = self.k
            rows = self.aw.reshape(-1, kh, self.out[1])
            col = self.ah.reshape(-1, 1, self.out[1]).astype(np.intp)
            xp = xp_of(rows)
            col = xp.take_along_axis(rows, col, axis=1)[:, 0]
            arg = self.ah.astype(np.uint8) * np.uint8(kw) + col.astype(np.uint8)
            self._arg = arg.reshape(self.shape[:2] + tuple(self.out))
        return self._arg

    def scatter(self, g):
        xp = xp_of(g)
        (kh, kw), (oh, ow) = self.k, self.out
        n, c, h, w = self.shape
        rows = xp.empty((n * c * oh, kh, ow), g.dtype)
        # + 0 turns a -0.0 gradient into +0.0, as PyTorch's accumulation into zeros does
        _spread(xp, xp.add(g, g.dtype.type(0)).reshape(-1, ow), self.ah.reshape(-1, ow),
                [rows[:, j] for j in range(kh)])
        tiled = oh * kh == h and ow * kw == w
        gx = xp.empty(self.shape, g.dtype) if tiled else xp.zeros(self.shape, g.dtype)
        dst = gx if tiled else gx[:, :, :oh * kh, :ow * kw]
        if tiled and kw == 2 and xp is np and g.itemsize * 2 in _UINT and _LITTLE_ENDIAN:
            _spread_pairs(rows.reshape(-1, ow), self.aw, gx)
            return gx
        cells = xp.empty((n * c * oh * kh, ow, kw), g.dtype) if not tiled else gx.reshape(-1, ow, kw)
        _spread(xp, rows.reshape(-1, ow), self.aw, [cells[..., j] for j in range(kw)])
        if not tiled:
            dst[...] = cells.reshape(n, c, oh * kh, ow * kw)
        return gx


def _tiled_max_pool(x, geo):
    """(max, _Winners) for disjoint tiles, or None when a NaN is present (the general path decides)."""
    xp = xp_of(x)
    (kh, kw), (oh, ow) = geo.k, geo.out
    n, c = x.shape[:2]
    rows = x[:, :, :oh * kh, :ow * kw].reshape(-1, ow, kw)   # a view unless cropped
    bw, aw = _first_max(xp, [rows[..., j] for j in range(kw)])
    cols = bw.reshape(-1, kh, ow)
    best, ah = _first_max(xp, [cols[:, j] for j in range(kh)])
    if xp.isnan(best).any():
        return None
    return best.reshape(n, c, oh, ow), _Winners(aw, ah, geo.k, geo.out, x.shape)


def _offset_numbers(arg):
    return arg.offsets() if isinstance(arg, _Winners) else arg


class _MaxPoolWithIndices(Op):
    @staticmethod
    def forward(ctx, x, geo):
        res = _tiled_max_pool(x, geo) if _tiles(x, geo) else None
        best, arg = res if res is not None else _max_pool_arrays(x, geo)
        ctx.geo, ctx.arg = geo, arg
        return best

    @staticmethod
    def backward(ctx, g):
        return MaxPoolBackward.apply(g, ctx.arg, ctx.geo), None


class MaxPoolBackward(Op):
    @staticmethod
    def forward(ctx, g, arg, geo):
        ctx.arg, ctx.geo = arg, geo
        if isinstance(arg, _Winners):
            return arg.scatter(g)
        return _max_pool_scatter(g, arg, geo, g.dtype)

    @staticmethod
    def backward(ctx, gg):
        return MaxPoolGather.apply(gg, ctx.arg, ctx.geo), None, None


class MaxPoolGather(Op):
    @staticmethod
    def forward(ctx, gg, arg, geo):
        ctx.arg, ctx.geo = arg, geo
        return _max_pool_gather(gg, _offset_numbers(arg), geo)

    @staticmethod
    def backward(ctx, g):
        return MaxPoolBackward.apply(g, ctx.arg, ctx.geo), None, None


MaxPool2DWithIndices = type("MaxPool2DWithIndices", (_MaxPoolWithIndices,), {"__slots__": ()})
MaxPool3DWithIndices = type("MaxPool3DWithIndices", (_MaxPoolWithIndices,), {"__slots__": ()})


def _max_pool(nd, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, name):
    geo = _pool_geometry(name, input, nd, kernel_size, stride, padding, dilation, ceil_mode)
    x, added = _batched(input, nd)
    op = MaxPool3DWithIndices if nd == 3 else MaxPool2DWithIndices
    out = op.apply(x, geo)
    node = out.grad_fn
    if return_indices:
        arg = _offset_numbers(node.arg) if node is not None else _max_pool_arrays(x._data, geo)[1]
        idx = Tensor._make(_flat_indices(arg, geo))
    if added:
        out = out.squeeze(0)
        if return_indices:
            idx = idx.squeeze(0)
    return (out, idx) if return_indices else out


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """1-D max pooling over (N, C, L) or (C, L)."""
    if input.dim() not in (2, 3):
        raise RuntimeError(f"max_pool1d() Expected 2D or 3D input tensor, but got {list(input.shape)}")
    k, s = ntuple(kernel_size, 1), (ntuple(stride, 1) if stride is not None and stride != [] else None)
    p, d = ntuple(padding, 1), ntuple(dilation, 1)
    res = max_pool2d(input.unsqueeze(-2), (1, k[0]), None if s is None else (1, s[0]), (0, p[0]), (1, d[0]),
                     ceil_mode, return_indices)
    if return_indices:
        return res[0].squeeze(-2), res[1].squeeze(-2)
    return res.squeeze(-2)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """2-D max pooling over (N, C, H, W) or (C, H, W)."""
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, "max_pool2d")


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """3-D max pooling over (N, C, D, H, W) or (C, D, H, W)."""
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, "max_pool3d")


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


# ----------------------------------------------------------------------------------------
# average pooling
# ----------------------------------------------------------------------------------------


def _avg_divisor(xp, geo, count_include_pad, divisor_override, dtype):
    if divisor_override is not None:
        return dtype.type(divisor_override)
    div = None
    nd = len(geo.k)
    for i in range(nd):
        start = np.arange(geo.out[i]) * geo.s[i] - geo.p[i]
        end = np.minimum(start + geo.k[i], geo.image[i] + geo.p[i])
        if count_include_pad:
            cnt = end - start
        else:
            cnt = np.minimum(end, geo.image[i]) - np.maximum(start, 0)
        shape = [1] * nd
        shape[i] = geo.out[i]
        cnt = cnt.reshape(shape)
        div = cnt if div is None else div * cnt
    return xp.asarray(div.astype(dtype))


def _box_sum(xpad, geo):
    """Window sums, separably along each spatial dim (sum of k strided slices per dim)."""
    xp = xp_of(xpad)
    y = xpad
    for i in range(len(geo.k)):
        ax = 2 + i
        acc = None
        for o in range(geo.k[i]):
            sl = [slice(None)] * y.ndim
            sl[ax] = slice(o, o + (geo.out[i] - 1) * geo.s[i] + 1, geo.s[i])
            v = y[tuple(sl)]
            acc = xp.array(v, copy=True) if acc is None else xp.add(acc, v, out=acc)
        y = acc
    return y


def _box_sum_adjoint(g, geo, dtype):
    """Each window's value added back to every cell of the window (padded frame, then cropped)."""
    xp = xp_of(g)
    y = g
    for i in reversed(range(len(geo.k))):
        ax = 2 + i
        shape = list(y.shape)
        shape[ax] = geo.image[i] + geo.p[i] + geo.hi[i]
        acc = xp.zeros(shape, dtype)
        for o in range(geo.k[i]):
            sl = [slice(None)] * y.ndim
            sl[ax] = slice(o, o + (geo.out[i] - 1) * geo.s[i] + 1, geo.s[i])
            acc[tuple(sl)] += y
        y = acc
    return crop(y, geo.p, geo.image)


class _AvgPool(Op):
    @staticmethod
    def forward(ctx, x, geo, count_include_pad, divisor_override):
        xp = xp_of(x)
        ctx.args = (geo, count_include_pad, divisor_override)
        div = _avg_divisor(xp, geo, count_include_pad, divisor_override, x.dtype)
        y = _box_sum(pad_zeros(x, geo.p, geo.hi), geo)
        y /= div
        return y

    @staticmethod
    def backward(ctx, g):
        return AvgPoolBackward.apply(g, *ctx.args), None, None, None


class AvgPoolBackward(Op):
    @staticmethod
    def forward(ctx, g, geo, count_include_pad, divisor_override):
        ctx.args = (geo, count_include_pad, divisor_override)
        div = _avg_divisor(xp_of(g), geo, count_include_pad, divisor_override, g.dtype)
        return _box_sum_adjoint(g / div, geo, g.dtype)

    @staticmethod
    def backward(ctx, gg):
        geo = ctx.args[0]
        op = AvgPool3D if len(geo.k) == 3 else AvgPool2D
        return op.apply(gg, *ctx.args), None, None, None


AvgPool2D = type("AvgPool2D", (_AvgPool,), {"__slots__": ()})
AvgPool3D = type("AvgPool3D", (_AvgPool,), {"__slots__": ()})


def _avg_pool(nd, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, name):
    if input.dtype.is_floating_point is False:
        raise RuntimeError(f"\"{name}\" not implemented for '{_word(input.dtype)}'")
    geo = _pool_geometry(name, input, nd, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    x, added = _batched(input, nd)
    op = AvgPool3D if nd == 3 else AvgPool2D
    out = op.apply(x, geo, bool(count_include_pad), divisor_override)
    return out.squeeze(0) if added else out


def _word(d):
    return {"int64": "Long", "int32": "Int", "bool": "Bool", "uint8": "Byte"}.get(d.name, d.name)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """1-D average pooling over (N, C, L) or (C, L)."""
    if input.dim() not in (2, 3):
        raise RuntimeError(f"avg_pool1d() Expected 2D or 3D input tensor, but got {list(input.shape)}")
    k = ntuple(kernel_size, 1, "kernel_size")
    s = k if stride is None else ntuple(stride, 1, "stride")
    p = ntuple(padding, 1, "padding")
    out = avg_pool2d(input.unsqueeze(-2), (1, k[0]), (1, s[0]), (0, p[0]), ceil_mode, count_include_pad)
    return out.squeeze(-2)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """2-D average pooling over (N, C, H, W) or (C, H, W)."""
    return _avg_pool(2, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override,
                     "avg_pool2d")


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """3-D average pooling over (N, C, D, H, W) or (C, D, H, W)."""
    return _avg_pool(3, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override,
                     "avg_pool3d")


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling: (sum over the window of x**p) ** (1/p)."""
    k = ntuple(kernel_size, 1)[0]
    out = avg_pool1d(input.pow(norm_type), k, stride, 0, ceil_mode)
    return (out.sign() * out.abs().clamp(min=0)).mul(k).pow(1.0 / norm_type)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling: (sum over the window of x**p) ** (1/p)."""
    kh, kw = ntuple(kernel_size, 2)
    out = avg_pool2d(input.pow(norm_type), (kh, kw), stride, 0, ceil_mode)
    return (out.sign() * out.abs().clamp(min=0)).mul(kh * kw).pow(1.0 / norm_type)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling: (sum over the window of x**p) ** (1/p)."""
    kd, kh, kw = ntuple(kernel_size, 3)
    out = avg_pool3d(input.pow(norm_type), (kd, kh, kw), stride, 0, ceil_mode)
    return (out.sign() * out.abs().clamp(min=0)).mul(kd * kh * kw).pow(1.0 / norm_type)


from .pool_adaptive import *  # noqa: E402,F401,F403
from .pool_adaptive import __all__ as _adaptive_all  # noqa: E402

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices", "max_pool2d_with_indices",
           "avg_pool1d", "avg_pool2d", "avg_pool3d", "lp_pool1d", "lp_pool2d", "lp_pool3d"] + _adaptive_all
