"""RNN / LSTM / GRU layers and cells, and nn.utils.rnn, against PyTorch."""
import numpy as np
import pytest
import torch

import ember
from ember.nn.utils import rnn as ember_rnn_utils
from torch.nn.utils import rnn as torch_rnn_utils

RTOL, ATOL = 1e-4, 1e-5


def _np(t):
    return t.detach().numpy()


def _close(a, b, what=""):
    np.testing.assert_allclose(_np(a), _np(b), rtol=RTOL, atol=ATOL, err_msg=what)


def _pair(cls_name, *args, **kwargs):
    """The torch module and an ember module holding the same parameters."""
    torch.manual_seed(0)
    tm = getattr(torch.nn, cls_name)(*args, **kwargs)
    em = getattr(ember.nn, cls_name)(*args, **kwargs)
    em.load_state_dict({k: ember.tensor(_np(v)) for k, v in tm.state_dict().items()})
    return tm, em


def _leaf_pair(arr):
    return torch.tensor(arr, requires_grad=True), ember.tensor(arr, requires_grad=True)


def _flat(x):
    return list(x) if isinstance(x, tuple) else [x]


def _backward_both(t_outs, e_outs, rng):
    grads = [rng.standard_normal(tuple(t.shape)).astype(_np(t).dtype) for t in t_outs]
    torch.autograd.backward(t_outs, [torch.tensor(g) for g in grads])
    ember.autograd.backward(e_outs, [ember.tensor(g) for g in grads])


def _check_param_grads(tm, em):
    for (tn, tp), (en, ep) in zip(tm.named_parameters(), em.named_parameters()):
        assert tn == en
        _close(tp.grad, ep.grad, tn)


CONFIGS = [
    {},
    {"num_layers": 2, "bidirectional": True},
    {"batch_first": True, "bias": False},
    {"num_layers": 3},
]


@pytest.mark.parametrize("cls_name", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("cfg", CONFIGS, ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()) or "default")
def test_recurrent_layer_matches_torch(cls_name, cfg):
    rng = np.random.default_rng(1)
    tm, em = _pair(cls_name, 4, 6, **cfg)
    shape = (3, 5, 4) if cfg.get("batch_first") else (5, 3, 4)
    tx, ex = _leaf_pair(rng.standard_normal(shape).astype(np.float32))
    t_out, t_h = tm(tx)
    e_out, e_h = em(ex)
    assert tuple(e_out.shape) == tuple(t_out.shape)
    _close(t_out, e_out, "output")
    for a, b in zip(_flat(t_h), _flat(e_h)):
        _close(a, b, "hidden")
    _backward_both([t_out] + _flat(t_h), [e_out] + _flat(e_h), rng)
    _close(tx.grad, ex.grad, "input grad")
    _check_param_grads(tm, em)


@pytest.mark.parametrize("cls_name", ["RNN", "LSTM", "GRU"])
def test_recurrent_layer_with_initial_state_matches_torch(cls_name):
    rng = np.random.default_rng(2)
    tm, em = _pair(cls_name, 3, 5, num_layers=2, bidirectional=True)
    tx, ex = _leaf_pair(rng.standard_normal((4, 2, 3)).astype(np.float32))
    th, eh = _leaf_pair(rng.standard_normal((4, 2, 5)).astype(np.float32))
    if cls_name == "LSTM":
        tc, ec = _leaf_pair(rng.standard_normal((4, 2, 5)).astype(np.float32))
        t_out, t_state = tm(tx, (th, tc))
        e_out, e_state = em(ex, (eh, ec))
    else:
        t_out, t_state = tm(tx, th)
        e_out, e_state = em(ex, eh)
    _close(t_out, e_out)
    _backward_both([t_out] + _flat(t_state), [e_out] + _flat(e_state), rng)
    _close(th.grad, eh.grad, "h0 grad")
    if cls_name == "LSTM":
        _close(tc.grad, ec.grad, "c0 grad")
    _check_param_grads(tm, em)


def test_lstm_proj_size_matches_torch():
    rng = np.random.default_rng(3)
    tm, em = _pair("LSTM", 4, 6, num_layers=2, bidirectional=True, proj_size=3)
    tx, ex = _leaf_pair(rng.standard_normal((5, 2, 4)).astype(np.float32))
    t_out, (t_h, t_c) = tm(tx)
    e_out, (e_h, e_c) = em(ex)
    assert tuple(e_h.shape) == (4, 2, 3) and tuple(e_c.shape) == (4, 2, 6)
    _close(t_out, e_out)
    _close(t_h, e_h)
    _close(t_c, e_c)
    _backward_both([t_out, t_h, t_c], [e_out, e_h, e_c], rng)
    _close(tx.grad, ex.grad)
    _check_param_grads(tm, em)


@pytest.mark.parametrize("cls_name", ["RNN", "LSTM", "GRU"])
def test_unbatched_input_matches_torch(cls_name):
    rng = np.random.default_rng(4)
    tm, em = _pair(cls_name, 3, 4)
    tx, ex = _leaf_pair(rng.standard_normal((6, 3)).astype(np.float32))
    t_out, t_h = tm(tx)
    e_out, e_h = em(ex)
    assert tuple(e_out.shape) == (6, 4)
    _close(t_out, e_out)
    for a, b in zip(_flat(t_h), _flat(e_h)):
        assert tuple(b.shape) == tuple(a.shape)
        _close(a, b)


@pytest.mark.parametrize("cls_name", ["RNN", "LSTM", "GRU"])
def test_eval_mode_with_dropout_matches_torch(cls_name):
    rng = np.random.default_rng(5)
    tm, em = _pair(cls_name, 3, 4, num_layers=2, dropout=0.5)
    tm.eval()
    em.eval()
    x = rng.standard_normal((5, 2, 3)).astype(np.float32)
    _close(tm(torch.tensor(x))[0], em(ember.tensor(x))[0])


@pytest.mark.parametrize("cls_name", ["RNN", "LSTM", "GRU"])
def test_packed_sequence_input_matches_torch(cls_name):
    rng = np.random.default_rng(6)
    tm, em = _pair(cls_name, 4, 5, num_layers=2, bidirectional=True)
    lengths = [3, 6, 2, 5]
    tx, ex = _leaf_pair(rng.standard_normal((6, 4, 4)).astype(np.float32))
    tp = torch_rnn_utils.pack_padded_sequence(tx, lengths, enforce_sorted=False)
    ep = ember_rnn_utils.pack_padded_sequence(ex, lengths, enforce_sorted=False)
    t_out, t_h = tm(tp)
    e_out, e_h = em(ep)
    assert isinstance(e_out, ember_rnn_utils.PackedSequence)
    np.testing.assert_array_equal(e_out.batch_sizes.numpy(), t_out.batch_sizes.numpy())
    t_pad, _ = torch_rnn_utils.pad_packed_sequence(t_out)
    e_pad, _ = ember_rnn_utils.pad_packed_sequence(e_out)
    _close(t_pad, e_pad)
    for a, b in zip(_flat(t_h), _flat(e_h)):
        _close(a, b)
    _backward_both([t_pad] + _flat(t_h), [e_pad] + _flat(e_h), rng)
    _close(tx.grad, ex.grad)
    _check_param_grads(tm, em)


def test_packed_lstm_with_proj_and_initial_state_matches_torch():
    rng = np.random.default_rng(7)
    tm, em = _pair("LSTM", 3, 5, bidirectional=True, proj_size=2)
    seqs = [rng.standard_normal((n, 3)).astype(np.float32) for n in (2, 4, 3)]
    h0 = rng.standard_normal((2, 3, 2)).astype(np.float32)
    c0 = rng.standard_normal((2, 3, 5)).astype(np.float32)
    tp = torch_rnn_utils.pack_sequence([torch.tensor(s) for s in seqs], enforce_sorted=False)
    ep = ember_rnn_utils.pack_sequence([ember.tensor(s) for s in seqs], enforce_sorted=False)
    t_out, (t_h, t_c) = tm(tp, (torch.tensor(h0), torch.tensor(c0)))
    e_out, (e_h, e_c) = em(ep, (ember.tensor(h0), ember.tensor(c0)))
    _close(t_out.data, e_out.data)
    _close(t_h, e_h)
    _close(t_c, e_c)


@pytest.mark.parametrize("cls_name", ["RNN", "LSTM", "GRU"])
def test_fused_recurrence_gradcheck_float64(cls_name):
    ember.manual_seed(0)
    em = getattr(ember.nn, cls_name)(2, 3, bidirectional=True, dtype=ember.float64)
    x = ember.randn(4, 2, 2, dtype=ember.float64, requires_grad=True)
    h0 = ember.randn(2, 2, 3, dtype=ember.float64, requires_grad=True)

    def fn(x, h0):
        state = (h0, h0 * 0.5) if cls_name == "LSTM" else h0
        out, h = em(x, state)
        return (out,) + tuple(_flat(h))

    assert ember.autograd.gradcheck(fn, (x, h0))


def test_seeded_init_is_identical_to_torch():
    ember.manual_seed(0)
    torch.manual_seed(0)
    em = ember.nn.LSTM(4, 5, num_layers=2, bidirectional=True, proj_size=2)
    tm = torch.nn.LSTM(4, 5, num_layers=2, bidirectional=True, proj_size=2)
    for a, b in zip(em.parameters(), tm.parameters()):
        np.testing.assert_array_equal(_np(a), _np(b))


@pytest.mark.parametrize("args", [
    ("RNN", 4, 5, {}), ("RNN", 4, 5, {"nonlinearity": "relu", "num_layers": 2}),
    ("GRU", 4, 5, {"bidirectional": True, "bias": False}), ("LSTM", 4, 5, {"proj_size": 2, "num_layers": 2}),
    ("LSTM", 4, 5, {"batch_first": True, "dropout": 0.2, "num_layers": 2}),
    ("RNNCell", 3, 4, {}), ("RNNCell", 3, 4, {"nonlinearity": "relu", "bias": False}),
    ("LSTMCell", 3, 4, {}), ("GRUCell", 3, 4, {}),
], ids=str)
def test_state_dict_keys_shapes_and_repr_match_torch(args):
    name, i, h, kw = args
    tm = getattr(torch.nn, name)(i, h, **kw)
    em = getattr(ember.nn, name)(i, h, **kw)
    assert list(em.state_dict().keys()) == list(tm.state_dict().keys())
    for (k, a), b in zip(em.state_dict().items(), tm.state_dict().values()):
        assert tuple(a.shape) == tuple(b.shape), k
    assert repr(em) == repr(tm)


@pytest.mark.parametrize("cls_name", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("with_state", [True, False])
def test_cells_match_torch(cls_name, batched, with_state):
    rng = np.random.default_rng(8)
    tm, em = _pair(cls_name, 3, 4)
    lead = (2,) if batched else ()
    tx, ex = _leaf_pair(rng.standard_normal(lead + (3,)).astype(np.float32))
    t_state = e_state = None
    if with_state:
        states = [_leaf_pair(rng.standard_normal(lead + (4,)).astype(np.float32))
                  for _ in range(2 if cls_name == "LSTMCell" else 1)]
        t_state = tuple(s[0] for s in states) if cls_name == "LSTMCell" else states[0][0]
        e_state = tuple(s[1] for s in states) if cls_name == "LSTMCell" else states[0][1]
    t_out, e_out = tm(tx, t_state), em(ex, e_state)
    for a, b in zip(_flat(t_out), _flat(e_out)):
        assert tuple(b.shape) == tuple(a.shape)
        _close(a, b)
    _backward_both(_flat(t_out), _flat(e_out), rng)
    _close(tx.grad, ex.grad)
    _check_param_grads(tm, em)


def test_rnn_cell_relu_matches_torch():
    rng = np.random.default_rng(9)
    tm, em = _pair("RNNCell", 3, 4, nonlinearity="relu")
    x = rng.standard_normal((5, 3)).astype(np.float32)
    _close(tm(torch.tensor(x)), em(ember.tensor(x)))


# --- errors -----------------------------------------------------------------------------

def _same_error(t_fn, e_fn):
    with pytest.raises(Exception) as t_err:
        t_fn()
    with pytest.raises(type(t_err.value)) as e_err:
        e_fn()
    assert str(e_err.value) == str(t_err.value)


@pytest.mark.parametrize("kwargs", [{"proj_size": 5}, {"proj_size": -1}, {"num_layers": 0},
                                    {"dropout": 1.5}, {"bias": 1}])
def test_bad_constructor_arguments_raise_like_torch(kwargs):
    _same_error(lambda: torch.nn.LSTM(3, 5, **kwargs), lambda: ember.nn.LSTM(3, 5, **kwargs))


def test_proj_size_on_gru_raises_like_torch():
    _same_error(lambda: torch.nn.GRU(3, 5, proj_size=2), lambda: ember.nn.GRU(3, 5, proj_size=2))


def test_wrong_input_size_raises_like_torch():
    tm, em = _pair("GRU", 3, 4)
    _same_error(lambda: tm(torch.zeros(2, 1, 5)), lambda: em(ember.zeros(2, 1, 5)))


def test_wrong_hidden_size_raises_like_torch():
    tm, em = _pair("LSTM", 3, 4)
    _same_error(lambda: tm(torch.zeros(2, 1, 3), (torch.zeros(1, 2, 4), torch.zeros(1, 1, 4))),
                lambda: em(ember.zeros(2, 1, 3), (ember.zeros(1, 2, 4), ember.zeros(1, 1, 4))))


def test_wrong_input_dim_raises_like_torch():
    tm, em = _pair("RNN", 3, 4)
    _same_error(lambda: tm(torch.zeros(2, 1, 1, 3)), lambda: em(ember.zeros(2, 1, 1, 3)))


# --- nn.utils.rnn -----------------------------------------------------------------------

@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_pad_sequence_matches_torch(batch_first, padding_side):
    rng = np.random.default_rng(10)
    arrs = [rng.standard_normal((n, 2)).astype(np.float32) for n in (3, 5, 1)]
    pairs = [_leaf_pair(a) for a in arrs]
    t = torch_rnn_utils.pad_sequence([p[0] for p in pairs], batch_first, -1.0, padding_side)
    e = ember_rnn_utils.pad_sequence([p[1] for p in pairs], batch_first, -1.0, padding_side)
    assert tuple(e.shape) == tuple(t.shape)
    _close(t, e)
    _backward_both([t], [e], rng)
    for tp, ep in pairs:
        _close(tp.grad, ep.grad)


@pytest.mark.parametrize("batch_first", [False, True])
def test_pack_and_pad_round_trip_matches_torch(batch_first):
    rng = np.random.default_rng(11)
    lengths = [2, 4, 4, 1]
    shape = (4, 5, 3) if batch_first else (5, 4, 3)
    tx, ex = _leaf_pair(rng.standard_normal(shape).astype(np.float32))
    tp = torch_rnn_utils.pack_padded_sequence(tx, lengths, batch_first, enforce_sorted=False)
    ep = ember_rnn_utils.pack_padded_sequence(ex, lengths, batch_first, enforce_sorted=False)
    _close(tp.data, ep.data)
    for name in ("batch_sizes", "sorted_indices", "unsorted_indices"):
        np.testing.assert_array_equal(getattr(ep, name).numpy(), getattr(tp, name).numpy())
    t_pad, t_len = torch_rnn_utils.pad_packed_sequence(tp, batch_first, padding_value=7.0, total_length=6)
    e_pad, e_len = ember_rnn_utils.pad_packed_sequence(ep, batch_first, padding_value=7.0, total_length=6)
    _close(t_pad, e_pad)
    np.testing.assert_array_equal(e_len.numpy(), t_len.numpy())
    _backward_both([t_pad], [e_pad], rng)
    _close(tx.grad, ex.grad)


def test_packed_sequence_repr_matches_torch():
    seqs = [[1.0, 2.0, 3.0], [4.0, 5.0]]
    t = torch_rnn_utils.pack_sequence([torch.tensor(s) for s in seqs])
    e = ember_rnn_utils.pack_sequence([ember.tensor(s) for s in seqs])
    assert repr(e) == repr(t)


def test_unpack_and_unpad_sequence_match_torch():
    rng = np.random.default_rng(12)
    arrs = [rng.standard_normal((n, 2)).astype(np.float32) for n in (2, 5, 3)]
    t = torch_rnn_utils.unpack_sequence(torch_rnn_utils.pack_sequence([torch.tensor(a) for a in arrs], False))
    e = ember_rnn_utils.unpack_sequence(ember_rnn_utils.pack_sequence([ember.tensor(a) for a in arrs], False))
    for a, b in zip(t, e):
        _close(a, b)
    t_pad = torch_rnn_utils.pad_sequence([torch.tensor(a) for a in arrs])
    e_pad = ember_rnn_utils.pad_sequence([ember.tensor(a) for a in arrs])
    for a, b in zip(torch_rnn_utils.unpad_sequence(t_pad, torch.tensor([2, 5, 3])),
                    ember_rnn_utils.unpad_sequence(e_pad, ember.tensor([2, 5, 3]))):
        _close(a, b)


def test_pack_unsorted_lengths_with_enforce_sorted_raises_like_torch():
    _same_error(lambda: torch_rnn_utils.pack_padded_sequence(torch.zeros(3, 2), [1, 3]),
                lambda: ember_rnn_utils.pack_padded_sequence(ember.zeros(3, 2), [1, 3]))


def test_pack_zero_length_raises_like_torch():
    _same_error(lambda: torch_rnn_utils.pack_padded_sequence(torch.zeros(3, 2), [3, 0]),
                lambda: ember_rnn_utils.pack_padded_sequence(ember.zeros(3, 2), [3, 0]))


def test_pad_packed_short_total_length_raises_like_torch():
    t = torch_rnn_utils.pack_sequence([torch.ones(3)])
    e = ember_rnn_utils.pack_sequence([ember.ones(3)])
    _same_error(lambda: torch_rnn_utils.pad_packed_sequence(t, total_length=2),
                lambda: ember_rnn_utils.pad_packed_sequence(e, total_length=2))


def test_pad_sequence_empty_list_raises_like_torch():
    _same_error(lambda: torch_rnn_utils.pad_sequence([]), lambda: ember_rnn_utils.pad_sequence([]))
