"""Activation functions and modules: same outputs and input-gradients as PyTorch, stable for big inputs."""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_same_error, compare, randn


def _input(shape=(4, 6), scale=3.0, dtype=np.float64):
    x = randn(*shape, dtype=dtype) * scale
    flat = x.reshape(-1)
    # Exercise the kinks: exact boundaries of the piecewise functions.
    flat[:8] = [0.0, 3.0, -3.0, 1.0, -1.0, 0.5, -0.5, 6.0]
    return x


FUNCTIONAL = [
    ("relu", {}), ("relu6", {}), ("leaky_relu", {}), ("leaky_relu", {"negative_slope": 0.2}),
    ("elu", {}), ("elu", {"alpha": 0.5}), ("selu", {}), ("celu", {"alpha": 2.0}), ("gelu", {}),
    ("gelu", {"approximate": "tanh"}), ("silu", {}), ("mish", {}), ("hardtanh", {}),
    ("hardtanh", {"min_val": -2.0, "max_val": 0.5}), ("hardsigmoid", {}), ("hardswish", {}), ("softplus", {}),
    ("softplus", {"beta": 2.0, "threshold": 5.0}), ("softsign", {}), ("softshrink", {}),
    ("softshrink", {"lambd": 1.0}), ("hardshrink", {}), ("tanhshrink", {}), ("logsigmoid", {}), ("glu", {}),
    ("glu", {"dim": 0}), ("sigmoid", {}), ("tanh", {}),
]


@pytest.mark.parametrize("name, kwargs", FUNCTIONAL, ids=lambda v: str(v))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_functional_matches_torch(name, kwargs, dtype):
    compare(lambda lib, x: getattr(lib.nn.functional, name)(x, **kwargs), _input(dtype=dtype))


@pytest.mark.parametrize("name, kwargs", FUNCTIONAL, ids=lambda v: str(v))
def test_grad_fn_name_matches_torch(name, kwargs):
    e, t = compare(lambda lib, x: getattr(lib.nn.functional, name)(x, **kwargs), _input())
    assert e.grad_fn.name() == t.grad_fn.name()


def test_threshold_and_prelu_match_torch():
    compare(lambda lib, x: lib.nn.functional.threshold(x, 0.5, -2.0), _input())
    compare(lambda lib, x, w: lib.nn.functional.prelu(x, w), randn(2, 3, 4), randn(3, seed=1))
    compare(lambda lib, x, w: lib.nn.functional.prelu(x, w), randn(2, 3, 4), randn(1, seed=1))


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_family_matches_torch(name, dim):
    compare(lambda lib, x: getattr(lib.nn.functional, name)(x, dim=dim), randn(3, 4, 5))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_dtype_argument(name):
    e, t = compare(lambda lib, x: getattr(lib.nn.functional, name)(x, 1, dtype=lib.float64),
                   randn(2, 5, dtype=np.float32))
    assert e.dtype == ember.float64


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "logsigmoid", "softplus", "sigmoid", "silu", "elu",
                                  "gelu", "mish"])
def test_large_inputs_stay_finite(name):
    x = np.array([[-1000.0, 0.0, 1000.0], [500.0, 501.0, 499.0]], dtype=np.float32)
    fn = getattr(ember.nn.functional, name)
    args = (1,) if name in ("softmax", "log_softmax") else ()
    te = ember.tensor(x, requires_grad=True)
    y = fn(te, *args)
    y.sum().backward()
    tt = torch.tensor(x, requires_grad=True)
    yt = getattr(torch.nn.functional, name)(tt, *args)
    yt.sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(te.grad.numpy(), tt.grad.numpy(), rtol=1e-5, atol=1e-6)
    assert np.isfinite(y.detach().numpy()).all()


@pytest.mark.parametrize("name, args", [("relu_", ()), ("leaky_relu_", (0.1,)), ("elu_", ()),
                                        ("hardtanh_", ()), ("threshold_", (0.2, -1.0)), ("selu_", ()),
                                        ("celu_", ())])
def test_inplace_functional_matches_torch(name, args):
    def fn(lib, x):
        y = x * 1.0
        out = getattr(lib.nn.functional, name)(y, *args)
        assert out is y
        return out
    e, t = compare(fn, _input())
    assert e.grad_fn.name() == t.grad_fn.name()


MODULES = [
    ("ReLU", ()), ("ReLU", (True,)), ("ReLU6", ()), ("LeakyReLU", (0.2, True)), ("ELU", (0.7,)), ("SELU", ()),
    ("CELU", (1.5,)), ("GELU", ("tanh",)), ("SiLU", ()), ("Mish", ()), ("Sigmoid", ()), ("Tanh", ()),
    ("Hardtanh", (-0.5, 2.0)), ("Hardsigmoid", ()), ("Hardswish", ()), ("Softplus", (2.0, 10.0)), ("Softsign", ()),
    ("Softshrink", (0.3,)), ("Hardshrink", (0.3,)), ("Tanhshrink", ()), ("Threshold", (0.1, 20.0)),
    ("LogSigmoid", ()), ("GLU", ()), ("Softmax", (1,)), ("LogSoftmax", (1,)), ("Softmin", (1,)),
    ("Softmax2d", ()), ("PReLU", ()), ("PReLU", (4,)),
]


@pytest.mark.parametrize("name, args", MODULES, ids=lambda v: str(v))
def test_module_matches_torch_and_repr(name, args):
    x = randn(2, 4, 3, 2)

    def fn(lib, inp):
        m = getattr(lib.nn, name)(*args).double()
        if args and args[-1] is True:  # inplace variants act on a non-leaf copy
            inp = inp * 1.0
        return m(inp)
    compare(fn, x)
    assert repr(getattr(ember.nn, name)(*args)) == repr(getattr(torch.nn, name)(*args))


def test_prelu_weight_gets_gradient():
    compare(lambda lib, x, w: lib.nn.functional.prelu(x, w), randn(3, 2), np.array([0.25, -0.5]))


def test_bad_arguments_raise_like_torch():
    assert_same_error(lambda lib: lib.nn.functional.glu(lib.ones(2, 3)), "Halving dimension must be even")
    assert_same_error(lambda lib: lib.nn.functional.prelu(lib.ones(2, 3), lib.ones(2)), "Mismatch of parameter")
    assert_same_error(lambda lib: lib.nn.functional.hardtanh(lib.ones(2), 1.0, -1.0), "min_val cannot be greater")
    assert_same_error(lambda lib: lib.nn.Softmax2d()(lib.ones(2)), "Softmax2d: expected input to be 3D or 4D")
    assert_same_error(lambda lib: lib.nn.functional.gelu(lib.ones(2), approximate="x"))


def test_implicit_softmax_dim_warns_and_picks_torch_dim():
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        e = ember.nn.functional.softmax(ember.tensor(randn(2, 3)))
    with pytest.warns(UserWarning):
        t = torch.nn.functional.softmax(torch.tensor(randn(2, 3)))
    np.testing.assert_allclose(e.numpy(), t.numpy())


def test_gradcheck_double_backward():
    from oracle import gradcheck
    for fn in (lambda lib, x: lib.nn.functional.gelu(x), lambda lib, x: lib.nn.functional.softmax(x, -1),
               lambda lib, x: lib.nn.functional.log_softmax(x, -1), lambda lib, x: lib.nn.functional.mish(x),
               lambda lib, x: lib.nn.functional.elu(x), lambda lib, x: lib.nn.functional.softplus(x)):
        gradcheck(fn, randn(3, 4), gradgrad=True)


@pytest.mark.parametrize("shape", [(3, 5), (64, 32, 26, 26)])   # the second is split over threads
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("relu", [lambda lib: lib.relu, lambda lib: lib.nn.functional.relu])
def test_relu_nan_and_zero_inputs_match_torch(shape, dtype, relu):
    # PyTorch's relu backward passes the gradient wherever the output is not <= 0: a NaN
    # input (of either sign) gets it; +0 and -0 inputs do not. (The sign of a zero result is
    # not compared.)
    x = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    g = np.random.default_rng(1).standard_normal(shape).astype(dtype)
    x.reshape(-1)[:4] = [np.nan, 0.0, -0.0, -np.nan]
    g.reshape(-1)[4] = np.nan
    e, t = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ye, yt = relu(ember)(e), relu(torch)(t)
    ye.backward(ember.tensor(g))
    yt.backward(torch.tensor(g))
    for a, b in ((ye.detach().numpy(), yt.detach().numpy()), (e.grad.numpy(), t.grad.numpy())):
        assert np.array_equal(a, b, equal_nan=True)


def test_gelu_float32_is_within_its_stated_error_of_exact():
    # ember's float32 GELU is a fitted logistic form of Phi (ember/ops/_fast_math.py): within
    # 1e-7 of Phi, so |gelu - exact| <= 1e-7 |x| plus the product's rounding. 2M points,
    # so the two-thread path runs too; the reference is PyTorch's float64 GELU.
    x = np.linspace(-12, 12, 2_000_001, dtype=np.float32)
    got = ember.nn.functional.gelu(ember.tensor(x)).numpy().astype(np.float64)
    exact = torch.nn.functional.gelu(torch.tensor(x.astype(np.float64))).numpy()
    bound = 1e-7 * np.abs(x) + np.spacing(np.abs(exact).astype(np.float32)) + 1e-12
    assert (np.abs(got - exact) <= bound).all()


def test_gelu_float32_limits_match_torch():
    x = np.array([-np.inf, -1e30, -3e19, -20.0, -7.0, np.nan, 0.0, -0.0, 1e-30, 7.0, 20.0, 3e19, 1e30],
                 np.float32)
    got = ember.nn.functional.gelu(ember.tensor(x)).numpy()
    want = torch.nn.functional.gelu(torch.tensor(x)).numpy()
    np.testing.assert_array_equal(np.signbit(got[1:]), np.signbit(want[1:]))
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)   # nan where torch has nan


@pytest.mark.parametrize("call", [lambda lib, t: lib.relu(t), lambda lib, t: lib.nn.functional.relu(t),
                                  lambda lib, t: lib.nn.functional.relu(t, inplace=True),
                                  lambda lib, t: t.relu_()])
def test_relu_rejects_bool_like_torch(call):
    with pytest.raises(RuntimeError) as theirs:
        call(torch, torch.tensor([True, False]))
    with pytest.raises(RuntimeError) as ours:
        call(ember, ember.tensor([True, False]))
    assert str(ours.value) == str(theirs.value)
