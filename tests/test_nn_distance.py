"""Distance functions and modules against PyTorch."""
import numpy as np
import pytest

import ember
from oracle import assert_same_error, compare, randn


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, 0.5, float("inf")])
def test_pairwise_distance_matches_torch(p):
    compare(lambda lib, a, b: lib.nn.functional.pairwise_distance(a, b, p), randn(5, 4), randn(5, 4, seed=1))
    compare(lambda lib, a, b: lib.nn.PairwiseDistance(p, keepdim=True)(a, b), randn(5, 4), randn(4, seed=1))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cosine_similarity_matches_torch(dim):
    compare(lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b, dim), randn(3, 4), randn(3, 4, seed=1))
    compare(lambda lib, a, b: lib.nn.CosineSimilarity(dim)(a, b), randn(1, 4), randn(3, 4, seed=1))


def test_cosine_similarity_zero_vector_is_zero_like_torch():
    compare(lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b), np.zeros((2, 3)), randn(2, 3))


@pytest.mark.parametrize("p", [2, 1, 3])
def test_pdist_normalize_cdist_match_torch(p):
    compare(lambda lib, a: lib.nn.functional.pdist(a, p), randn(5, 3))
    compare(lambda lib, a: lib.nn.functional.normalize(a, p), randn(4, 3))
    compare(lambda lib, a: lib.nn.functional.normalize(a, p, dim=0), randn(4, 3))
    compare(lambda lib, a, b: lib.cdist(a, b, p), randn(4, 3), randn(6, 3, seed=1))


def test_cdist_large_uses_gemm_and_matches_torch():
    compare(lambda lib, a, b: lib.cdist(a, b), randn(30, 5), randn(40, 5, seed=1))
    compare(lambda lib, a, b: lib.cdist(a, b), randn(2, 30, 5), randn(2, 27, 5, seed=1))


def test_one_hot_matches_torch():
    compare(lambda lib, x: lib.nn.functional.one_hot(x), np.array([0, 3, 1]), grad=False)
    compare(lambda lib, x: lib.nn.functional.one_hot(x, 5), np.array([[0, 3], [1, 4]]), grad=False)
    assert_same_error(lambda lib: lib.nn.functional.one_hot(lib.tensor([1, 5]), 3), "smaller than num_classes")
    assert_same_error(lambda lib: lib.nn.functional.one_hot(lib.tensor([-1])), "non-negative")
    assert_same_error(lambda lib: lib.nn.functional.one_hot(lib.tensor([1.0])), "LongTensor")


def test_pdist_gradient_at_duplicate_rows_is_finite():
    x = ember.tensor([[1.0, 2.0], [1.0, 2.0], [0.0, 0.0]], requires_grad=True)
    ember.nn.functional.pdist(x).sum().backward()
    assert np.isfinite(x.grad.numpy()).all()
