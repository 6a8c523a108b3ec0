"""Sorting and selection: sort, argsort, topk, kthvalue, unique, searchsorted, bincount, histc.

Every ordering is a stable ``argsort`` (NaN sorts as the largest value, as in PyTorch);
descending order keeps equal elements in their original order, like ``stable=True``.
gather / scatter live in scatter.py and are re-exported here.
"""
from .. import _dtype as dt
from .. import return_types
from .._backend import np
from .._tensor import Tensor
from ..autograd.function import Op
from ._common import type_word, wrap_dim, write_out, xp_of
from .scatter import (Gather, Scatter, gather, index_reduce, index_reduce_, scatter, scatter_, scatter_add,
                      scatter_add_, scatter_reduce, scatter_reduce_, take_along_dim)

BF16 = dt.bfloat16.np_dtype


def sortable(a):
    """``a`` in a dtype NumPy sorts natively (bfloat16 goes through float32, order preserved)."""
    return a.astype(np.float32) if a.dtype == BF16 else a


def stable_order(a, dim, descending=False):
    """Indices that sort ``a`` along ``dim``; ties keep their original order in both directions."""
    xp = xp_of(a)
    a = sortable(a)
    if not descending:
        return xp.argsort(a, axis=dim, kind="stable")
    # Sort the reversed array ascending and read it backwards: descending, ties by original index.
    order = xp.argsort(xp.flip(a, dim), axis=dim, kind="stable")
    return (a.shape[dim] - 1) - xp.flip(order, dim)


def select_backward(g, dim, indices, in_shape, keepdim=True):
    """Gradient of picking ``indices`` along ``dim``: ``g`` put back at those positions, zeros elsewhere."""
    if not keepdim and len(in_shape):
        g = g.unsqueeze(dim)
        indices = xp_of(indices).expand_dims(indices, dim)
    zeros = Tensor._make(xp_of(g._data).zeros(in_shape, g._data.dtype))
    return Scatter.apply(zeros, dim, indices, g)


# ---------------------------------------------------------------------------------------
# sort / argsort / topk / kthvalue
# ---------------------------------------------------------------------------------------

class Sort(Op):
    @staticmethod
    def forward(ctx, a, dim, descending):
        xp = xp_of(a)
        if a.ndim == 0:
            idx = xp.zeros((), np.int64)
            ctx.dim, ctx.indices, ctx.in_shape = 0, idx, a.shape
            return a.copy(), idx
        idx = stable_order(a, dim, descending)
        ctx.dim, ctx.indices, ctx.in_shape = dim, idx, a.shape
        return xp.take_along_axis(a, idx, axis=dim), idx

    @staticmethod
    def backward(ctx, g, _g_indices):
        return select_backward(g, ctx.dim, ctx.indices, ctx.in_shape), None, None


def sort(input, dim=-1, descending=False, stable=False, *, out=None):
    """Sorted values and their original indices along ``dim`` (NaN last ascending, first descending)."""
    dim = wrap_dim(dim, input._data.ndim)
    values, indices = Sort.apply(input, dim, bool(descending))
    if out is not None:
        return return_types.sort((write_out(out[0], values), write_out(out[1], indices)))
    return return_types.sort((values, indices))


def argsort(input, dim=-1, descending=False, stable=False):
    """Indices that sort ``input`` along ``dim``."""
    dim = wrap_dim(dim, input._data.ndim)
    if input._data.ndim == 0:
        return Tensor._make(np.zeros((), np.int64))
    return Tensor._make(stable_order(input._data, dim, bool(descending)).astype(np.int64, copy=False))


def msort(input, *, out=None):
    """``input`` sorted along its first dimension."""
    return sort(input, 0).values


class Topk(Op):
    @staticmethod
    def forward(ctx, a, k, dim, largest):
        xp = xp_of(a)
        n = a.shape[dim] if a.ndim else 1
        if not 0 <= k <= n:
            raise RuntimeError("selected index k out of range")
        if a.ndim == 0:
            idx = xp.zeros((), np.int64)
            ctx.dim, ctx.indices, ctx.in_shape = 0, idx, a.shape
            return a.copy(), idx
        order = stable_order(a, dim, descending=largest)
        idx = xp.take(order, xp.arange(k), axis=dim)
        ctx.dim, ctx.indices, ctx.in_shape = dim, idx, a.shape
        return xp.take_along_axis(a, idx, axis=dim), idx

    @staticmethod
    def backward(ctx, g, _g_indices):
        return select_backward(g, ctx.dim, ctx.indices, ctx.in_shape), None, None, None


def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    """The ``k`` largest (or smallest) values along ``dim`` and their indices, best first.

    NOTE: ties come in index order; PyTorch's CPU kernel may order ties differently.
    """
    dim = wrap_dim(dim, input._data.ndim)
    return return_types.topk(Topk.apply(input, int(k), dim, bool(largest)))


class Kthvalue(Op):
    @staticmethod
    def forward(ctx, a, k, dim, keepdim):
        xp = xp_of(a)
        n = a.shape[dim] if a.ndim else 1
        if not 1 <= k <= n:
            raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {dim}")
        ctx.dim, ctx.in_shape = dim, a.shape
        if a.ndim == 0:
            ctx.indices = xp.zeros((), np.int64)
            return a.copy(), ctx.indices
        order = stable_order(a, dim)
        idx = xp.take(order, xp.asarray([k - 1]), axis=dim)
        values = xp.take_along_axis(a, idx, axis=dim)
        ctx.indices = idx
        if not keepdim:
            values, idx = values.squeeze(dim), idx.squeeze(dim)
        return values, idx

    @staticmethod
    def backward(ctx, g, _g_indices):
        if ctx.in_shape == ():
            return g, None, None, None
        if g._data.ndim < len(ctx.in_shape):
            g = g.unsqueeze(ctx.dim)
        return select_backward(g, ctx.dim, ctx.indices, ctx.in_shape), None, None, None


def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """The ``k``-th smallest value along ``dim`` and its index."""
    dim = wrap_dim(dim, input._data.ndim)
    return return_types.kthvalue(Kthvalue.apply(input, int(k), dim, bool(keepdim)))


# ---------------------------------------------------------------------------------------
# unique
# ---------------------------------------------------------------------------------------

def _unique_result(values, inverse, counts, return_inverse, return_counts):
    out = [Tensor._make(values)]
    if return_inverse:
        out.append(Tensor._make(inverse.astype(np.int64, copy=False)))
    if return_counts:
        out.append(Tensor._make(counts.astype(np.int64, copy=False)))
    return out[0] if len(out) == 1 else tuple(out)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct values (sorted), optionally with each element's slot and each value's count.

    NaNs are all distinct, as in PyTorch.
    """
    a = input._data
    xp = xp_of(a)
    work = sortable(a)
    if dim is None:
        vals, inv, counts = xp.unique(work.reshape(-1), return_inverse=True, return_counts=True,
                                      equal_nan=False)
        return _unique_result(vals.astype(a.dtype, copy=False), inv.reshape(a.shape), counts,
                              return_inverse, return_counts)
    dim = wrap_dim(dim, a.ndim)
    if a.shape[dim] == 0:
        return _unique_result(a.copy(), xp.zeros(0, np.int64), xp.zeros(0, np.int64), return_inverse,
                              return_counts)
    vals, inv, counts = xp.unique(work, axis=dim, return_inverse=True, return_counts=True)
    return _unique_result(vals.astype(a.dtype, copy=False), inv.reshape(-1), counts, return_inverse,
                          return_counts)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Collapse runs of equal consecutive elements (or slices along ``dim``) to one."""
    a = input._data
    xp = xp_of(a)
    if dim is None:
        flat = a.reshape(-1)
        starts = xp.ones(flat.shape, bool)
        starts[1:] = flat[1:] != flat[:-1]
        vals = flat[starts]
        inv = (xp.cumsum(starts) - 1).reshape(a.shape)
    else:
        dim = wrap_dim(dim, a.ndim)
        moved = xp.moveaxis(a, dim, 0)
        rows = moved.reshape(moved.shape[0], -1)
        starts = xp.ones(rows.shape[0], bool)
        starts[1:] = (rows[1:] != rows[:-1]).any(axis=1)
        vals = xp.moveaxis(moved[starts], 0, dim)
        inv = xp.cumsum(starts) - 1
    positions = xp.flatnonzero(starts)
    counts = xp.diff(xp.append(positions, starts.size))
    return _unique_result(xp.ascontiguousarray(vals), inv, counts, return_inverse, return_counts)


# ---------------------------------------------------------------------------------------
# searchsorted / bucketize / bincount / histc
# ---------------------------------------------------------------------------------------

def _search_rows(seq, vals, side):
    """searchsorted row by row: seq (..., n), vals (..., m) with the same leading dims."""
    xp = xp_of(seq)
    lead = seq.shape[:-1]
    n, m = seq.shape[-1], vals.shape[-1]
    rows = seq.reshape(-1, n)
    queries = vals.reshape(-1, m)
    if rows.shape[0] * n * m <= 1 << 24:
        # one broadcast comparison: position = how many sequence entries sort before the value
        cmp = rows[:, None, :] <= queries[:, :, None] if side == "right" else rows[:, None, :] < queries[:, :, None]
        return cmp.sum(axis=-1).reshape(lead + (m,))
    return xp.stack([xp.searchsorted(r, q, side=side) for r, q in zip(rows, queries)]).reshape(lead + (m,))


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None, out=None):
    """Insertion positions of ``input``'s values in ``sorted_sequence`` (innermost dimension)."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of "
                               "left while right was True")
        right = side == "right"
    side = "right" if right else "left"
    seq = sorted_sequence._data
    xp = xp_of(seq)
    scalar = not isinstance(input, Tensor)
    vals = xp.asarray(input) if scalar else input._data
    if sorter is not None:
        seq = xp.take_along_axis(seq, sorter._data.astype(np.int64), axis=-1)
    if seq.dtype == BF16 or vals.dtype == BF16:
        seq, vals = seq.astype(np.float32), vals.astype(np.float32)
    if seq.ndim == 1:
        res = xp.searchsorted(seq, vals, side=side)
    else:
        if seq.shape[:-1] != vals.shape[:-1]:
            raise RuntimeError(f"torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                               f"dimensions of boundaries tensor and input value tensor must match, but we got "
                               f"boundaries tensor {list(seq.shape)} and input value tensor {list(vals.shape)}")
        res = _search_rows(seq, vals, side)
    res = xp.asarray(res).astype(np.int32 if out_int32 else np.int64)
    result = Tensor._make(res)
    return result if out is None else out.copy_(result)


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """Index of the bucket (between consecutive ``boundaries``) each value falls in."""
    if boundaries._data.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries._data.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


def bincount(input, weights=None, minlength=0):
    """Occurrences of each non-negative integer in a 1-D ``input`` (summed ``weights`` if given)."""
    a = input._data
    xp = xp_of(a)
    if a.ndim != 1 or a.dtype.kind not in "iub" or (a.size and int(a.min()) < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is None:
        return Tensor._make(xp.bincount(a.astype(np.int64), minlength=minlength).astype(np.int64))
    w = weights._data
    if w.shape != a.shape:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    out_dtype = w.dtype if (w.dtype.kind == "f" or w.dtype == BF16) else np.dtype(np.float64)
    counts = xp.bincount(a.astype(np.int64), weights=w.astype(np.float64), minlength=minlength)
    return Tensor._make(counts.astype(out_dtype))


def histc(input, bins=100, min=0, max=0, *, out=None):
    """Histogram with ``bins`` equal-width bins over [min, max] (the data's range when min == max)."""
    a = input._data
    xp = xp_of(a)
    if not (a.dtype.kind == "f" or a.dtype == BF16):
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{type_word(input.dtype)}'")
    if bins <= 0:
        raise RuntimeError("torch.histc(): bins must be > 0, but got " + str(bins) + " for dim 0")
    work = a.astype(np.float32) if a.dtype == BF16 else a
    lo, hi = work.dtype.type(min), work.dtype.type(max)
    if lo == hi and work.size:
        finite = work[~xp.isnan(work)]
        if finite.size:
            lo, hi = finite.min(), finite.max()
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError(f"torch.histc: max must be larger than min")
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{lo}, {hi}] is not finite")
    flat = work.reshape(-1)
    inside = flat[(flat >= lo) & (flat <= hi)]
    # same arithmetic as PyTorch: (x - lo) * bins / (hi - lo), truncated, top edge into the last bin
    pos = ((inside - lo) * work.dtype.type(bins) / (hi - lo)).astype(np.int64)
    pos[pos == bins] = bins - 1
    hist = xp.bincount(pos, minlength=bins).astype(a.dtype)
    result = Tensor._make(hist)
    return result if out is None else out.copy_(result)


__all__ = ["sort", "argsort", "msort", "topk", "kthvalue", "unique", "unique_consecutive", "searchsorted",
           "bucketize", "bincount", "histc", "gather", "take_along_dim", "scatter", "scatter_add",
           "scatter_reduce", "index_reduce"]
METHODS = ["sort", "argsort", "msort", "topk", "kthvalue", "unique", "unique_consecutive", "bincount",
           "histc", "gather", "take_along_dim", "scatter", "scatter_add", "scatter_reduce", "index_reduce",
           "scatter_", "scatter_add_", "scatter_reduce_", "index_reduce_"]

_ = (Gather, scatter_, scatter_add_, scatter_reduce_, index_reduce_)
