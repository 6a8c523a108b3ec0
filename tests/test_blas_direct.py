"""ember/_blas_direct.py: the BLAS routines called on NumPy's OpenBLAS, against NumPy and PyTorch."""
import numpy as np
import pytest
import torch

from ember import _blas_direct as blas


def _have_blas():
    return blas.usable(np.zeros(4, np.float32))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_axpy_rounds_once_like_torch_add_with_alpha(dtype):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal(10007).astype(dtype), rng.standard_normal(10007).astype(dtype)
    expected = torch.tensor(y).add_(torch.tensor(x), alpha=-0.037).numpy()
    done = blas.axpy(-0.037, x, y)
    assert done == _have_blas()
    if done:
        assert np.array_equal(y, expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_scal_matches_torch_mul(dtype):
    x = np.random.default_rng(1).standard_normal(5003).astype(dtype)
    expected = torch.tensor(x).mul_(0.9).numpy()
    if blas.scal(0.9, x):
        assert np.array_equal(x, expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(2048, 130), (300, 64)])
def test_add_row_vector_is_exactly_numpys_broadcast_add(dtype, shape):
    rng = np.random.default_rng(2)
    a, v = rng.standard_normal(shape).astype(dtype), rng.standard_normal(shape[1]).astype(dtype)
    before = a.copy()
    done = blas.add_row_vector(a, v)
    assert done == _have_blas()
    assert np.array_equal(a, before + v if done else before)


def test_refuses_what_it_cannot_take():
    a = np.zeros((256, 128), np.float32)
    assert blas.add_row_vector(a[:, ::2], np.ones(64, np.float32)) is False      # not contiguous
    assert blas.add_row_vector(a, np.ones(128, np.float64)) is False             # mixed dtypes
    assert blas.add_row_vector(np.zeros((4, 4), np.float32), np.ones(4, np.float32)) is False   # too small
    assert blas.axpy(1.0, np.ones(3, np.int64), np.ones(3, np.int64)) is False   # not float
    frozen = np.ones(8, np.float32)
    frozen.flags.writeable = False
    assert blas.axpy(1.0, np.ones(8, np.float32), frozen) is False               # read-only output
