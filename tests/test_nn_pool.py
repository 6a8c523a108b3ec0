"""Pooling functions and layers against PyTorch (values, indices, gradients, reprs, errors)."""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_same_error, compare, gradcheck, randn


def F(lib):
    return lib.nn.functional


MAX2D = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=(3, 2), stride=1, dilation=2),
    dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 1), dilation=(1, 2), ceil_mode=True),
]


@pytest.mark.parametrize("kw", MAX2D)
def test_max_pool2d_matches_torch(kw):
    compare(lambda lib, x: F(lib).max_pool2d(x, **kw), randn(2, 3, 9, 8, dtype=np.float32))


@pytest.mark.parametrize("kw", MAX2D)
def test_max_pool2d_indices_match_torch(kw):
    x = randn(2, 3, 9, 8)
    eo, ei = ember.nn.functional.max_pool2d(ember.tensor(x), return_indices=True, **kw)
    to, ti = torch.nn.functional.max_pool2d(torch.tensor(x), return_indices=True, **kw)
    np.testing.assert_array_equal(eo.numpy(), to.numpy())
    np.testing.assert_array_equal(ei.numpy(), ti.numpy())
    assert ei.dtype == ember.int64


def test_max_pool2d_ties_send_gradient_to_first_maximum():
    x = np.zeros((1, 1, 4, 4), np.float32)  # every window is a tie (as after a ReLU)
    compare(lambda lib, t: F(lib).max_pool2d(t, 2), x)
    compare(lambda lib, t: F(lib).max_pool2d(t, 3, stride=1), x)


def test_max_pool2d_nan_wins_like_torch():
    x = randn(1, 2, 4, 4)
    x[0, 0, 1, 1] = np.nan
    x[0, 1, 0, 0] = np.nan
    x[0, 1, 0, 1] = np.nan
    eo, ei = ember.nn.functional.max_pool2d(ember.tensor(x), 2, return_indices=True)
    to, ti = torch.nn.functional.max_pool2d(torch.tensor(x), 2, return_indices=True)
    np.testing.assert_array_equal(eo.numpy(), to.numpy())
    np.testing.assert_array_equal(ei.numpy(), ti.numpy())


def test_max_pool1d_and_3d_match_torch():
    compare(lambda lib, x: F(lib).max_pool1d(x, 3, stride=2, padding=1, ceil_mode=True), randn(2, 3, 10))
    compare(lambda lib, x: F(lib).max_pool3d(x, 2, stride=(1, 2, 2), padding=1), randn(1, 2, 4, 5, 4))


def test_max_pool_unbatched():
    compare(lambda lib, x: F(lib).max_pool2d(x, 2), randn(3, 6, 6))


def test_max_pool2d_gradcheck_and_double_backward():
    gradcheck(lambda lib, x: F(lib).max_pool2d(x, 3, stride=2, padding=1), randn(1, 2, 5, 5), gradgrad=True)
    gradcheck(lambda lib, x: F(lib).max_pool2d(x, 2), randn(1, 2, 4, 4), gradgrad=True)


def test_max_pool_grad_fn_name():
    x = ember.randn(1, 1, 4, 4, requires_grad=True)
    assert ember.nn.functional.max_pool2d(x, 2).grad_fn.name() == "MaxPool2DWithIndicesBackward0"
    assert ember.nn.functional.avg_pool2d(x, 2).grad_fn.name() == "AvgPool2DBackward0"


AVG2D = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    dict(kernel_size=(3, 2), stride=(2, 1), divisor_override=5),
]


@pytest.mark.parametrize("kw", AVG2D)
def test_avg_pool2d_matches_torch(kw):
    compare(lambda lib, x: F(lib).avg_pool2d(x, **kw), randn(2, 3, 9, 8, dtype=np.float32))


def test_avg_pool1d_and_3d_match_torch():
    compare(lambda lib, x: F(lib).avg_pool1d(x, 3, 2, 1, True, False), randn(2, 3, 10))
    compare(lambda lib, x: F(lib).avg_pool3d(x, 2, stride=(1, 2, 2), padding=1), randn(1, 2, 4, 5, 4))


def test_avg_pool2d_gradcheck_and_double_backward():
    gradcheck(lambda lib, x: F(lib).avg_pool2d(x, 3, 2, 1, True, False), randn(1, 1, 5, 5), gradgrad=True)


def test_lp_pool_matches_torch():
    compare(lambda lib, x: F(lib).lp_pool2d(x, 2, 2), randn(2, 3, 6, 6) + 3)
    compare(lambda lib, x: F(lib).lp_pool1d(x, 3, 3, 2), randn(2, 3, 9) + 3)


@pytest.mark.parametrize("size", [(4, 5), 3, (1, 1), (None, 2), (12, 11)])
def test_adaptive_avg_pool2d_matches_torch(size):
    compare(lambda lib, x: F(lib).adaptive_avg_pool2d(x, size), randn(2, 3, 9, 8))


def test_adaptive_avg_pool1d_3d_and_gradgrad():
    compare(lambda lib, x: F(lib).adaptive_avg_pool1d(x, 4), randn(2, 3, 9))
    compare(lambda lib, x: F(lib).adaptive_avg_pool3d(x, (2, 3, 2)), randn(1, 2, 5, 7, 4))
    gradcheck(lambda lib, x: F(lib).adaptive_avg_pool2d(x, (2, 3)), randn(1, 1, 4, 5), gradgrad=True)


@pytest.mark.parametrize("size", [(4, 5), 3, (6, 7)])
def test_adaptive_max_pool2d_matches_torch_with_indices(size):
    x = randn(2, 3, 5, 4)
    compare(lambda lib, t: F(lib).adaptive_max_pool2d(t, size), x)
    _, ei = ember.nn.functional.adaptive_max_pool2d(ember.tensor(x), size, return_indices=True)
    _, ti = torch.nn.functional.adaptive_max_pool2d(torch.tensor(x), size, return_indices=True)
    np.testing.assert_array_equal(ei.numpy(), ti.numpy())


def test_adaptive_max_pool1d_and_gradgrad():
    compare(lambda lib, x: F(lib).adaptive_max_pool1d(x, 4), randn(2, 3, 9))
    gradcheck(lambda lib, x: F(lib).adaptive_max_pool2d(x, (2, 3)), randn(1, 1, 4, 5), gradgrad=True)


def test_max_unpool2d_roundtrip_matches_torch():
    x = randn(2, 3, 6, 6)

    def fn(lib, t):
        out, idx = F(lib).max_pool2d(t, 2, return_indices=True)
        return F(lib).max_unpool2d(out, idx, 2)
    compare(fn, x)


def test_max_unpool1d_with_output_size_matches_torch():
    def fn(lib, t):
        out, idx = F(lib).max_pool1d(t, 2, return_indices=True)
        return F(lib).max_unpool1d(out, idx, 2, output_size=(9,))
    compare(fn, randn(2, 3, 9))


POOL_ERRORS = [
    (lambda lib: F(lib).max_pool2d(lib.randn(2, 3, 8, 8), 3, padding=2), "pad should be at most half"),
    (lambda lib: F(lib).max_pool2d(lib.randn(1, 1, 1, 1), 2), "Output size is too small"),
    (lambda lib: F(lib).avg_pool2d(lib.randn(2, 3, 8, 8), 2, padding=2), "pad should be at most half"),
    (lambda lib: F(lib).max_pool2d(lib.randn(3, 4), 2), None),
    (lambda lib: F(lib).adaptive_avg_pool2d(lib.randn(4), 2), None),
]


@pytest.mark.parametrize("fn,match", POOL_ERRORS)
def test_pool_bad_input_raises_like_torch(fn, match):
    assert_same_error(fn, match)


POOL_MODULES = ["MaxPool2d(2)", "MaxPool1d(3, 2, 1, ceil_mode=True)", "AvgPool2d(2)", "AvgPool1d(3)",
                "AvgPool2d(3, 2, 1, True, False, 3)", "AdaptiveAvgPool2d((3, None))", "AdaptiveMaxPool2d(3)",
                "AdaptiveAvgPool1d(4)", "MaxUnpool2d(2)", "MaxUnpool1d(2, 1)", "LPPool2d(2, 3)", "LPPool1d(2, 3)",
                "MaxPool3d(2)", "AvgPool3d(2)", "AdaptiveMaxPool1d(2)"]


@pytest.mark.parametrize("spec", POOL_MODULES)
def test_pool_module_repr_matches_torch(spec):
    assert repr(eval("ember.nn." + spec)) == repr(eval("torch.nn." + spec))


@pytest.mark.parametrize("spec", ["MaxPool2d(3, 2, 1, ceil_mode=True)", "AvgPool2d(3, 2, 1)", "AdaptiveAvgPool2d(3)",
                                  "AdaptiveMaxPool2d((2, 3))", "LPPool2d(2, 2)"])
def test_pool_module_forward_backward_matches_torch(spec):
    compare(lambda lib, x: eval("lib.nn." + spec)(x), randn(2, 3, 7, 6, dtype=np.float32) + 2)
