"""Packed self-attention: softmax(Q K^T * scale + bias) V for every head at once, the
training hot path of MultiheadAttention (need_weights=False, no dropout).

Two layout choices make it fast on NumPy (GPT benchmark shapes: 32 sequences x 4 heads,
64 tokens, head size 32 -- forward 1.6 -> 1.2 ms):

- Q, K and V are strided views of the packed input projection, and the merged output and
  the projection's gradient are written through strided views. NumPy hands a matrix with
  unit column stride to BLAS with its row stride as the leading dimension, so no
  head-splitting or head-merging copies are made.
- The attention weights are stored key-major, ``w[j, n, h, i]`` = weight of key j for query
  i of head h in sequence n. The softmax then reduces over the first axis, and each of its
  NumPy passes runs over rows of N*H*L contiguous elements; query-major storage makes it a
  reduction over one short row per query, about twice as slow.
"""
from .._backend import np
from .._tensor import Tensor
from ..autograd.function import Op
from ..autograd.grad_mode import state as grad_state
from . import _parallel
from .linalg import right_operand_for_blas

_SPLIT_MIN = 1 << 17  # attention-weight elements; below this one thread wins


def _heads(rows, blocks, which, heads, head_dim, batch_first):
    """(N, H, L, head_dim) view of column block ``which`` of ``blocks`` equal blocks of ``rows``
    (shape (N, L, width) if batch_first else (L, N, width))."""
    a, b = rows.shape[:2]
    block = rows.reshape(a, b, blocks, heads, head_dim)[:, :, which]
    return block.transpose((0, 2, 1, 3) if batch_first else (1, 2, 0, 3))


class PackedSelfAttention(Op):
    """softmax(Q K^T * scale + bias) V for every head, where Q, K, V are the three column
    blocks of one packed input projection ``proj`` (rows: ``(N, L)`` if batch_first else
    ``(L, N)``); heads are merged back into rows of the same order. ``bias`` is an additive
    mask broadcastable to (N, H, L, L), or None.

    One Op instead of ~20 (split, head reshapes, copies, two batched matmuls, softmax).
    """

    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, proj, bias, heads, scale, batch_first):
        a, b, e3 = proj.shape
        hd = e3 // 3 // heads
        n, length = (a, b) if batch_first else (b, a)
        dtype = proj.dtype
        q, k, v = (_heads(proj, 3, i, heads, hd, batch_first) for i in range(3))
        w = np.empty((length, n, heads, length), dtype)
        w_t = w.transpose(1, 2, 0, 3)   # (N, H, L, L): each head's weight matrix, transposed
        out = np.empty((a, b, e3 // 3), dtype)
        o = _heads(out, 1, 0, heads, hd, batch_first)
        bias_w = None if bias is None else \
            np.broadcast_to(bias.astype(dtype, copy=False), (n, heads, length, length)).transpose(3, 0, 1, 2)
        scale_t = dtype.type(scale)

        def part(n0, n1):
            qt = right_operand_for_blas(length, q[n0:n1].swapaxes(-1, -2))
            np.matmul(k[n0:n1], qt, out=w_t[n0:n1])
            block = w[:, n0:n1]
            block *= scale_t
            if bias_w is not None:
                block += bias_w[:, n0:n1]
            _softmax_keys_(block)
            np.matmul(w_t[n0:n1].swapaxes(-1, -2), v[n0:n1], out=o[n0:n1])
        _split_batch(part, n, w.size)
        ctx.w, ctx.bias = w, bias
        ctx.dims, ctx.scale, ctx.batch_first = (a, b, heads, hd, n, length), scale, batch_first
        return out

    @staticmethod
    def backward(ctx, g):
        if grad_state.enabled:
            return _backward_graph(ctx, g), None, None, None, None
        a, b, heads, hd, n, length = ctx.dims
        bf, w = ctx.batch_first, ctx.w
        dtype = w.dtype
        proj = ctx.saved_tensors[0]._data
        q, k, v = (_heads(proj, 3, i, heads, hd, bf) for i in range(3))
        go = _heads(g._data.astype(dtype, copy=False).reshape(a, b, heads * hd), 1, 0, heads, hd, bf)
        dproj = np.empty(proj.shape, dtype)
        dq, dk, dv = (_heads(dproj, 3, i, heads, hd, bf) for i in range(3))
        w_t = w.transpose(1, 2, 0, 3)
        dz = np.empty(w.shape, dtype)   # key-major like w
        dz_t = dz.transpose(1, 2, 0, 3)
        scale = dtype.type(ctx.scale)

        def part(n0, n1):
            s = slice(n0, n1)
            np.matmul(w_t[s], go[s], out=dv[s])                        # dV = P^T dO
            go_t = right_operand_for_blas(length, go[s].swapaxes(-1, -2))
            np.matmul(v[s], go_t, out=dz_t[s])                          # dP^T = V dO^T
            # d softmax: dz = p * (dp - sum over keys of dp * p), scaled for dQ and dK
            block, wb = dz[:, s], w[:, s]
            block -= np.einsum("j...,j...->...", block, wb)   # (einsum: no product array)
            block *= wb
            block *= scale
            np.matmul(dz_t[s].swapaxes(-1, -2), k[s], out=dq[s])     # dQ = dZ K
            np.matmul(dz_t[s], q[s], out=dk[s])                      # dK = dZ^T Q
        _split_batch(part, n, w.size)
        return Tensor._make(dproj), None, None, None, None


def _split_batch(part, n, size):
    """Run ``part(n0, n1)`` over the batch [0, n): in two halves, one on a pool thread, when
    the work is large (its NumPy and BLAS calls release the GIL, so the halves overlap)."""
    if n < 2 or size < _SPLIT_MIN or not _parallel._workers():
        part(0, n)
        return
    half = n // 2
    _parallel.run_tasks(lambda i: part(0, half) if i == 0 else part(half, n), 2)


def _softmax_keys_(w):
    """In-place softmax over axis 0; a query whose keys are all -inf gets zeros."""
    m = w.max(axis=0, keepdims=True)
    m[np.isneginf(m)] = 0
    w -= m
    np.exp(w, out=w)
    s = w.sum(axis=0, keepdims=True)
    s[s == 0] = 1
    w /= s


def _backward_graph(ctx, g):
    """The same gradient built from Tensor ops (differentiable again, for create_graph)."""
    from . import linalg, shape
    from .attention import Softmax
    (proj,) = ctx.saved_tensors
    a, b, heads, hd, n, length = ctx.dims
    perm = (2, 0, 3, 1, 4) if ctx.batch_first else (2, 1, 3, 0, 4)   # -> (3, N, H, L, hd)
    qkv = proj.reshape(a, b, 3, heads, hd).permute(*perm).reshape(3, n * heads, length, hd)
    q, k, v = qkv.unbind(0)
    scores = linalg.matmul(q, k.transpose(-2, -1)).reshape(n, heads, length, length)
    bias = None if ctx.bias is None else Tensor._make(ctx.bias)
    p = Softmax.apply(scores, bias, ctx.scale, -1, True).reshape(n * heads, length, length)
    go = g.reshape(a, b, heads, hd).permute(*((0, 2, 1, 3) if ctx.batch_first else (1, 2, 0, 3)))
    go = go.reshape(n * heads, length, hd)
    dv = linalg.matmul(p.transpose(-2, -1), go)
    dp = linalg.matmul(go, v.transpose(-2, -1))
    dz = p * (dp - (dp * p).sum(-1, keepdim=True)) * ctx.scale
    dq = linalg.matmul(dz, k)
    dk = linalg.matmul(dz.transpose(-2, -1), q)
    inverse = tuple(int(i) for i in np.argsort(perm))
    d = shape.stack([dq, dk, dv]).reshape(3, n, heads, length, hd).permute(*inverse)
    return d.reshape(a, b, 3 * heads * hd)
