"""Optimizer trajectories against PyTorch: same problem, same start, 20 steps, every step compared."""
import numpy as np
import pytest
import torch

import ember

from _optim_helpers import assert_params_close, leaves, problem, step_both

CASES = [
    ("SGD", dict(lr=0.01)),
    ("SGD", dict(lr=0.01, weight_decay=0.1)),
    ("SGD", dict(lr=0.01, momentum=0.9)),
    ("SGD", dict(lr=0.01, momentum=0.9, dampening=0.3, weight_decay=0.05)),
    ("SGD", dict(lr=0.01, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.01, momentum=0.5, nesterov=True, weight_decay=0.1, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1, maximize=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("Adam", dict(lr=0.01, foreach=False, fused=None, capturable=False)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.3, amsgrad=True)),
    ("AdamW", dict(lr=0.01, maximize=True)),
    ("Adamax", dict(lr=0.01)),
    ("Adamax", dict(lr=0.01, weight_decay=0.1, maximize=True)),
    ("NAdam", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, momentum_decay=1e-2)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict(lr=0.01, betas=(0.9, 0.9))),   # rho_t > 5 early: the rectified branch
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5, alpha=0.9, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1, eps=1e-6, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1, maximize=True)),
    ("ASGD", dict(lr=0.01)),
    ("ASGD", dict(lr=0.01, t0=5, lambd=1e-3, alpha=0.5, weight_decay=0.1)),
    ("ASGD", dict(lr=0.01, t0=3, maximize=True)),
    ("Rprop", dict(lr=0.01)),
    ("Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-4, 0.1), maximize=True)),
]


def _ids(case):
    name, kw = case
    return name + "-" + "-".join(f"{k}={v}" for k, v in kw.items())


def _run(name, kw, dtype, rtol, atol, steps=20):
    data = problem(dtype)
    tp, ep = leaves(torch, data), leaves(ember, data)
    opts = (getattr(torch.optim, name)(tp, **kw), getattr(ember.optim, name)(ep, **kw))
    # maximize runs on the negated loss, so both problems stay bounded
    sign = -1.0 if kw.get("maximize") else 1.0
    for _ in range(steps):
        step_both(opts, (tp, ep), data, sign)
        assert_params_close(tp, ep, rtol, atol)
    return opts


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_trajectory_matches_torch_float64(case):
    name, kw = case
    _run(name, kw, np.float64, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_trajectory_matches_torch_float32(case):
    # Agreement to float32 rounding: PyTorch's CPU kernels fuse multiply-adds (FMA), so a
    # few units in the last place differ per step; parameters are O(1).
    name, kw = case
    _run(name, kw, np.float32, rtol=2e-6, atol=1e-6)


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_state_matches_torch(case):
    name, kw = case
    t_opt, e_opt = _run(name, kw, np.float64, rtol=1e-10, atol=1e-12, steps=5)
    t_sd, e_sd = t_opt.state_dict(), e_opt.state_dict()
    assert t_sd["param_groups"] == e_sd["param_groups"]
    assert t_sd["state"].keys() == e_sd["state"].keys()
    for k in t_sd["state"]:
        ts, es = t_sd["state"][k], e_sd["state"][k]
        assert ts.keys() == es.keys()
        for key in ts:
            tv, ev = ts[key], es[key]
            if isinstance(tv, torch.Tensor):
                assert str(ev.dtype) == str(tv.dtype), key
                assert tuple(ev.shape) == tuple(tv.shape), key
                np.testing.assert_allclose(ev.numpy(), tv.numpy(), rtol=1e-10, atol=1e-12)
            else:
                assert ev == tv


def test_step_is_float32_zero_dim_tensor():
    p = ember.zeros(3, requires_grad=True)
    p.grad = ember.ones(3)
    opt = ember.optim.Adam([p])
    opt.step()
    step = opt.state[p]["step"]
    assert isinstance(step, ember.Tensor) and step.dtype == ember.float32 and step.ndim == 0
    assert step.item() == 1.0


def test_sgd_momentum_buffer_starts_as_gradient_copy():
    p = ember.tensor([1.0, 2.0], requires_grad=True)
    p.grad = ember.tensor([0.5, -0.25])
    opt = ember.optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.5)
    opt.step()
    buf = opt.state[p]["momentum_buffer"]
    np.testing.assert_array_equal(buf.numpy(), [0.5, -0.25])
    assert buf.data_ptr() != p.grad.data_ptr()


def test_param_groups_with_own_options_match_torch():
    data = problem()
    tp, ep = leaves(torch, data), leaves(ember, data)
    groups = lambda ps: [{"params": [ps[0]]}, {"params": [ps[1]], "lr": 0.05, "momentum": 0.5}]  # noqa: E731
    opts = (torch.optim.SGD(groups(tp), lr=0.01, momentum=0.9), ember.optim.SGD(groups(ep), lr=0.01, momentum=0.9))
    assert opts[1].param_groups[1]["dampening"] == 0 and opts[1].param_groups[1]["lr"] == 0.05
    for _ in range(10):
        step_both(opts, (tp, ep), data)
        assert_params_close(tp, ep, 1e-10, 1e-12)


def test_lr_change_at_run_time_takes_effect():
    data = problem()
    tp, ep = leaves(torch, data), leaves(ember, data)
    opts = (torch.optim.Adam(tp, lr=0.01), ember.optim.Adam(ep, lr=0.01))
    for i in range(10):
        if i == 5:
            for o in opts:
                o.param_groups[0]["lr"] = 0.001
                o.param_groups[0]["betas"] = (0.5, 0.9)
        step_both(opts, (tp, ep), data)
        assert_params_close(tp, ep, 1e-10, 1e-12)


def test_add_param_group_mid_run_matches_torch():
    data = problem()
    tp, ep = leaves(torch, data), leaves(ember, data)
    opts = (torch.optim.Adam([tp[0]], lr=0.01), ember.optim.Adam([ep[0]], lr=0.01))
    for i in range(8):
        if i == 3:
            opts[0].add_param_group({"params": tp[1], "lr": 0.02})
            opts[1].add_param_group({"params": ep[1], "lr": 0.02})
        step_both(opts, (tp, ep), data)
        assert_params_close(tp, ep, 1e-10, 1e-12)


def test_params_without_grad_are_skipped():
    a = ember.ones(2, requires_grad=True)
    b = ember.ones(2, requires_grad=True)
    a.grad = ember.ones(2)
    opt = ember.optim.Adam([a, b], lr=0.1)
    opt.step()
    np.testing.assert_array_equal(b.detach().numpy(), [1.0, 1.0])
    assert len(opt.state[b]) == 0 and a.detach().numpy()[0] < 1.0


def test_zero_grad_set_to_none_and_to_zero():
    p = ember.ones(3, requires_grad=True)
    p.grad = ember.ones(3)
    opt = ember.optim.SGD([p], lr=0.1)
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(p.grad.numpy(), np.zeros(3))
    opt.zero_grad()
    assert p.grad is None


def test_step_with_closure_returns_loss_and_matches_torch():
    data = problem()
    tp, ep = leaves(torch, data), leaves(ember, data)
    t_opt, e_opt = torch.optim.SGD(tp, lr=0.01), ember.optim.SGD(ep, lr=0.01)
    from _optim_helpers import loss_fn

    def closure(lib, opt, ps):
        def f():
            opt.zero_grad()
            loss = loss_fn(lib, ps, data)
            loss.backward()
            return loss
        return f
    for _ in range(5):
        lt = t_opt.step(closure(torch, t_opt, tp))
        le = e_opt.step(closure(ember, e_opt, ep))
        assert abs(lt.item() - le.item()) <= 1e-10 * abs(lt.item())
    assert_params_close(tp, ep, 1e-10, 1e-12)


def test_step_bumps_version_counter():
    p = ember.ones(3, requires_grad=True)
    p.grad = ember.ones(3)
    opt = ember.optim.Adam([p], lr=0.1)
    before = p._version
    opt.step()
    assert p._version > before


def test_update_after_saving_param_for_backward_is_detected():
    p = ember.ones(3, requires_grad=True)
    y = (p * p).sum()   # saves p
    p.grad = ember.ones(3)
    ember.optim.SGD([p], lr=0.1).step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_step_records_no_graph():
    p = ember.ones(3, requires_grad=True)
    p.grad = ember.ones(3)
    opt = ember.optim.Adam([p], lr=0.1)
    opt.step()
    assert p.grad_fn is None and p.is_leaf
    assert opt.state[p]["exp_avg"].grad_fn is None and not opt.state[p]["exp_avg"].requires_grad


def test_step_hooks_run_in_order_and_remove():
    p = ember.ones(2, requires_grad=True)
    p.grad = ember.ones(2)
    opt = ember.optim.SGD([p], lr=0.1)
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, a, k: calls.append(("pre", o is opt)))
    h2 = opt.register_step_post_hook(lambda o, a, k: calls.append(("post", o is opt)))
    opt.step()
    assert calls == [("pre", True), ("post", True)]
    h1.remove()
    h2.remove()
    opt.step()
    assert len(calls) == 2


def test_complex_params_match_torch():
    rng = np.random.default_rng(1)
    z0 = (rng.standard_normal(4) + 1j * rng.standard_normal(4)).astype(np.complex128)
    g = (rng.standard_normal(4) + 1j * rng.standard_normal(4)).astype(np.complex128)
    for name, kw in [("Adam", dict(lr=0.1)), ("SGD", dict(lr=0.1, momentum=0.9)), ("RMSprop", dict(lr=0.01))]:
        tz = torch.tensor(z0.copy(), requires_grad=True)
        ez = ember.tensor(z0.copy(), requires_grad=True)
        to, eo = getattr(torch.optim, name)([tz], **kw), getattr(ember.optim, name)([ez], **kw)
        for k in range(3):
            tz.grad = torch.tensor(g * (k + 1))
            ez.grad = ember.tensor(g * (k + 1))
            to.step()
            eo.step()
        np.testing.assert_allclose(ez.detach().numpy(), tz.detach().numpy(), rtol=1e-12)


def test_large_parameter_uses_blocked_kernels_and_matches_torch():
    # More elements than one kernel block and than the threading threshold.
    from ember.optim._functional_core import _PARALLEL_MIN
    rng = np.random.default_rng(2)
    w = rng.standard_normal(_PARALLEL_MIN + 12345)
    g = rng.standard_normal(_PARALLEL_MIN + 12345)
    tp, ep = torch.tensor(w.copy(), requires_grad=True), ember.tensor(w.copy(), requires_grad=True)
    to, eo = torch.optim.Adam([tp], lr=0.01, weight_decay=0.1), ember.optim.Adam([ep], lr=0.01, weight_decay=0.1)
    for k in range(3):
        tp.grad = torch.tensor(g * (k + 1))
        ep.grad = ember.tensor(g * (k + 1))
        to.step()
        eo.step()
    np.testing.assert_allclose(ep.detach().numpy(), tp.detach().numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("momentum", [0.0, 0.9])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_plain_sgd_is_bit_identical_to_torch(momentum, dtype):
    # Plain SGD runs on BLAS axpy/scal: one rounding per multiply-add, like PyTorch's add_(alpha=).
    rng = np.random.default_rng(3)
    shapes = [(300, 70), (70,), (5, 3), ()]
    init = [rng.standard_normal(s).astype(dtype) for s in shapes]
    tps = [torch.tensor(a.copy(), requires_grad=True) for a in init]
    eps_ = [ember.tensor(a.copy(), requires_grad=True) for a in init]
    to = torch.optim.SGD(tps, lr=0.037, momentum=momentum)
    eo = ember.optim.SGD(eps_, lr=0.037, momentum=momentum)
    for k in range(4):
        for tp, ep, s in zip(tps, eps_, shapes):
            g = rng.standard_normal(s).astype(dtype)
            tp.grad, ep.grad = torch.tensor(g), ember.tensor(g)
        to.step()
        eo.step()
        for tp, ep in zip(tps, eps_):
            assert np.array_equal(ep.detach().numpy(), tp.detach().numpy())


def test_sgd_with_non_contiguous_grad_matches_torch():
    # A gradient that is a transposed view cannot go to BLAS: the NumPy kernel takes it.
    rng = np.random.default_rng(4)
    w = rng.standard_normal((6, 9))
    g = rng.standard_normal((9, 6)).T
    tp, ep = torch.tensor(w.copy(), requires_grad=True), ember.tensor(w.copy(), requires_grad=True)
    to, eo = torch.optim.SGD([tp], lr=0.1, momentum=0.5), ember.optim.SGD([ep], lr=0.1, momentum=0.5)
    for _ in range(3):
        tp.grad, ep.grad = torch.tensor(g), ember.tensor(g)
        to.step()
        eo.step()
    np.testing.assert_allclose(ep.detach().numpy(), tp.detach().numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name, kwargs, match", [
    ("Adagrad", {"lr": -1.0}, "Invalid learning rate"),
    ("SparseAdam", {"lr": 0.0}, "Invalid learning rate"),
    ("RMSprop", {"lr": float("nan")}, "Invalid learning rate"),
    ("Rprop", {"lr": -0.1}, "Invalid learning rate"),
    ("ASGD", {"lr": -1.0}, "Invalid learning rate"),
    ("Adadelta", {"lr": -1.0}, "Invalid learning rate"),
    ("LBFGS", {"lr": -1.0}, "Invalid learning rate"),
    ("Adam", {"fused": True, "differentiable": True}, "does not support `differentiable`"),
    ("Adagrad", {"fused": True, "differentiable": True}, "does not support `differentiable`"),
    ("SGD", {"lr": 0.1, "fused": True, "foreach": True}, "cannot be `True` together"),
])
def test_constructor_checks_match_torch(name, kwargs, match):
    from oracle import assert_same_error
    assert_same_error(lambda lib: getattr(lib.optim, name)([lib.zeros(2, requires_grad=True)], **kwargs), match)
