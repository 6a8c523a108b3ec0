"""Assorted top-level math (misc_math / misc_views) against PyTorch."""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_same_error, compare, gradcheck, randn


def test_isclose_allclose_equal():
    a = np.array([1.0, np.nan, np.inf, 2.0, 1e-9])
    b = np.array([1.0 + 1e-7, np.nan, np.inf, 2.1, 0.0])
    for nan in (False, True):
        compare(lambda lib, x, y: lib.isclose(x, y, equal_nan=nan), a, b, grad=False)
        assert ember.allclose(ember.tensor(a), ember.tensor(b), equal_nan=nan) == \
            torch.allclose(torch.tensor(a), torch.tensor(b), equal_nan=nan)
    assert ember.equal(ember.tensor([1, 2]), ember.tensor([1, 2])) is True
    assert ember.equal(ember.tensor([1, 2]), ember.tensor([1, 2, 3])) is False
    compare(lambda lib, x, y: lib.isclose(x, y), np.array([1, 2, 3]), np.array([1, 2, 4]), grad=False)


def test_isin():
    compare(lambda lib, x, y: lib.isin(x, y), np.array([1, 2, 3, 4]), np.array([2, 4]), grad=False)
    compare(lambda lib, x, y: lib.isin(x, y, invert=True), np.array([1, 2, 3, 4]), np.array([2, 4]), grad=False)
    compare(lambda lib, x: lib.isin(x, 3), np.array([1, 2, 3]), grad=False)


@pytest.mark.parametrize("sa,sb", [((2, 3), (3, 2)), ((2,), (3, 2)), ((2, 1, 2), (2, 2))])
def test_kron(sa, sb):
    compare(lambda lib, x, y: lib.kron(x, y), randn(*sa), randn(*sb, seed=1))


def test_cross():
    compare(lambda lib, x, y: lib.cross(x, y, dim=1), randn(2, 3, 4), randn(2, 3, 4, seed=1))
    compare(lambda lib, x, y: lib.linalg.cross(x, y), randn(4, 3), randn(1, 3, seed=1))
    gradcheck(lambda lib, x, y: lib.linalg.cross(x, y), randn(2, 3), randn(2, 3, seed=1))
    assert_same_error(lambda lib: lib.linalg.cross(lib.ones(2, 4), lib.ones(2, 4)))


@pytest.mark.parametrize("k", [-1, 0, 1, 2, 3, 5])
def test_rot90(k):
    compare(lambda lib, x: lib.rot90(x, k, [1, 2]), randn(2, 3, 4))


def test_rot90_errors():
    assert_same_error(lambda lib: lib.rot90(lib.ones(2, 2), 1, [0]))
    assert_same_error(lambda lib: lib.rot90(lib.ones(2, 2), 1, [0, 0]))


def test_block_diag_and_combinations():
    compare(lambda lib, a, b, c: lib.block_diag(a, b, c), randn(2, 3), randn(3), np.array(5.0))
    compare(lambda lib, a, b: lib.block_diag(a, b), np.array([[1, 2]]), np.array([[3.0]]), grad=False)
    for r, rep in [(2, False), (3, True), (0, False), (5, False)]:
        compare(lambda lib, x: lib.combinations(x, r, with_replacement=rep), randn(4))


def test_cov_corrcoef():
    x = randn(3, 6)
    compare(lambda lib, a: lib.cov(a), x)
    compare(lambda lib, a: lib.cov(a, correction=0), x)
    fw, aw = np.array([1, 2, 1, 3, 1, 1]), np.abs(randn(6, seed=2))
    compare(lambda lib, a, f, w: lib.cov(a, fweights=f, aweights=w), x, fw, aw)
    compare(lambda lib, a: lib.corrcoef(a), x)
    compare(lambda lib, a: lib.cov(a), randn(5))


def test_trapezoid():
    y, x = randn(3, 5), np.sort(randn(5, seed=1))
    compare(lambda lib, a: lib.trapezoid(a), y)
    compare(lambda lib, a: lib.trapezoid(a, dx=0.5, dim=0), y)
    compare(lambda lib, a, b: lib.trapezoid(a, b), y, x)
    compare(lambda lib, a, b: lib.trapz(a, b), y, x)
    compare(lambda lib, a, b: lib.cumulative_trapezoid(a, b), y, x)
    compare(lambda lib, a: lib.cumulative_trapezoid(a, dx=2.0, dim=0), y)


def test_gcd_lcm_frexp_ldexp_nextafter():
    a, b = np.array([12, -18, 0, 7]), np.array([8, 12, 5, 0])
    compare(lambda lib, x, y: lib.gcd(x, y), a, b, grad=False)
    compare(lambda lib, x, y: lib.lcm(x, y), a, b, grad=False)
    assert_same_error(lambda lib: lib.gcd(lib.ones(2), lib.ones(2)))
    compare(lambda lib, x: lib.frexp(x), np.array([0.0, 1.5, -8.0, 1e-300, 3.0]), grad=False)
    gradcheck(lambda lib, x: lib.frexp(x)[0], np.array([0.3, 1.5, -6.0, 3.0]))
    compare(lambda lib, x, e: lib.ldexp(x, e), randn(4), np.array([1, -2, 3, 0]), grad=False)
    # (torch's ldexp gradient uses an integer 2**e, which is 0 for negative e: compare e >= 0)
    compare(lambda lib, x, e: lib.ldexp(x, e), randn(4), np.array([1, 2, 3, 0]))
    compare(lambda lib, x, y: lib.nextafter(x, y), randn(4), randn(4, seed=1), grad=False)


def test_vander_unravel_index():
    # (torch's own vander backward fails on an exact 0 input, so gradients use nonzero points)
    compare(lambda lib, x: lib.vander(x), np.array([0.0, 1.5, -2.0]), grad=False)
    # torch's vander backward fails on its own (an in-place write in its cumprod graph): values
    # against torch, gradients by finite differences
    compare(lambda lib, x: lib.vander(x, N=4, increasing=True), np.array([0.5, 1.5, -2.0]), grad=False)
    gradcheck(lambda lib, x: lib.vander(x), np.array([0.0, 1.5, -2.0]))
    compare(lambda lib, x: lib.vander(x), np.array([1, 2, 3]), grad=False)
    compare(lambda lib, i: lib.unravel_index(i, (3, 4, 5)), np.array([0, 17, 59, -1]), grad=False)


@pytest.mark.parametrize("edge", [1, 2])
def test_gradient(edge):
    f = randn(5, 6)
    compare(lambda lib, x: lib.gradient(x, edge_order=edge), f)
    compare(lambda lib, x: lib.gradient(x, spacing=2.0, dim=1, edge_order=edge), f)
    coords = np.cumsum(np.abs(randn(6, seed=3)) + 0.1)
    compare(lambda lib, x: lib.gradient(x, spacing=(lib.tensor(coords),), dim=1, edge_order=edge), f)


def test_histogram():
    x = randn(100)
    compare(lambda lib, a: lib.histogram(a, 7), x, grad=False)
    compare(lambda lib, a: lib.histogram(a, 5, range=(-1.0, 1.0), density=True), x, grad=False)
    compare(lambda lib, a, b: lib.histogram(a, b), x, np.linspace(-2, 2, 6), grad=False)
    compare(lambda lib, a: lib.histogramdd(a, [3, 4]), randn(50, 2), grad=False)


def test_dist_renorm():
    compare(lambda lib, x, y: lib.dist(x, y), randn(3, 4), randn(3, 4, seed=1))
    compare(lambda lib, x, y: lib.dist(x, y, 1), randn(3, 4), randn(3, 4, seed=1))
    compare(lambda lib, x: lib.renorm(x, 2, 0, 1.5), 2 * randn(3, 4))
    compare(lambda lib, x: x.renorm(1, 1, 1.0), 2 * randn(3, 4))


def test_as_strided_view_and_grad():
    base = randn(12)
    compare(lambda lib, x: lib.as_strided(x, (3, 3), (2, 1), 1), base)
    compare(lambda lib, x: (x * 1).as_strided((2, 2), (1, 2)), base[:6].copy())
    e = ember.arange(6.0)
    v = e.as_strided((2, 2), (3, 1))
    v[0, 0] = 100.0
    assert e[0].item() == 100.0
    gradcheck(lambda lib, x: lib.as_strided(x * 2, (3, 2), (1, 1)), randn(6))


def test_unfold_method():
    compare(lambda lib, x: x.unfold(1, 3, 2), randn(2, 7))
    compare(lambda lib, x: x.unfold(0, 2, 1), randn(5, 3))
    gradcheck(lambda lib, x: x.unfold(1, 3, 1), randn(2, 6), gradgrad=True)


def test_copy_variants_are_copies():
    x = ember.arange(6.0).reshape(2, 3)
    for name, args in [("view_copy", ((3, 2),)), ("permute_copy", ((1, 0),)), ("t_copy", ()),
                       ("transpose_copy", (0, 1)), ("expand_copy", ((2, 2, 3),)), ("unsqueeze_copy", (0,)),
                       ("select_copy", (0, 1)), ("narrow_copy", (1, 0, 2)), ("diagonal_copy", ()),
                       ("detach_copy", ()), ("alias_copy", ()), ("squeeze_copy", ())]:
        e = getattr(ember, name)(x, *args)
        t = getattr(torch, name)(torch.arange(6.0).reshape(2, 3), *args)
        np.testing.assert_array_equal(e.numpy(), t.numpy())
        assert e.data_ptr() != x.data_ptr()
    parts = ember.split_copy(x, 1, 1)
    assert len(parts) == 3 and parts[0].shape == (2, 1)
    compare(lambda lib, a: lib.slice_copy(a, 1, 0, 3, 2), randn(2, 4))


def test_real_imag_conj_angle():
    compare(lambda lib, x: lib.angle(x), np.array([-2.0, 0.0, 3.0, np.nan]), grad=False)
    compare(lambda lib, x: lib.angle(x), np.array([-2, 0, 3]), grad=False)
    compare(lambda lib, x: lib.real(x), randn(3))
    compare(lambda lib, x: lib.conj(x), randn(3))
    compare(lambda lib, x: lib.resolve_conj(x), randn(3))
    assert_same_error(lambda lib: lib.imag(lib.ones(2)))
    c = ember.complex(ember.tensor([1.0, 2.0]), ember.tensor([3.0, -4.0]))
    assert c.dtype is ember.complex64
    np.testing.assert_array_equal(c.real.numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(c.imag.numpy(), [3.0, -4.0])
    np.testing.assert_array_equal(ember.view_as_real(c).numpy(), [[1.0, 3.0], [2.0, -4.0]])
    assert not ember.is_conj(c) and not ember.is_neg(c)


def test_predicates_and_small_helpers():
    x = ember.ones(2, 3)
    assert ember.typename(x) == torch.typename(torch.ones(2, 3))
    assert ember.typename(3) == torch.typename(3)
    assert ember.is_signed(x) and not ember.is_signed(ember.ones(2, dtype=ember.uint8))
    assert ember.get_device(x) == -1
    assert ember.is_same_size(x, ember.zeros(2, 3)) and not ember.is_same_size(x, ember.zeros(3, 2))
    compare(lambda lib, a: lib.fill(a, 2.5), randn(2, 2), grad=False)
    assert [p.shape for p in ember.unsafe_chunk(ember.ones(5), 2)] == [p.shape for p in torch.unsafe_chunk(torch.ones(5), 2)]


def test_norm_helpers_nonzero_static_put():
    compare(lambda lib, x: lib.frobenius_norm(x, (0, 1)), randn(3, 4))
    compare(lambda lib, x: lib.nuclear_norm(x), randn(3, 4))
    compare(lambda lib, x: lib.nonzero_static(x, size=3), np.array([0, 1, 2, 0]), grad=False)
    compare(lambda lib, x: lib.nonzero_static(x, size=1, fill_value=7), np.array([[0, 1], [2, 0]]), grad=False)
    compare(lambda lib, x, i, s: lib.put(x, i, s), randn(2, 2), np.array([0, 3]), randn(2, seed=1))
    assert_same_error(lambda lib: lib.ones(2, 2).solve(lib.ones(2, 2)))
