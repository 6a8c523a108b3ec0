"""Sorting, selection, gather/scatter and counting ops against PyTorch."""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_same_error, compare, gradcheck, randn

NAN = float("nan")
X3 = randn(2, 3, 5, seed=3)               # distinct values: no ties
TIES = np.array([[2.0, 1.0, 2.0, NAN, 1.0, 0.0], [3.0, 3.0, 3.0, 1.0, 1.0, 3.0]])
IDX = np.array([[0, 2, 1, 0, 4], [1, 1, 0, 2, 3]], np.int64)


def _tuple(r):
    return tuple(r)


# ---- sort / argsort / msort --------------------------------------------------------------------

@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("layout", ["contiguous", "transposed", "strided"])
def test_sort_matches_torch(dim, descending, layout):
    compare(lambda lib, x: _tuple(lib.sort(x, dim, descending)), X3, layouts=[layout])


@pytest.mark.parametrize("descending", [False, True])
def test_stable_sort_with_ties_and_nan(descending):
    compare(lambda lib, x: _tuple(lib.sort(x, dim=-1, descending=descending, stable=True)), TIES)
    compare(lambda lib, x: lib.argsort(x, dim=1, descending=descending, stable=True), TIES, grad=False)


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool"])
def test_sort_integer_and_bool(dtype):
    arr = np.array([[3, 1, 2, 1, 0], [0, 1, 1, 0, 1]]).astype(dtype)
    compare(lambda lib, x: _tuple(x.sort(descending=True, stable=True)), arr, grad=False)
    compare(lambda lib, x: _tuple(x.sort(dim=0, stable=True)), arr, grad=False)


def test_sort_bfloat16():
    compare(lambda lib, x: _tuple(lib.sort(x, 1)), X3[0], dtypes=["bfloat16"], grad=False)


def test_msort_and_argsort_methods():
    compare(lambda lib, x: (lib.msort(x), x.argsort(dim=0, descending=True)), X3[0])


def test_sort_gradcheck():
    gradcheck(lambda lib, x: lib.sort(x, 1, descending=True).values, randn(3, 4, seed=4), gradgrad=True)


def test_sort_out():
    v, i = ember.empty(0, dtype=ember.float64), ember.empty(0, dtype=ember.int64)
    r = ember.sort(ember.tensor(X3[0]), out=(v, i))
    assert r.values is v and r.indices is i
    np.testing.assert_array_equal(v.numpy(), np.sort(X3[0], 1))


# ---- topk / kthvalue ----------------------------------------------------------------------------

@pytest.mark.parametrize("k", [1, 3, 5])
@pytest.mark.parametrize("largest", [True, False])
def test_topk_matches_torch(k, largest):
    compare(lambda lib, x: _tuple(lib.topk(x, k, dim=-1, largest=largest)), X3)
    compare(lambda lib, x: _tuple(x.topk(1, 0, largest)), X3)


def test_topk_nan_is_largest():
    compare(lambda lib, x: _tuple(lib.topk(x, 2)), np.array([1.0, NAN, 3.0, 2.0]))


def test_topk_gradcheck():
    gradcheck(lambda lib, x: lib.topk(x, 2, dim=0).values, randn(4, 3, seed=5))


@pytest.mark.parametrize("k", [1, 2, 5])
@pytest.mark.parametrize("keepdim", [False, True])
def test_kthvalue_matches_torch(k, keepdim):
    compare(lambda lib, x: _tuple(lib.kthvalue(x, k, 2, keepdim)), X3)
    compare(lambda lib, x: _tuple(x.kthvalue(1, dim=0, keepdim=keepdim)), X3)


def test_kthvalue_gradcheck():
    gradcheck(lambda lib, x: lib.kthvalue(x, 2, 1).values, randn(3, 4, seed=6))


def test_topk_kthvalue_k_out_of_range():
    assert_same_error(lambda lib: lib.topk(lib.tensor([1.0, 2.0]), 3), match="k out of range")
    assert_same_error(lambda lib: lib.kthvalue(lib.tensor([1.0, 2.0]), 3), match="out of range")
    assert_same_error(lambda lib: lib.kthvalue(lib.tensor([1.0, 2.0]), 0), match="out of range")


def test_sort_dim_out_of_range():
    assert isinstance(assert_same_error(lambda lib: lib.sort(lib.ones(2, 3), 2)), IndexError)


def test_return_type_reprs():
    for fn in (lambda lib, x: lib.sort(x), lambda lib, x: lib.topk(x, 2), lambda lib, x: lib.kthvalue(x, 1)):
        assert repr(fn(ember, ember.tensor([3.0, 1.0, 2.0]))) == repr(fn(torch, torch.tensor([3.0, 1.0, 2.0])))
    assert isinstance(ember.sort(ember.tensor([1.0])), ember.return_types.sort)


# ---- unique ----------------------------------------------------------------------------------

UNIQ = np.array([3, 1, 2, 1, 3, 7, 1])


@pytest.mark.parametrize("inverse", [False, True])
@pytest.mark.parametrize("counts", [False, True])
def test_unique_matches_torch(inverse, counts):
    compare(lambda lib, x: lib.unique(x, return_inverse=inverse, return_counts=counts), UNIQ, grad=False)
    compare(lambda lib, x: lib.unique(x, sorted=False, return_inverse=inverse, return_counts=counts),
            UNIQ.reshape(1, 7), grad=False)


def test_unique_dim():
    rows = np.array([[1, 2], [1, 2], [0, 5], [1, 0]])
    for dim in (0, 1, -1):
        compare(lambda lib, x: lib.unique(x, dim=dim, return_inverse=True, return_counts=True), rows, grad=False)


def test_unique_keeps_nans_distinct_and_floats():
    compare(lambda lib, x: lib.unique(x, return_counts=True), np.array([NAN, 1.0, NAN, 0.5, 1.0]), grad=False)


@pytest.mark.parametrize("dim", [None, 0, 1])
def test_unique_consecutive(dim):
    flat = np.array([1, 1, 2, 2, 3, 1, 1])
    rows = np.array([[1, 1, 2, 2], [1, 1, 2, 2], [0, 1, 0, 0], [0, 1, 0, 0], [1, 1, 2, 2]])
    arr = flat if dim is None else rows
    compare(lambda lib, x: lib.unique_consecutive(x, return_inverse=True, return_counts=True, dim=dim), arr,
            grad=False)
    compare(lambda lib, x: x.unique_consecutive(dim=dim), arr, grad=False)


# ---- gather / take_along_dim ---------------------------------------------------------------------

@pytest.mark.parametrize("layout", ["contiguous", "transposed", "strided"])
def test_gather_matches_torch(layout):
    compare(lambda lib, x: lib.gather(x, 1, lib.tensor(IDX[:, :3] % 3)), X3[0], layouts=[layout])
    compare(lambda lib, x: x.gather(0, lib.tensor(IDX % 2)), X3[0])


def test_gather_smaller_index_and_repeats():
    compare(lambda lib, x: lib.gather(x, 1, lib.tensor([[0, 0, 0, 4]])), X3[0])


def test_gather_gradcheck():
    gradcheck(lambda lib, x: lib.gather(x, 1, lib.tensor([[0, 0, 2], [1, 2, 1]])), randn(2, 3, seed=7),
              gradgrad=True)


@pytest.mark.parametrize("fn", [
    lambda lib, x: lib.gather(x, 1, lib.tensor([0])),
    lambda lib, x: lib.gather(x, 1, lib.tensor([[0], [0], [0]])),
    lambda lib, x: lib.gather(x, 1, lib.tensor([[5]])),
    lambda lib, x: lib.gather(x, 1, lib.tensor([[-1]])),
    lambda lib, x: lib.gather(x, 1, lib.tensor([[0.0]])),
    lambda lib, x: lib.gather(x, 2, lib.tensor([[0]])),
], ids=lambda f: "")
def test_gather_errors(fn):
    assert_same_error(lambda lib: fn(lib, lib.zeros(2, 3)))


def test_take_along_dim():
    idx = np.argsort(X3[0], axis=1)
    compare(lambda lib, x: lib.take_along_dim(x, lib.tensor(idx), dim=1), X3[0])
    compare(lambda lib, x: lib.take_along_dim(x, lib.tensor([[0], [2], [4]]), 1), X3[0])
    compare(lambda lib, x: lib.take_along_dim(x, lib.tensor([4, 0, 7])), X3[0])
    compare(lambda lib, x: x.take_along_dim(lib.tensor([[[0]], [[1]]]), 0), X3)


# ---- scatter family --------------------------------------------------------------------------------

SCAT_IDX = np.array([[0, 1, 2, 0], [2, 0, 1, 1]])   # with repeats along dim 0 for (3, 4) targets


def test_scatter_src_and_value():
    uniq = np.array([[0, 1, 2, 0], [2, 0, 1, 1]])
    compare(lambda lib, x, s: lib.scatter(x, 0, lib.tensor(uniq), s), randn(3, 4, seed=1), randn(2, 4, seed=2))
    compare(lambda lib, x: x.scatter(1, lib.tensor([[0, 3], [1, 2]]), 2.5), randn(3, 4, seed=1))
    compare(lambda lib, x: lib.scatter(x, 1, lib.tensor([[0, 3]]), value=-1.0), randn(3, 4, seed=1))


def test_scatter_src_larger_than_index():
    # (torch itself cannot backpropagate to a src larger than index, so values only)
    compare(lambda lib, x, s: lib.scatter(x, 1, lib.tensor([[0, 3]]), s), randn(3, 4, seed=1), randn(2, 5, seed=2),
            grad=False)


def test_scatter_reduce_argument():
    compare(lambda lib, x, s: x.scatter(0, lib.tensor(SCAT_IDX), s, reduce="add"), randn(3, 4), randn(2, 4, seed=2),
            grad=False)
    compare(lambda lib, x, s: x.scatter(0, lib.tensor(SCAT_IDX), s, reduce="multiply"), randn(3, 4),
            randn(2, 4, seed=2), grad=False)


def test_scatter_inplace_and_autograd():
    for lib in (ember, torch):
        base = lib.zeros(3, 5)
        base.scatter_(0, lib.tensor([[0, 1, 2, 0]]), lib.ones(2, 5))
        assert base.sum().item() == 4.0
    compare(lambda lib, x, s: (x * 1).scatter_(1, lib.tensor([[0, 2], [1, 3]]), s * 2), randn(2, 4),
            randn(2, 2, seed=3))


def test_scatter_add_matches_torch():
    compare(lambda lib, x, s: lib.scatter_add(x, 0, lib.tensor(SCAT_IDX), s), randn(3, 4), randn(2, 4, seed=2))
    compare(lambda lib, x, s: (x * 1).scatter_add_(1, lib.tensor(SCAT_IDX), s), randn(2, 4), randn(2, 4, seed=2))


def test_scatter_add_gradcheck():
    gradcheck(lambda lib, x, s: lib.scatter_add(x, 0, lib.tensor(SCAT_IDX), s), randn(3, 4), randn(2, 4, seed=2),
              gradgrad=True)


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_matches_torch(reduce, include_self):
    compare(lambda lib, x, s: lib.scatter_reduce(x, 0, lib.tensor(SCAT_IDX), s, reduce, include_self=include_self),
            randn(3, 4, low=0.5, high=2.0), randn(2, 4, seed=2, low=0.5, high=2.0))


@pytest.mark.parametrize("reduce", ["sum", "mean", "amax"])
def test_scatter_reduce_integer(reduce):
    compare(lambda lib, x, s: x.scatter_reduce(0, lib.tensor(SCAT_IDX), s, reduce),
            np.arange(12).reshape(3, 4) * 3, np.arange(8).reshape(2, 4) + 1, grad=False)


def test_scatter_reduce_inplace():
    compare(lambda lib, x, s: (x * 1).scatter_reduce_(0, lib.tensor(SCAT_IDX), s, "amax", include_self=False),
            randn(3, 4), randn(2, 4, seed=2))


@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
def test_index_reduce(reduce):
    compare(lambda lib, x, s: lib.index_reduce(x, 0, lib.tensor([0, 2, 0]), s, reduce),
            randn(3, 4, low=0.5, high=2.0), randn(3, 4, seed=2, low=0.5, high=2.0))
    compare(lambda lib, x, s: x.index_reduce(1, lib.tensor([3, 3]), s, reduce, include_self=False),
            randn(3, 4, low=0.5, high=2.0), randn(3, 2, seed=2, low=0.5, high=2.0))


@pytest.mark.parametrize("fn", [
    lambda lib, x: x.scatter(1, lib.tensor([0]), 1.0),
    lambda lib, x: x.scatter(1, lib.tensor([[0, 5]]), 1.0),
    lambda lib, x: x.scatter(1, lib.tensor([[0, 1]]), lib.ones(1, 1)),
    lambda lib, x: x.scatter(1, lib.tensor([[0, 1]]), lib.ones(1, 2, dtype=lib.float64)),
    lambda lib, x: x.scatter(1, lib.tensor([[0, 1]]), lib.ones(1, 2), reduce="foo"),
    lambda lib, x: x.scatter_reduce(1, lib.tensor([[0, 1]]), lib.ones(1, 2), "foo"),
    lambda lib, x: x.scatter_add(1, lib.tensor([[0, 1]]), lib.ones(1, 2, dtype=lib.float64)),
], ids=lambda f: "")
def test_scatter_errors(fn):
    assert_same_error(lambda lib: fn(lib, lib.zeros(2, 3)))


# ---- searchsorted / bucketize / bincount / histc ------------------------------------------------

def test_searchsorted_matches_torch():
    seq = np.array([1, 3, 5, 7, 7, 9])
    vals = np.array([[0, 3, 6], [7, 9, 10]])
    for right in (False, True):
        compare(lambda lib, s, v: lib.searchsorted(s, v, right=right), seq, vals, grad=False)
    compare(lambda lib, s, v: lib.searchsorted(s, v, side="right", out_int32=True), seq, vals, grad=False)
    compare(lambda lib, s: lib.searchsorted(s, 5), seq, grad=False)
    compare(lambda lib, s, v: lib.searchsorted(s, v), seq.astype(np.float64), vals, grad=False)


def test_searchsorted_batched_and_sorter():
    seq = np.array([[1, 3, 5, 7], [2, 4, 6, 8]])
    compare(lambda lib, s, v: lib.searchsorted(s, v), seq, np.array([[3, 6], [1, 9]]), grad=False)
    unsorted = np.array([5, 1, 7, 3])
    compare(lambda lib, s, v: lib.searchsorted(s, v, sorter=lib.argsort(s)), unsorted, np.array([0, 4, 8]),
            grad=False)


def test_searchsorted_errors():
    assert_same_error(lambda lib: lib.searchsorted(lib.tensor([1, 2]), lib.tensor([1]), side="left", right=True))
    assert_same_error(lambda lib: lib.searchsorted(lib.ones(2, 3), lib.ones(3, 1)))


def test_bucketize():
    for right in (False, True):
        compare(lambda lib, x, b: lib.bucketize(x, b, right=right), np.array([[3, 6, 9], [1, 7, 0]]),
                np.array([1, 3, 5, 7]), grad=False)
    assert_same_error(lambda lib: lib.bucketize(lib.tensor([1]), lib.ones(2, 2)))


def test_bincount():
    x = np.array([1, 1, 3, 0, 7])
    compare(lambda lib, i: lib.bincount(i), x, grad=False)
    compare(lambda lib, i: i.bincount(minlength=10), x, grad=False)
    compare(lambda lib, i, w: lib.bincount(i, w), x, randn(5).astype(np.float32), grad=False)
    compare(lambda lib, i, w: lib.bincount(i, weights=w), x, np.arange(5), grad=False)
    compare(lambda lib, i: lib.bincount(i), np.zeros(0, np.int64), grad=False)
    assert_same_error(lambda lib: lib.bincount(lib.tensor([-1, 2])))
    assert_same_error(lambda lib: lib.bincount(lib.tensor([[1, 2]])))


def test_histc():
    x = randn(1000, seed=8).astype(np.float32)
    compare(lambda lib, v: lib.histc(v), x, grad=False)
    compare(lambda lib, v: lib.histc(v, bins=7, min=-1, max=1), x, grad=False)
    compare(lambda lib, v: v.histc(4, 0, 3), np.array([1.0, 2.0, 1.0, 3.0, -1.0, NAN], np.float32), grad=False)
    compare(lambda lib, v: lib.histc(v, bins=3), np.array([2.0, 2.0], np.float64), grad=False)
    assert_same_error(lambda lib: lib.histc(lib.tensor([1, 2])))
