"""Transformer layers, stacks and the full Transformer against PyTorch."""
import warnings

import numpy as np
import pytest
import torch

import ember

if not (hasattr(ember.nn, "LayerNorm") and hasattr(ember.nn, "Dropout")):
    pytest.skip("ember.nn.LayerNorm / Dropout not available yet", allow_module_level=True)

RTOL, ATOL = 1e-4, 2e-5


def _np(t):
    return t.detach().numpy()


def _close(a, b, what=""):
    np.testing.assert_allclose(_np(a), _np(b), rtol=RTOL, atol=ATOL, err_msg=what)


def _leaf_pair(arr):
    return torch.tensor(arr, requires_grad=True), ember.tensor(arr, requires_grad=True)


def _build(name, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.manual_seed(0)
        tm = _get(torch.nn, name, args, kwargs)
        em = _get(ember.nn, name, args, kwargs)
    em.load_state_dict({k: ember.tensor(_np(v)) for k, v in tm.state_dict().items()})
    return tm, em


def _get(nn, name, args, kwargs):
    if name in ("TransformerEncoder", "TransformerDecoder"):
        layer_cls = getattr(nn, name + "Layer")
        layer = layer_cls(*args, **kwargs)
        return getattr(nn, name)(layer, 2, norm=nn.LayerNorm(args[0]))
    return getattr(nn, name)(*args, **kwargs)


def _check_grads(tm, em, pairs, t_out, e_out, rng):
    g = rng.standard_normal(tuple(t_out.shape)).astype(np.float32)
    (t_out * torch.tensor(g)).sum().backward()
    (e_out * ember.tensor(g)).sum().backward()
    for i, (tp, ep) in enumerate(pairs):
        _close(tp.grad, ep.grad, f"input {i}")
    for (tn, tp), (en, ep) in zip(tm.named_parameters(), em.named_parameters()):
        assert tn == en
        _close(tp.grad, ep.grad, tn)


LAYER_CONFIGS = [
    {},
    {"norm_first": True, "activation": "gelu"},
    {"batch_first": True, "bias": False},
]


@pytest.mark.parametrize("cfg", LAYER_CONFIGS, ids=str)
def test_encoder_layer_matches_torch(cfg):
    rng = np.random.default_rng(0)
    tm, em = _build("TransformerEncoderLayer", 8, 2, 16, 0.0, **cfg)
    pair = _leaf_pair(rng.standard_normal((3, 4, 8)).astype(np.float32))
    mask = np.triu(np.full((4, 4) if cfg.get("batch_first") else (3, 3), -np.inf, np.float32), 1)
    t_out = tm(pair[0], src_mask=torch.tensor(mask))
    e_out = em(pair[1], src_mask=ember.tensor(mask))
    _close(t_out, e_out)
    _check_grads(tm, em, [pair], t_out, e_out, rng)


@pytest.mark.parametrize("cfg", LAYER_CONFIGS, ids=str)
def test_decoder_layer_matches_torch(cfg):
    rng = np.random.default_rng(1)
    tm, em = _build("TransformerDecoderLayer", 8, 2, 16, 0.0, **cfg)
    tgt = _leaf_pair(rng.standard_normal((3, 2, 8)).astype(np.float32))
    mem = _leaf_pair(rng.standard_normal((5, 2, 8) if not cfg.get("batch_first") else (3, 5, 8)).astype(np.float32))
    kpm = np.zeros((2, 5) if not cfg.get("batch_first") else (3, 5), bool)
    kpm[:, -1] = True
    t_out = tm(tgt[0], mem[0], memory_key_padding_mask=torch.tensor(kpm))
    e_out = em(tgt[1], mem[1], memory_key_padding_mask=ember.tensor(kpm))
    _close(t_out, e_out)
    _check_grads(tm, em, [tgt, mem], t_out, e_out, rng)


def test_encoder_stack_with_padding_mask_matches_torch():
    rng = np.random.default_rng(2)
    tm, em = _build("TransformerEncoder", 8, 2, 16, 0.0, batch_first=True)
    pair = _leaf_pair(rng.standard_normal((2, 5, 8)).astype(np.float32))
    kpm = np.zeros((2, 5), bool)
    kpm[1, 3:] = True
    t_out = tm(pair[0], src_key_padding_mask=torch.tensor(kpm))
    e_out = em(pair[1], src_key_padding_mask=ember.tensor(kpm))
    _close(t_out, e_out)
    _check_grads(tm, em, [pair], t_out, e_out, rng)


def test_encoder_stack_eval_no_grad_zeroes_padding_like_torch():
    rng = np.random.default_rng(3)
    tm, em = _build("TransformerEncoder", 8, 2, 16, 0.1, batch_first=True)
    tm.eval()
    em.eval()
    x = rng.standard_normal((2, 5, 8)).astype(np.float32)
    kpm = np.zeros((2, 5), bool)
    kpm[1, 3:] = True
    with torch.no_grad():
        t_out = tm(torch.tensor(x), src_key_padding_mask=torch.tensor(kpm))
    with ember.no_grad():
        e_out = em(ember.tensor(x), src_key_padding_mask=ember.tensor(kpm))
    _close(t_out, e_out)


def test_decoder_stack_with_causal_mask_matches_torch():
    rng = np.random.default_rng(4)
    tm, em = _build("TransformerDecoder", 8, 2, 16, 0.0)
    tgt = _leaf_pair(rng.standard_normal((4, 2, 8)).astype(np.float32))
    mem = _leaf_pair(rng.standard_normal((3, 2, 8)).astype(np.float32))
    mask = torch.nn.Transformer.generate_square_subsequent_mask(4)
    t_out = tm(tgt[0], mem[0], tgt_mask=mask)
    e_out = em(tgt[1], mem[1], tgt_mask=ember.tensor(_np(mask)))
    _close(t_out, e_out)
    _check_grads(tm, em, [tgt, mem], t_out, e_out, rng)


def test_full_transformer_matches_torch():
    rng = np.random.default_rng(5)
    tm, em = _build("Transformer", d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=1,
                    dim_feedforward=16, dropout=0.0)
    src = _leaf_pair(rng.standard_normal((5, 2, 8)).astype(np.float32))
    tgt = _leaf_pair(rng.standard_normal((3, 2, 8)).astype(np.float32))
    t_out = tm(src[0], tgt[0], tgt_mask=torch.nn.Transformer.generate_square_subsequent_mask(3))
    e_out = em(src[1], tgt[1], tgt_mask=ember.nn.Transformer.generate_square_subsequent_mask(3))
    _close(t_out, e_out)
    _check_grads(tm, em, [src, tgt], t_out, e_out, rng)


def test_generate_square_subsequent_mask_matches_torch():
    e = ember.nn.Transformer.generate_square_subsequent_mask(4)
    t = torch.nn.Transformer.generate_square_subsequent_mask(4)
    np.testing.assert_array_equal(_np(e), _np(t))


def test_transformer_seeded_init_is_identical_to_torch():
    ember.manual_seed(0)
    torch.manual_seed(0)
    kw = dict(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=16)
    em = ember.nn.Transformer(**kw)
    tm = torch.nn.Transformer(**kw)
    for a, b in zip(em.parameters(), tm.parameters()):
        np.testing.assert_array_equal(_np(a), _np(b))


@pytest.mark.parametrize("name", ["TransformerEncoderLayer", "TransformerDecoderLayer", "TransformerEncoder",
                                  "Transformer"])
def test_state_dict_keys_and_repr_match_torch(name):
    args = (8, 2, 16) if name != "Transformer" else ()
    kwargs = {} if name != "Transformer" else dict(d_model=8, nhead=2, num_encoder_layers=2,
                                                   num_decoder_layers=1, dim_feedforward=16)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tm = _get(torch.nn, name, args, kwargs)
        em = _get(ember.nn, name, args, kwargs)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert repr(em) == repr(tm)


def test_bad_activation_raises_like_torch():
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        torch.nn.TransformerEncoderLayer(8, 2, activation="tanh")
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        ember.nn.TransformerEncoderLayer(8, 2, activation="tanh")
