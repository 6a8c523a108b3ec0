"""Normalization ops and layers against PyTorch: outputs, every gradient, running stats."""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_same_error, compare, gradcheck, randn

X = randn(4, 6, 5, seed=1)
W6, B6 = randn(6, seed=2), randn(6, seed=3)
W5, B5 = randn(5, seed=4), randn(5, seed=5)


def F(lib):
    return lib.nn.functional


@pytest.mark.parametrize("shape,normalized", [((4, 6, 5), (5,)), ((4, 6, 5), (6, 5)), ((3, 8), (8,))])
@pytest.mark.parametrize("affine", [True, False])
def test_layer_norm_matches_torch(shape, normalized, affine):
    x = randn(*shape, seed=6)
    w, b = randn(*normalized, seed=7), randn(*normalized, seed=8)
    compare(lambda lib, x, w, b: F(lib).layer_norm(x, normalized, w if affine else None, b if affine else None,
                                                   eps=1e-3), x, w, b)


def test_layer_norm_non_contiguous_input():
    compare(lambda lib, x, w: F(lib).layer_norm(x, (5,), w), randn(4, 5, seed=1), randn(5, seed=2),
            layouts=["transposed", "contiguous"])


def test_layer_norm_grad_fn_name():
    x = ember.randn(2, 3, requires_grad=True)
    assert ember.nn.functional.layer_norm(x, (3,)).grad_fn.name() == "NativeLayerNormBackward0"


@pytest.mark.parametrize("groups", [1, 2, 3, 6])
def test_group_norm(groups):
    compare(lambda lib, x, w, b: F(lib).group_norm(x, groups, w, b), X, W6, B6)
    compare(lambda lib, x: F(lib).group_norm(x, groups), randn(2, 6, 2, 3, seed=9))


def test_instance_norm_without_running_stats():
    compare(lambda lib, x, w, b: F(lib).instance_norm(x, weight=w, bias=b), X, W6, B6)


@pytest.mark.parametrize("use_input_stats", [True, False])
def test_instance_norm_running_stats(use_input_stats):
    rm, rv = randn(6, seed=10), randn(6, seed=11, low=0.5, high=2)
    stats = {}
    for lib in (ember, torch):
        stats[lib] = (lib.tensor(rm), lib.tensor(rv))
    compare(lambda lib, x, w, b: F(lib).instance_norm(x, *stats[lib], w, b, use_input_stats, 0.3), X, W6, B6)
    for i in range(2):
        np.testing.assert_allclose(stats[ember][i].numpy(), stats[torch][i].numpy(), rtol=1e-12)


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", [(8, 6), (4, 6, 5), (2, 6, 3, 2)])
def test_batch_norm_output_grads_and_running_stats(training, shape):
    x = randn(*shape, seed=12)
    rm, rv = randn(6, seed=13), randn(6, seed=14, low=0.5, high=2)
    stats = {lib: (lib.tensor(rm), lib.tensor(rv)) for lib in (ember, torch)}
    compare(lambda lib, x, w, b: F(lib).batch_norm(x, *stats[lib], w, b, training, 0.2, 1e-3), x, W6, B6)
    for i in range(2):
        np.testing.assert_allclose(stats[ember][i].numpy(), stats[torch][i].numpy(), rtol=1e-12)


def test_batch_norm_without_running_stats():
    compare(lambda lib, x: F(lib).batch_norm(x, None, None, training=True), X)


def test_rms_norm_default_eps_and_weight():
    compare(lambda lib, x, w: F(lib).rms_norm(x, (5,), w), X.astype(np.float32), W5.astype(np.float32))
    compare(lambda lib, x: F(lib).rms_norm(x, (6, 5), eps=1e-2), X)


@pytest.mark.parametrize("size", [1, 2, 3, 4])
def test_local_response_norm(size):
    compare(lambda lib, x: F(lib).local_response_norm(x, size, alpha=0.1, beta=0.6, k=1.5), X)
    compare(lambda lib, x: F(lib).local_response_norm(x, size, alpha=0.1), randn(2, 6, 3, 2, seed=15))


@pytest.mark.parametrize("name,fn", [
    ("layer_norm", lambda lib, x, w, b: F(lib).layer_norm(x, (5,), w, b)),
    ("group_norm", lambda lib, x, w, b: F(lib).group_norm(x.reshape(2, 5, 2), 5, w, b)),
    ("batch_norm", lambda lib, x, w, b: F(lib).batch_norm(x.reshape(2, 5, 2), None, None, w, b, True)),
])
def test_norms_gradcheck_and_gradgradcheck(name, fn):
    gradcheck(fn, randn(4, 5, seed=16), randn(5, seed=17), randn(5, seed=18), gradgrad=True)


def test_batch_norm_eval_gradgradcheck():
    rm, rv = ember.tensor(randn(5, seed=1)), ember.tensor(randn(5, seed=2, low=0.5, high=2))
    gradcheck(lambda lib, x, w, b: F(lib).batch_norm(x, rm, rv, w, b, False), randn(4, 5, seed=16),
              randn(5, seed=17), randn(5, seed=18), gradgrad=True)


@pytest.mark.parametrize("fn,match", [
    (lambda lib: F(lib).layer_norm(lib.randn(3, 5), (4,)), "Given normalized_shape=[4]"),
    (lambda lib: F(lib).layer_norm(lib.randn(3, 4), (4,), weight=lib.ones(3)), "Expected weight to be of same"),
    (lambda lib: F(lib).group_norm(lib.randn(3, 4, 2), 3), "divisible by num_groups"),
    (lambda lib: F(lib).batch_norm(lib.randn(1, 4), lib.zeros(4), lib.ones(4), training=True),
     "Expected more than 1 value per channel when training"),
    (lambda lib: F(lib).batch_norm(lib.randn(2, 4), lib.zeros(3), lib.ones(3), training=True),
     "running_mean should contain 4 elements not 3"),
    (lambda lib: F(lib).batch_norm(lib.randn(2, 4), None, None), "running_mean must be defined"),
    (lambda lib: F(lib).instance_norm(lib.randn(2, 4, 1)), "Expected more than 1 spatial element"),
    (lambda lib: F(lib).local_response_norm(lib.randn(3, 5), 2), "Expected 3D or higher dimensionality"),
    (lambda lib: lib.nn.BatchNorm1d(4)(lib.randn(2, 4, 3, 3)), "expected 2D or 3D input (got 4D input)"),
    (lambda lib: lib.nn.BatchNorm2d(4)(lib.randn(2, 4, 3)), "expected 4D input (got 3D input)"),
    (lambda lib: lib.nn.GroupNorm(3, 4), "num_channels (4) must be divisible by num_groups (3)"),
    (lambda lib: lib.nn.InstanceNorm1d(4, affine=True)(lib.randn(2, 3, 5)), "to match num_features"),
])
def test_bad_inputs_raise_torch_errors(fn, match):
    assert_same_error(fn, match=match)


# ---- modules -----------------------------------------------------------------------------

MODULES = [
    ("BatchNorm1d", (6,), {}), ("BatchNorm1d", (6,), {"momentum": None}),
    ("BatchNorm2d", (6,), {"affine": False}), ("BatchNorm3d", (6,), {"track_running_stats": False}),
    ("InstanceNorm1d", (6,), {"affine": True, "track_running_stats": True}), ("InstanceNorm1d", (6,), {}),
    ("InstanceNorm2d", (6,), {"affine": True}), ("LayerNorm", ((5,),), {"bias": False}),
    ("LayerNorm", (5,), {"elementwise_affine": False}), ("GroupNorm", (3, 6), {}), ("RMSNorm", (5,), {}),
    ("RMSNorm", ([5],), {"eps": 1e-3, "elementwise_affine": False}), ("LocalResponseNorm", (3,), {}),
]


@pytest.mark.parametrize("name,args,kw", MODULES)
def test_module_repr_and_state_dict_keys(name, args, kw):
    e, t = getattr(ember.nn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw)
    assert repr(e) == repr(t)
    assert list(e.state_dict()) == list(t.state_dict())
    for (ke, ve), (kt, vt) in zip(e.state_dict().items(), t.state_dict().items()):
        np.testing.assert_array_equal(ve.numpy(), vt.numpy())
        assert str(ve.dtype).replace("ember", "torch") == str(vt.dtype)


def _input_for(name):
    if name.endswith("1d"):
        return randn(4, 6, 5, seed=20)
    if name.endswith("2d"):
        return randn(2, 6, 3, 2, seed=20)
    if name.endswith("3d"):
        return randn(2, 6, 2, 2, 2, seed=20)
    return randn(2, 6, 5, seed=20)


@pytest.mark.parametrize("name,args,kw", MODULES)
def test_module_train_eval_steps_match_torch(name, args, kw):
    mods = {ember: getattr(ember.nn, name)(*args, **kw).double(), torch: getattr(torch.nn, name)(*args, **kw).double()}
    rng = np.random.default_rng(0)
    for lib, m in mods.items():  # identical non-trivial parameters on both sides
        for p in m.parameters():
            with lib.no_grad():
                p.copy_(lib.tensor(np.random.default_rng(p.numel()).standard_normal(tuple(p.shape))))
    x = _input_for(name)
    for step, training in enumerate([True, True, False, True, False]):
        for m in mods.values():
            m.train(training)
        compare(lambda lib, x: mods[lib](x), x + step + rng.standard_normal(x.shape) * 0)
        for (ke, ve), (kt, vt) in zip(mods[ember].state_dict().items(), mods[torch].state_dict().items()):
            np.testing.assert_allclose(ve.numpy(), vt.detach().numpy(), rtol=1e-10, err_msg=ke)
    for (ne, pe), (nt, pt) in zip(mods[ember].named_parameters(), mods[torch].named_parameters()):
        np.testing.assert_allclose(pe.grad.numpy(), pt.grad.numpy(), rtol=1e-8, atol=1e-10, err_msg=ne)


def test_instance_norm_unbatched_input():
    compare(lambda lib, x: lib.nn.InstanceNorm1d(6)(x), randn(6, 5, seed=3))


def test_batch_norm_momentum_none_is_cumulative_average():
    e, t = ember.nn.BatchNorm1d(3, momentum=None), torch.nn.BatchNorm1d(3, momentum=None)
    for i in range(4):
        x = randn(5, 3, seed=i).astype(np.float32)
        e(ember.tensor(x))
        t(torch.tensor(x))
    assert int(e.num_batches_tracked) == 4
    # float32 statistics: the oracle's float32 tolerance (summation order differs in the last bits)
    np.testing.assert_allclose(e.running_mean.numpy(), t.running_mean.numpy(), rtol=2e-5, atol=2e-6)
    np.testing.assert_allclose(e.running_var.numpy(), t.running_var.numpy(), rtol=2e-5, atol=2e-6)


def test_batch_norm_state_dict_round_trip_and_reset():
    e = ember.nn.BatchNorm1d(3)
    e(ember.randn(4, 3))
    f = ember.nn.BatchNorm1d(3)
    f.load_state_dict(e.state_dict())
    np.testing.assert_array_equal(f.running_var.numpy(), e.running_var.numpy())
    f.reset_running_stats()
    np.testing.assert_array_equal(f.running_var.numpy(), np.ones(3, np.float32))
    assert int(f.num_batches_tracked) == 0


@pytest.mark.parametrize("affine", [True, False])
def test_layer_norm_in_row_blocks_matches_torch(monkeypatch, affine):
    # Tiny blocks (3 rows of 8) so the block loop, its last short block and the per-block
    # weight/bias gradient sums are all exercised.
    from ember.ops import layer_norm_rows
    monkeypatch.setattr(layer_norm_rows, "_BLOCK_ELEMENTS", 24)
    x = randn(5, 7, 8)
    if affine:
        w, b = randn(8, seed=1), randn(8, seed=2)
        compare(lambda lib, x, w, b: lib.nn.functional.layer_norm(x, (8,), w, b), x, w, b)
    else:
        compare(lambda lib, x: lib.nn.functional.layer_norm(x, (8,)), x)


def test_layer_norm_in_row_blocks_gradcheck(monkeypatch):
    from ember.ops import layer_norm_rows
    monkeypatch.setattr(layer_norm_rows, "_BLOCK_ELEMENTS", 10)
    x = ember.tensor(randn(4, 3, 5), requires_grad=True)
    w = ember.tensor(randn(3, 5, seed=1), requires_grad=True)
    b = ember.tensor(randn(3, 5, seed=2), requires_grad=True)
    assert ember.autograd.gradcheck(lambda x, w, b: ember.nn.functional.layer_norm(x, (3, 5), w, b), (x, w, b))
