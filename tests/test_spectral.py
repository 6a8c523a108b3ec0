"""Window functions against PyTorch."""
import pytest
import torch

import ember
from oracle import assert_results_match, assert_same_error

NAMES = ["hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("n", [0, 1, 2, 7, 16])
@pytest.mark.parametrize("periodic", [True, False])
def test_windows(name, n, periodic):
    for dtype in ("float32", "float64"):
        e = getattr(ember, name)(n, periodic, dtype=getattr(ember, dtype))
        t = getattr(torch, name)(n, periodic, dtype=getattr(torch, dtype))
        assert_results_match(e, t, rtol=1e-6 if dtype == "float32" else 1e-12, atol=1e-7 if dtype == "float32" else 1e-14)


def test_window_parameters_and_errors():
    assert_results_match(ember.hamming_window(9, False, 0.5, 0.4, dtype=ember.float64),
                         torch.hamming_window(9, False, 0.5, 0.4, dtype=torch.float64), rtol=1e-12)
    assert_results_match(ember.kaiser_window(9, True, 5.0, dtype=ember.float64),
                         torch.kaiser_window(9, True, 5.0, dtype=torch.float64), rtol=1e-12)
    assert ember.hann_window(5).dtype is ember.float32
    assert_same_error(lambda lib: lib.hann_window(-1))
    assert_same_error(lambda lib: lib.hann_window(4, dtype=lib.int64))
