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
