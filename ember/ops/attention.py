"""Attention: scaled dot-product attention and the multi-head attention forward.

Both are compositions of a few big ops (batched matmuls and one fused
scale + mask + softmax op), so gradients, including higher-order ones, come from
the ops' own rules.
"""
import math
import warnings

from .._backend import np
from .._tensor import Tensor
from ..autograd.function import Op
from . import linalg as _linalg
from . import shape as _shape
from .attention_packed import PackedSelfAttention
from .dropout import dropout

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]


class Softmax(Op):
    """softmax(x * scale + bias) along ``dim``; ``bias`` may be None (no mask).

    With ``safe`` set, a row whose entries are all -inf gives zeros instead of NaN
    (what PyTorch's scaled_dot_product_attention does for fully masked rows).
    """

    saves_output = True

    @staticmethod
    def forward(ctx, x, bias, scale, dim, safe):
        ctx.scale, ctx.dim = scale, dim
        z = x * x.dtype.type(scale) if scale != 1.0 else x
        if bias is not None:
            z = z + bias.astype(z.dtype, copy=False)
        m = z.max(axis=dim, keepdims=True)
        if safe:
            m = np.where(np.isneginf(m), 0, m).astype(z.dtype, copy=False)
        e = np.exp(z - m)
        s = e.sum(axis=dim, keepdims=True)
        if safe:
            s = np.where(s == 0, 1, s).astype(z.dtype, copy=False)
        e /= s
        return e

    @staticmethod
    def backward(ctx, g):
        # d softmax: dz = p * (g - sum(g * p)); then dx = scale * dz, dbias = dz
        (p,) = ctx.saved_tensors
        gp = g * p
        dz = gp - p * gp.sum(ctx.dim, keepdim=True)
        gx = (dz * ctx.scale if ctx.scale != 1.0 else dz) if ctx.needs_input_grad[0] else None
        gb = dz if ctx.needs_input_grad[1] else None
        return gx, gb, None, None, None


def _softmax(x, dim, bias=None, scale=1.0, safe=False):
    return Softmax.apply(x, bias, scale, dim, safe)


def _linear(x, weight, bias):
    # One 2-D GEMM on contiguous rows: NumPy's stacked matmul on strided 3-D input
    # falls off BLAS and is many times slower.
    lead = tuple(x.shape[:-1])
    x2 = x.reshape(-1, x.shape[-1]).contiguous()
    w_t = weight.transpose(0, 1)
    out = _linalg.mm(x2, w_t) if bias is None else _linalg.addmm(bias, x2, w_t)
    return out.reshape(lead + (weight.shape[0],))


def _neg_inf_where(mask_array, dtype):
    """Additive float mask: -inf where ``mask_array`` is True, 0 elsewhere."""
    out = np.zeros(mask_array.shape, dtype)
    out[mask_array] = -np.inf
    return out


def _check_sdpa_mask_dtype(attn_mask, query):
    kind = attn_mask._data.dtype.kind
    if kind != "b" and kind != "f" and attn_mask.dtype != query.dtype:
        raise RuntimeError("Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                           f"attn_mask.dtype: {_short(attn_mask.dtype)} and  query.dtype: "
                           f"{_short(query.dtype)} instead.")


def _short(d):
    return str(d).replace("torch.", "").replace("float32", "float").replace("int32", "int") \
        .replace("int64", "long").replace("float64", "double")


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False,
                                 scale=None, enable_gqa=False):
    r"""softmax(Q K^T * scale + mask) V, with optional dropout on the attention weights.

    Args:
        query (Tensor): ``(N, ..., Hq, L, E)``.
        key (Tensor): ``(N, ..., H, S, E)``.
        value (Tensor): ``(N, ..., H, S, Ev)``.
        attn_mask (Tensor, optional): broadcastable to ``(N, ..., L, S)``; bool (True = may
            attend) or float (added to the scores).
        dropout_p (float): dropout probability on the weights. Default: ``0.0``.
        is_causal (bool): use a lower-triangular mask; ``attn_mask`` must then be None.
        scale (float, optional): score scale; ``1/sqrt(E)`` when None.
        enable_gqa (bool): repeat key/value heads to match query's (grouped-query attention).

    Shape:
        output: ``(N, ..., Hq, L, Ev)``.
    """
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when "
                           "is_causal=True")
    L, S, E = query.shape[-2], key.shape[-2], query.shape[-1]
    if key.shape[-1] != E:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{_batch(query)}, {E}] but got: [{_batch(key)}, {key.shape[-1]}].")
    if value.shape[-2] != S:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{_batch(query)}, {S}] but got: [{_batch(value)}, {value.shape[-2]}].")
    if enable_gqa and query.dim() >= 3 and key.shape[-3] != query.shape[-3]:
        reps = query.shape[-3] // key.shape[-3]
        key = key.repeat_interleave(reps, -3)
        value = value.repeat_interleave(reps, -3)
    scale_factor = 1.0 / math.sqrt(E) if scale is None else float(scale)
    bias = None
    if is_causal:
        bias = Tensor._make(_neg_inf_where(np.triu(np.ones((L, S), bool), 1), query._data.dtype))
    elif attn_mask is not None:
        _check_sdpa_mask_dtype(attn_mask, query)
        if attn_mask._data.dtype == np.bool_:
            bias = Tensor._make(_neg_inf_where(~attn_mask._data, query._data.dtype))
        else:
            bias = attn_mask
    scores = _linalg.matmul(query, key.transpose(-2, -1))
    weights = _softmax(scores, -1, bias, scale_factor, safe=True)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p)
    return _linalg.matmul(weights, value)


def _batch(t):
    return int(np.prod(t.shape[:-2])) if t.dim() > 2 else 1


# --- multi-head attention ---------------------------------------------------------------

def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    if query.dim() == 3:
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError("For batched (3-D) `query`, expected `key` and `value` to be 3-D but found "
                                 f"{key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError("For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D "
                                 f"but found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError("For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D "
                                 f"but found {attn_mask.dim()}-D tensor instead")
        return True
    if query.dim() == 2:
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError("For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found "
                                 f"{key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError("For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or "
                                 f"1-D but found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError("For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or "
                                     f"3-D but found {attn_mask.dim()}-D tensor instead")
            if attn_mask.dim() == 3:
                expected = (num_heads, query.shape[0], key.shape[0])
                if tuple(attn_mask.shape) != expected:
                    raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got "
                                         f"{attn_mask.shape}")
        return False
    raise AssertionError("query should be unbatched 2D or batched 3D tensor but received "
                         f"{query.dim()}-D query tensor")


def _canonical_mask(mask, name, other, other_name, target_dtype, check_other=True):
    """Bool masks (True = masked out) become additive float masks; float masks pass through."""
    if mask is None:
        return None
    kind = mask._data.dtype.kind
    if kind != "b" and not mask.is_floating_point():
        raise AssertionError(f"only bool and floating types of {name} are supported")
    if check_other and other is not None and mask.dtype != other.dtype:
        warnings.warn(f"Support for mismatched {name} and {other_name} is deprecated. Use same type for "
                      "both instead.", stacklevel=3)
    if kind == "b":
        return Tensor._make(_neg_inf_where(mask._data, target_dtype.np_dtype))
    return mask


def _pad_last(mask):
    """Append one zero column on the last dim (room for an extra key)."""
    zeros = Tensor._make(np.zeros(tuple(mask.shape[:-1]) + (1,), mask._data.dtype))
    return _shape.cat([mask, zeros], -1)


def _in_projection_packed(q, k, v, w, b):
    E = q.size(-1)
    if k is v:
        if q is k:
            # self-attention: one GEMM for q, k and v together
            proj = _linear(q, w, b).unflatten(-1, (3, E))
            return proj.select(-2, 0), proj.select(-2, 1), proj.select(-2, 2)
        w_q, w_kv = w.split([E, E * 2])
        b_q, b_kv = (None, None) if b is None else b.split([E, E * 2])
        kv = _linear(k, w_kv, b_kv).unflatten(-1, (2, E))
        return _linear(q, w_q, b_q), kv.select(-2, 0), kv.select(-2, 1)
    w_q, w_k, w_v = w.chunk(3)
    b_q, b_k, b_v = (None, None, None) if b is None else b.chunk(3)
    return _linear(q, w_q, b_q), _linear(k, w_k, b_k), _linear(v, w_v, b_v)


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight,
                                 in_proj_bias, bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight,
                                 out_proj_bias, training=True, key_padding_mask=None, need_weights=True,
                                 attn_mask=None, use_separate_proj_weight=False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None, static_k=None, static_v=None,
                                 average_attn_weights=True, is_causal=False):
    """The forward pass of :class:`~ember.nn.MultiheadAttention` (sequence-first layout).

    Shape:
        query ``(L, N, E)`` or ``(L, E)``; key/value ``(S, N, E_k)``; returns the output
        ``(L, N, E)`` and, when ``need_weights``, the weights ``(N, L, S)`` (averaged over
        heads) or ``(N, num_heads, L, S)``.
    """
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", attn_mask, "attn_mask",
                                       query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer "
                           "module method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match value's "
                                 f"{value.shape[:2]}")
    elif key.shape != value.shape:
        raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")

    if query is key and key is value and is_batched and not need_weights and not use_separate_proj_weight \
            and bias_k is None and bias_v is None and not add_zero_attn and static_k is None \
            and static_v is None and (dropout_p == 0.0 or not training):
        out = _fast_self_attention(query, num_heads, in_proj_weight, in_proj_bias, out_proj_weight,
                                   out_proj_bias, attn_mask, key_padding_mask, is_causal, batch_first=False)
        if out is not None:
            return out, None

    if not use_separate_proj_weight:
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)
    else:
        for w, n in ((q_proj_weight, "q"), (k_proj_weight, "k"), (v_proj_weight, "v")):
            if w is None:
                raise AssertionError(f"use_separate_proj_weight is True but {n}_proj_weight is None")
        b_q, b_k, b_v = (None, None, None) if in_proj_bias is None else in_proj_bias.chunk(3)
        q = _linear(query, q_proj_weight, b_q)
        k = _linear(key, k_proj_weight, b_k)
        v = _linear(value, v_proj_weight, b_v)

    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(tgt_len, src_len)}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.dim() == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(bsz * num_heads, tgt_len, src_len)}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")

    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k = _shape.cat([k, bias_k.repeat(1, bsz, 1)])
        v = _shape.cat([v, bias_v.repeat(1, bsz, 1)])
        if attn_mask is not None:
            attn_mask = _pad_last(attn_mask)
        if key_padding_mask is not None:
            key_padding_mask = _pad_last(key_padding_mask)
    elif bias_k is not None:
        raise AssertionError("bias_k is set but bias_v is None")
    elif bias_v is not None:
        raise AssertionError("bias_v is set but bias_k is None")

    # (seq, batch, heads * head_dim) -> (batch * heads, seq, head_dim)
    # contiguous per-head blocks keep the batched matmuls below on BLAS
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1).contiguous()
    k = _heads(k, static_k, bsz, num_heads, head_dim, "k").contiguous()
    v = _heads(v, static_v, bsz, num_heads, head_dim, "v").contiguous()

    if add_zero_attn:
        zero = Tensor._make(np.zeros((bsz * num_heads, 1, head_dim), k._data.dtype))
        k = _shape.cat([k, zero], 1)
        v = _shape.cat([v, Tensor._make(zero._data.astype(v._data.dtype, copy=False))], 1)
        if attn_mask is not None:
            attn_mask = _pad_last(attn_mask)
        if key_padding_mask is not None:
            key_padding_mask = _pad_last(key_padding_mask)
    src_len = k.size(1)

    if key_padding_mask is not None:
        if key_padding_mask.shape[0] != bsz:
            raise AssertionError(f"Expected key_padded_mask.shape[0] to be {bsz}, but got "
                                 f"{key_padding_mask.shape[0]}")
        if key_padding_mask.shape[1] != src_len:
            raise AssertionError(f"Expected key_padded_mask.shape[1] to be {src_len}, but got "
                                 f"{key_padding_mask.shape[1]}")
        key_padding_mask = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(-1, num_heads, -1, -1) \
            .reshape(bsz * num_heads, 1, src_len)
        attn_mask = key_padding_mask if attn_mask is None else attn_mask + key_padding_mask

    if not training:
        dropout_p = 0.0

    if need_weights:
        if is_causal and attn_mask is None:
            raise AssertionError("FIXME: is_causal not implemented for need_weights")
        scores = _linalg.bmm(q, k.transpose(-2, -1))
        weights = _softmax(scores, -1, attn_mask, math.sqrt(1.0 / float(head_dim)))
        if dropout_p > 0.0:
            weights = dropout(weights, dropout_p)
        out = _linalg.bmm(weights, v)
        out = out.transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = _linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, -1)
        weights = weights.reshape(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not is_batched:
            out, weights = out.squeeze(1), weights.squeeze(0)
        return out, weights

    if attn_mask is not None:
        if attn_mask.size(0) == 1 and attn_mask.dim() == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.reshape(bsz, num_heads, -1, src_len)
    q = q.reshape(bsz, num_heads, tgt_len, head_dim)
    k = k.reshape(bsz, num_heads, src_len, head_dim)
    v = v.reshape(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = _linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, -1)
    if not is_batched:
        out = out.squeeze(1)
    return out, None


def _heads(x, static, bsz, num_heads, head_dim, name):
    if static is None:
        return x.reshape(x.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    if static.size(0) != bsz * num_heads:
        raise AssertionError(f"expecting static_{name}.size(0) of {bsz * num_heads}, but got {static.size(0)}")
    if static.size(2) != head_dim:
        raise AssertionError(f"expecting static_{name}.size(2) of {head_dim}, but got {static.size(2)}")
    return static



def _fast_self_attention_bias(attn_mask, key_padding_mask, is_causal, n, heads, length, dtype):
    """The additive mask as one array broadcastable to (N, H, L, L), or False if unsupported."""
    bias = None
    if is_causal and key_padding_mask is None:
        return _neg_inf_where(np.triu(np.ones((length, length), bool), 1), dtype)
    if attn_mask is not None:
        shape = tuple(attn_mask.shape)
        if shape == (length, length):
            bias = attn_mask._data
        elif shape == (n * heads, length, length):
            bias = attn_mask._data.reshape(n, heads, length, length)
        else:
            return False
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (n, length):
            return False
        kpm = key_padding_mask._data.reshape(n, 1, 1, length)
        bias = kpm if bias is None else bias + kpm
    return bias


def _fast_self_attention(x, num_heads, in_proj_weight, in_proj_bias, out_proj_weight, out_proj_bias,
                         attn_mask, key_padding_mask, is_causal, batch_first):
    """Packed self-attention of ``x`` ((N, L, E) if batch_first else (L, N, E)) without
    weights and dropout; None when the case is not covered (the caller takes the general path).

    Masks must already be canonical (float additive, or None).
    """
    if x.dim() != 3 or type(x._data) is not np.ndarray or x._data.dtype not in (np.float32, np.float64) \
            or in_proj_weight is None:
        return None   # (PackedSelfAttention is written for NumPy arrays; CuPy takes the general path)
    for m in (attn_mask, key_padding_mask):
        if m is not None and (m.requires_grad or m._data.dtype != x._data.dtype):
            return None
    e = x.shape[-1]
    if e % num_heads or tuple(in_proj_weight.shape) != (3 * e, e) or tuple(out_proj_weight.shape) != (e, e):
        return None
    n, length = (x.shape[0], x.shape[1]) if batch_first else (x.shape[1], x.shape[0])
    bias = _fast_self_attention_bias(attn_mask, key_padding_mask, is_causal, n, num_heads, length,
                                     x._data.dtype)
    if bias is False:
        return None
    proj = _linear(x, in_proj_weight, in_proj_bias)
    out = PackedSelfAttention.apply(proj, bias, num_heads, 1.0 / math.sqrt(e // num_heads), batch_first)
    return _linear(out, out_proj_weight, out_proj_bias)
