"""The core's fast paths give the same results as PyTorch (and as the slow paths they skip).

Covered: relu's backward kernel, gradient stealing in AccumulateGrad (never aliasing memory
anything else can see), the column-major weight gradient of Linear, array-level backward
rules used when no graph is recorded, same-shape operator fast paths, and elementwise
kernels split over threads for large arrays.
"""
import warnings

import numpy as np
import pytest
import torch

import ember
from ember.ops import _parallel
from oracle import assert_same_error


def _both(fn, *arrays, requires_grad=True):
    """Run ``fn(lib, *tensors)`` on both libraries; returns (ember tensors, torch tensors, outputs)."""
    out = []
    for lib in (ember, torch):
        ts = [lib.tensor(a, requires_grad=requires_grad) for a in arrays]
        out.append((ts, fn(lib, *ts)))
    return out


# --- relu -------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
@pytest.mark.parametrize("which", ["torch.relu", "F.relu"])
def test_relu_backward_zeroes_nan_and_gives_positive_zero_like_torch(dtype, which):
    x = [-1.0, 0.0, 2.0, 3.0, -0.5]
    up = [-1.0, float("nan"), -2.0, 5.0, float("nan")]
    grads = []
    for lib in (ember, torch):
        t = lib.tensor(x, dtype=getattr(lib, dtype), requires_grad=True)
        f = lib.relu if which == "torch.relu" else lib.nn.functional.relu
        f(t).backward(lib.tensor(up, dtype=getattr(lib, dtype)))
        grads.append(t.grad.float().numpy())
    np.testing.assert_array_equal(grads[0], grads[1])
    np.testing.assert_array_equal(np.signbit(grads[0]), np.signbit(grads[1]))


def test_relu_double_backward_matches_torch():
    rng = np.random.default_rng(0)
    x, h = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
    res = []
    for lib in (ember, torch):
        xt, ht = lib.tensor(x, requires_grad=True), lib.tensor(h, requires_grad=True)
        (gx,) = lib.autograd.grad(lib.nn.functional.relu(xt * ht).sum(), xt, create_graph=True)
        (gx * gx).sum().backward()
        res.append((gx.detach().numpy(), ht.grad.numpy()))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-12)
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-12)


# --- AccumulateGrad: stealing must never alias ------------------------------------------------
def test_linear_grads_are_contiguous_and_match_torch_over_two_backwards():
    rng = np.random.default_rng(1)
    w, b, x = rng.standard_normal((3, 4)), rng.standard_normal(3), rng.standard_normal((5, 4))
    res = []
    for lib in (ember, torch):
        lin = lib.nn.Linear(4, 3).double()
        with lib.no_grad():
            lin.weight.copy_(lib.tensor(w))
            lin.bias.copy_(lib.tensor(b))
        xt = lib.tensor(x)
        for _ in range(2):  # the second backward accumulates in place into the first's grad
            (lin(xt) ** 2).sum().backward()
        res.append((lin.weight.grad, lin.bias.grad))
    for e, t in zip(*res):
        assert e.is_contiguous() and e.stride() == t.stride()
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-12)
    assert res[0][0].data_ptr() != res[0][1].data_ptr()


def test_leaf_backward_with_user_gradient_does_not_alias_it():
    c = ember.randn(3, requires_grad=True)
    g = ember.ones(3)
    c.backward(g)
    c.backward(g)  # accumulates in place into c.grad
    assert g.tolist() == [1.0, 1.0, 1.0]
    assert c.grad.tolist() == [2.0, 2.0, 2.0]


def test_one_gradient_sent_to_two_leaves_is_not_shared():
    a = ember.randn(3, requires_grad=True)
    b = ember.randn(3, requires_grad=True)
    (a + b).sum().backward()
    a.grad.mul_(5)
    assert b.grad.tolist() == [1.0, 1.0, 1.0]
    (a + b).sum().backward()
    assert a.grad.tolist() == [6.0, 6.0, 6.0] and b.grad.tolist() == [2.0, 2.0, 2.0]


def test_gradient_kept_by_a_hook_is_not_changed_by_later_accumulation():
    w = ember.randn(3, requires_grad=True)
    kept = []
    y = w.clone()
    y.register_hook(lambda g: kept.append(g))
    (y * 2).sum().backward()
    w.grad.add_(100)
    assert kept[0].tolist() == [2.0, 2.0, 2.0]


def test_saved_output_returned_as_gradient_is_not_shared_with_live_output():
    class Identityish(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            out = x * 3
            ctx.save_for_backward(out)
            return out

        @staticmethod
        def backward(ctx, g):
            (out,) = ctx.saved_tensors
            return out

    x = ember.ones(2, requires_grad=True)
    y = Identityish.apply(x)
    y.sum().backward()
    x.grad.add_(1)
    assert y.tolist() == [3.0, 3.0]


# --- recorded-op bookkeeping ----------------------------------------------------------------------
def test_bfloat16_op_output_requires_grad_like_torch():
    outs = []
    for lib in (ember, torch):
        x = lib.ones(3, dtype=lib.bfloat16, requires_grad=True)
        y = x * 2
        y.sum().backward()
        outs.append((y.requires_grad, y.grad_fn.name(), x.grad.float().tolist()))
    assert outs[0] == outs[1]


def test_backward_without_graph_matches_create_graph_backward_for_linear():
    rng = np.random.default_rng(2)
    x = ember.tensor(rng.standard_normal((6, 4)), requires_grad=True)
    lin = ember.nn.Linear(4, 3).double()
    plain = ember.autograd.grad(lin(x).sin().sum(), [x, lin.weight, lin.bias])
    graph = ember.autograd.grad(lin(x).sin().sum(), [x, lin.weight, lin.bias], create_graph=True)
    for p, g in zip(plain, graph):
        np.testing.assert_allclose(p.numpy(), g.detach().numpy(), rtol=1e-13)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_backward_matches_torch_exactly(reduction):
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((10, 1)).astype(np.float32), rng.standard_normal((10, 1)).astype(np.float32)
    res = []
    for (xt, yt), loss in _both(lambda lib, x, y: lib.nn.functional.mse_loss(x, y, reduction=reduction), a, b):
        (loss.sum() if reduction == "none" else loss).backward()
        res.append((xt.grad.numpy(), yt.grad.numpy()))
    np.testing.assert_array_equal(res[0][0], res[1][0])
    np.testing.assert_array_equal(res[0][1], res[1][1])


def test_broadcast_gradients_sum_down_like_torch():
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal((3, 1)), rng.standard_normal((1, 4))
    res = []
    for (xt, yt), out in _both(lambda lib, x, y: (x * y + x).exp().sum(), a, b):
        out.backward()
        res.append((xt.grad.numpy(), yt.grad.numpy()))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-12)
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-12)


# --- operator fast paths keep PyTorch's errors --------------------------------------------------
def test_operator_shape_mismatch_error_matches_torch():
    assert_same_error(lambda lib: lib.ones(2, 3) + lib.ones(4, 3), match="must match the size of tensor b")
    assert_same_error(lambda lib: lib.ones(2, 3) * lib.ones(2, 4), match="must match the size of tensor b")


def test_bool_subtraction_error_matches_torch():
    assert_same_error(lambda lib: lib.ones(2, dtype=lib.bool) - lib.ones(2, dtype=lib.bool),
                      match="Subtraction, the `-` operator, with two bool tensors is not supported")


# --- elementwise kernels split over threads -------------------------------------------------------
@pytest.mark.parametrize("op", ["add", "sub", "mul", "exp"])
def test_large_elementwise_ops_match_one_numpy_call_bitwise(op):
    n = _parallel.PARALLEL_MIN + 12345
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal(n).astype(np.float32), rng.standard_normal(n).astype(np.float32)
    x, y = ember.tensor(a), ember.tensor(b)
    got = {"add": lambda: x + y, "sub": lambda: x - y, "mul": lambda: x * y, "exp": lambda: x.exp()}[op]()
    want = {"add": np.add, "sub": np.subtract, "mul": np.multiply}.get(op)
    want = want(a, b) if want else np.exp(a)
    np.testing.assert_array_equal(got.numpy(), want)
    tt = {"add": torch.add, "sub": torch.sub, "mul": torch.mul}.get(op)
    t = tt(torch.tensor(a), torch.tensor(b)) if tt else torch.tensor(a).exp()
    np.testing.assert_allclose(got.numpy(), t.numpy(), rtol=2e-6)


def test_large_exp_overflow_stays_silent_like_torch():
    a = np.full(_parallel.PARALLEL_MIN + 1, 1000.0, np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = ember.tensor(a).exp()
    assert np.isinf(out.numpy()).all()


def test_large_elementwise_op_records_gradient():
    n = _parallel.PARALLEL_MIN
    x = ember.ones(n, requires_grad=True)
    (x * ember.full((n,), 3.0)).exp().sum().backward()
    np.testing.assert_allclose(x.grad.numpy()[:3], [3 * np.exp(np.float32(3))] * 3, rtol=1e-6)
