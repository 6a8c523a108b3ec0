"""ember.nn.utils.parametrize / parametrizations, the hook-based weight_norm and spectral_norm,
fusion, memory-format conversion and skip_init, against PyTorch."""
import copy
import pickle
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import assert_same_error, to_numpy

LIBS = (ember, torch)


def _close(e, t, rtol=2e-5, atol=2e-6):
    np.testing.assert_allclose(to_numpy(e), to_numpy(t), rtol=rtol, atol=atol)


def _linear_pair(in_f=3, out_f=4, seed=0, dtype=None):
    """ember and torch Linear layers with the same (torch-drawn) weights."""
    torch.manual_seed(seed)
    t = torch.nn.Linear(in_f, out_f, dtype=dtype)
    e = ember.nn.Linear(in_f, out_f, dtype=None if dtype is None else getattr(ember, str(dtype)[6:]))
    e.load_state_dict({k: v.detach().numpy() for k, v in t.state_dict().items()})
    return e, t


def _input(lib, *shape, seed=1, dtype="float32"):
    arr = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return lib.tensor(arr)


class _Symmetric:
    """A parametrization X -> triu(X) + triu(X, 1)^T, defined for both libraries."""

    @staticmethod
    def make(lib):
        class Symmetric(lib.nn.Module):
            def forward(self, X):
                return X.triu() + X.triu(1).transpose(-1, -2)

            def right_inverse(self, A):
                return A.triu()
        return Symmetric()


def _make_pair_param(lib):
    class Split(lib.nn.Module):
        def forward(self, a, b):
            return a + b

        def right_inverse(self, w):
            return w * 0.25, w * 0.75
    return Split()


# --- register_parametrization --------------------------------------------------------------
def test_register_parametrization_state_dict_keys_and_repr():
    e, t = _linear_pair(4, 4)
    for lib, m in ((ember, e), (torch, t)):
        lib.nn.utils.parametrize.register_parametrization(m, "weight", _Symmetric.make(lib))
    assert list(e.state_dict()) == list(t.state_dict())
    assert list(e.state_dict())[-1] == "parametrizations.weight.original"
    assert type(e).__name__ == type(t).__name__ == "ParametrizedLinear"
    assert repr(e).replace("Symmetric", "S") == repr(t).replace("Symmetric", "S")


def test_parametrized_forward_and_gradients_match():
    e, t = _linear_pair(4, 4)
    for lib, m in ((ember, e), (torch, t)):
        lib.nn.utils.parametrize.register_parametrization(m, "weight", _Symmetric.make(lib))
    ye, yt = e(_input(ember, 2, 4)), t(_input(torch, 2, 4))
    _close(ye, yt)
    ye.sum().backward()
    yt.sum().backward()
    _close(e.parametrizations.weight.original.grad, t.parametrizations.weight.original.grad)
    _close(e.weight, t.weight)
    assert e.weight.grad_fn is not None


def test_original_is_right_inverse_of_initial_value():
    e, t = _linear_pair(4, 4)
    for lib, m in ((ember, e), (torch, t)):
        lib.nn.utils.parametrize.register_parametrization(m, "weight", _Symmetric.make(lib))
    _close(e.parametrizations.weight.original, t.parametrizations.weight.original)


def test_assigning_to_parametrized_tensor_calls_right_inverse():
    e, t = _linear_pair(4, 4)
    value = np.arange(16, dtype=np.float32).reshape(4, 4)
    for lib, m in ((ember, e), (torch, t)):
        lib.nn.utils.parametrize.register_parametrization(m, "weight", _Symmetric.make(lib))
        m.weight = lib.tensor(value)
    _close(e.parametrizations.weight.original, t.parametrizations.weight.original)
    _close(e.weight, t.weight)


def test_original_keeps_parameter_identity():
    e, _ = _linear_pair(4, 4)
    w = e.weight
    ember.nn.utils.parametrize.register_parametrization(e, "weight", _Symmetric.make(ember))
    assert e.parametrizations.weight.original is w
    assert isinstance(w, ember.nn.Parameter)


def test_tuple_right_inverse_registers_original0_original1():
    e, t = _linear_pair()
    for lib, m in ((ember, e), (torch, t)):
        lib.nn.utils.parametrize.register_parametrization(m, "weight", _make_pair_param(lib))
    assert list(e.state_dict()) == list(t.state_dict())
    _close(e.parametrizations.weight.original0, t.parametrizations.weight.original0)
    _close(e.parametrizations.weight.original1, t.parametrizations.weight.original1)
    _close(e.weight, t.weight)
    assert e.parametrizations.weight.ntensors == 2 and not e.parametrizations.weight.is_tensor


def test_chained_parametrizations_apply_in_order():
    e, t = _linear_pair(4, 4)
    for lib, m in ((ember, e), (torch, t)):
        P = lib.nn.utils.parametrize
        P.register_parametrization(m, "weight", _Symmetric.make(lib))

        class Double(lib.nn.Module):
            def forward(self, x):
                return x * 2
        P.register_parametrization(m, "weight", Double())
    _close(e.weight, t.weight)
    assert len(e.parametrizations.weight) == 2


def test_buffer_can_be_parametrized():
    e, t = ember.nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3)
    for lib, m in ((ember, e), (torch, t)):
        class Abs(lib.nn.Module):
            def forward(self, x):
                return x.abs()
        lib.nn.utils.parametrize.register_parametrization(m, "running_mean", Abs())
    assert list(e.state_dict()) == list(t.state_dict())
    assert "parametrizations.running_mean.original" in e.state_dict()
    assert "running_mean" not in e._buffers


def test_unsafe_allows_shape_change():
    for lib in LIBS:
        m = lib.nn.Linear(3, 4)

        class Flat(lib.nn.Module):
            def forward(self, x):
                return x.reshape(-1)
        lib.nn.utils.parametrize.register_parametrization(m, "weight", Flat(), unsafe=True)
        assert tuple(m.weight.shape) == (12,)


def test_shape_change_without_unsafe_raises():
    def fn(lib):
        m = lib.nn.Linear(3, 4)

        class Flat(lib.nn.Module):
            def forward(self, x):
                return x.reshape(-1)
        lib.nn.utils.parametrize.register_parametrization(m, "weight", Flat())
    assert_same_error(fn, match="may not change the shape")


def test_dtype_change_without_unsafe_raises():
    def fn(lib):
        m = lib.nn.Linear(3, 4)

        class ToDouble(lib.nn.Module):
            def forward(self, x):
                return x.double()
        lib.nn.utils.parametrize.register_parametrization(m, "weight", ToDouble())
    assert_same_error(fn, match="may not change the dtype")


def test_missing_tensor_name_raises():
    def fn(lib):
        lib.nn.utils.parametrize.register_parametrization(lib.nn.Linear(2, 2), "nope", lib.nn.Identity())
    assert_same_error(fn, match="does not have a parameter, a buffer, or a parametrized element")


def test_right_inverse_returning_non_tensor_raises():
    def fn(lib):
        class Bad(lib.nn.Module):
            def forward(self, x):
                return x

            def right_inverse(self, x):
                return 3
        lib.nn.utils.parametrize.register_parametrization(lib.nn.Linear(2, 2), "weight", Bad())
    assert_same_error(fn, match="'right_inverse' must return a Tensor or a Sequence")


def test_assignment_without_right_inverse_raises():
    def fn(lib):
        m = lib.nn.Linear(2, 2)

        class Abs(lib.nn.Module):
            def forward(self, x):
                return x.abs()
        lib.nn.utils.parametrize.register_parametrization(m, "weight", Abs())
        m.weight = lib.ones(2, 2)
    assert_same_error(fn, match="does not implement right_inverse")


def test_is_parametrized_and_type_before():
    for lib in LIBS:
        P = lib.nn.utils.parametrize
        m = lib.nn.Linear(4, 4)
        assert not P.is_parametrized(m)
        P.register_parametrization(m, "weight", _Symmetric.make(lib))
        assert P.is_parametrized(m) and P.is_parametrized(m, "weight") and not P.is_parametrized(m, "bias")
        assert P.type_before_parametrizations(m) is lib.nn.Linear


def test_class_swap_is_per_instance():
    m1, m2 = ember.nn.Linear(4, 4), ember.nn.Linear(4, 4)
    ember.nn.utils.parametrize.register_parametrization(m1, "weight", _Symmetric.make(ember))
    assert type(m2) is ember.nn.Linear and "weight" in m2._parameters


@pytest.mark.parametrize("leave", [True, False])
def test_remove_parametrizations_restores_class_and_value(leave):
    e, t = _linear_pair(4, 4)
    for lib, m in ((ember, e), (torch, t)):
        P = lib.nn.utils.parametrize
        P.register_parametrization(m, "weight", _Symmetric.make(lib))
        P.remove_parametrizations(m, "weight", leave_parametrized=leave)
    assert type(e) is ember.nn.Linear
    assert list(e.state_dict()) == list(t.state_dict()) == ["bias", "weight"]
    assert isinstance(e.weight, ember.nn.Parameter)
    _close(e.weight, t.weight)
    assert not hasattr(e, "parametrizations")


def test_remove_tuple_parametrization_leave_false_raises():
    def fn(lib):
        m = lib.nn.Linear(2, 2)
        lib.nn.utils.parametrize.register_parametrization(m, "weight", _make_pair_param(lib))
        lib.nn.utils.parametrize.remove_parametrizations(m, "weight", leave_parametrized=False)
    assert_same_error(fn, match="Cannot leave unparametrized")


def test_remove_unparametrized_raises():
    assert_same_error(lambda lib: lib.nn.utils.parametrize.remove_parametrizations(lib.nn.Linear(2, 2), "weight"),
                      match="does not have a parametrization on weight")


def test_cached_computes_once():
    calls = []

    class Counting(ember.nn.Module):
        def forward(self, x):
            calls.append(1)
            return x * 2
    m = ember.nn.Linear(3, 3)
    ember.nn.utils.parametrize.register_parametrization(m, "weight", Counting())
    calls.clear()
    with ember.nn.utils.parametrize.cached():
        a, b = m.weight, m.weight
    assert len(calls) == 1 and a is b
    m.weight
    assert len(calls) == 2


def test_load_state_dict_into_parametrized_module():
    e, t = _linear_pair(4, 4)
    for lib, m in ((ember, e), (torch, t)):
        lib.nn.utils.parametrize.register_parametrization(m, "weight", _Symmetric.make(lib))
    t.parametrizations.weight.original.data.mul_(3)
    e.load_state_dict({k: v.detach().numpy() for k, v in t.state_dict().items()})
    _close(e.weight, t.weight)


def test_deepcopy_works_and_pickle_refuses():
    m = ember.nn.Linear(4, 4)
    ember.nn.utils.parametrize.register_parametrization(m, "weight", _Symmetric.make(ember))
    c = copy.deepcopy(m)
    assert type(c).__name__ == "ParametrizedLinear"
    np.testing.assert_array_equal(c.weight.detach().numpy(), m.weight.detach().numpy())
    with pytest.raises(RuntimeError, match="only supported through state_dict"):
        pickle.dumps(m)


def test_transfer_parametrizations_and_params():
    src = ember.nn.Linear(4, 4)
    ember.nn.utils.parametrize.register_parametrization(src, "weight", _Symmetric.make(ember))
    dst = ember.nn.Linear(4, 4)
    ember.nn.utils.parametrize.transfer_parametrizations_and_params(src, dst)
    assert dst.parametrizations.weight.original is src.parametrizations.weight.original
    np.testing.assert_array_equal(dst.weight.detach().numpy(), src.weight.detach().numpy())


# --- parametrizations.weight_norm ---------------------------------------------------------------
@pytest.mark.parametrize("dim", [0, 1, None, -1])
def test_weight_norm_parametrization_matches(dim):
    torch.manual_seed(0)
    t = torch.nn.Conv2d(3, 4, 3).double()
    e = ember.nn.Conv2d(3, 4, 3, dtype=ember.float64)
    e.load_state_dict({k: v.detach().numpy() for k, v in t.state_dict().items()})
    for lib, m in ((ember, e), (torch, t)):
        lib.nn.utils.parametrizations.weight_norm(m, dim=dim)
    assert list(e.state_dict()) == list(t.state_dict())
    for k in ("original0", "original1"):
        _close(getattr(e.parametrizations.weight, k), getattr(t.parametrizations.weight, k), 1e-12, 1e-12)
    ye, yt = e(_input(ember, 2, 3, 5, 5, dtype="float64")), t(_input(torch, 2, 3, 5, 5, dtype="float64"))
    _close(ye, yt, 1e-10, 1e-12)
    (ye * ye).sum().backward()
    (yt * yt).sum().backward()
    for k in ("original0", "original1"):
        _close(getattr(e.parametrizations.weight, k).grad, getattr(t.parametrizations.weight, k).grad, 1e-9, 1e-10)


def test_weight_norm_grad_fn_name_and_gradcheck():
    e, t = _linear_pair()
    for lib, m in ((ember, e), (torch, t)):
        lib.nn.utils.parametrizations.weight_norm(m)
    assert e.weight.grad_fn.name() == t.weight.grad_fn.name() == "WeightNormInterfaceBackward0"
    v = ember.randn(4, 3, dtype=ember.float64, requires_grad=True)
    g = ember.rand(4, 1, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda v, g: ember._weight_norm(v, g, 0), (v, g))
    assert ember.autograd.gradgradcheck(lambda v, g: ember._weight_norm(v, g, 0), (v, g))


def test_weight_norm_loads_old_g_v_checkpoint():
    torch.manual_seed(0)
    t = torch.nn.Linear(3, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.nn.utils.weight_norm(t)
    old = {k: v.detach().numpy() for k, v in t.state_dict().items()}
    e = ember.nn.utils.parametrizations.weight_norm(ember.nn.Linear(3, 4))
    e.load_state_dict(old)
    _close(e.parametrizations.weight.original0, t.weight_g)
    _close(e.weight, t.weight)


def test_norm_except_dim_matches():
    x = np.random.default_rng(0).standard_normal((3, 4, 5))
    for dim in (-1, 0, 1, 2):
        _close(ember.norm_except_dim(ember.tensor(x), 2, dim), torch.norm_except_dim(torch.tensor(x), 2, dim),
               1e-12, 1e-12)


# --- parametrizations.spectral_norm ---------------------------------------------------------------
@pytest.mark.parametrize("n_iter,dim", [(1, None), (3, None), (1, 1)])
def test_spectral_norm_parametrization_same_draws_and_outputs(n_iter, dim):
    torch.manual_seed(0)
    t = torch.nn.Conv2d(3, 4, 3)
    e = ember.nn.Conv2d(3, 4, 3)
    e.load_state_dict({k: v.detach().numpy() for k, v in t.state_dict().items()})
    for lib, m in ((ember, e), (torch, t)):
        lib.manual_seed(5)
        lib.nn.utils.parametrizations.spectral_norm(m, n_power_iterations=n_iter, dim=dim)
    assert list(e.state_dict()) == list(t.state_dict())
    _close(e.parametrizations.weight[0]._u, t.parametrizations.weight[0]._u, 1e-4, 1e-5)
    _close(e.parametrizations.weight[0]._v, t.parametrizations.weight[0]._v, 1e-4, 1e-5)
    x = np.random.default_rng(1).standard_normal((2, 3, 5, 5)).astype(np.float32)
    for step in range(2):
        ye, yt = e(ember.tensor(x)), t(torch.tensor(x))
        _close(ye, yt, 1e-4, 1e-5)
    ye.sum().backward()
    yt.sum().backward()
    _close(e.parametrizations.weight.original.grad, t.parametrizations.weight.original.grad, 1e-4, 1e-5)


def test_spectral_norm_eval_does_not_update_vectors():
    e = ember.nn.Linear(3, 5)
    ember.nn.utils.parametrizations.spectral_norm(e)
    e.eval()
    u0 = e.parametrizations.weight[0]._u.clone()
    e(ember.ones(1, 3))
    np.testing.assert_array_equal(e.parametrizations.weight[0]._u.numpy(), u0.numpy())


def test_spectral_norm_largest_singular_value_is_one():
    e = ember.nn.Linear(6, 5)
    ember.nn.utils.parametrizations.spectral_norm(e, n_power_iterations=30)
    w = e.weight.detach().numpy()
    assert abs(np.linalg.svd(w, compute_uv=False)[0] - 1) < 1e-3


def test_spectral_norm_conv_transpose_default_dim_is_1():
    torch.manual_seed(0)
    t = torch.nn.ConvTranspose2d(3, 4, 2)
    e = ember.nn.ConvTranspose2d(3, 4, 2)
    for lib, m in ((ember, e), (torch, t)):
        lib.nn.utils.parametrizations.spectral_norm(m)
    assert e.parametrizations.weight[0].dim == t.parametrizations.weight[0].dim == 1
    assert tuple(e.parametrizations.weight[0]._u.shape) == tuple(t.parametrizations.weight[0]._u.shape)


def test_spectral_norm_bad_arguments_raise():
    assert_same_error(lambda lib: lib.nn.utils.parametrizations.spectral_norm(lib.nn.Linear(2, 2), dim=3),
                      match="Dimension out of range")
    assert_same_error(lambda lib: lib.nn.utils.parametrizations.spectral_norm(lib.nn.Linear(2, 2),
                                                                            n_power_iterations=0),
                      match="Expected n_power_iterations to be positive")
    assert_same_error(lambda lib: lib.nn.utils.parametrizations.spectral_norm(lib.nn.Linear(2, 2), name="x"),
                      match="has no parameter or buffer with name 'x'")


# --- hook-based weight_norm / spectral_norm ----------------------------------------------------------
def test_old_weight_norm_names_values_and_removal():
    e, t = _linear_pair()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for lib, m in ((ember, e), (torch, t)):
            lib.nn.utils.weight_norm(m)
    assert list(e.state_dict()) == list(t.state_dict()) == ["bias", "weight_g", "weight_v"]
    _close(e.weight_g, t.weight_g)
    ye, yt = e(_input(ember, 2, 3)), t(_input(torch, 2, 3))
    _close(ye, yt)
    ye.sum().backward()
    yt.sum().backward()
    _close(e.weight_g.grad, t.weight_g.grad)
    _close(e.weight_v.grad, t.weight_v.grad)
    for lib, m in ((ember, e), (torch, t)):
        lib.nn.utils.remove_weight_norm(m)
    assert list(e.state_dict()) == list(t.state_dict())
    _close(e.weight, t.weight)


def test_old_weight_norm_warns_and_errors():
    with pytest.warns(FutureWarning):
        m = ember.nn.utils.weight_norm(ember.nn.Linear(2, 2))

    def twice(lib):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lib.nn.utils.weight_norm(lib.nn.utils.weight_norm(lib.nn.Linear(2, 2)))
    assert_same_error(twice, match="Cannot register two weight_norm hooks")
    assert_same_error(lambda lib: lib.nn.utils.remove_weight_norm(lib.nn.Linear(2, 2)),
                      match="weight_norm of 'weight' not found in")
    assert m is not None


def test_old_spectral_norm_matches_train_and_eval():
    e, t = _linear_pair(5, 4)
    for lib, m in ((ember, e), (torch, t)):
        lib.manual_seed(2)
        lib.nn.utils.spectral_norm(m, n_power_iterations=2)
    assert list(e.state_dict()) == list(t.state_dict()) == ["bias", "weight_orig", "weight_u", "weight_v"]
    assert e.state_dict()._metadata[""]["spectral_norm"] == t.state_dict()._metadata[""]["spectral_norm"]
    _close(e.weight_u, t.weight_u)
    for train in (True, True, False):
        e.train(train)
        t.train(train)
        ye, yt = e(_input(ember, 2, 5)), t(_input(torch, 2, 5))
        _close(ye, yt, 1e-4, 1e-5)
    _close(e.weight_u, t.weight_u, 1e-4, 1e-5)
    e.train()
    t.train()
    ye, yt = e(_input(ember, 2, 5)), t(_input(torch, 2, 5))
    ye.sum().backward()
    yt.sum().backward()
    _close(e.weight_orig.grad, t.weight_orig.grad, 1e-4, 1e-5)


def test_old_spectral_norm_remove_and_reload():
    e, t = _linear_pair(5, 4)
    for lib, m in ((ember, e), (torch, t)):
        lib.manual_seed(2)
        lib.nn.utils.spectral_norm(m)
        m(lib.ones(1, 5))
        lib.nn.utils.remove_spectral_norm(m)
    assert list(e.state_dict()) == list(t.state_dict()) == ["bias", "weight"]
    _close(e.weight, t.weight, 1e-4, 1e-5)
    assert isinstance(e.weight, ember.nn.Parameter)
    # The load hook is gone too, so the plain module reloads its own state.
    e.load_state_dict(e.state_dict())


def test_old_spectral_norm_state_dict_roundtrip():
    e = ember.nn.utils.spectral_norm(ember.nn.Linear(3, 3))
    e(ember.ones(1, 3))
    f = ember.nn.utils.spectral_norm(ember.nn.Linear(3, 3))
    f.load_state_dict(e.state_dict())
    e.eval()
    f.eval()
    np.testing.assert_allclose(e(ember.ones(1, 3)).detach().numpy(), f(ember.ones(1, 3)).detach().numpy(),
                               rtol=1e-6)


def test_old_spectral_norm_errors():
    def twice(lib):
        lib.nn.utils.spectral_norm(lib.nn.utils.spectral_norm(lib.nn.Linear(2, 2)))
    assert_same_error(twice, match="Cannot register two spectral_norm hooks")
    assert_same_error(lambda lib: lib.nn.utils.remove_spectral_norm(lib.nn.Linear(2, 2)),
                      match="spectral_norm of 'weight' not found in")
    assert_same_error(lambda lib: lib.nn.utils.spectral_norm(lib.nn.Linear(2, 2, bias=False), name="bias"),
                      match="cannot be applied as parameter `bias` is None")


# --- fusion, memory format, skip_init --------------------------------------------------------------
def _bn_pair(n, seed=3):
    torch.manual_seed(seed)
    t = torch.nn.BatchNorm2d(n)
    with torch.no_grad():
        t.running_mean.normal_()
        t.running_var.uniform_(0.5, 2)
        t.weight.normal_()
        t.bias.normal_()
    t.eval()
    e = ember.nn.BatchNorm2d(n)
    e.load_state_dict({k: v.detach().numpy() for k, v in t.state_dict().items()})
    e.eval()
    return e, t


@pytest.mark.parametrize("bias", [True, False])
def test_fuse_conv_bn_eval_matches(bias):
    torch.manual_seed(0)
    tc = torch.nn.Conv2d(3, 4, 3, bias=bias).eval()
    ec = ember.nn.Conv2d(3, 4, 3, bias=bias).eval()
    ec.load_state_dict({k: v.detach().numpy() for k, v in tc.state_dict().items()})
    eb, tb = _bn_pair(4)
    ef = ember.nn.utils.fuse_conv_bn_eval(ec, eb)
    tf = torch.nn.utils.fuse_conv_bn_eval(tc, tb)
    _close(ef.weight, tf.weight)
    _close(ef.bias, tf.bias)
    x = np.random.default_rng(0).standard_normal((1, 3, 6, 6)).astype(np.float32)
    _close(ef(ember.tensor(x)), eb(ec(ember.tensor(x))), 1e-4, 1e-5)
    assert ec.weight is not ef.weight


def test_fuse_conv_transpose_bn_weights():
    torch.manual_seed(0)
    tc = torch.nn.ConvTranspose2d(3, 4, 2).eval()
    ec = ember.nn.ConvTranspose2d(3, 4, 2).eval()
    ec.load_state_dict({k: v.detach().numpy() for k, v in tc.state_dict().items()})
    eb, tb = _bn_pair(4)
    ef = ember.nn.utils.fuse_conv_bn_eval(ec, eb, transpose=True)
    tf = torch.nn.utils.fuse_conv_bn_eval(tc, tb, transpose=True)
    _close(ef.weight, tf.weight)
    _close(ef.bias, tf.bias)


def test_fuse_linear_bn_eval_matches():
    e, t = _linear_pair(3, 4)
    e.eval()
    t.eval()
    torch.manual_seed(4)
    tb = torch.nn.BatchNorm1d(4)
    with torch.no_grad():
        tb.running_mean.normal_()
        tb.weight.normal_()
    tb.eval()
    eb = ember.nn.BatchNorm1d(4)
    eb.load_state_dict({k: v.detach().numpy() for k, v in tb.state_dict().items()})
    eb.eval()
    ef, tf = ember.nn.utils.fuse_linear_bn_eval(e, eb), torch.nn.utils.fuse_linear_bn_eval(t, tb)
    _close(ef.weight, tf.weight)
    _close(ef.bias, tf.bias)
    assert isinstance(ef.weight, ember.nn.Parameter)


def test_fusion_in_training_mode_raises():
    assert_same_error(lambda lib: lib.nn.utils.fuse_conv_bn_eval(lib.nn.Conv2d(1, 1, 1), lib.nn.BatchNorm2d(1)),
                      match="Fusion only for eval!")


def test_convert_conv_weight_memory_format_keeps_values():
    m = ember.nn.Sequential(ember.nn.Conv2d(2, 3, 3), ember.nn.ReLU(), ember.nn.Conv3d(1, 1, 1))
    before = [p.detach().numpy().copy() for p in m.parameters()]
    ember.nn.utils.convert_conv2d_weight_memory_format(m, None)
    ember.nn.utils.convert_conv3d_weight_memory_format(m, None)
    for b, p in zip(before, m.parameters()):
        np.testing.assert_array_equal(b, p.detach().numpy())


def test_skip_init_leaves_rng_untouched_like_torch():
    for lib in LIBS:
        lib.manual_seed(0)
        m = lib.nn.utils.skip_init(lib.nn.Linear, 5, 3)
        assert tuple(m.weight.shape) == (3, 5) and type(m) is lib.nn.Linear
    ember.manual_seed(0)
    torch.manual_seed(0)
    ember.nn.utils.skip_init(ember.nn.Linear, 5, 3)
    torch.nn.utils.skip_init(torch.nn.Linear, 5, 3)
    np.testing.assert_array_equal(ember.rand(4).numpy(), torch.rand(4).numpy())


def test_skip_init_errors():
    assert_same_error(lambda lib: lib.nn.utils.skip_init(int), match="Expected a Module")

    def no_device(lib):
        class M(lib.nn.Module):
            def __init__(self):
                super().__init__()
        return lib.nn.utils.skip_init(M)
    assert_same_error(no_device, match="Module must support a 'device' arg")
