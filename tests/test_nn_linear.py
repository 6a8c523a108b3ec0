"""Linear, Bilinear, LazyLinear, Identity, Flatten/Unflatten against PyTorch."""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_same_error, compare, randn


def _same_params(e, t):
    for (ne, pe), (nt, pt) in zip(e.named_parameters(), t.named_parameters()):
        assert ne == nt
        np.testing.assert_array_equal(pe.detach().numpy(), pt.detach().numpy())


@pytest.mark.parametrize("bias", [True, False])
def test_linear_default_init_is_bit_identical_to_torch(bias):
    ember.manual_seed(123)
    torch.manual_seed(123)
    _same_params(ember.nn.Linear(7, 5, bias=bias), torch.nn.Linear(7, 5, bias=bias))


def test_bilinear_default_init_is_bit_identical_to_torch():
    ember.manual_seed(7)
    torch.manual_seed(7)
    _same_params(ember.nn.Bilinear(3, 4, 2), torch.nn.Bilinear(3, 4, 2))


@pytest.mark.parametrize("shape", [(4, 3), (3,), (2, 5, 3), (2, 1, 4, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_functional_linear_matches_torch(shape, bias):
    args = [randn(*shape), randn(6, 3, seed=1)] + ([randn(6, seed=2)] if bias else [])
    compare(lambda lib, x, w, *b: lib.nn.functional.linear(x, w, *b), *args)


def test_linear_2d_with_bias_is_addmm():
    x = ember.randn(4, 3)
    out = ember.nn.Linear(3, 2)(x)
    assert out.grad_fn.name() == "AddmmBackward0"


def test_linear_transposed_input_matches_torch():
    compare(lambda lib, x, w, b: lib.nn.functional.linear(x, w, b), randn(4, 3), randn(2, 3, seed=1),
            randn(2, seed=2), layouts=["transposed", "contiguous", "contiguous"])


def test_linear_module_forward_backward_matches_torch():
    def fn(lib, x):
        lib.manual_seed(0)
        m = lib.nn.Linear(3, 4).double()
        y = m(x)
        return y
    compare(fn, randn(5, 3))


def test_linear_shape_error_matches_torch():
    assert_same_error(lambda lib: lib.nn.Linear(3, 2)(lib.ones(4, 5)), "mat1 and mat2 shapes cannot be multiplied")


def test_bilinear_matches_torch():
    compare(lambda lib, a, b, w, bias: lib.nn.functional.bilinear(a, b, w, bias),
            randn(5, 3), randn(5, 4, seed=1), randn(2, 3, 4, seed=2), randn(2, seed=3))
    compare(lambda lib, a, b, w: lib.nn.functional.bilinear(a, b, w), randn(2, 5, 3), randn(2, 5, 4, seed=1),
            randn(2, 3, 4, seed=2))


def test_reprs_match_torch():
    for make in (lambda lib: lib.nn.Linear(3, 4), lambda lib: lib.nn.Linear(3, 4, bias=False),
                 lambda lib: lib.nn.Bilinear(2, 3, 4), lambda lib: lib.nn.Identity(5, foo=1),
                 lambda lib: lib.nn.Flatten(), lambda lib: lib.nn.Unflatten(1, (2, 3)),
                 lambda lib: lib.nn.LazyLinear(3)):
        assert repr(make(ember)) == repr(make(torch))


def test_lazy_linear_materializes_on_first_call():
    ember.manual_seed(0)
    torch.manual_seed(0)
    e, t = ember.nn.LazyLinear(3), torch.nn.LazyLinear(3)
    assert isinstance(e.weight, ember.nn.UninitializedParameter)
    x = randn(2, 5, dtype=np.float32)
    ye, yt = e(ember.tensor(x)), t(torch.tensor(x))
    assert type(e) is ember.nn.Linear and e.in_features == 5
    assert tuple(e.weight.shape) == (3, 5) and isinstance(e.weight, ember.nn.Parameter)
    _same_params(e, t)
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=1e-6)


def test_lazy_linear_loads_state_dict():
    src = ember.nn.Linear(4, 2)
    lazy = ember.nn.LazyLinear(2)
    lazy.load_state_dict(src.state_dict())
    np.testing.assert_array_equal(lazy.weight.detach().numpy(), src.weight.detach().numpy())


def test_identity_returns_input():
    x = ember.ones(2)
    assert ember.nn.Identity()(x) is x


def test_flatten_unflatten_match_torch():
    compare(lambda lib, x: lib.nn.Flatten()(x), randn(2, 3, 4))
    compare(lambda lib, x: lib.nn.Flatten(0, 1)(x), randn(2, 3, 4))
    compare(lambda lib, x: lib.nn.Unflatten(1, (3, 4))(x), randn(2, 12))
    assert_same_error(lambda lib: lib.nn.Unflatten(1, (2, "a")), "found element of type str at pos 1")
    assert_same_error(lambda lib: lib.nn.Unflatten(1, 5), "must be a tuple of ints, but found type int")
