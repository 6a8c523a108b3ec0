"""Convolutions big enough that im2col, col2im and the layout copies are split across threads
(float64, so the comparison with PyTorch is not dominated by float32 summation order)."""
import pytest

from oracle import compare, randn


@pytest.mark.parametrize("bias", [True, False])
def test_large_conv2d_forward_and_backward_match_torch(bias):
    # every copy (columns, output, gradient layout, col2im blocks) is over the split threshold; odd channel counts split unevenly
    x = randn(16, 16, 40, 40)
    w = randn(33, 16, 3, 3, seed=1)
    args = (x, w, randn(33, seed=2)) if bias else (x, w)
    compare(lambda lib, x, w, *b: lib.nn.functional.conv2d(x, w, b[0] if b else None), *args)


def test_large_conv2d_input_grad_only_matches_torch():
    # only the input needs a gradient: the blocked GEMM + col2im path alone
    x = randn(24, 7, 40, 40)
    w = randn(9, 7, 3, 3, seed=1)
    compare(lambda lib, x, w: lib.nn.functional.conv2d(x, w.detach(), padding=1), x, w)
