"""Reductions, statistics, norms and scans against PyTorch: values, dtypes, shapes, gradients, errors."""
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import assert_same_error, compare, gradcheck, randn

X = randn(3, 4, seed=1)
X3 = randn(2, 3, 4, seed=2)
NAN = float("nan")

# name -> function of (lib, x); each is compared forward + backward on X3 (float64) in three layouts
DIFFERENTIABLE = {
    "sum_all": lambda lib, x: x.sum(),
    "sum_dim": lambda lib, x: lib.sum(x, 1),
    "sum_neg_tuple_keepdim": lambda lib, x: lib.sum(x, (-1, 0), keepdim=True),
    "sum_empty_tuple": lambda lib, x: lib.sum(x, ()),
    "mean_dim": lambda lib, x: x.mean(dim=(0, 2)),
    "mean_keepdim": lambda lib, x: lib.mean(x, -1, True),
    "nansum": lambda lib, x: lib.nansum(x, 1),
    "nanmean": lambda lib, x: lib.nanmean(x, 2, keepdim=True),
    "prod_all": lambda lib, x: x.prod(),
    "prod_dim": lambda lib, x: lib.prod(x, 1),
    "prod_keepdim": lambda lib, x: lib.prod(x, -1, keepdim=True),
    "max_all": lambda lib, x: x.max(),
    "min_all": lambda lib, x: lib.min(x),
    "max_dim": lambda lib, x: lib.max(x, 1),
    "min_dim_keepdim": lambda lib, x: x.min(dim=-1, keepdim=True),
    "amax_tuple": lambda lib, x: lib.amax(x, (0, 2)),
    "amin_keepdim": lambda lib, x: lib.amin(x, 1, keepdim=True),
    "amax_all": lambda lib, x: lib.amax(x),
    "aminmax": lambda lib, x: tuple(lib.aminmax(x, dim=1)),
    "logsumexp": lambda lib, x: lib.logsumexp(x, 1),
    "logsumexp_tuple": lambda lib, x: lib.logsumexp(x, (0, 2), keepdim=True),
    "std": lambda lib, x: lib.std(x),
    "std_dim": lambda lib, x: lib.std(x, 1, keepdim=True),
    "var_correction": lambda lib, x: lib.var(x, (0, 2), correction=0),
    "var_unbiased_false": lambda lib, x: x.var(1, unbiased=False),
    "std_mean": lambda lib, x: lib.std_mean(x, dim=2),
    "var_mean": lambda lib, x: lib.var_mean(x, 1, keepdim=True),
    "median_all": lambda lib, x: lib.median(x),
    "median_dim": lambda lib, x: tuple(lib.median(x, 1)),
    "nanmedian_dim": lambda lib, x: tuple(lib.nanmedian(x, -1, keepdim=True)),
    "kthvalue_via_quantile": lambda lib, x: lib.quantile(x, 0.3, dim=1),
    "quantile_vector_q": lambda lib, x: lib.quantile(x, lib.tensor([0.1, 0.5, 0.9], dtype=x.dtype), dim=2,
                                                     keepdim=True),
    "quantile_all": lambda lib, x: lib.quantile(x, 0.75),
    "nanquantile": lambda lib, x: lib.nanquantile(x, 0.4, dim=0),
    "norm_default": lambda lib, x: lib.norm(x),
    "norm_p1_dim": lambda lib, x: lib.norm(x, 1, dim=1),
    "norm_p3": lambda lib, x: lib.norm(x, 3, dim=(0, 2)),
    "norm_p_half": lambda lib, x: lib.norm(x, 0.5, dim=2),
    "norm_p1_5": lambda lib, x: lib.norm(x, 1.5, dim=2),
    "norm_inf": lambda lib, x: lib.norm(x, float("inf"), dim=1),
    "norm_neg_inf": lambda lib, x: lib.norm(x, -float("inf")),
    "norm_fro_keepdim": lambda lib, x: lib.norm(x, "fro", dim=(1, 2), keepdim=True),
    "vector_norm": lambda lib, x: lib.linalg.vector_norm(x, 2, dim=-1),
    "matrix_norm_fro": lambda lib, x: lib.linalg.matrix_norm(x),
    "matrix_norm_nuc": lambda lib, x: lib.linalg.matrix_norm(x, "nuc"),
    "matrix_norm_2": lambda lib, x: lib.linalg.matrix_norm(x, 2),
    "matrix_norm_1": lambda lib, x: lib.linalg.matrix_norm(x, 1),
    "matrix_norm_inf_keepdim": lambda lib, x: lib.linalg.matrix_norm(x, float("inf"), keepdim=True),
    "linalg_norm": lambda lib, x: lib.linalg.norm(x, dim=1),
    "cumsum": lambda lib, x: lib.cumsum(x, 1),
    "cumsum_neg": lambda lib, x: x.cumsum(-1),
    "cumprod": lambda lib, x: lib.cumprod(x, 2),
    "cummax": lambda lib, x: tuple(lib.cummax(x, 1)),
    "cummin": lambda lib, x: tuple(lib.cummin(x, -1)),
    "logcumsumexp": lambda lib, x: lib.logcumsumexp(x, 1),
    "diff": lambda lib, x: lib.diff(x),
    "diff_n2_dim0": lambda lib, x: lib.diff(x, n=2, dim=1),
    "mode": lambda lib, x: tuple(lib.mode(lib.round(x), 2)),
}


@pytest.mark.parametrize("name", list(DIFFERENTIABLE))
@pytest.mark.parametrize("layout", ["contiguous", "transposed", "strided"])
def test_matches_torch(name, layout):
    compare(DIFFERENTIABLE[name], X3, layouts=[layout])


@pytest.mark.parametrize("name", ["sum_dim", "mean_dim", "prod_dim", "max_dim", "amax_tuple", "logsumexp",
                                  "std_dim", "var_correction", "norm_p3", "norm_inf", "cumsum", "cumprod",
                                  "cummax", "logcumsumexp", "median_dim", "quantile_vector_q",
                                  "matrix_norm_nuc", "aminmax"])
def test_float32_matches_torch(name):
    compare(DIFFERENTIABLE[name], X3.astype(np.float32))


GRADCHECKED = ["sum_dim", "mean_keepdim", "nansum", "prod_dim", "prod_all", "max_dim", "amax_tuple", "logsumexp",
               "std_dim", "var_correction", "median_dim", "quantile_vector_q", "norm_default", "norm_p3",
               "norm_p1_5", "norm_inf", "cumsum", "cumprod", "cummax", "logcumsumexp", "matrix_norm_nuc"]


@pytest.mark.parametrize("name", GRADCHECKED)
def test_gradcheck(name):
    gradcheck(lambda lib, x: _first(DIFFERENTIABLE[name](lib, x)), randn(2, 3, 3, seed=5))


@pytest.mark.parametrize("name", ["sum_dim", "prod_dim", "amax_tuple", "logsumexp", "std_dim", "var_correction",
                                  "norm_default", "norm_p3", "cumsum", "cumprod", "logcumsumexp"])
def test_gradgradcheck(name):
    gradcheck(lambda lib, x: _first(DIFFERENTIABLE[name](lib, x)), randn(2, 2, 3, seed=6), gradgrad=True)


def _first(r):
    return r[0] if isinstance(r, tuple) else r


# ---- dtypes --------------------------------------------------------------------------------

INTS = np.array([[1, 5, 5], [2, 0, 3]], np.int64)


@pytest.mark.parametrize("fn", [
    lambda lib, x: x.sum(), lambda lib, x: lib.sum(x, 1, dtype=lib.int32), lambda lib, x: x.prod(),
    lambda lib, x: lib.prod(x, 0), lambda lib, x: lib.nansum(x), lambda lib, x: x.max(),
    lambda lib, x: tuple(x.max(1)), lambda lib, x: lib.amin(x, 0), lambda lib, x: lib.argmax(x),
    lambda lib, x: lib.argmin(x, 1, keepdim=True), lambda lib, x: lib.all(x, 1), lambda lib, x: lib.any(x),
    lambda lib, x: lib.count_nonzero(x, 1), lambda lib, x: lib.cumsum(x, 1), lambda lib, x: lib.cumprod(x, 0),
    lambda lib, x: lib.logsumexp(x, 1), lambda lib, x: lib.median(x), lambda lib, x: tuple(lib.mode(x, 1)),
    lambda lib, x: lib.trace(x[:, :2]), lambda lib, x: lib.diff(x), lambda lib, x: lib.mean(x, 1, dtype=lib.float64),
    lambda lib, x: lib.cumsum(x, 0, dtype=lib.float32), lambda lib, x: tuple(lib.cummax(x, 1)),
], ids=lambda f: "")
@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool"])
def test_integer_and_bool_inputs(fn, dtype):
    arr = INTS.astype(dtype)
    try:
        fn(torch, torch.tensor(arr))
    except Exception:  # noqa: BLE001 - torch refusing the dtype: ember must refuse too
        assert_same_error(lambda lib: fn(lib, lib.tensor(arr)))
        return
    compare(fn, arr, grad=False)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_low_precision(dtype):
    for fn in (lambda lib, x: x.sum(1), lambda lib, x: x.mean(), lambda lib, x: lib.amax(x, 0),
               lambda lib, x: lib.std(x, 1), lambda lib, x: lib.cumsum(x, 1), lambda lib, x: lib.logsumexp(x, 1)):
        compare(fn, X, dtypes=[dtype], grad=False)


def test_sum_of_bool_is_int64():
    assert ember.tensor([True, True, False]).sum().dtype == ember.int64


def test_sum_dtype_argument():
    compare(lambda lib, x: lib.sum(x, 0, dtype=lib.float64), X.astype(np.float32), grad=False)


def test_all_any_keep_uint8():
    compare(lambda lib, x: (lib.all(x), lib.any(x, 0)), np.array([[0, 1], [2, 3]], np.uint8), grad=False)


# ---- NaN and ties ---------------------------------------------------------------------------

WITH_NAN = np.array([[1.0, 5.0, 5.0, NAN], [2.0, 0.0, 3.0, 3.0], [NAN, 1.0, NAN, 7.0]])


@pytest.mark.parametrize("fn", [
    lambda lib, x: x.max(), lambda lib, x: x.min(), lambda lib, x: tuple(x.max(1)), lambda lib, x: tuple(x.min(0)),
    lambda lib, x: lib.argmax(x, 1), lambda lib, x: lib.argmin(x), lambda lib, x: lib.amax(x, 1),
    lambda lib, x: lib.nansum(x, 1), lambda lib, x: lib.nanmean(x, 1), lambda lib, x: lib.median(x),
    lambda lib, x: tuple(lib.median(x, 1)), lambda lib, x: lib.nanmedian(x), lambda lib, x: tuple(lib.nanmedian(x, 1)),
    lambda lib, x: lib.quantile(x, 0.5, dim=1), lambda lib, x: lib.nanquantile(x, 0.5, dim=1),
    lambda lib, x: tuple(lib.cummax(x, 1)), lambda lib, x: tuple(lib.cummin(x, 1)), lambda lib, x: lib.std(x, 1),
    lambda lib, x: lib.logsumexp(x, 1), lambda lib, x: lib.sum(x, 0), lambda lib, x: lib.aminmax(x, dim=1).max,
], ids=lambda f: "")
def test_nan_propagation(fn):
    compare(fn, WITH_NAN)


def test_ties_share_gradient_evenly():
    ties = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    for fn in (lambda lib, x: x.max(), lambda lib, x: lib.amax(x, 1), lambda lib, x: lib.amin(x),
               lambda lib, x: lib.median(x), lambda lib, x: lib.norm(x, float("inf"), dim=1),
               lambda lib, x: tuple(lib.aminmax(x))):
        compare(fn, ties)


def test_max_with_dim_picks_first_occurrence():
    compare(lambda lib, x: tuple(x.max(1)), np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]]))


def test_median_index_of_ties_matches_torch():
    for arr in ([1.0, 1.0, 1.0], [3.0, 1.0, 3.0, 1.0], [1.0, 3.0, 3.0, 2.0, 3.0, 1.0]):
        compare(lambda lib, x: tuple(lib.median(x, 0)), np.array(arr))


def test_mode_smallest_most_common_and_last_index():
    compare(lambda lib, x: tuple(lib.mode(x)), np.array([[1, 2, 2, 3, 3, 1], [4, 4, 0, 0, 0, 9]]), grad=False)


# ---- zeros in products ------------------------------------------------------------------------

@pytest.mark.parametrize("arr", [[[2.0, 0.0, 3.0], [1.0, 4.0, 5.0]], [[0.0, 0.0, 3.0], [0.0, 4.0, 5.0]]])
def test_prod_and_cumprod_gradients_with_zeros(arr):
    a = np.array(arr)
    compare(lambda lib, x: x.prod(1), a)
    compare(lambda lib, x: x.prod(), a)
    compare(lambda lib, x: lib.cumprod(x, 1), a)
    compare(lambda lib, x: lib.cumprod(x, 0), a)
    gradcheck(lambda lib, x: x.prod(1), a)
    gradcheck(lambda lib, x: lib.cumprod(x, 1), a)


def test_prod_second_derivative_with_one_zero():
    gradcheck(lambda lib, x: x.prod(1), np.array([[2.0, 0.0, 3.0], [1.0, 4.0, 5.0]]), gradgrad=True)


# ---- numerics ---------------------------------------------------------------------------------

def test_logsumexp_large_and_infinite_inputs():
    compare(lambda lib, x: lib.logsumexp(x, 1),
            np.array([[1000.0, 1000.0], [-1000.0, -1e4], [-np.inf, -np.inf], [np.inf, 1.0]]), grad=False)
    compare(lambda lib, x: lib.logsumexp(x, 0), np.array([1000.0, 999.0, 998.0]))


def test_logcumsumexp_large_inputs():
    compare(lambda lib, x: lib.logcumsumexp(x, 0), np.array([1000.0, 999.0, -1000.0, 1001.0]))


def test_std_of_constant_has_zero_gradient():
    compare(lambda lib, x: lib.std(x, 1), np.array([[2.0, 2.0, 2.0], [1.0, 2.0, 3.0]]))


def test_vector_norm_of_zero_has_zero_gradient():
    compare(lambda lib, x: lib.linalg.vector_norm(x, dim=1), np.array([[0.0, 0.0], [3.0, 4.0]]))


def test_norm_zero_counts_nonzeros():
    compare(lambda lib, x: lib.norm(x, 0, dim=1), np.array([[0.0, 1.0, 2.0], [0.0, 0.0, 3.0]]))


# ---- dims, empties, scalars ----------------------------------------------------------------------

def test_zero_dim_tensor_reductions():
    s = np.array(2.5)
    for fn in (lambda lib, x: x.sum(0), lambda lib, x: x.mean(-1), lambda lib, x: tuple(x.max(0)),
               lambda lib, x: lib.amax(x, 0), lambda lib, x: lib.argmax(x, 0), lambda lib, x: lib.cumsum(x, 0),
               lambda lib, x: x.prod(0), lambda lib, x: tuple(lib.sort(x)), lambda lib, x: lib.logsumexp(x, 0)):
        compare(fn, s)


def test_empty_reductions_with_identity():
    e = np.zeros((0, 3))
    for fn in (lambda lib, x: x.sum(), lambda lib, x: x.sum(0), lambda lib, x: x.prod(0), lambda lib, x: x.mean(),
               lambda lib, x: lib.logsumexp(x, 0), lambda lib, x: lib.norm(x), lambda lib, x: lib.all(x, 1),
               lambda lib, x: tuple(x.max(1)), lambda lib, x: lib.amax(x, 1), lambda lib, x: lib.median(x),
               lambda lib, x: lib.argmax(x, 1)):
        compare(fn, e, grad=False)


@pytest.mark.parametrize("fn", [
    lambda lib, x: x.max(), lambda lib, x: x.min(), lambda lib, x: x.max(0), lambda lib, x: lib.amax(x),
    lambda lib, x: lib.amin(x, 0), lambda lib, x: lib.argmax(x), lambda lib, x: lib.argmin(x, 0),
    lambda lib, x: lib.aminmax(x), lambda lib, x: lib.median(x, 0), lambda lib, x: lib.mode(x, 0),
    lambda lib, x: lib.linalg.vector_norm(x, float("inf")),
], ids=lambda f: "")
def test_empty_reductions_without_identity_raise(fn):
    assert_same_error(lambda lib: fn(lib, lib.zeros(0, 3)))


@pytest.mark.parametrize("fn", [
    lambda lib, x: x.sum(2), lambda lib, x: x.mean(-3), lambda lib, x: x.max(2), lambda lib, x: lib.amax(x, (0, 5)),
    lambda lib, x: lib.argmax(x, 2), lambda lib, x: lib.cumsum(x, 2), lambda lib, x: lib.std(x, 4),
    lambda lib, x: lib.median(x, 2), lambda lib, x: lib.logsumexp(x, 3),
], ids=lambda f: "")
def test_dim_out_of_range_raises_index_error(fn):
    err = assert_same_error(lambda lib: fn(lib, lib.ones(2, 3)))
    assert isinstance(err, IndexError)


def test_repeated_dim_raises():
    assert_same_error(lambda lib: lib.ones(2, 3).sum((0, -2)), match="appears multiple times")


@pytest.mark.parametrize("fn", [
    lambda lib, x: x.long().mean(), lambda lib, x: x.long().std(), lambda lib, x: lib.nanmean(x.long()),
    lambda lib, x: lib.norm(x.long()), lambda lib, x: lib.argmax(x.bool()), lambda lib, x: lib.quantile(x.long(), 0.5),
    lambda lib, x: lib.quantile(x, 1.5), lambda lib, x: lib.trace(x[0]), lambda lib, x: lib.prod(x, (0, 1)),
    lambda lib, x: x.max((0, 1)), lambda lib, x: lib.logcumsumexp(x.long(), 0), lambda lib, x: lib.diff(x, n=-1),
    lambda lib, x: lib.diff(x[0, 0]),
], ids=lambda f: "")
def test_bad_arguments_raise_like_torch(fn):
    assert_same_error(lambda lib: fn(lib, lib.ones(2, 3)))


def test_degrees_of_freedom_warning():
    with pytest.warns(UserWarning, match="degrees of freedom"):
        r = ember.std(ember.ones(1))
    assert np.isnan(r.item())


# ---- namedtuples -------------------------------------------------------------------------------

def test_return_type_repr_matches_torch():
    a = np.array([[1.0, 5.0], [3.0, 2.0]])
    for name in ("max", "min"):
        e = getattr(ember.tensor(a), name)(1)
        t = getattr(torch.tensor(a), name)(1)
        assert repr(e) == repr(t)
        assert type(e).__name__ == name and isinstance(e, tuple)
        values, indices = e
        assert values is e.values and indices is e.indices
    assert repr(ember.aminmax(ember.tensor(a))) == repr(torch.aminmax(torch.tensor(a)))
    assert repr(ember.cummax(ember.tensor(a), 0)) == repr(torch.cummax(torch.tensor(a), 0))


def test_binary_max_routes_to_maximum():
    compare(lambda lib, x, y: (lib.max(x, y), lib.min(x, y)), X, randn(3, 4, seed=9))


def test_grad_fn_names_match_torch():
    for fn in (lambda lib, x: x.sum(), lambda lib, x: x.sum(1), lambda lib, x: x.max(), lambda lib, x: x.max(1)[0],
               lambda lib, x: x.prod(), lambda lib, x: x.prod(0), lambda lib, x: lib.amax(x, 0),
               lambda lib, x: lib.std(x), lambda lib, x: lib.var(x, 1), lambda lib, x: lib.logsumexp(x, 1),
               lambda lib, x: lib.norm(x), lambda lib, x: lib.cumsum(x, 0), lambda lib, x: lib.cummax(x, 0)[0],
               lambda lib, x: lib.median(x), lambda lib, x: lib.median(x, 0)[0], lambda lib, x: lib.nansum(x),
               lambda lib, x: lib.trace(x), lambda lib, x: lib.logcumsumexp(x, 1)):
        e = fn(ember, ember.tensor(X, requires_grad=True))
        t = fn(torch, torch.tensor(X, requires_grad=True))
        assert e.grad_fn.name() == t.grad_fn.name()


def test_out_argument():
    out = ember.empty(0)
    ember.sum(ember.tensor(X), 1, out=out)
    np.testing.assert_allclose(out.numpy(), X.sum(1))


def test_inplace_cumsum():
    t = ember.tensor(X.copy())
    t.cumsum_(1)
    np.testing.assert_allclose(t.numpy(), torch.tensor(X).cumsum(1).numpy())


def test_quantile_interpolations():
    for mode in ("linear", "lower", "higher", "midpoint", "nearest"):
        compare(lambda lib, x: lib.quantile(x, lib.tensor([0.0, 0.25, 0.5, 1.0], dtype=lib.float64), dim=1,
                                            interpolation=mode), X)


def test_quantile_keepdim_without_dim():
    compare(lambda lib, x: lib.quantile(x, 0.3, keepdim=True), X)


def test_diff_prepend_append_and_bool():
    compare(lambda lib, x, p: lib.diff(x, dim=1, prepend=p, append=p), X, randn(3, 1, seed=3))
    compare(lambda lib, x: lib.diff(x), np.array([True, False, False, True]), grad=False)


def test_trace_rectangular():
    compare(lambda lib, x: lib.trace(x), X)


def test_count_nonzero_tuple_dims():
    compare(lambda lib, x: lib.count_nonzero(x, (0, 2)), np.round(X3), grad=False)


def test_reductions_of_large_tensor_are_single_numpy_calls():
    # 10^6 elements: a Python loop over elements would take seconds; no timing asserted, just done quickly
    big = np.random.default_rng(0).standard_normal((1000, 1000))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compare(lambda lib, x: (lib.median(x, 1).values, lib.logsumexp(x, 0), lib.mode(lib.round(x), 1).values),
                big, grad=False)
