"""Connectionist Temporal Classification loss.

The forward (alpha) and backward (beta) recursions run in log space, one Python step
per time frame, vectorised over the batch and over every position of the blank-
extended target sequence. The gradient is PyTorch's: ``exp(lp) - exp(log(sum of
alpha*beta over positions labelled c) + nll - lp)``, which is exact once log_probs come
from a log_softmax (the ``exp(lp)`` term then cancels), as PyTorch documents.
"""
from .._backend import np
from .._tensor import Tensor
from ..autograd.function import Op
from ._loss_common import check_reduction, const

NEG_INF = -np.inf


def _logsumexp3(a, b, c):
    m = np.maximum(np.maximum(a, b), c)
    m_safe = np.where(np.isfinite(m), m, 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return m_safe + np.log(np.exp(a - m_safe) + np.exp(b - m_safe) + np.exp(c - m_safe))


def _shift(a, k, fill=NEG_INF):
    """``a`` moved k places to the right along the last axis, ``fill`` entering on the left."""
    out = np.full_like(a, fill)
    out[..., k:] = a[..., :a.shape[-1] - k]
    return out


class CtcLoss(Op):
    @staticmethod
    def forward(ctx, lp, targets, in_lens, tgt_lens, blank, zero_infinity):
        t_max, n, n_classes = lp.shape
        s_max = targets.shape[1]
        width = 2 * s_max + 1
        ext = np.full((n, width), blank, np.int64)   # blank, l1, blank, l2, ..., blank
        ext[:, 1::2] = targets
        pos = np.arange(width)
        inside = pos[None, :] < (2 * tgt_lens + 1)[:, None]
        skip = np.zeros((n, width), bool)
        skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
        emit = np.take_along_axis(lp, np.broadcast_to(ext[None], (t_max, n, width)), axis=2).astype(np.float64)
        emit = np.where(inside[None], emit, NEG_INF)
        alpha = np.full((t_max, n, width), NEG_INF)
        if t_max:
            alpha[0, :, 0] = emit[0, :, 0]
            if width > 1:
                alpha[0, :, 1] = np.where(tgt_lens > 0, emit[0, :, 1], NEG_INF)
        for t in range(1, t_max):
            prev = alpha[t - 1]
            alpha[t] = _logsumexp3(prev, _shift(prev, 1), np.where(skip, _shift(prev, 2), NEG_INF)) + emit[t]
        last_t = np.maximum(in_lens - 1, 0)
        rows = np.arange(n)
        end = alpha[last_t, rows, 2 * tgt_lens] if t_max else np.full(n, NEG_INF)
        end2 = np.where(tgt_lens > 0, alpha[last_t, rows, np.maximum(2 * tgt_lens - 1, 0)], NEG_INF) \
            if t_max else end
        nll = -np.logaddexp(end, end2)
        ctx.saved = (lp, ext, skip, emit, alpha, in_lens, tgt_lens, nll, zero_infinity)
        if zero_infinity:
            nll = np.where(np.isinf(nll), 0, nll)
        return nll.astype(lp.dtype)

    @staticmethod
    def backward(ctx, g):
        grad = _ctc_grad(*ctx.saved)
        return const(grad) * g.reshape(1, -1, 1), None, None, None, None, None


def _ctc_grad(lp, ext, skip, emit, alpha, in_lens, tgt_lens, nll, zero_infinity):
    t_max, n, n_classes = lp.shape
    width = ext.shape[1]
    rows = np.arange(n)
    beta = np.full((t_max, n, width), NEG_INF)
    skip_next = np.zeros_like(skip)
    skip_next[:, :-2] = skip[:, 2:]              # may position s jump to s + 2?
    start = np.zeros((n, width), bool)
    start[rows, 2 * tgt_lens] = True
    start[rows, np.maximum(2 * tgt_lens - 1, 0)] |= tgt_lens > 0
    nxt = np.full((n, width), NEG_INF)
    for t in range(t_max - 1, -1, -1):
        ahead1 = np.full_like(nxt, NEG_INF)
        ahead1[:, :-1] = nxt[:, 1:]
        ahead2 = np.full_like(nxt, NEG_INF)
        ahead2[:, :-2] = nxt[:, 2:]
        cur = _logsumexp3(nxt, ahead1, np.where(skip_next, ahead2, NEG_INF)) + emit[t]
        final = (in_lens - 1 == t)[:, None]
        cur = np.where(final, np.where(start, emit[t], NEG_INF), cur)
        beta[t] = cur
        nxt = cur
    ab = alpha + beta                                          # (T, N, width)
    top = ab.max(axis=2, keepdims=True)
    top = np.where(np.isfinite(top), top, 0)
    weights = np.exp(ab - top)
    # Sum the alpha*beta mass per class with one bincount (labels repeat inside a sequence).
    flat = (np.arange(t_max)[:, None, None] * n + rows[None, :, None]) * n_classes + ext[None]
    mass = np.bincount(flat.reshape(-1), weights=weights.reshape(-1), minlength=t_max * n * n_classes)
    mass = mass.reshape(t_max, n, n_classes)
    lp64 = lp.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        grad = np.exp(lp64) - mass * np.exp(top + nll[None, :, None] - lp64)
    grad = np.where((np.arange(t_max)[:, None] < in_lens[None, :])[:, :, None], grad, 0)
    if zero_infinity:
        grad = np.where(np.isinf(nll)[None, :, None], 0, grad)
    return grad.astype(lp.dtype)


def _as_lengths(x, name):
    if isinstance(x, Tensor):
        return x._data.astype(np.int64).reshape(-1)
    return np.asarray(x, dtype=np.int64).reshape(-1)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False):
    """CTC loss of log-probabilities (T, N, C) against padded (N, S) or concatenated targets."""
    check_reduction(reduction)
    unbatched = log_probs.ndim == 2
    lp = log_probs.unsqueeze(1) if unbatched else log_probs
    t_max, n, n_classes = lp.shape
    in_lens = _as_lengths(input_lengths, "input_lengths")
    tgt_lens = _as_lengths(target_lengths, "target_lengths")
    tg = targets._data.astype(np.int64)
    if unbatched and tg.ndim == 1 and tgt_lens.size == 1 and tg.shape[0] >= tgt_lens[0]:
        tg = tg.reshape(1, -1)
    if in_lens.size != n:
        raise RuntimeError(f"input_lengths must be of size batch_size")
    if tgt_lens.size != n:
        raise RuntimeError(f"target_lengths must be of size batch_size")
    if not 0 <= blank < n_classes:
        raise RuntimeError("blank must be in label range")
    if (in_lens > t_max).any():
        raise RuntimeError(f"Expected input_lengths to have value at most {t_max}, but got value "
                           f"{int(in_lens[in_lens > t_max][0])} (while checking arguments for ctc_loss_cpu)")
    if tg.ndim == 1:  # concatenated targets: cut them into a padded (N, S) block
        offsets = np.concatenate([[0], np.cumsum(tgt_lens)[:-1]]).astype(np.int64)
        s_max = int(tgt_lens.max()) if n else 0
        cols = np.arange(s_max)
        idx = np.minimum(offsets[:, None] + cols[None, :], max(tg.size - 1, 0))
        padded = np.where(cols[None, :] < tgt_lens[:, None], tg[idx] if tg.size else 0, blank)
    else:
        s_max = int(tgt_lens.max()) if n else 0
        if tg.shape[1] < s_max:
            raise RuntimeError(f"Expected tensor to have size at least {s_max} at dimension 1, but got size "
                               f"{tg.shape[1]} for argument #2 'targets' (while checking arguments for "
                               "ctc_loss_cpu)")
        padded = np.where(np.arange(tg.shape[1])[None, :] < tgt_lens[:, None], tg, blank)
    loss = CtcLoss.apply(lp, padded, in_lens, tgt_lens, blank, zero_infinity)
    if unbatched:
        loss = loss.squeeze(0)
    if reduction == "mean":
        denom = Tensor._make(np.maximum(tgt_lens, 1).astype(loss._data.dtype).reshape(loss.shape))
        return (loss / denom).mean()
    if reduction == "sum":
        return loss.sum()
    return loss
