"""Lazy conv/norm layers, RReLU, gumbel_softmax, fractional max pooling, AdaptiveLogSoftmaxWithLoss
and CrossMapLRN2d against PyTorch (same seeds give the same random draws)."""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_same_error, to_numpy

LIBS = (ember, torch)


def _close(e, t, rtol=2e-5, atol=2e-6):
    assert tuple(e.shape) == tuple(t.shape)
    np.testing.assert_allclose(to_numpy(e), to_numpy(t), rtol=rtol, atol=atol)


def _arr(*shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _pair(arr, requires_grad=True):
    return ember.tensor(arr, requires_grad=requires_grad), torch.tensor(arr, requires_grad=requires_grad)


# --- lazy layers ------------------------------------------------------------------------------
LAZY_CONVS = [
    ("LazyConv1d", (4, 3), {"padding": 1}, (2, 3, 7)),
    ("LazyConv1d", (4, 2), {}, (3, 7)),
    ("LazyConv2d", (4, 3), {"stride": 2, "groups": 1}, (2, 3, 6, 5)),
    ("LazyConv2d", (4, 3), {"groups": 2, "bias": False}, (2, 4, 6, 5)),
    ("LazyConv3d", (2, 2), {}, (1, 3, 4, 4, 3)),
    ("LazyConvTranspose1d", (4, 3), {"stride": 2}, (2, 3, 5)),
    ("LazyConvTranspose2d", (4, 3), {"output_padding": 1, "stride": 2}, (2, 3, 4, 5)),
    ("LazyConvTranspose3d", (2, 2), {}, (1, 3, 3, 3, 2)),
]


@pytest.mark.parametrize("name,args,kwargs,shape", LAZY_CONVS)
def test_lazy_conv_same_init_output_and_class(name, args, kwargs, shape):
    x = _arr(*shape)
    res = {}
    for lib in LIBS:
        lib.manual_seed(0)
        m = getattr(lib.nn, name)(*args, **kwargs)
        before = (repr(m), list(m.state_dict()), m.has_uninitialized_params())
        y = m(lib.tensor(x))
        res[lib] = (before, m, y)
    (eb, em, ey), (tb, tm, ty) = res[ember], res[torch]
    assert eb == tb
    assert type(em).__name__ == type(tm).__name__ == name.replace("Lazy", "")
    assert repr(em) == repr(tm)
    for k, v in tm.state_dict().items():
        _close(em.state_dict()[k], v)
    _close(ey, ty, 1e-4, 1e-5)


@pytest.mark.parametrize("name,shape", [("LazyBatchNorm1d", (4, 3)), ("LazyBatchNorm1d", (4, 3, 5)),
                                        ("LazyBatchNorm2d", (2, 3, 4, 4)), ("LazyBatchNorm3d", (2, 3, 2, 2, 2)),
                                        ("LazyInstanceNorm1d", (2, 3, 6)), ("LazyInstanceNorm2d", (2, 3, 4, 4)),
                                        ("LazyInstanceNorm3d", (2, 3, 2, 3, 2))])
def test_lazy_norm_matches(name, shape):
    x = _arr(*shape)
    res = {}
    for lib in LIBS:
        m = getattr(lib.nn, name)()
        before = (repr(m), list(m.state_dict()))
        y = m(lib.tensor(x))
        res[lib] = (before, m, y)
    (eb, em, ey), (tb, tm, ty) = res[ember], res[torch]
    assert eb == tb
    assert type(em).__name__ == type(tm).__name__ and repr(em) == repr(tm)
    assert list(em.state_dict()) == list(tm.state_dict())
    for k, v in tm.state_dict().items():
        _close(em.state_dict()[k], v, 1e-5, 1e-6)
    _close(ey, ty, 1e-4, 1e-5)


def test_lazy_norm_without_affine_or_stats():
    seen = []
    for lib in LIBS:
        m = lib.nn.LazyBatchNorm2d(affine=False, track_running_stats=False)
        assert list(m.state_dict()) == []
        y = m(lib.ones(2, 3, 2, 2))
        # Nothing was lazy, so PyTorch never infers num_features (it stays 0).
        seen.append((type(m).__name__, m.num_features, repr(m), tuple(y.shape)))
    assert seen[0] == seen[1]


def test_lazy_conv_loads_state_dict_before_forward():
    torch.manual_seed(1)
    t = torch.nn.Conv2d(3, 4, 3)
    e = ember.nn.LazyConv2d(4, 3)
    e.load_state_dict({k: v.detach().numpy() for k, v in t.state_dict().items()})
    x = _arr(1, 3, 5, 5)
    _close(e(ember.tensor(x)), t(torch.tensor(x)), 1e-4, 1e-5)


def test_lazy_conv_bad_input_errors():
    assert_same_error(lambda lib: lib.nn.LazyConv2d(4, 3)(lib.ones(3, 5)), match="(unbatched) or 4D (batched)")
    assert_same_error(lambda lib: lib.nn.LazyConv2d(4, 3, groups=2)(lib.ones(1, 3, 5, 5)),
                      match="in_channels must be divisible by groups")


def test_lazy_conv_gradients_match():
    x = _arr(2, 3, 5, 5)
    grads = {}
    for lib in LIBS:
        lib.manual_seed(0)
        m = lib.nn.LazyConv2d(2, 3)
        y = m(lib.tensor(x))
        (y * y).sum().backward()
        grads[lib] = (m.weight.grad, m.bias.grad)
    _close(grads[ember][0], grads[torch][0], 1e-4, 1e-4)
    _close(grads[ember][1], grads[torch][1], 1e-4, 1e-4)


# --- RReLU ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("lower,upper", [(1 / 8, 1 / 3), (0.1, 0.6)])
def test_rrelu_training_same_draws_and_grads(dtype, lower, upper):
    arr = _arr(4, 3, 5, dtype=dtype)
    res = {}
    for lib in LIBS:
        lib.manual_seed(3)
        x = lib.tensor(arr, requires_grad=True)
        y = lib.nn.functional.rrelu(x, lower, upper, training=True)
        y.backward(lib.tensor(arr[::-1].copy()))
        res[lib] = (y, x.grad, lib.rand(2))
    np.testing.assert_array_equal(to_numpy(res[ember][0]), to_numpy(res[torch][0]))
    np.testing.assert_array_equal(to_numpy(res[ember][1]), to_numpy(res[torch][1]))
    np.testing.assert_array_equal(to_numpy(res[ember][2]), to_numpy(res[torch][2]))
    assert res[ember][0].grad_fn.name() == res[torch][0].grad_fn.name()


def test_rrelu_eval_is_leaky_relu_with_mean_slope():
    ex, tx = _pair(_arr(3, 7))
    ey, ty = ember.nn.functional.rrelu(ex), torch.nn.functional.rrelu(tx)
    np.testing.assert_array_equal(to_numpy(ey), to_numpy(ty))
    ey.sum().backward()
    ty.sum().backward()
    _close(ex.grad, tx.grad)


def test_rrelu_inplace_and_module():
    arr = _arr(5, 4)
    res = {}
    for lib in LIBS:
        lib.manual_seed(9)
        m = lib.nn.RReLU(0.1, 0.3, inplace=True)
        leaf = lib.tensor(arr, requires_grad=True)
        x = leaf * 1
        y = m(x)
        assert y is x
        y.sum().backward()
        res[lib] = (repr(m), repr(lib.nn.RReLU()), y.grad_fn.name(), y, leaf.grad)
    assert res[ember][:3] == res[torch][:3]
    np.testing.assert_array_equal(to_numpy(res[ember][3]), to_numpy(res[torch][3]))
    np.testing.assert_array_equal(to_numpy(res[ember][4]), to_numpy(res[torch][4]))


def test_rrelu_module_train_vs_eval():
    arr = _arr(6, 6)
    for train in (True, False):
        out = {}
        for lib in LIBS:
            lib.manual_seed(1)
            m = lib.nn.RReLU().train(train)
            out[lib] = m(lib.tensor(arr))
        np.testing.assert_array_equal(to_numpy(out[ember]), to_numpy(out[torch]))


# --- gumbel_softmax ------------------------------------------------------------------------------
@pytest.mark.parametrize("hard", [False, True])
@pytest.mark.parametrize("dim,tau", [(-1, 1.0), (0, 0.5)])
def test_gumbel_softmax_same_draws_and_grads(hard, dim, tau):
    arr = _arr(4, 6, dtype=np.float64)
    weights = _arr(4, 6, seed=2, dtype=np.float64)
    res = {}
    for lib in LIBS:
        lib.manual_seed(11)
        x = lib.tensor(arr, requires_grad=True)
        y = lib.nn.functional.gumbel_softmax(x, tau=tau, hard=hard, dim=dim)
        (y * lib.tensor(weights)).sum().backward()
        res[lib] = (y, x.grad)
    _close(res[ember][0], res[torch][0], 1e-12, 1e-12)
    _close(res[ember][1], res[torch][1], 1e-10, 1e-12)
    if hard:
        assert set(np.unique(to_numpy(res[ember][0]))) <= {0.0, 1.0}


def test_gumbel_softmax_eps_warns():
    with pytest.warns(UserWarning, match="deprecated"):
        ember.nn.functional.gumbel_softmax(ember.zeros(3), eps=1e-3)


# --- fractional max pooling ----------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kernel,kw,shape", [(3, {"output_size": (5, 4)}, (2, 3, 10, 9)),
                                             ((2, 3), {"output_ratio": (0.5, 0.5)}, (2, 3, 10, 9)),
                                             (2, {"output_size": 3}, (3, 7, 6)),
                                             (2, {"output_size": (7, 1)}, (1, 2, 8, 2))])
def test_fractional_max_pool2d_same_samples(dtype, kernel, kw, shape):
    arr = _arr(*shape, dtype=dtype)
    res = {}
    for lib in LIBS:
        lib.manual_seed(7)
        x = lib.tensor(arr, requires_grad=True)
        y, idx = lib.nn.functional.fractional_max_pool2d(x, kernel, return_indices=True, **kw)
        (y * y).sum().backward()
        res[lib] = (y, idx, x.grad, y.grad_fn.name())
    np.testing.assert_array_equal(to_numpy(res[ember][0]), to_numpy(res[torch][0]))
    np.testing.assert_array_equal(to_numpy(res[ember][1]), to_numpy(res[torch][1]))
    assert res[ember][1].dtype == ember.int64
    _close(res[ember][2], res[torch][2])
    assert res[ember][3] == res[torch][3]


def test_fractional_max_pool2d_with_given_samples_and_module():
    arr = _arr(2, 3, 9, 9)
    samples = np.random.default_rng(5).random((2, 3, 2)).astype(np.float32)
    res = {}
    for lib in LIBS:
        m = lib.nn.FractionalMaxPool2d(2, output_ratio=0.6, _random_samples=lib.tensor(samples))
        res[lib] = (m(lib.tensor(arr)), repr(m), list(m.state_dict()))
    np.testing.assert_array_equal(to_numpy(res[ember][0]), to_numpy(res[torch][0]))
    assert res[ember][1:] == res[torch][1:]


@pytest.mark.parametrize("kernel,size,shape", [((2, 1, 3), (3, 1, 4), (2, 3, 5, 2, 9)), (2, 3, (2, 5, 5, 6))])
def test_fractional_max_pool3d_same_samples(kernel, size, shape):
    arr = _arr(*shape, dtype=np.float64)
    res = {}
    for lib in LIBS:
        lib.manual_seed(7)
        x = lib.tensor(arr, requires_grad=True)
        m = lib.nn.FractionalMaxPool3d(kernel, output_size=size, return_indices=True)
        y, idx = m(x)
        y.sum().backward()
        res[lib] = (y, idx, x.grad)
    for a, b in zip(res[ember], res[torch]):
        np.testing.assert_array_equal(to_numpy(a), to_numpy(b))


def test_fractional_max_pool_nan_and_ties():
    arr = np.zeros((1, 1, 6, 6), np.float32)
    arr[0, 0, 1, 1] = np.nan
    arr[0, 0, 4, 4] = np.nan
    arr[0, 0, 4, 5] = np.nan
    res = {}
    for lib in LIBS:
        lib.manual_seed(2)
        res[lib] = lib.nn.functional.fractional_max_pool2d(lib.tensor(arr), 2, output_size=3, return_indices=True)
    np.testing.assert_array_equal(to_numpy(res[ember][0]), to_numpy(res[torch][0]))
    np.testing.assert_array_equal(to_numpy(res[ember][1]), to_numpy(res[torch][1]))


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.fractional_max_pool2d(lib.ones(2, 3, 8, 8), 4, output_size=6),
    lambda lib: lib.nn.functional.fractional_max_pool2d(lib.ones(2, 3, 8, 8), 2),
    lambda lib: lib.nn.functional.fractional_max_pool2d(lib.ones(8, 8), 2, output_size=3),
    lambda lib: lib.nn.functional.fractional_max_pool2d(lib.ones(2, 3, 8, 8), 2, output_size=3,
                                                        _random_samples=lib.rand(2, 3, 3)),
    lambda lib: lib.nn.functional.fractional_max_pool2d(lib.ones(2, 3, 8, 8), 2, output_size=3,
                                                        _random_samples=lib.rand(1, 3, 2)),
    lambda lib: lib.nn.functional.fractional_max_pool2d(lib.ones(2, 3, 8, 8), 2, output_size=3,
                                                        _random_samples=lib.rand(2, 3, 2, dtype=lib.float64)),
    lambda lib: lib.nn.functional.fractional_max_pool2d(lib.ones(2, 3, 8, 8), 2, output_ratio=(.5, .5, .5)),
    lambda lib: lib.nn.functional.fractional_max_pool2d(lib.ones(2, 3, 0, 8), 2, output_size=3),
    lambda lib: lib.nn.functional.fractional_max_pool3d(lib.ones(1, 1, 8, 8, 8), 2, output_size=7),
    lambda lib: lib.nn.functional.fractional_max_pool3d(lib.ones(8, 8, 8), 2, output_size=6,
                                                        _random_samples=lib.rand(1, 8, 3)),
    lambda lib: lib.nn.FractionalMaxPool2d(2),
    lambda lib: lib.nn.FractionalMaxPool2d(2, output_size=2, output_ratio=0.5),
    lambda lib: lib.nn.FractionalMaxPool2d(2, output_ratio=1.5),
    lambda lib: lib.nn.FractionalMaxPool3d(0, output_ratio=0.5),
])
def test_fractional_max_pool_errors(call):
    exc = assert_same_error(call)
    try:
        call(torch)
    except Exception as t_exc:  # noqa: BLE001
        assert str(exc) == str(t_exc)


# --- AdaptiveLogSoftmaxWithLoss --------------------------------------------------------------------
def _asm_pair(**kw):
    torch.manual_seed(0)
    t = torch.nn.AdaptiveLogSoftmaxWithLoss(8, 20, [4, 10], **kw)
    e = ember.nn.AdaptiveLogSoftmaxWithLoss(8, 20, [4, 10], **kw)
    e.load_state_dict({k: v.detach().numpy() for k, v in t.state_dict().items()})
    return e, t


@pytest.mark.parametrize("kw", [{}, {"div_value": 2.0, "head_bias": True}])
def test_adaptive_log_softmax_forward_backward(kw):
    e, t = _asm_pair(**kw)
    assert repr(e) == repr(t) and list(e.state_dict()) == list(t.state_dict())
    x = _arr(6, 8)
    target = np.array([0, 5, 19, 3, 12, 9])
    ex, tx = _pair(x)
    eo, to_ = e(ex, ember.tensor(target)), t(tx, torch.tensor(target))
    _close(eo.output, to_.output)
    _close(eo.loss, to_.loss)
    eo.loss.backward()
    to_.loss.backward()
    _close(ex.grad, tx.grad, 1e-4, 1e-5)
    for (name, ep), (_, tp) in zip(e.named_parameters(), t.named_parameters()):
        _close(ep.grad, tp.grad, 1e-4, 1e-5)


def test_adaptive_log_softmax_log_prob_predict_unbatched():
    e, t = _asm_pair()
    x = _arr(5, 8, seed=3)
    _close(e.log_prob(ember.tensor(x)), t.log_prob(torch.tensor(x)))
    np.testing.assert_array_equal(to_numpy(e.predict(ember.tensor(x))), to_numpy(t.predict(torch.tensor(x))))
    eo, to_ = e(ember.tensor(x[0]), ember.tensor(13)), t(torch.tensor(x[0]), torch.tensor(13))
    _close(eo.output, to_.output)
    _close(eo.loss, to_.loss)


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, []),
    lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [5, 3]),
    lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [10]),
    lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4])(lib.ones(3, 8), lib.tensor([0, 1])),
    lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4])(lib.ones(3, 8), lib.tensor([0, 1, 10])),
    lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4])(lib.ones(3, 8), lib.zeros(3, 1, dtype=lib.long)),
    lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4])(lib.ones(3, 8), lib.tensor(1)),
])
def test_adaptive_log_softmax_errors(call):
    exc = assert_same_error(call)
    try:
        call(torch)
    except Exception as t_exc:  # noqa: BLE001
        assert str(exc) == str(t_exc)


# --- CrossMapLRN2d ------------------------------------------------------------------------------
@pytest.mark.parametrize("size", [2, 3, 5, 8])
def test_cross_map_lrn2d_matches(size):
    x = _arr(2, 7, 3, 4, dtype=np.float64)
    res = {}
    for lib in LIBS:
        t = lib.tensor(x, requires_grad=True)
        m = lib.nn.CrossMapLRN2d(size, alpha=0.5, beta=0.75, k=1.5)
        y = m(t)
        y.backward(lib.tensor(x[::-1].copy()))
        res[lib] = (y, t.grad, y.grad_fn.name(), repr(m))
    _close(res[ember][0], res[torch][0], 1e-12, 1e-12)
    _close(res[ember][1], res[torch][1], 1e-10, 1e-12)
    assert res[ember][2:] == res[torch][2:]


def test_cross_map_lrn2d_requires_4d():
    assert_same_error(lambda lib: lib.nn.CrossMapLRN2d(3)(lib.ones(2, 3, 4)), match="Expected input to be 4D")
