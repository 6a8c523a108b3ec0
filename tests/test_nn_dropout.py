"""Dropout: same seed, same mask as PyTorch's CPU kernel; scaling, gradients, modules."""
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import assert_same_error, randn

FUNCS = [("dropout", (2, 3, 4)), ("dropout", (7,)), ("alpha_dropout", (3, 5)), ("feature_alpha_dropout", (2, 3, 4)),
         ("dropout1d", (2, 3, 4)), ("dropout1d", (3, 4)), ("dropout2d", (2, 3, 4, 5)), ("dropout2d", (2, 3, 4)),
         ("dropout3d", (2, 3, 2, 2, 2)), ("dropout3d", (3, 2, 2, 2))]


def _run(lib, name, x, p, seed, inplace=False, grad=True):
    lib.manual_seed(seed)
    t = lib.tensor(x, requires_grad=grad and not inplace)
    inp = t.clone() if inplace else t
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = getattr(lib.nn.functional, name)(inp, p, True, inplace)
    return t, out


@pytest.mark.parametrize("name,shape", FUNCS)
@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
def test_same_seed_gives_same_mask_values_and_grads(name, shape, p):
    x = randn(*shape, seed=1, dtype=np.float32)
    (te, oe), (tt, ot) = _run(ember, name, x, p, 7), _run(torch, name, x, p, 7)
    np.testing.assert_array_equal(oe.detach().numpy(), ot.detach().numpy())
    g = randn(*shape, seed=2, dtype=np.float32)
    oe.backward(ember.tensor(g))
    ot.backward(torch.tensor(g))
    np.testing.assert_array_equal(te.grad.numpy(), tt.grad.numpy())


@pytest.mark.parametrize("name,shape", FUNCS[:3])
def test_inplace_variants_match(name, shape):
    x = randn(*shape, seed=3, dtype=np.float32)
    (_, oe), (_, ot) = _run(ember, name, x, 0.4, 11, inplace=True), _run(torch, name, x, 0.4, 11, inplace=True)
    np.testing.assert_array_equal(oe.numpy(), ot.numpy())


def test_rng_stream_continues_identically_after_dropout():
    for lib in (ember, torch):
        lib.manual_seed(5)
        lib.nn.functional.dropout(lib.ones(10), 0.3)
    np.testing.assert_array_equal(ember.rand(4).numpy(), torch.rand(4).numpy())


def test_dropout_scales_survivors_and_grad_fn_is_mul():
    ember.manual_seed(0)
    x = ember.ones(1000, requires_grad=True)
    out = ember.nn.functional.dropout(x, 0.25)
    vals = np.unique(out.detach().numpy())
    np.testing.assert_allclose(vals, [0.0, 1 / 0.75], rtol=1e-6)
    assert out.grad_fn.name() == "MulBackward0"


@pytest.mark.parametrize("name", ["dropout", "alpha_dropout", "dropout2d"])
def test_identity_when_not_training_or_p_zero(name):
    x = ember.randn(2, 3, 4)
    f = getattr(ember.nn.functional, name)
    assert f(x, 0.5, training=False) is x
    assert f(x, 0.0, training=True) is x


def test_p_one_zeroes_everything():
    for lib in (ember, torch):
        out = lib.nn.functional.dropout(lib.ones(3), 1.0)
        np.testing.assert_array_equal(out.numpy(), np.zeros(3))


@pytest.mark.parametrize("name", ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
                                  "feature_alpha_dropout"])
def test_bad_probability_raises_value_error(name):
    assert_same_error(lambda lib: getattr(lib.nn.functional, name)(lib.ones(2, 3, 4), 1.5),
                      match="dropout probability has to be between 0 and 1, but got 1.5")


def test_dropout1d_rejects_4d_input():
    assert_same_error(lambda lib: lib.nn.functional.dropout1d(lib.ones(2, 3, 4, 5)), match="Expected 2D or 3D")


@pytest.mark.parametrize("name,kw", [("Dropout", {}), ("Dropout1d", {"p": 0.3}), ("Dropout2d", {"inplace": True}),
                                     ("Dropout3d", {}), ("AlphaDropout", {"p": 0.2}), ("FeatureAlphaDropout", {})])
def test_modules_repr_train_and_eval(name, kw):
    e, t = getattr(ember.nn, name)(**kw), getattr(torch.nn, name)(**kw)
    assert repr(e) == repr(t)
    x = randn(2, 3, 4, 5, seed=4, dtype=np.float32) if name != "Dropout1d" else randn(2, 3, 4, seed=4,
                                                                                      dtype=np.float32)
    ember.manual_seed(9)
    torch.manual_seed(9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_array_equal(e(ember.tensor(x)).numpy(), t(torch.tensor(x)).numpy())
        e.eval()
        np.testing.assert_array_equal(e(ember.tensor(x)).numpy(), x)


def test_module_rejects_bad_p():
    assert_same_error(lambda lib: lib.nn.Dropout(p=-0.1), match="dropout probability has to be between 0 and 1")
