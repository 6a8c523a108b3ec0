"""Matrix products against PyTorch: matmul family, einsum, tensordot, trace; forward, backward, gradcheck."""
import numpy as np
import pytest

from oracle import assert_same_error, compare, gradcheck, randn

LINALG = {
    "mm": (lambda lib, a, b: lib.mm(a, b), (3, 4), (4, 2)),
    "matmul_op": (lambda lib, a, b: a @ b, (3, 4), (4, 2)),
    "matmul_inner_1": (lambda lib, a, b: a @ b, (5, 1), (1, 3)),       # outer product (np.dot path)
    "linear_batch_1": (lambda lib, a, b: lib.nn.functional.linear(a, b), (1, 4), (3, 4)),
    "matmul_1d_1d": (lambda lib, a, b: lib.matmul(a, b), (4,), (4,)),
    "matmul_1d_2d": (lambda lib, a, b: a @ b, (4,), (4, 3)),
    "matmul_2d_1d": (lambda lib, a, b: a @ b, (3, 4), (4,)),
    "matmul_batched": (lambda lib, a, b: a @ b, (2, 3, 4), (2, 4, 5)),
    "matmul_broadcast": (lambda lib, a, b: lib.matmul(a, b), (2, 1, 3, 4), (3, 4, 2)),
    "matmul_batched_2d": (lambda lib, a, b: a @ b, (2, 3, 4), (4, 5)),
    "matmul_1d_batched": (lambda lib, a, b: a @ b, (4,), (2, 4, 3)),
    "matmul_batched_1d": (lambda lib, a, b: a @ b, (2, 3, 4), (4,)),
    "bmm": (lambda lib, a, b: lib.bmm(a, b), (2, 3, 4), (2, 4, 5)),
    "mv": (lambda lib, a, b: lib.mv(a, b), (3, 4), (4,)),
    "dot": (lambda lib, a, b: lib.dot(a, b), (5,), (5,)),
    "outer": (lambda lib, a, b: lib.outer(a, b), (3,), (4,)),
    "addmm": (lambda lib, a, b: lib.addmm(a[0, :2], a, b), (3, 4), (4, 2)),
    "addmm_scaled": (lambda lib, a, b: lib.addmm(a[:, :2], a, b, beta=0.5, alpha=2.0), (3, 4), (4, 2)),
    "addmm_beta0": (lambda lib, a, b: a[:, :2].addmm(a, b, beta=0), (3, 4), (4, 2)),
    "baddbmm": (lambda lib, a, b: lib.baddbmm(a[:, :, :1], a, b), (2, 3, 4), (2, 4, 5)),
    "baddbmm_scaled": (lambda lib, a, b: lib.baddbmm(a[0, :, :1], a, b, beta=2.0, alpha=-0.5), (2, 3, 4), (2, 4, 5)),
    "einsum_mm": (lambda lib, a, b: lib.einsum("ij,jk->ik", a, b), (3, 4), (4, 2)),
    "einsum_implicit": (lambda lib, a, b: lib.einsum("ij,jk", a, b), (3, 4), (4, 2)),
    "einsum_batch": (lambda lib, a, b: lib.einsum("bij,bjk->bik", a, b), (2, 3, 4), (2, 4, 5)),
    "einsum_outer": (lambda lib, a, b: lib.einsum("i,j->ij", a, b), (3,), (4,)),
    "einsum_sum_all": (lambda lib, a, b: lib.einsum("ij,ij->", a, b), (3, 4), (3, 4)),
    "einsum_trace": (lambda lib, a, b: lib.einsum("ii->", a) + lib.einsum("jj", b), (3, 3), (4, 4)),
    "einsum_diag": (lambda lib, a, b: lib.einsum("ii->i", a) * b[0, 0], (3, 3), (4, 4)),
    "einsum_repeated_across": (lambda lib, a, b: lib.einsum("iij,jk->ik", a, b), (3, 3, 4), (4, 2)),
    "einsum_sum_out_free": (lambda lib, a, b: lib.einsum("ij,kl->j", a, b), (3, 4), (2, 5)),
    "einsum_ellipsis": (lambda lib, a, b: lib.einsum("...ij,...jk->...ik", a, b), (2, 3, 4), (2, 4, 5)),
    "einsum_ellipsis_broadcast": (lambda lib, a, b: lib.einsum("...ij,jk->...ik", a, b), (2, 2, 3, 4), (4, 5)),
    "einsum_ellipsis_sum": (lambda lib, a, b: lib.einsum("b...,b...->b", a, b), (2, 3, 4), (2, 3, 4)),
    "einsum_transpose": (lambda lib, a, b: lib.einsum("ijk->kji", a) + b[0, 0, 0], (2, 3, 4), (2, 4, 5)),
    "einsum_list": (lambda lib, a, b: lib.einsum("ij,jk->ik", [a, b]), (3, 4), (4, 2)),
    "einsum_three": (lambda lib, a, b: lib.einsum("ij,jk,kl->il", a, b, a.mT), (3, 4), (4, 4)),
    "einsum_spaces": (lambda lib, a, b: lib.einsum("i j , j k -> i k", a, b), (3, 4), (4, 2)),
    "einsum_broadcast_size1": (lambda lib, a, b: lib.einsum("bij,bjk->bik", a, b), (1, 3, 4), (2, 4, 5)),
    "tensordot_int": (lambda lib, a, b: lib.tensordot(a, b, dims=1), (2, 3, 4), (4, 5)),
    "tensordot_lists": (lambda lib, a, b: lib.tensordot(a, b, dims=([0, 2], [1, 0])), (2, 3, 4), (4, 2, 5)),
    "tensordot_zero": (lambda lib, a, b: lib.tensordot(a, b, dims=0), (2, 3), (3,)),
    "trace": (lambda lib, a, b: lib.trace(a) + b.trace(), (3, 3), (4, 2)),
}


def _inputs(name, dtype=np.float64):
    _, sa, sb = LINALG[name]
    return randn(*sa, dtype=dtype, seed=1), randn(*sb, dtype=dtype, seed=2)


@pytest.mark.parametrize("name", sorted(LINALG))
def test_linalg_matches_torch(name):
    compare(LINALG[name][0], *_inputs(name))


@pytest.mark.parametrize("name", sorted(LINALG))
def test_linalg_float32_matches_torch(name):
    compare(LINALG[name][0], *_inputs(name, np.float32))


@pytest.mark.parametrize("name", sorted(LINALG))
@pytest.mark.parametrize("layouts", [("transposed", "strided"), ("strided", "transposed")])
def test_linalg_noncontiguous_matches_torch(name, layouts):
    compare(LINALG[name][0], *_inputs(name), layouts=list(layouts))


@pytest.mark.parametrize("name", sorted(LINALG))
def test_linalg_gradcheck(name):
    gradcheck(LINALG[name][0], *_inputs(name))


@pytest.mark.parametrize("name", ["mm", "matmul_broadcast", "einsum_batch", "einsum_diag", "einsum_ellipsis_sum",
                                  "einsum_repeated_across", "addmm_scaled", "tensordot_lists", "trace", "outer"])
def test_linalg_gradgradcheck(name):
    gradcheck(LINALG[name][0], *_inputs(name), gradgrad=True)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("name", ["mm", "matmul_batched", "bmm", "addmm", "einsum_batch", "dot"])
def test_linalg_low_precision_forward(name, dtype):
    compare(LINALG[name][0], *_inputs(name, np.float32), dtypes=[dtype, dtype], grad=False)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(2, 3, 64, 32), (4, 128, 16), (2, 3, 64, 64), (2, 200, 32)])
def test_attention_scores_product_matches_torch(shape, dtype):
    # q @ k^T: small stacks summing over 32 or fewer take a row-major copy of the transposed
    # operand (linalg.right_operand_for_blas); a 64-long sum or 200 rows keep the strided view
    compare(lambda lib, q, k: q @ k.transpose(-2, -1), randn(*shape, dtype=dtype, seed=1),
            randn(*shape, dtype=dtype, seed=2))


def test_integer_matmul_matches_torch():
    a = np.arange(12).reshape(3, 4)
    compare(lambda lib, x: x @ x.T, a, grad=False)
    compare(lambda lib, x: lib.einsum("ij,kj->ik", x, x), a, grad=False)
    compare(lambda lib, x: lib.trace(x), a, grad=False)


def test_einsum_operand_modified_in_place_raises_like_torch():
    def fn(lib):
        a = lib.ones(2, 2, requires_grad=True)
        b = a * 2
        c = lib.einsum("ij,jk->ik", b, b)
        b.add_(1)
        c.sum().backward()
    assert_same_error(fn, match="modified by an inplace operation")


def test_linalg_errors_match_torch():
    assert_same_error(lambda lib: lib.mm(lib.zeros(1, 3), lib.zeros(2, 5)),
                      match="mat1 and mat2 shapes cannot be multiplied (1x3 and 2x5)")
    assert_same_error(lambda lib: lib.zeros(1, 3) @ lib.zeros(2, 5), match="(1x3 and 2x5)")
    assert_same_error(lambda lib: lib.zeros(2, 1, 3) @ lib.zeros(2, 2, 5))
    assert_same_error(lambda lib: lib.zeros(3) @ lib.zeros(4))
    assert_same_error(lambda lib: lib.matmul(lib.zeros(()), lib.zeros(3)))
    assert_same_error(lambda lib: lib.bmm(lib.zeros(2, 3), lib.zeros(2, 3)))
    assert_same_error(lambda lib: lib.mv(lib.zeros(2, 3), lib.zeros(2)))
    assert_same_error(lambda lib: lib.dot(lib.zeros(3), lib.zeros(2)))
    assert_same_error(lambda lib: lib.mm(lib.zeros(2, 2), lib.zeros(2, 2, dtype=lib.float64)))
    assert_same_error(lambda lib: lib.einsum("ij,jk->ik", lib.zeros(2, 3), lib.zeros(4, 2)))
    assert_same_error(lambda lib: lib.einsum("ij->ij", lib.zeros(2)))
    assert_same_error(lambda lib: lib.einsum("ij,jk->ik", lib.zeros(2, 3)))
    assert_same_error(lambda lib: lib.tensordot(lib.zeros(2, 3), lib.zeros(4, 2), dims=1))
    assert_same_error(lambda lib: lib.trace(lib.zeros(2, 3, 4)))
    assert_same_error(lambda lib: lib.addmm(lib.zeros(3), lib.zeros(2, 3), lib.zeros(3, 4)))
