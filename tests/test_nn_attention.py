"""scaled_dot_product_attention, multi_head_attention_forward and MultiheadAttention against PyTorch."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import ember
import ember.nn.functional as EF

RTOL, ATOL = 1e-4, 1e-5


def _np(t):
    return t.detach().numpy()


def _close(a, b, what=""):
    np.testing.assert_allclose(_np(a), _np(b), rtol=RTOL, atol=ATOL, err_msg=what, equal_nan=True)


def _leaf_pair(arr):
    return torch.tensor(arr, requires_grad=True), ember.tensor(arr, requires_grad=True)


def _backward_both(t_out, e_out, rng):
    g = rng.standard_normal(tuple(t_out.shape)).astype(_np(t_out).dtype)
    (t_out * torch.tensor(g)).sum().backward()
    (e_out * ember.tensor(g)).sum().backward()


def _same_error(t_fn, e_fn):
    with pytest.raises(Exception) as t_err:
        t_fn()
    with pytest.raises(type(t_err.value)) as e_err:
        e_fn()
    assert str(e_err.value) == str(t_err.value)


# --- scaled_dot_product_attention --------------------------------------------------------

SDPA_CASES = {
    "plain": {},
    "causal": {"is_causal": True},
    "scale": {"scale": 0.3},
    "bool_mask": {"mask": "bool"},
    "float_mask": {"mask": "float"},
}


@pytest.mark.parametrize("case", list(SDPA_CASES))
def test_sdpa_matches_torch(case):
    rng = np.random.default_rng(0)
    kw = dict(SDPA_CASES[case])
    mask_kind = kw.pop("mask", None)
    tq, eq = _leaf_pair(rng.standard_normal((2, 3, 5, 4)).astype(np.float32))
    tk, ek = _leaf_pair(rng.standard_normal((2, 3, 6, 4)).astype(np.float32))
    tv, ev = _leaf_pair(rng.standard_normal((2, 3, 6, 7)).astype(np.float32))
    tm = em = None
    if mask_kind == "bool":
        m = rng.random((5, 6)) > 0.3
        m[2] = False  # a fully masked row gives zeros, not NaN
        tm, em = torch.tensor(m), ember.tensor(m)
    elif mask_kind == "float":
        tm, em = _leaf_pair(rng.standard_normal((2, 1, 5, 6)).astype(np.float32))
    t_out = TF.scaled_dot_product_attention(tq, tk, tv, attn_mask=tm, **kw)
    e_out = EF.scaled_dot_product_attention(eq, ek, ev, attn_mask=em, **kw)
    assert tuple(e_out.shape) == tuple(t_out.shape)
    _close(t_out, e_out, "output")
    _backward_both(t_out, e_out, rng)
    for name, a, b in (("q", tq, eq), ("k", tk, ek), ("v", tv, ev)):
        _close(a.grad, b.grad, name)
    if mask_kind == "float":
        _close(tm.grad, em.grad, "mask")


def test_sdpa_float64_gradcheck():
    q = ember.randn(2, 3, 4, dtype=ember.float64, requires_grad=True)
    k = ember.randn(2, 5, 4, dtype=ember.float64, requires_grad=True)
    v = ember.randn(2, 5, 3, dtype=ember.float64, requires_grad=True)
    mask = ember.randn(3, 5, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda q, k, v, m: EF.scaled_dot_product_attention(q, k, v, m), (q, k, v, mask))


def test_sdpa_float64_gradgradcheck():
    q = ember.randn(2, 3, 4, dtype=ember.float64, requires_grad=True)
    k = ember.randn(2, 5, 4, dtype=ember.float64, requires_grad=True)
    v = ember.randn(2, 5, 3, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradgradcheck(EF.scaled_dot_product_attention, (q, k, v))


def test_sdpa_enable_gqa_matches_torch():
    rng = np.random.default_rng(1)
    q = rng.standard_normal((1, 4, 3, 2)).astype(np.float32)
    k = rng.standard_normal((1, 2, 5, 2)).astype(np.float32)
    v = rng.standard_normal((1, 2, 5, 2)).astype(np.float32)
    t = TF.scaled_dot_product_attention(torch.tensor(q), torch.tensor(k), torch.tensor(v), enable_gqa=True)
    e = EF.scaled_dot_product_attention(ember.tensor(q), ember.tensor(k), ember.tensor(v), enable_gqa=True)
    _close(t, e)


def test_sdpa_mask_with_is_causal_raises_like_torch():
    q = np.zeros((1, 2, 2), np.float32)
    m = np.ones((2, 2), bool)
    _same_error(lambda: TF.scaled_dot_product_attention(*(torch.tensor(q),) * 3, attn_mask=torch.tensor(m),
                                                        is_causal=True),
                lambda: EF.scaled_dot_product_attention(*(ember.tensor(q),) * 3, attn_mask=ember.tensor(m),
                                                        is_causal=True))


def test_sdpa_integer_mask_raises_like_torch():
    q = np.zeros((1, 2, 2), np.float32)
    m = np.ones((2, 2), np.int32)
    _same_error(lambda: TF.scaled_dot_product_attention(*(torch.tensor(q),) * 3, attn_mask=torch.tensor(m)),
                lambda: EF.scaled_dot_product_attention(*(ember.tensor(q),) * 3, attn_mask=ember.tensor(m)))


# --- MultiheadAttention -------------------------------------------------------------------

def _mha_pair(*args, **kwargs):
    torch.manual_seed(0)
    tm = torch.nn.MultiheadAttention(*args, **kwargs)
    em = ember.nn.MultiheadAttention(*args, **kwargs)
    em.load_state_dict({k: ember.tensor(_np(v)) for k, v in tm.state_dict().items()})
    return tm, em


def _run_mha(module_kw, call_kw, shapes=((5, 2, 8), (6, 2, 8), (6, 2, 8)), self_attn=False, masks=None,
             train=True):
    rng = np.random.default_rng(2)
    tm, em = _mha_pair(8, 2, **module_kw)
    if not train:
        tm.eval()
        em.eval()
    pairs = [_leaf_pair(rng.standard_normal(s).astype(np.float32)) for s in shapes]
    if self_attn:
        pairs = [pairs[0]] * 3
    t_masks = {k: torch.tensor(v) for k, v in (masks or {}).items()}
    e_masks = {k: ember.tensor(v) for k, v in (masks or {}).items()}
    t_out, t_w = tm(*[p[0] for p in pairs], **t_masks, **call_kw)
    e_out, e_w = em(*[p[1] for p in pairs], **e_masks, **call_kw)
    _close(t_out, e_out, "output")
    if t_w is None:
        assert e_w is None
    else:
        _close(t_w, e_w, "weights")
    _backward_both(t_out, e_out, rng)
    for i, (tp, ep) in enumerate(pairs[:1] if self_attn else pairs):
        _close(tp.grad, ep.grad, f"input {i}")
    for (tn, tp), (en, ep) in zip(tm.named_parameters(), em.named_parameters()):
        assert tn == en
        _close(tp.grad, ep.grad, tn)


def test_mha_default_matches_torch():
    _run_mha({}, {})


def test_mha_without_weights_matches_torch():
    _run_mha({}, {"need_weights": False})


def test_mha_self_attention_per_head_weights_matches_torch():
    _run_mha({}, {"average_attn_weights": False}, self_attn=True)


def test_mha_batch_first_matches_torch():
    _run_mha({"batch_first": True}, {}, shapes=((2, 5, 8), (2, 6, 8), (2, 6, 8)))


def test_mha_eval_mode_matches_torch():
    _run_mha({"batch_first": True, "dropout": 0.3}, {}, shapes=((2, 5, 8),) * 3, self_attn=True, train=False)


def test_mha_kdim_vdim_no_bias_matches_torch():
    _run_mha({"kdim": 3, "vdim": 4, "bias": False}, {}, shapes=((5, 2, 8), (6, 2, 3), (6, 2, 4)))


def test_mha_bias_kv_zero_attn_bool_masks_matches_torch():
    rng = np.random.default_rng(3)
    masks = {"key_padding_mask": rng.random((2, 6)) > 0.7, "attn_mask": rng.random((5, 6)) > 0.8}
    _run_mha({"add_bias_kv": True, "add_zero_attn": True}, {}, masks=masks)


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_float_masks_matches_torch(need_weights):
    rng = np.random.default_rng(4)
    masks = {"key_padding_mask": rng.standard_normal((2, 6)).astype(np.float32),
             "attn_mask": rng.standard_normal((4, 5, 6)).astype(np.float32)}
    _run_mha({}, {"need_weights": need_weights}, masks=masks)


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_causal_mask_matches_torch(need_weights):
    masks = {"attn_mask": np.triu(np.ones((5, 5), bool), 1)}
    _run_mha({}, {"need_weights": need_weights, "is_causal": True}, shapes=((5, 2, 8),) * 3, self_attn=True,
             masks=masks)


def test_mha_unbatched_matches_torch():
    _run_mha({}, {}, shapes=((5, 8), (6, 8), (6, 8)))


def test_mha_state_dict_keys_and_repr_match_torch():
    for kw in ({}, {"kdim": 3, "vdim": 5}, {"add_bias_kv": True, "bias": False}):
        tm = torch.nn.MultiheadAttention(8, 2, **kw)
        em = ember.nn.MultiheadAttention(8, 2, **kw)
        assert list(em.state_dict()) == list(tm.state_dict())
        for a, b in zip(em.state_dict().values(), tm.state_dict().values()):
            assert tuple(a.shape) == tuple(b.shape)
        assert repr(em) == repr(tm)
        assert type(em.out_proj).__name__ == "NonDynamicallyQuantizableLinear"
        assert isinstance(em.out_proj, ember.nn.Linear)


def test_mha_seeded_init_is_identical_to_torch():
    ember.manual_seed(0)
    torch.manual_seed(0)
    em = ember.nn.MultiheadAttention(8, 2, add_bias_kv=True, kdim=4)
    tm = torch.nn.MultiheadAttention(8, 2, add_bias_kv=True, kdim=4)
    for a, b in zip(em.parameters(), tm.parameters()):
        np.testing.assert_array_equal(_np(a), _np(b))


def test_mha_bad_embed_dim_raises_like_torch():
    _same_error(lambda: torch.nn.MultiheadAttention(7, 2), lambda: ember.nn.MultiheadAttention(7, 2))
    _same_error(lambda: torch.nn.MultiheadAttention(0, 2), lambda: ember.nn.MultiheadAttention(0, 2))


def test_mha_wrong_mask_shape_raises_like_torch():
    tm, em = _mha_pair(8, 2)
    x = np.zeros((5, 2, 8), np.float32)
    m = np.zeros((4, 4), np.float32)
    _same_error(lambda: tm(*(torch.tensor(x),) * 3, attn_mask=torch.tensor(m)),
                lambda: em(*(ember.tensor(x),) * 3, attn_mask=ember.tensor(m)))


def test_mha_causal_without_mask_raises_like_torch():
    tm, em = _mha_pair(8, 2)
    x = np.zeros((5, 2, 8), np.float32)
    _same_error(lambda: tm(*(torch.tensor(x),) * 3, is_causal=True),
                lambda: em(*(ember.tensor(x),) * 3, is_causal=True))
