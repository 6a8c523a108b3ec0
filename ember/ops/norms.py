"""Norms: torch.norm, linalg.vector_norm, linalg.matrix_norm, linalg.norm. Re-exported by reduction.py."""
import math

from .. import _dtype as dt
from .._backend import np
from .._tensor import Tensor
from ..autograd.function import Op
from ._common import type_word, wrap_dim, xp_of

BF16 = dt.bfloat16.np_dtype
INF = math.inf


def _real_dtype(d):
    return np.dtype(np.float32) if d == np.complex64 else np.dtype(np.float64) if d == np.complex128 else d


def _axes(input, dim):
    from .reduction import reduction_axes
    return reduction_axes(input, dim)


def _expand(g, shape, axes, keepdim):
    from .reduction import expand_reduced
    return expand_reduced(g, shape, axes, keepdim)


class LinalgVectorNorm(Op):
    saves_inputs = (0,)
    saves_output = True

    @staticmethod
    def forward(ctx, a, ord, axes, keepdim):
        xp = xp_of(a)
        ctx.ord, ctx.axes, ctx.keepdim, ctx.in_shape = ord, axes, keepdim, a.shape
        work = a.astype(np.float32) if a.dtype == BF16 or a.dtype == np.float16 else a
        mag = xp.abs(work)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if ord in (INF, -INF):
                if mag.size == 0 or any(a.shape[ax] == 0 for ax in axes):
                    raise RuntimeError("linalg.vector_norm cannot compute the inf norm on an empty tensor because "
                                       "the operation does not have an identity")
                res = (xp.max if ord > 0 else xp.min)(mag, axis=axes, keepdims=keepdim)
            elif ord == 0:
                res = (mag != 0).sum(axis=axes, keepdims=keepdim).astype(mag.dtype)
            elif ord == 1:
                res = mag.sum(axis=axes, keepdims=keepdim)
            elif ord == 2:
                res = xp.sqrt((mag * mag).sum(axis=axes, keepdims=keepdim))
            else:
                res = (mag ** ord).sum(axis=axes, keepdims=keepdim) ** (1.0 / ord)
        return xp.asarray(res).astype(_real_dtype(a.dtype), copy=False)

    @staticmethod
    def backward(ctx, g):
        from .pointwise import where
        a, out = ctx.saved_tensors
        p, axes, keepdim, shape = ctx.ord, ctx.axes, ctx.keepdim, ctx.in_shape
        g_e, n_e = _expand(g, shape, axes, keepdim), _expand(out, shape, axes, keepdim)
        if p == 0:  # piecewise constant: PyTorch gives no gradient at all
            return None, None, None, None
        if p == 1:
            return a.sgn() * g_e, None, None, None
        if p == 2:  # d|a| = a / |a|, taken as 0 where the norm is 0
            return a * where(n_e == 0, 0.0, g_e / n_e), None, None, None
        if p in (INF, -INF):  # like amax(|a|): ties (and NaNs) share the gradient
            mag = a.abs()
            mask = ((mag == n_e) | mag.isnan()).to(g.dtype)
            return a.sgn() * (g_e / mask.sum(axes, keepdim=True)) * mask, None, None, None
        # d ||a||_p / d a = sgn(a) |a|^(p-1) / ||a||_p^(p-1)
        if p < 1:
            scaled = where(a == 0, 0.0, a.sgn() * a.abs() ** (p - 1))
            return scaled * g_e * n_e ** (1 - p), None, None, None
        scaled = a.sgn() * a.abs() ** (p - 1) if p < 2 else a * a.abs() ** (p - 2)
        return scaled * where(n_e == 0, 0.0, g_e / n_e ** (p - 1)), None, None, None


def _check_float(fn, input):
    if not (input.is_floating_point() or input.is_complex()):
        raise RuntimeError(f"{fn}: Expected a floating point or complex tensor as input. Got "
                           f"{type_word(input.dtype)}")


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """The ``ord``-norm of ``x`` seen as a vector over ``dim`` (all elements by default)."""
    _check_float("linalg.vector_norm", x)
    if dtype is not None:
        x = x.to(dtype)
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.vector_norm: ord must be a number, got {ord}")
    res = LinalgVectorNorm.apply(x, float(ord), _axes(x, dim), bool(keepdim))
    return res if out is None else out.copy_(res)


class LinalgSvdNorm(Op):
    """Nuclear norm (sum of singular values) or spectral norms (largest / smallest one)."""

    @staticmethod
    def forward(ctx, a, kind, d0, d1, keepdim):
        xp = xp_of(a)
        m = xp.moveaxis(a, (d0, d1), (-2, -1))
        u, s, vh = xp.linalg.svd(m.astype(np.float32) if a.dtype == BF16 or a.dtype == np.float16 else m,
                                 full_matrices=False)
        ctx.d0, ctx.d1, ctx.keepdim = d0, d1, keepdim
        if kind == "nuc":
            res, ctx.dir = s.sum(-1), u @ vh
        else:
            k = xp.argmax(s, axis=-1) if kind == "max" else xp.argmin(s, axis=-1)
            res = xp.take_along_axis(s, k[..., None], axis=-1)[..., 0]
            uk = xp.take_along_axis(u, k[..., None, None], axis=-1)
            vk = xp.take_along_axis(vh, k[..., None, None], axis=-2)
            ctx.dir = uk @ vk  # d sigma_k / dA = u_k v_k^T
        ctx.dir = xp.moveaxis(ctx.dir, (-2, -1), (d0, d1)).astype(a.dtype)
        if keepdim:
            for d in sorted((d0, d1)):
                res = xp.expand_dims(res, d)
        return xp.asarray(res).astype(_real_dtype(a.dtype), copy=False)

    @staticmethod
    def backward(ctx, g):
        if not ctx.keepdim:
            for d in sorted((ctx.d0, ctx.d1)):
                g = g.unsqueeze(d)
        return g * Tensor._make(ctx.dir), None, None, None, None


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """Matrix norm over the two dims ``dim``: 'fro', 'nuc', 1, -1, 2, -2, inf, -inf."""
    _check_float("linalg.matrix_norm", A)
    if A._data.ndim < 2:
        raise RuntimeError(f"linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    if dtype is not None:
        A = A.to(dtype)
    d0, d1 = (wrap_dim(d, A._data.ndim) for d in dim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    if ord == "fro":
        res = vector_norm(A, 2, (d0, d1), keepdim)
    elif ord == "nuc":
        res = LinalgSvdNorm.apply(A, "nuc", d0, d1, bool(keepdim))
    elif ord in (2, -2):
        res = LinalgSvdNorm.apply(A, "max" if ord == 2 else "min", d0, d1, bool(keepdim))
    elif ord in (1, -1, INF, -INF):
        from .reduction import amax, amin, sum
        across, along = (d0, d1) if ord in (1, -1) else (d1, d0)  # 1: max column sum; inf: max row sum
        sums = sum(A.abs(), across, keepdim=True)
        res = (amax if ord > 0 else amin)(sums, along, keepdim=True)
        if not keepdim:
            res = res.squeeze(max(d0, d1)).squeeze(min(d0, d1))
    else:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    return res if out is None else out.copy_(res)


def linalg_norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """linalg.norm: a vector norm for one dim (or a flattened tensor), a matrix norm for two."""
    if dim is not None and not isinstance(dim, (tuple, list)):
        dim = (dim,)
    if ord is None:
        if dim is None or len(dim) == 1:
            return vector_norm(A, 2, dim, keepdim, dtype=dtype, out=out)
        return matrix_norm(A, "fro", dim, keepdim, dtype=dtype, out=out)
    if dim is None:
        nd = A._data.ndim
        if nd not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                               f"Got {nd}D.")
        dim = tuple(range(nd))
    if len(dim) == 1:
        return vector_norm(A, ord, dim, keepdim, dtype=dtype, out=out)
    return matrix_norm(A, ord, dim, keepdim, dtype=dtype, out=out)


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """torch.norm: 'fro' / numbers give vector norms over ``dim``; 'nuc' gives the nuclear norm."""
    if isinstance(dim, int):
        dim = (dim,)
    if isinstance(p, str):
        if p == "fro" and (dim is None or len(dim) <= 2):
            return vector_norm(input, 2, dim, keepdim, dtype=dtype, out=out)
        return matrix_norm(input, p, tuple(range(input._data.ndim)) if dim is None else dim, keepdim,
                           dtype=dtype, out=out)
    return vector_norm(input, 2.0 if p is None else p, dim, keepdim, dtype=dtype, out=out)


__all__ = ["norm"]
