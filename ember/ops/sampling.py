"""Spatial resampling: pad, interpolate, pixel/channel shuffles (grid_sample and affine_grid in
``grid_sampling.py``).

Padding (reflect / replicate / circular) and interpolation (nearest, linear family, bicubic)
are separable: along each spatial axis the output is a weighted sum of a few "taps", each a
gather ``take(x, idx, axis) * weight``. The gradient is the adjoint, a scatter-add per tap,
done with a stable sort + ``add.reduceat`` (no ``np.add.at``).
"""
import math

from .._backend import np
from .._tensor import Tensor
from ..autograd.function import Op
from ._common import xp_of

# ----------------------------------------------------------------------------------------
# separable per-axis linear maps
# ----------------------------------------------------------------------------------------


class AxisTaps:
    """Along ``axis`` (length ``size``): out[i] = sum_t x[idx_t[i]] * w_t[i] (w None means 1)."""
    __slots__ = ("axis", "size", "taps")

    def __init__(self, axis, size, taps):
        self.axis, self.size, self.taps = axis, size, taps


def _bshape(ndim, axis, n):
    shape = [1] * ndim
    shape[axis] = n
    return tuple(shape)


def _map_axis(x, m):
    xp = xp_of(x)
    out = None
    for idx, w in m.taps:
        v = xp.take(x, xp.asarray(idx), axis=m.axis)
        if w is not None:
            v = v * xp.asarray(w.astype(x.dtype)).reshape(_bshape(x.ndim, m.axis, len(idx)))
        out = v if out is None else out + v
    return out


def _scatter_axis(g, idx, axis, size):
    """Adjoint of take(., idx, axis): sum g's slices that read the same source index."""
    xp = xp_of(g)
    order = np.argsort(idx, kind="stable")
    srt = idx[order]
    starts = np.flatnonzero(np.r_[True, srt[1:] != srt[:-1]])
    uniq = srt[starts]
    gs = xp.take(g, xp.asarray(order), axis=axis) if not np.array_equal(order, np.arange(len(idx))) else g
    summed = np.add.reduceat(gs, starts, axis=axis) if xp is np else _reduceat_generic(xp, gs, starts, axis)
    shape = list(g.shape)
    shape[axis] = size
    if len(uniq) == size:
        return summed
    out = xp.zeros(shape, g.dtype)
    sl = [slice(None)] * g.ndim
    sl[axis] = xp.asarray(uniq)
    out[tuple(sl)] = summed
    return out


def _reduceat_generic(xp, a, starts, axis):
    ends = list(starts[1:]) + [a.shape[axis]]
    parts = [a.take(xp.arange(s, e), axis=axis).sum(axis=axis, keepdims=True) for s, e in zip(starts, ends)]
    return xp.concatenate(parts, axis=axis)


def _adjoint_axis(g, m):
    out = None
    for idx, w in m.taps:
        gw = g if w is None else g * xp_of(g).asarray(w.astype(g.dtype)).reshape(_bshape(g.ndim, m.axis, len(idx)))
        v = _scatter_axis(gw, idx, m.axis, m.size)
        out = v if out is None else out + v
    return out


class _AxisMaps(Op):
    """y = the per-axis maps applied in turn (a separable linear map of x)."""

    @staticmethod
    def forward(ctx, x, maps):
        ctx.maps = maps
        for m in maps:
            x = _map_axis(x, m)
        return x

    @staticmethod
    def backward(ctx, g):
        return AxisMapsAdjoint.apply(g, ctx.maps), None


class AxisMapsAdjoint(Op):
    @staticmethod
    def forward(ctx, g, maps):
        ctx.maps = maps
        for m in reversed(maps):
            g = _adjoint_axis(g, m)
        return g

    @staticmethod
    def backward(ctx, gg):
        return _AxisMaps.apply(gg, ctx.maps), None


def _named(name):
    return type(name, (_AxisMaps,), {"__slots__": ()})


_OPS = {}


def _op(name):
    if name not in _OPS:
        _OPS[name] = _named(name)
    return _OPS[name]


# ----------------------------------------------------------------------------------------
# pad
# ----------------------------------------------------------------------------------------


class ConstantPadNd(Op):
    """Pad (or crop, for negative amounts) the trailing dims with a constant."""

    @staticmethod
    def forward(ctx, x, pads, value):
        ctx.pads = pads
        xp = xp_of(x)
        nd = len(pads)
        lead = x.ndim - nd
        shape = x.shape[:lead] + tuple(x.shape[lead + i] + a + b for i, (a, b) in enumerate(pads))
        if any(v < 0 for v in shape):
            raise RuntimeError(f"The input size {x.shape[lead + [i for i, v in enumerate(shape[lead:]) if v < 0][0]]}"
                               f", plus negative padding {pads} resulted in a negative output size, which is "
                               f"invalid. Check dimension {lead} of your input.")
        out = xp.full(shape, value, x.dtype) if value else xp.zeros(shape, x.dtype)
        src = (Ellipsis,) + tuple(slice(max(-a, 0), x.shape[lead + i] - max(-b, 0)) for i, (a, b) in enumerate(pads))
        dst = (Ellipsis,) + tuple(slice(max(a, 0), shape[lead + i] - max(b, 0)) for i, (a, b) in enumerate(pads))
        out[dst] = x[src]
        return out

    @staticmethod
    def backward(ctx, g):
        return ConstantPadNd.apply(g, tuple((-a, -b) for a, b in ctx.pads), 0), None, None


def _pad_index(mode, n, lo, hi):
    pos = np.arange(-lo, n + hi)
    if mode == "reflect":
        period = 2 * (n - 1)
        pos = np.abs(pos) % period if period else np.zeros_like(pos)
        return np.where(pos >= n, period - pos, pos)
    if mode == "replicate":
        return np.clip(pos, 0, n - 1)
    return pos % n  # circular


_PAD_NAMES = {"reflect": "ReflectionPad", "replicate": "ReplicationPad", "circular": "CircularPad"}


def pad(input, pad, mode="constant", value=None):
    """Pad the trailing dims of ``input``: ``pad = (left_last, right_last, left_prev, right_prev, ...)``."""
    if not isinstance(input, Tensor):
        raise TypeError(f"pad(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    nd = len(pad) // 2
    if nd > input.dim():
        raise RuntimeError("Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {input.dim()}")
    pairs = tuple((pad[2 * (nd - 1 - i)], pad[2 * (nd - 1 - i) + 1]) for i in range(nd))  # leading dim first
    if mode == "constant":
        return ConstantPadNd.apply(input, pairs, 0 if value is None else value)
    if mode not in _PAD_NAMES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    if not (1 <= nd <= 3) or input.dim() not in (nd + 1, nd + 2):
        raise NotImplementedError(f"Padding size {len(pad)} is not supported for {input.dim()}D input tensor.")
    lead = input.dim() - nd
    maps = []
    for i, (a, b) in enumerate(pairs):
        n = input.shape[lead + i]
        if mode == "reflect" and (a >= n or b >= n):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, "
                               f"but got: padding ({a}, {b}) at dimension {lead + i} of input {list(input.shape)}")
        if mode == "circular" and (a > n or b > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if mode == "replicate" and n == 0 and (a or b):
            raise RuntimeError(f"Expected {input.dim() - 1}D or {input.dim()}D (batch mode) tensor with possibly 0 "
                               f"batch size and other non-zero dimensions for input, but got: {list(input.shape)}")
        if a < 0 or b < 0:
            if mode != "circular":
                raise RuntimeError(f"negative padding is not supported for {mode} padding")
        maps.append(AxisTaps(lead + i, n, [(_pad_index(mode, n, a, b), None)]))
    return _op(f"{_PAD_NAMES[mode]}{nd}D").apply(input, tuple(maps))


# ----------------------------------------------------------------------------------------
# interpolate
# ----------------------------------------------------------------------------------------

_CUBIC_A = -0.75


def _cubic_weights(t):
    a = _CUBIC_A

    def near(x):  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    return far(t + 1), near(t), near(1 - t), far(2 - t)


def _source_scale(n_in, n_out, align_corners, scale):
    if align_corners:
        return (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
    return 1.0 / scale if scale is not None and scale > 0 else n_in / n_out


def _axis_taps(mode, n_in, n_out, align_corners, scale, axis):
    dst = np.arange(n_out, dtype=np.float64)
    if mode in ("nearest", "nearest-exact"):
        sc = 1.0 / scale if scale is not None and scale > 0 else n_in / n_out
        shift = 0.5 if mode == "nearest-exact" else 0.0
        # PyTorch computes this index in float32
        src32 = (dst.astype(np.float32) + np.float32(shift)) * np.float32(sc)
        src = np.minimum(np.floor(src32).astype(np.int64), n_in - 1)
        return AxisTaps(axis, n_in, [(src, None)])
    sc = _source_scale(n_in, n_out, align_corners, scale)
    if align_corners:
        src = dst * sc
    else:
        src = (dst + 0.5) * sc - 0.5
        if mode != "bicubic":
            src = np.maximum(src, 0.0)
    lo = np.floor(src).astype(np.int64)
    t = src - lo
    if mode == "bicubic":
        ws = _cubic_weights(t)
        return AxisTaps(axis, n_in, [(np.clip(lo + j - 1, 0, n_in - 1), ws[j]) for j in range(4)])
    lo = np.minimum(lo, n_in - 1)
    hi = np.minimum(lo + 1, n_in - 1)
    return AxisTaps(axis, n_in, [(lo, 1.0 - t), (hi, t)])


_MODE_DIMS = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}
_OP_NAMES = {"nearest": "UpsampleNearest", "nearest-exact": "UpsampleNearestExact", "linear": "UpsampleLinear",
             "bilinear": "UpsampleBilinear", "bicubic": "UpsampleBicubic", "trilinear": "UpsampleTrilinear"}


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize the spatial dims of (N, C, *S) by ``size`` or ``scale_factor``."""
    nd = input.dim() - 2
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    if antialias:
        raise NotImplementedError("ember: interpolate(antialias=True) is not supported")
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        sizes = [size] * nd if isinstance(size, int) else list(size)
        if len(sizes) != nd:
            raise ValueError(f"Input and output must have the same number of spatial dimensions, but got input with "
                             f"spatial dimensions of {list(input.shape[2:])} and output size of {sizes}. Please "
                             f"provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, "
                             f"...,oK) format.")
        sizes = [int(v) for v in sizes]
        scales = [None] * nd
    elif scale_factor is not None:
        scales = [float(scale_factor)] * nd if not isinstance(scale_factor, (list, tuple)) else \
            [float(v) for v in scale_factor]
        if len(scales) != nd:
            raise ValueError(f"Input and scale_factor must have the same number of spatial dimensions, but got input "
                             f"with spatial dimensions of {list(input.shape[2:])} and scale_factor of shape "
                             f"{list(scale_factor)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format "
                             f"and scale_factor in (s1, s2, ...,sK) format.")
        sizes = [int(math.floor(float(input.shape[2 + i]) * scales[i])) for i in range(nd)]
        if recompute_scale_factor:
            scales = [None] * nd
    else:
        raise ValueError("either size or scale_factor should be defined")
    if mode == "area":
        from .pool import adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d
        return (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d)[nd - 1](input, sizes)
    if mode not in _OP_NAMES:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) "
                                  f"for the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
                                  f"nearest-exact (got {mode})")
    need = _MODE_DIMS.get(mode)
    if need is not None and need != nd or not 1 <= nd <= 3:
        if not 1 <= nd <= 3:
            raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got "
                                      f"{input.dim()}D) for the modes: nearest | linear | bilinear | bicubic | "
                                      f"trilinear | area | nearest-exact (got {mode})")
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs {need + 2}D input")
    if any(v <= 0 for v in sizes):
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input "
                           f"({', '.join(map(str, input.shape[2:]))}) and output ({', '.join(map(str, sizes))})")
    maps = tuple(_axis_taps(mode, input.shape[2 + i], sizes[i], align_corners, scales[i], 2 + i) for i in range(nd))
    return _op(f"{_OP_NAMES[mode]}{nd}D").apply(input, maps)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ----------------------------------------------------------------------------------------
# pixel / channel shuffles: pure permutations of elements
# ----------------------------------------------------------------------------------------


class _Permutation(Op):
    """A reshape-transpose-reshape; its gradient is the inverse permutation."""

    @staticmethod
    def forward(ctx, x, shape1, perm, shape2):
        ctx.shapes = (shape1, perm, shape2, x.shape)
        return xp_of(x).ascontiguousarray(x.reshape(shape1).transpose(perm)).reshape(shape2)

    @staticmethod
    def backward(ctx, g):
        shape1, perm, shape2, in_shape = ctx.shapes
        inv = tuple(int(i) for i in np.argsort(perm))
        mid = tuple(shape1[p] for p in perm)
        return type(ctx).apply(g, mid, inv, in_shape), None, None, None


PixelShuffle = type("PixelShuffle", (_Permutation,), {"__slots__": ()})
PixelUnshuffle = type("PixelUnshuffle", (_Permutation,), {"__slots__": ()})
ChannelShuffle = type("ChannelShuffle", (_Permutation,), {"__slots__": ()})


def pixel_shuffle(input, upscale_factor):
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r)."""
    r = int(upscale_factor)
    if input.dim() < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.dim()} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    L = len(lead)
    oc = c // (r * r)
    shape1 = tuple(lead) + (oc, r, r, h, w)
    perm = tuple(range(L)) + (L, L + 3, L + 1, L + 4, L + 2)
    return PixelShuffle.apply(input, shape1, perm, tuple(lead) + (oc, h * r, w * r))


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W)."""
    r = int(downscale_factor)
    if input.dim() < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.dim()} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    *lead, c, h, w = input.shape
    if h % r:
        raise RuntimeError(f"pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)="
                           f"{h} is not divisible by {r}")
    if w % r:
        raise RuntimeError(f"pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)="
                           f"{w} is not divisible by {r}")
    L = len(lead)
    shape1 = tuple(lead) + (c, h // r, r, w // r, r)
    perm = tuple(range(L)) + (L, L + 2, L + 4, L + 1, L + 3)
    return PixelUnshuffle.apply(input, shape1, perm, tuple(lead) + (c * r * r, h // r, w // r))


def channel_shuffle(input, groups):
    """Interleave channels: (N, g*k, *) viewed as (N, g, k, *) -> (N, k, g, *)."""
    g = int(groups)
    if g <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of groups:{g}")
    if input.dim() <= 2:
        raise RuntimeError(f"channel_shuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.dim()} dimension(s)")
    n, c = input.shape[:2]
    if c % g:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels and {g} groups.")
    rest = tuple(input.shape[2:])
    return ChannelShuffle.apply(input, (n, g, c // g) + rest, (0, 2, 1) + tuple(range(3, 3 + len(rest))),
                                tuple(input.shape))


native_channel_shuffle = channel_shuffle

from .grid_sampling import affine_grid, grid_sample  # noqa: E402

__all__ = ["pad", "interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "pixel_shuffle",
           "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle", "grid_sample", "affine_grid"]
