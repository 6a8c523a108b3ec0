"""nn.utils gradient clipping and parameter/vector conversion against PyTorch."""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_same_error


def _params_with_grads(lib, grads):
    params = []
    for g in grads:
        p = lib.nn.Parameter(lib.zeros(g.shape))
        p.grad = lib.tensor(g.copy())
        params.append(p)
    return params


GRADS = [np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32),
         np.random.default_rng(1).standard_normal(5).astype(np.float32) * 3]


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf"), 0.5])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    pe, pt = _params_with_grads(ember, GRADS), _params_with_grads(torch, GRADS)
    ne = ember.nn.utils.clip_grad_norm_(pe, max_norm, norm_type)
    nt = torch.nn.utils.clip_grad_norm_(pt, max_norm, norm_type)
    assert ne.dtype == ember.float32 and ne.dim() == 0
    np.testing.assert_allclose(ne.item(), nt.item(), rtol=1e-6)
    for a, b in zip(pe, pt):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-6, atol=1e-7)


def test_clip_grad_norm_single_tensor_and_no_grads():
    p = ember.nn.Parameter(ember.ones(3))
    assert ember.nn.utils.clip_grad_norm_(p, 1.0).item() == 0.0
    p.grad = ember.full((3,), 2.0)
    total = ember.nn.utils.clip_grad_norm_(p, 1.0)
    assert abs(total.item() - np.sqrt(12)) < 1e-6
    np.testing.assert_allclose(np.linalg.norm(p.grad.numpy()), 1.0, rtol=1e-5)


def test_clip_grad_norm_nonfinite_error_matches_torch():
    grads = [np.array([1.0, np.inf], dtype=np.float32)]
    assert_same_error(lambda lib: lib.nn.utils.clip_grad_norm_(_params_with_grads(lib, grads), 1.0,
                                                                error_if_nonfinite=True),
                      "is non-finite, so it cannot be clipped")


def test_clip_grad_value_matches_torch():
    pe, pt = _params_with_grads(ember, GRADS), _params_with_grads(torch, GRADS)
    ember.nn.utils.clip_grad_value_(pe, 0.7)
    torch.nn.utils.clip_grad_value_(pt, 0.7)
    for a, b in zip(pe, pt):
        np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())


def test_get_total_norm_and_clip_grads_with_norm_match_torch():
    pe, pt = _params_with_grads(ember, GRADS), _params_with_grads(torch, GRADS)
    ne = ember.nn.utils.get_total_norm([p.grad for p in pe], 2.0)
    nt = torch.nn.utils.get_total_norm([p.grad for p in pt], 2.0)
    np.testing.assert_allclose(ne.item(), nt.item(), rtol=1e-6)
    ember.nn.utils.clip_grads_with_norm_(pe, 1.0, ne)
    torch.nn.utils.clip_grads_with_norm_(pt, 1.0, nt)
    for a, b in zip(pe, pt):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-6, atol=1e-7)


def test_parameters_to_vector_and_back():
    m = ember.nn.Linear(3, 2)
    vec = ember.nn.utils.parameters_to_vector(m.parameters())
    assert tuple(vec.shape) == (8,) and vec.grad_fn.name() == "CatBackward0"
    np.testing.assert_array_equal(vec.detach().numpy()[:6], m.weight.detach().numpy().ravel())
    new = ember.arange(8, dtype=ember.float32)
    ember.nn.utils.vector_to_parameters(new, m.parameters())
    assert m.weight.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]] and m.bias.tolist() == [6.0, 7.0]
    assert_same_error(lambda lib: lib.nn.utils.vector_to_parameters([1.0], []), "expected torch.Tensor")
