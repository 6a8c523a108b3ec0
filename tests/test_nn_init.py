"""nn.init against PyTorch: gains, fans, bounds, and (same seed) identical draws."""
import math

import numpy as np
import pytest
import torch

import ember
from oracle import assert_same_error


@pytest.mark.parametrize("name, param", [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None),
                                         ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2),
                                         ("leaky_relu", 3), ("selu", None), ("conv_transpose3d", None)])
def test_calculate_gain_matches_torch(name, param):
    assert ember.nn.init.calculate_gain(name, param) == torch.nn.init.calculate_gain(name, param)


def test_calculate_gain_errors_match_torch():
    assert_same_error(lambda lib: lib.nn.init.calculate_gain("softmax"), "Unsupported nonlinearity softmax")
    assert_same_error(lambda lib: lib.nn.init.calculate_gain("leaky_relu", True), "not a valid number")


@pytest.mark.parametrize("shape", [(3, 4), (8, 2, 3), (5, 4, 3, 2), (2, 3, 1, 1, 4)])
def test_fan_in_and_fan_out_match_torch(shape):
    e = ember.nn.init._calculate_fan_in_and_fan_out(ember.empty(shape))
    t = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    assert e == t
    for mode in ("fan_in", "fan_out", "FAN_OUT"):
        assert ember.nn.init._calculate_correct_fan(ember.empty(shape), mode) == \
            torch.nn.init._calculate_correct_fan(torch.empty(shape), mode)


def test_fan_errors_match_torch():
    assert_same_error(lambda lib: lib.nn.init._calculate_fan_in_and_fan_out(lib.empty(3)), "fewer than 2 dimensions")
    assert_same_error(lambda lib: lib.nn.init.kaiming_uniform_(lib.empty(3, 3), mode="fan"), "Mode fan not supported")


INITS = [
    ("uniform_", {"a": -0.5, "b": 2.0}), ("normal_", {"mean": 1.0, "std": 0.3}), ("trunc_normal_", {}),
    ("trunc_normal_", {"mean": 0.5, "std": 2.0, "a": -1.0, "b": 1.5}),
    ("trunc_normal_", {"mean": 0.0, "std": 1.0, "a": 2.0, "b": 3.0}), ("xavier_uniform_", {}),
    ("xavier_normal_", {"gain": 2.0}), ("kaiming_uniform_", {}), ("kaiming_uniform_", {"a": math.sqrt(5)}),
    ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "relu"}), ("orthogonal_", {}),
    ("orthogonal_", {"gain": 2.0}), ("sparse_", {"sparsity": 0.5}),
]


@pytest.mark.parametrize("name, kwargs", INITS, ids=lambda v: str(v))
@pytest.mark.parametrize("shape", [(6, 4), (3, 8)])
def test_random_init_identical_to_torch_with_same_seed(name, kwargs, shape):
    ember.manual_seed(2024)
    torch.manual_seed(2024)
    e = ember.empty(shape)
    t = torch.empty(shape)
    out_e = getattr(ember.nn.init, name)(e, **kwargs)
    getattr(torch.nn.init, name)(t, **kwargs)
    assert out_e is e
    rtol = 1e-5 if name == "orthogonal_" else 1e-6  # QR through a different LAPACK path
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=rtol, atol=1e-6)


def test_kaiming_uniform_bound_follows_formula():
    t = ember.empty(200, 50)
    ember.nn.init.kaiming_uniform_(t, a=0.1, nonlinearity="leaky_relu")
    bound = math.sqrt(3.0) * math.sqrt(2.0 / (1 + 0.1 ** 2)) / math.sqrt(50)
    assert np.abs(t.numpy()).max() <= bound
    assert np.abs(t.numpy()).max() > 0.95 * bound


def test_xavier_normal_std_follows_formula():
    t = ember.empty(400, 300)
    ember.nn.init.xavier_normal_(t)
    assert abs(t.numpy().std() - math.sqrt(2.0 / 700)) < 0.02 * math.sqrt(2.0 / 700)


def test_trunc_normal_stays_in_bounds():
    t = ember.empty(10000)
    ember.nn.init.trunc_normal_(t, mean=0.0, std=1.0, a=-0.5, b=0.7)
    assert t.numpy().min() >= -0.5 and t.numpy().max() <= 0.7


def test_orthogonal_rows_are_orthonormal():
    t = ember.empty(4, 9)
    ember.nn.init.orthogonal_(t)
    np.testing.assert_allclose(t.numpy() @ t.numpy().T, np.eye(4), atol=1e-5)


@pytest.mark.parametrize("name, args", [("constant_", (0.3,)), ("ones_", ()), ("zeros_", ()), ("eye_", ())])
def test_deterministic_inits_match_torch(name, args):
    e, t = ember.empty(3, 5), torch.empty(3, 5)
    getattr(ember.nn.init, name)(e, *args)
    getattr(torch.nn.init, name)(t, *args)
    np.testing.assert_array_equal(e.numpy(), t.numpy())


@pytest.mark.parametrize("shape, groups", [((4, 2, 3), 1), ((6, 3, 3, 3), 2), ((4, 4, 1, 3, 3), 2)])
def test_dirac_matches_torch(shape, groups):
    e, t = ember.empty(shape), torch.empty(shape)
    ember.nn.init.dirac_(e, groups)
    torch.nn.init.dirac_(t, groups)
    np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_init_runs_under_no_grad_on_parameters():
    p = ember.nn.Parameter(ember.empty(3, 3))
    ember.nn.init.xavier_uniform_(p)
    assert p.grad_fn is None and p.requires_grad and p.is_leaf


def test_shape_errors_match_torch():
    assert_same_error(lambda lib: lib.nn.init.eye_(lib.empty(2, 2, 2)), "Only tensors with 2 dimensions")
    assert_same_error(lambda lib: lib.nn.init.dirac_(lib.empty(2, 2)), "Only tensors with 3, 4, or 5 dimensions")
    assert_same_error(lambda lib: lib.nn.init.orthogonal_(lib.empty(3)), "Only tensors with 2 or more dimensions")
