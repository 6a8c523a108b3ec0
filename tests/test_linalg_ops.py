"""torch.linalg factorizations and solves against PyTorch: values, gradients, errors."""
import numpy as np
import pytest

import ember
from oracle import assert_same_error, compare, gradcheck, randn


def _spd(n, batch=(), seed=0):
    a = randn(*batch, n, n, seed=seed)
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def _well(n, batch=(), seed=0):
    return randn(*batch, n, n, seed=seed) + 3 * np.eye(n)


@pytest.mark.parametrize("batch", [(), (2,)])
def test_inv_det_slogdet(batch):
    a = _well(4, batch)
    compare(lambda lib, x: lib.linalg.inv(x), a)
    compare(lambda lib, x: lib.linalg.det(x), a)
    compare(lambda lib, x: lib.det(x), a)
    compare(lambda lib, x: lib.linalg.slogdet(x)[1], a)
    compare(lambda lib, x: lib.inverse(x), a)


def test_logdet_negative_is_nan():
    a = np.diag([-1.0, 2.0, 3.0])
    compare(lambda lib, x: lib.logdet(x), a, grad=False)


def test_det_gradcheck():
    gradcheck(lambda lib, x: lib.linalg.det(x), _well(3), gradgrad=True)
    gradcheck(lambda lib, x: lib.linalg.inv(x), _well(3), gradgrad=True)


def test_det_grad_singular():
    a = np.array([[1.0, 2.0], [2.0, 4.0]])
    compare(lambda lib, x: lib.linalg.det(x), a)


def test_inv_singular_raises_linalg_error():
    exc = assert_same_error(lambda lib: lib.linalg.inv(lib.zeros(3, 3, dtype=lib.float64)), match="singular")
    assert isinstance(exc, ember.linalg.LinAlgError) and isinstance(exc, RuntimeError)


def test_inv_non_square_and_int_errors():
    assert_same_error(lambda lib: lib.linalg.inv(lib.ones(2, 3)))
    assert_same_error(lambda lib: lib.linalg.inv(lib.ones(2, 2, dtype=lib.int64)))


@pytest.mark.parametrize("left", [True, False])
def test_solve(left):
    a, b = _well(3, (2,)), randn(2, 3, 4, seed=1)
    if not left:
        b = np.swapaxes(b, -1, -2).copy()
    compare(lambda lib, x, y: lib.linalg.solve(x, y, left=left), a, b)
    gradcheck(lambda lib, x, y: lib.linalg.solve(x, y, left=left), a, b)


def test_solve_vector_rhs():
    compare(lambda lib, x, y: lib.linalg.solve(x, y), _well(3), randn(3, seed=2))


def test_cholesky_values_grad_and_error():
    a = _spd(4, (2,))
    compare(lambda lib, x: lib.linalg.cholesky(x), a)
    compare(lambda lib, x: lib.linalg.cholesky(x, upper=True), a)
    gradcheck(lambda lib, x: lib.linalg.cholesky(x @ x.mT + 4 * lib.eye(4, dtype=x.dtype)), randn(4, 4), gradgrad=True)
    bad = np.diag([1.0, -1.0, 2.0])
    exc = assert_same_error(lambda lib: lib.linalg.cholesky(lib.tensor(bad)), match="leading minor of order 2")
    assert isinstance(exc, ember.linalg.LinAlgError)


def test_cholesky_solve_and_inverse():
    L = np.linalg.cholesky(_spd(3))
    compare(lambda lib, l, b: lib.cholesky_solve(b, l), L, randn(3, 2, seed=3))
    compare(lambda lib, l: lib.cholesky_inverse(l), L)


@pytest.mark.parametrize("upper", [True, False])
def test_solve_triangular(upper):
    a = np.triu(_well(4)) if upper else np.tril(_well(4))
    compare(lambda lib, x, y: lib.linalg.solve_triangular(x, y, upper=upper), a, randn(4, 3, seed=4))
    compare(lambda lib, x, y: lib.triangular_solve(y, x, upper=upper)[0], a, randn(4, 3, seed=4))
    gradcheck(lambda lib, x, y: lib.linalg.solve_triangular(x, y, upper=upper), a, randn(4, 3, seed=4))


@pytest.mark.parametrize("shape", [(5, 3), (3, 3), (2, 4, 3)])
def test_qr(shape):
    a = randn(*shape)
    compare(lambda lib, x: lib.linalg.qr(x), a)
    gradcheck(lambda lib, x: lib.linalg.qr(x), a)


def test_qr_modes():
    a = randn(5, 3)
    compare(lambda lib, x: lib.linalg.qr(x, mode="complete"), a, grad=False)
    compare(lambda lib, x: lib.linalg.qr(x, mode="r")[1], a, grad=False)
    assert_same_error(lambda lib: lib.linalg.qr(lib.ones(2, 2), mode="bad"))


def test_eigh():
    a = _spd(4)
    compare(lambda lib, x: lib.linalg.eigvalsh(x), a)
    # eigenvectors are defined up to sign: compare a sign-invariant function of them
    compare(lambda lib, x: lib.linalg.eigh(x)[1] ** 2, a)
    gradcheck(lambda lib, x: lib.linalg.eigh(x + x.mT)[0], randn(4, 4))
    gradcheck(lambda lib, x: lib.linalg.eigh(x + x.mT)[1].abs(), randn(3, 3, seed=5))


@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (3, 3)])
def test_svd(shape):
    a = randn(*shape)
    compare(lambda lib, x: lib.linalg.svdvals(x), a)
    compare(lambda lib, x: (lambda u, s, vh: u @ vh)(*lib.linalg.svd(x, full_matrices=False)), a)
    gradcheck(lambda lib, x: (lambda u, s, vh: (u @ vh, s, u.abs(), vh.abs()))(*lib.linalg.svd(x, full_matrices=False)), a)
    compare(lambda lib, x: lib.svd(x)[1], a)


def test_pinv_lstsq_rank():
    a, b = randn(5, 3), randn(5, 2, seed=6)
    compare(lambda lib, x: lib.linalg.pinv(x), a)
    compare(lambda lib, x: lib.pinverse(x), a)
    gradcheck(lambda lib, x: lib.linalg.pinv(x), a)
    compare(lambda lib, x, y: lib.linalg.lstsq(x, y).solution, a, b)
    compare(lambda lib, x: lib.linalg.matrix_rank(x), np.outer(randn(4), randn(3)), grad=False)


@pytest.mark.parametrize("n", [0, 1, 3, -2])
def test_matrix_power(n):
    compare(lambda lib, x: lib.linalg.matrix_power(x, n), _well(3))
    compare(lambda lib, x: x.matrix_power(n), _well(3, (2,)))


def test_matrix_exp():
    compare(lambda lib, x: lib.matrix_exp(x), randn(2, 4, 4))
    compare(lambda lib, x: lib.linalg.matrix_exp(x), 20 * randn(3, 3, seed=7), rtol=1e-7)
    gradcheck(lambda lib, x: lib.linalg.matrix_exp(x), randn(3, 3))


def test_lu_family():
    a = randn(2, 4, 4, seed=8)
    compare(lambda lib, x: lib.linalg.lu_factor(x), a, grad=False)
    compare(lambda lib, x: lib.linalg.lu(x), a)
    compare(lambda lib, x: lib.lu_unpack(*lib.linalg.lu_factor(x)), a)
    compare(lambda lib, x, y: lib.linalg.lu_solve(*lib.linalg.lu_factor(x), y), a, randn(2, 4, 3, seed=9))
    compare(lambda lib, x, y: lib.lu_solve(y, *lib.linalg.lu_factor(x)), a, randn(2, 4, 3, seed=9))
    gradcheck(lambda lib, x: lib.linalg.lu_factor(x)[0], randn(3, 3, seed=10))


def test_lu_rectangular_forward():
    compare(lambda lib, x: lib.linalg.lu(x), randn(3, 5, seed=11), grad=False)
    compare(lambda lib, x: lib.linalg.lu(x), randn(5, 3, seed=11), grad=False)


def test_cross_and_cond_multi_dot():
    compare(lambda lib, x, y: lib.linalg.cross(x, y), randn(4, 3), randn(4, 3, seed=1))
    compare(lambda lib, x: lib.linalg.cond(x), _well(3))
    compare(lambda lib, x, y, z: lib.linalg.multi_dot([x, y, z]), randn(2, 3), randn(3, 4), randn(4, seed=2))
