"""Embedding lookups: ``embedding`` and ``embedding_bag``.

Both gather rows of ``weight``; their gradients scatter-add the upstream rows back
(through the differentiable ``scatter_into_zeros``), so double backward works.
Sparse gradients are not supported: ``sparse=True`` is accepted and gives a dense one.
(``one_hot`` lives in ``distance.py``.)
"""
from .. import _dtype as dt
from .._backend import np
from .._tensor import Tensor
from ..autograd.function import Op
from ..autograd.grad_mode import state as grad_state
from ..autograd.node import tensor_type_name
from ._loss_common import const
from .indexing import scatter_into_zeros

_INDEX_DTYPES = (np.int64, np.int32)


def _check_indices(indices, fn="embedding"):
    if indices._data.dtype not in _INDEX_DTYPES:
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {tensor_type_name(indices)} instead (while checking arguments for "
                           f"{fn})")


def _wrap_padding_idx(padding_idx, num, name):
    """``padding_idx`` made non-negative; ``name`` keeps each function's own message capitalisation."""
    if padding_idx is not None:
        assert -num <= padding_idx < num or padding_idx == 0, f"{name} must be within num_embeddings"
        if padding_idx < 0:
            padding_idx += num
    return padding_idx


def _check_range(idx, num):
    if idx.size and (idx.min() < 0 or idx.max() >= num):
        raise IndexError("index out of range in self")


def _renorm_(weight, idx, max_norm, norm_type):
    """Rescale (in place, untracked) the rows used by ``idx`` whose norm exceeds ``max_norm``."""
    rows = np.unique(idx.reshape(-1))
    w = weight._data
    sel = w[rows].astype(np.float64)
    if norm_type == float("inf"):
        norms = np.abs(sel).max(axis=1)
    else:
        norms = (np.abs(sel) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    over = norms > max_norm
    if over.any():
        scale = max_norm / (norms[over] + 1e-7)
        w[rows[over]] = (w[rows[over]] * scale[:, None]).astype(w.dtype)


def _grad_scale(idx, padding_idx, scale_grad_by_freq, dtype):
    """Per-lookup gradient multiplier: 0 for the padding row, 1/count with scale_grad_by_freq."""
    flat = idx.reshape(-1)
    scale = None
    if scale_grad_by_freq:
        counts = np.bincount(flat, minlength=1)
        scale = (1.0 / counts[flat]).astype(dtype)
    if padding_idx is not None and padding_idx >= 0:
        keep = (flat != padding_idx).astype(dtype)
        scale = keep if scale is None else scale * keep
    return scale


def _scatter_rows(rows, flat, num, scale):
    """out[flat[i]] += scale[i] * rows[i] into a zero (num, D) array, on arrays. A one-hot
    (num, n) matrix times ``rows`` is one GEMM (far faster than np.add.at) while that matrix
    is small; otherwise the rows are sorted by index and summed per run with add.reduceat."""
    n = flat.size
    out_shape = (num, rows.shape[1])
    if n == 0:
        return np.zeros(out_shape, rows.dtype)
    if num * n <= (1 << 22):
        onehot = np.zeros((num, n), rows.dtype)
        onehot[flat, np.arange(n)] = 1 if scale is None else scale
        return onehot @ rows
    if scale is not None:
        rows = rows * scale[:, None]
    order = np.argsort(flat, kind="stable")
    keys = flat[order]
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    out = np.zeros(out_shape, rows.dtype)
    out[keys[starts]] = np.add.reduceat(rows[order], starts, axis=0)
    return out


class Embedding(Op):
    @staticmethod
    def forward(ctx, weight, idx, padding_idx, scale_grad_by_freq):
        ctx.idx, ctx.num, ctx.padding_idx, ctx.freq = idx, weight.shape[0], padding_idx, scale_grad_by_freq
        return weight.take(idx, axis=0) if idx.ndim else weight[idx].copy()

    @staticmethod
    def backward(ctx, g):
        # d out[i] / d weight[idx[i]] = 1: scatter-add each upstream row to the row it read.
        flat = ctx.idx.reshape(-1)
        scale = _grad_scale(ctx.idx, ctx.padding_idx, ctx.freq, g._data.dtype)
        if not grad_state.enabled and g._data.dtype in (np.float32, np.float64) and type(g._data) is np.ndarray:
            rows = g._data.reshape(flat.size, g._data.shape[-1])
            return Tensor._make(_scatter_rows(rows, flat, ctx.num, scale)), None, None, None
        rows = g.reshape(flat.size, -1)
        if scale is not None:
            rows = rows * const(scale[:, None])
        return scatter_into_zeros(rows, (ctx.num, rows.shape[1]), flat, True), None, None, None


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Look up rows of ``weight`` at the integer ``input``: output shape ``input.shape + (D,)``."""
    num = weight.shape[0]
    padding_idx = _wrap_padding_idx(padding_idx, num, "Padding_idx")
    _check_indices(input)
    idx = input._data.astype(np.int64, copy=False)
    _check_range(idx, num)
    if max_norm is not None:
        _renorm_(weight, idx, max_norm, norm_type)
    return Embedding.apply(weight, idx, padding_idx, bool(scale_grad_by_freq))


# ---------------------------------------------------------------------------------------
# EmbeddingBag
# ---------------------------------------------------------------------------------------

class EmbeddingBag(Op):
    @staticmethod
    def forward(ctx, weight, idx, bag_of, n_bags, mode, psw, padding_idx, scale_grad_by_freq, counts):
        keep = np.ones(idx.shape, bool) if padding_idx is None else idx != padding_idx
        rows = weight[idx]
        dim = weight.shape[1]
        dtype = weight.dtype
        coef = keep.astype(dtype)                       # how much each lookup adds to its bag
        if psw is not None:
            coef = coef * psw
        if mode == "max":
            out = np.full((n_bags, dim), -np.inf, dtype)
            np.maximum.at(out, bag_of[keep], rows[keep])
            out[np.bincount(bag_of[keep], minlength=n_bags)[:n_bags] == 0] = 0
            # The gradient goes to the first lookup attaining each bag's maximum.
            hit = (rows == out[bag_of]) & keep[:, None]
            cum = np.cumsum(hit, axis=0)
            starts = np.searchsorted(bag_of, np.arange(n_bags))
            before = np.where(starts[:, None] > 0, cum[np.maximum(starts - 1, 0)], 0)
            ctx.mask = (hit & (cum - before[bag_of] == 1)).astype(dtype)
        else:
            if mode == "mean":
                coef = coef / np.maximum(counts, 1)[bag_of].astype(dtype)
            out = np.zeros((n_bags, dim), dtype)
            np.add.at(out, bag_of, rows * coef[:, None])
            ctx.mask = None
        ctx.coef, ctx.idx, ctx.bag_of, ctx.num, ctx.mode = coef, idx, bag_of, weight.shape[0], mode
        ctx.freq, ctx.padding_idx = scale_grad_by_freq, padding_idx
        return out

    @staticmethod
    def backward(ctx, g):
        per_lookup = g[Tensor._make(ctx.bag_of)]        # (M, D): each lookup's bag gradient
        if ctx.mode == "max":
            contrib = per_lookup * const(ctx.mask)
        else:
            contrib = per_lookup * const(ctx.coef[:, None])
        if ctx.freq:
            contrib = contrib * const(_grad_scale(ctx.idx, None, True, g._data.dtype)[:, None])
        return (scatter_into_zeros(contrib, (ctx.num, g.shape[1]), ctx.idx, True),) + (None,) * 8


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False,
                  mode="mean", sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """Sums, means or maxes of bags of embeddings, without materialising the lookups."""
    if weight.dtype == dt.int64 and input.is_floating_point():
        input, weight = weight, input  # PyTorch's legacy argument order
    num = weight.shape[0]
    padding_idx = _wrap_padding_idx(padding_idx, num, "padding_idx")
    if per_sample_weights is not None and tuple(input.shape) != tuple(per_sample_weights.shape):
        raise ValueError(f"embedding_bag: If per_sample_weights ({tuple(per_sample_weights.shape)}) is not None, "
                         f"then it must have the same shape as the input ({tuple(input.shape)})")
    if weight.ndim != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.ndim}")
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             f"fixed length sequences. However, found offsets of type {_type_repr(offsets)}")
        n_bags, length = input.shape
        off = np.arange(0, n_bags * length, length, dtype=np.int64) if length else np.zeros(n_bags, np.int64)
        include_last_offset = False
    elif input.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.ndim != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        off = offsets._data.astype(np.int64)
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.ndim}")
    if mode == "max":
        if scale_grad_by_freq:
            raise ValueError("max mode does not support scaling the gradient by the frequency")
        if sparse:
            raise ValueError("max mode does not support sparse weights")
    elif mode not in ("sum", "mean"):
        raise ValueError("mode has to be one of sum, mean or max")
    if max_norm is not None:
        _renorm_(weight, input._data, max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                  f"supported for mode='sum' (got mode='{mode}'). Please open a feature request "
                                  "on GitHub.")
    _check_indices(input, "embedding_bag")
    idx = input._data.reshape(-1).astype(np.int64, copy=False)
    _check_range(idx, num)
    if off.size and off[0] != 0:
        raise RuntimeError(f"offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
                           f"position 0. However, got {int(off[0])}")
    if off.size and off[-1] > idx.size:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {idx.size}, but got offsets[-1] "
                           f"of {int(off[-1])}")
    if include_last_offset:
        off = off[:-1]
    n_bags = off.size
    bag_of = (np.searchsorted(off, np.arange(idx.size), side="right") - 1).astype(np.int64)
    psw = None if per_sample_weights is None else per_sample_weights.reshape(-1)
    # Bag sizes come from the offsets, the last bag running to the end of the input (PyTorch counts it
    # that way for 'mean' even with include_last_offset).
    keep = np.ones(idx.shape, bool) if padding_idx is None else idx != padding_idx
    counts = np.bincount(bag_of[keep], minlength=n_bags)[:n_bags] if n_bags else np.zeros(0, np.int64)
    if include_last_offset:
        # Lookups past the last offset belong to no bag.
        inside = np.flatnonzero(np.arange(idx.size) < int(offsets._data[-1]))
        idx, bag_of = idx[inside], bag_of[inside]
        if psw is not None:
            psw = psw[Tensor._make(inside)]
    out = EmbeddingBag.apply(weight, idx, bag_of, n_bags, mode, None if psw is None else psw._data,
                             padding_idx, bool(scale_grad_by_freq), counts)
    if psw is not None and psw.requires_grad:
        out = out + _psw_grad_path(weight, idx, bag_of, n_bags, psw, padding_idx)
    return out


def _psw_grad_path(weight, idx, bag_of, n_bags, psw, padding_idx):
    """Zero-valued term that carries d out / d per_sample_weights = weight[idx] (summed per bag)."""
    rows = weight.detach()[Tensor._make(idx)]
    if padding_idx is not None:
        rows = rows * const((idx != padding_idx).astype(rows._data.dtype)[:, None])
    delta = rows * (psw - psw.detach()).unsqueeze(1)
    return scatter_into_zeros(delta, (n_bags, weight.shape[1]), bag_of, True)


def _type_repr(x):
    return "<class 'torch.Tensor'>" if isinstance(x, Tensor) else repr(type(x))


__all__ = ["embedding", "embedding_bag"]
