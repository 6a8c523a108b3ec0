"""The fused self-attention path of MultiheadAttention (need_weights=False, no dropout):
outputs and gradients match PyTorch for every mask kind and both layouts; the gradient
is differentiable again (create_graph)."""
import numpy as np
import pytest
import torch

import ember
from ember.ops.attention import _fast_self_attention

RTOL, ATOL = 1e-4, 1e-5


def _pair(batch_first, e=16, heads=4, seed=0):
    torch.manual_seed(seed)
    tm = torch.nn.MultiheadAttention(e, heads, batch_first=batch_first)
    em = ember.nn.MultiheadAttention(e, heads, batch_first=batch_first)
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    return tm, em


def _masks(kind, n, length, heads, rng):
    causal = np.triu(np.full((length, length), -np.inf, np.float32), 1)
    if kind == "none":
        return {}
    if kind == "causal":
        return {"attn_mask": causal, "is_causal": True}
    if kind == "float2d":
        return {"attn_mask": rng.standard_normal((length, length)).astype(np.float32)}
    if kind == "float3d":
        return {"attn_mask": rng.standard_normal((n * heads, length, length)).astype(np.float32)}
    if kind == "bool_padding":
        kpm = np.zeros((n, length), bool)
        kpm[0, -2:] = True
        return {"key_padding_mask": kpm}
    if kind == "causal_and_padding":
        kpm = np.zeros((n, length), bool)
        kpm[1, -1] = True
        return {"attn_mask": causal, "key_padding_mask": kpm}
    raise ValueError(kind)


def _compare_with_torch(batch_first, kind, n, length, e, heads):
    rng = np.random.default_rng(1)
    tm, em = _pair(batch_first, e, heads)
    shape = (n, length, e) if batch_first else (length, n, e)
    x = rng.standard_normal(shape).astype(np.float32)
    g = rng.standard_normal(shape).astype(np.float32)
    masks = _masks(kind, n, length, heads, rng)
    outs = []
    for lib, m in ((torch, tm), (ember, em)):
        xt = lib.tensor(x, requires_grad=True)
        kw = {k: (lib.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in masks.items()}
        out, w = m(xt, xt, xt, need_weights=False, **kw)
        assert w is None
        (out * lib.tensor(g)).sum().backward()
        outs.append((out.detach().numpy(), xt.grad.numpy(),
                     [p.grad.numpy() for p in m.parameters()]))
    (to, tg, tp), (eo, eg, ep) = outs
    np.testing.assert_allclose(eo, to, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(eg, tg, rtol=RTOL, atol=ATOL)
    for a, b in zip(ep, tp):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("kind", ["none", "causal", "float2d", "float3d", "bool_padding", "causal_and_padding"])
def test_fused_self_attention_matches_torch(batch_first, kind):
    _compare_with_torch(batch_first, kind, n=3, length=5, e=16, heads=4)


@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("kind", ["causal_and_padding", "float3d"])
def test_fused_self_attention_split_over_threads_matches_torch(batch_first, kind):
    # 8 x 4 heads x 64 x 64 weights: large enough that each half of the batch runs on its own thread
    previous = ember.get_num_threads()
    ember.set_num_threads(2)
    try:
        _compare_with_torch(batch_first, kind, n=8, length=64, e=32, heads=4)
    finally:
        ember.set_num_threads(previous)


@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("length", [64, 100])
@pytest.mark.parametrize("threads", [1, 2])
def test_fused_causal_self_attention_matches_torch_on_long_sequences(batch_first, length, threads):
    # the GPT-style case (is_causal with the causal mask) at lengths where the batch is split
    # over threads (with 2) and where it is not (with 1)
    previous = ember.get_num_threads()
    ember.set_num_threads(threads)
    try:
        _compare_with_torch(batch_first, "causal", n=6, length=length, e=32, heads=4)
    finally:
        ember.set_num_threads(previous)


@pytest.mark.parametrize("head_size", [32, 64])
def test_fused_self_attention_matches_torch_on_both_sides_of_the_transposed_copy(head_size):
    # head sizes up to 32 multiply by row-major copies of Q and dO, longer ones by strided views
    # (ember/ops/linalg.py, right_operand_for_blas): both must match PyTorch
    previous = ember.get_num_threads()
    ember.set_num_threads(2)
    try:
        _compare_with_torch(True, "causal", n=4, length=64, e=2 * head_size, heads=2)
    finally:
        ember.set_num_threads(previous)


def test_fused_path_is_taken_for_encoder_layer_self_attention():
    em = ember.nn.MultiheadAttention(8, 2, batch_first=True)
    x = ember.randn(2, 3, 8, requires_grad=True)
    out, _ = em(x, x, x, need_weights=False)
    names = set()
    stack = [out.grad_fn]
    while stack:
        node = stack.pop()
        names.add(node.name())
        stack.extend(edge[0] for edge in (node.next_functions or ()) if edge[0] is not None)
    assert "PackedSelfAttentionBackward0" in names


@pytest.mark.parametrize("batch_first", [True, False])
def test_fused_self_attention_gradgradcheck(batch_first):
    rng = np.random.default_rng(2)
    n, length, e, heads = 2, 3, 4, 2
    w_in = ember.tensor(rng.standard_normal((3 * e, e)) * 0.5, requires_grad=True)
    b_in = ember.tensor(rng.standard_normal(3 * e) * 0.1, requires_grad=True)
    w_out = ember.tensor(rng.standard_normal((e, e)) * 0.5, requires_grad=True)
    b_out = ember.tensor(rng.standard_normal(e) * 0.1, requires_grad=True)
    causal = ember.tensor(np.triu(np.full((length, length), -np.inf), 1))
    shape = (n, length, e) if batch_first else (length, n, e)
    x = ember.tensor(rng.standard_normal(shape), requires_grad=True)

    def fn(x, w_in, b_in, w_out, b_out):
        return _fast_self_attention(x, heads, w_in, b_in, w_out, b_out, causal, None, False, batch_first)

    inputs = (x, w_in, b_in, w_out, b_out)
    assert ember.autograd.gradcheck(fn, inputs)
    assert ember.autograd.gradgradcheck(fn, inputs)
