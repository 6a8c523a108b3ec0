"""Max pooling big enough that its window passes are split across threads: same values and
gradients as PyTorch, ties included (inputs rounded to one decimal, so many windows tie)."""
import numpy as np
import pytest
import torch

import ember


@pytest.mark.parametrize("shape,k", [((32, 64, 24, 24), 2), ((8, 33, 30, 31), 3), ((16, 16, 40, 40), (2, 3))])
def test_large_max_pool2d_matches_torch_exactly(shape, k):
    rng = np.random.default_rng(0)
    x = np.round(rng.standard_normal(shape), 1).astype(np.float32)
    g = rng.standard_normal(torch.nn.functional.max_pool2d(torch.tensor(x), k).shape).astype(np.float32)
    results = []
    for lib in (ember, torch):
        t = lib.tensor(x, requires_grad=True)
        y = lib.nn.functional.max_pool2d(t, k)
        y.backward(lib.tensor(g))
        results.append((y.detach().numpy(), t.grad.numpy()))
    (ey, egx), (ty, tgx) = results
    np.testing.assert_array_equal(ey, ty)
    np.testing.assert_array_equal(egx, tgx)


@pytest.mark.parametrize("dtype", [np.float32, np.float16, np.float64])
@pytest.mark.parametrize("shape", [(2, 3, 6, 8), (16, 64, 24, 24)])
def test_max_pool2d_2x2_gradient_bits_match_torch(dtype, shape):
    # 2 x 2 windows take the paired-cells scatter (ember/ops/pool.py _spread_pairs) for float32
    # and float16: every output bit must match, special gradient values included.
    rng = np.random.default_rng(1)
    x = np.round(rng.standard_normal(shape), 1).astype(dtype)
    g = rng.standard_normal((shape[0], shape[1], shape[2] // 2, shape[3] // 2)).astype(dtype)
    g.reshape(-1)[:5] = [-0.0, np.inf, -np.inf, np.nan, 0.0]
    grads = []
    for lib in (ember, torch):
        t = lib.tensor(x, requires_grad=True)
        lib.nn.functional.max_pool2d(t, 2).backward(lib.tensor(g))
        grads.append(t.grad.numpy())
    np.testing.assert_array_equal(grads[0], grads[1])
    np.testing.assert_array_equal(np.signbit(grads[0]), np.signbit(grads[1]))
