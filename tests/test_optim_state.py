"""Optimizer state dicts (round trip, loading PyTorch's), and bad-input errors with PyTorch's types."""
import copy

import numpy as np
import pytest
import torch

import ember

from _optim_helpers import assert_params_close, leaves, problem, step_both, to_ember_state_dict, numpy_of

OPTIMIZERS = [
    ("SGD", dict(lr=0.01, momentum=0.9)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("AdamW", dict(lr=0.01)),
    ("Adamax", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.9)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01)),
    ("Adadelta", dict()),
    ("ASGD", dict(lr=0.01, t0=3)),
    ("Rprop", dict(lr=0.01)),
]


@pytest.mark.parametrize("name,kw", OPTIMIZERS, ids=[o[0] for o in OPTIMIZERS])
def test_state_dict_round_trip_continues_bit_for_bit(name, kw):
    data = problem(np.float32)
    from _optim_helpers import loss_fn
    ref = leaves(ember, data)
    ref_opt = getattr(ember.optim, name)(ref, **kw)
    for _ in range(12):
        ref_opt.zero_grad()
        loss_fn(ember, ref, data).backward()
        ref_opt.step()
    # Interrupted run: 6 steps, save, new params + new optimizer, load, 6 more.
    first = leaves(ember, data)
    opt = getattr(ember.optim, name)(first, **kw)
    for _ in range(6):
        opt.zero_grad()
        loss_fn(ember, first, data).backward()
        opt.step()
    saved = copy.deepcopy(opt.state_dict())
    resumed = [ember.tensor(numpy_of(p), requires_grad=True) for p in first]
    opt2 = getattr(ember.optim, name)(resumed, **kw)
    opt2.load_state_dict(saved)
    for _ in range(6):
        opt2.zero_grad()
        loss_fn(ember, resumed, data).backward()
        opt2.step()
    for a, b in zip(ref, resumed):
        np.testing.assert_array_equal(numpy_of(a), numpy_of(b))


@pytest.mark.parametrize("name,kw", OPTIMIZERS, ids=[o[0] for o in OPTIMIZERS])
def test_loading_torch_state_dict_continues_like_torch(name, kw):
    data = problem(np.float64)
    tp = leaves(torch, data)
    t_opt = getattr(torch.optim, name)(tp, **kw)
    from _optim_helpers import loss_fn
    for _ in range(5):
        t_opt.zero_grad()
        loss_fn(torch, tp, data).backward()
        t_opt.step()
    saved = copy.deepcopy(t_opt.state_dict())
    # Both libraries resume from the same dict (loading casts some 0-dim state, e.g. NAdam's
    # mu_product, to the parameter dtype in PyTorch too, so compare against a resumed torch run).
    tp2 = [torch.tensor(numpy_of(p), requires_grad=True) for p in tp]
    t_opt2 = getattr(torch.optim, name)(tp2, **kw)
    t_opt2.load_state_dict(saved)
    ep = [ember.tensor(numpy_of(p), requires_grad=True) for p in tp]
    e_opt = getattr(ember.optim, name)(ep, **kw)
    e_opt.load_state_dict(to_ember_state_dict(saved))
    for _ in range(10):
        step_both((t_opt2, e_opt), (tp2, ep), data)
        assert_params_close(tp2, ep, 1e-10, 1e-12)


def test_state_dict_is_index_based_like_torch():
    data = problem()
    tp, ep = leaves(torch, data), leaves(ember, data)
    opts = (torch.optim.Adam([{"params": [tp[0]]}, {"params": [tp[1]], "lr": 0.1}]),
            ember.optim.Adam([{"params": [ep[0]]}, {"params": [ep[1]], "lr": 0.1}]))
    step_both(opts, (tp, ep), data)
    t_sd, e_sd = opts[0].state_dict(), opts[1].state_dict()
    assert [g["params"] for g in e_sd["param_groups"]] == [[0], [1]]
    assert e_sd["param_groups"] == t_sd["param_groups"]
    assert list(e_sd["state"]) == list(t_sd["state"])
    assert sorted(e_sd["state"][0]) == sorted(t_sd["state"][0])


def test_load_state_dict_keeps_lr_edits_from_the_dict():
    p = ember.ones(2, requires_grad=True)
    opt = ember.optim.SGD([p], lr=0.1)
    sd = opt.state_dict()
    sd["param_groups"][0]["lr"] = 0.5
    opt.load_state_dict(sd)
    assert opt.param_groups[0]["lr"] == 0.5 and opt.param_groups[0]["params"][0] is p


def test_state_dict_hooks():
    p = ember.ones(2, requires_grad=True)
    opt = ember.optim.SGD([p], lr=0.1)
    seen = []
    opt.register_state_dict_pre_hook(lambda o: seen.append("pre"))
    opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": 1})
    opt.register_load_state_dict_pre_hook(lambda o, sd: seen.append("load_pre"))
    opt.register_load_state_dict_post_hook(lambda o: seen.append("load_post"))
    sd = opt.state_dict()
    assert sd["extra"] == 1
    opt.load_state_dict(sd)
    assert seen == ["pre", "load_pre", "load_post"]


def _same_error(make_torch, make_ember):
    with pytest.raises(Exception) as t_err:
        make_torch()
    with pytest.raises(type(t_err.value)) as e_err:
        make_ember()
    assert str(e_err.value) == str(t_err.value)


def test_mismatched_group_count_raises_like_torch():
    def run(lib):
        a, b = lib.ones(2, requires_grad=True), lib.ones(2, requires_grad=True)
        src = lib.optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1)
        lib.optim.SGD([a, b], lr=0.1).load_state_dict(src.state_dict())
    _same_error(lambda: run(torch), lambda: run(ember))


def test_mismatched_group_size_raises_like_torch():
    def run(lib):
        a, b = lib.ones(2, requires_grad=True), lib.ones(2, requires_grad=True)
        src = lib.optim.SGD([a], lr=0.1)
        lib.optim.SGD([a, b], lr=0.1).load_state_dict(src.state_dict())
    _same_error(lambda: run(torch), lambda: run(ember))


BAD_HYPERPARAMETERS = [
    ("SGD", dict(lr=-1)), ("SGD", dict(lr=0.1, momentum=-0.5)), ("SGD", dict(lr=0.1, weight_decay=-1)),
    ("SGD", dict(lr=0.1, nesterov=True)), ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True)),
    ("Adam", dict(lr=-1)), ("Adam", dict(eps=-1e-8)), ("Adam", dict(betas=(1.0, 0.999))),
    ("Adam", dict(betas=(0.9, -0.1))), ("Adam", dict(weight_decay=-0.1)), ("Adam", dict(betas=(0, 0.9))),
    ("AdamW", dict(lr=-0.01)), ("Adamax", dict(betas=(0.9, 1.5))), ("NAdam", dict(momentum_decay=-1)),
    ("RAdam", dict(eps=-1)), ("RMSprop", dict(alpha=-0.1)), ("RMSprop", dict(momentum=-0.1)),
    ("Adagrad", dict(lr_decay=-1)), ("Adagrad", dict(initial_accumulator_value=-1)),
    ("Adadelta", dict(rho=1.5)), ("ASGD", dict(weight_decay=-1)), ("Rprop", dict(etas=(1.5, 1.2))),
    ("SparseAdam", dict(lr=0.0)), ("SparseAdam", dict(eps=0.0)), ("LBFGS", dict(lr=-1)),
]


@pytest.mark.parametrize("name,kw", BAD_HYPERPARAMETERS, ids=[f"{n}-{k}" for n, k in BAD_HYPERPARAMETERS])
def test_bad_hyperparameters_raise_like_torch(name, kw):
    _same_error(lambda: getattr(torch.optim, name)([torch.ones(2, requires_grad=True)], **kw),
                lambda: getattr(ember.optim, name)([ember.ones(2, requires_grad=True)], **kw))


def test_invalid_learning_rate_message():
    with pytest.raises(ValueError, match=r"^Invalid learning rate: -1$"):
        ember.optim.SGD([ember.ones(2, requires_grad=True)], lr=-1)


@pytest.mark.parametrize("what", ["set", "non_leaf", "twice", "empty", "tensor", "not_tensor", "dict_twice"])
def test_bad_params_raise_like_torch(what):
    def run(lib):
        a = lib.ones(2, requires_grad=True)
        if what == "set":
            lib.optim.SGD([a], lr=0.1).add_param_group({"params": {lib.ones(2, requires_grad=True)}})
        elif what == "non_leaf":
            lib.optim.SGD([a * 2], lr=0.1)
        elif what == "twice":
            opt = lib.optim.SGD([a], lr=0.1)
            opt.add_param_group({"params": [a]})
        elif what == "empty":
            lib.optim.SGD([], lr=0.1)
        elif what == "tensor":
            lib.optim.SGD(a, lr=0.1)
        elif what == "not_tensor":
            lib.optim.SGD([a, 3], lr=0.1)
        else:
            lib.optim.SGD([{"params": [a]}, {"params": [a]}], lr=0.1)
    _same_error(lambda: run(torch), lambda: run(ember))


def test_add_param_group_set_raises_type_error():
    opt = ember.optim.SGD([ember.ones(2, requires_grad=True)], lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        opt.add_param_group({"params": {ember.ones(2, requires_grad=True)}})


def test_missing_required_lr_raises():
    from ember.optim.optimizer import Optimizer, required

    class MyOpt(Optimizer):
        def __init__(self, params, lr=required):
            super().__init__(params, {"lr": lr})
    with pytest.raises(ValueError, match="didn't specify a value of required optimization parameter lr"):
        MyOpt([ember.ones(2, requires_grad=True)])


def test_named_params_are_kept_in_groups():
    a = ember.ones(2, requires_grad=True)
    opt = ember.optim.Adam([("weight", a)], lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["weight"] and opt.param_groups[0]["params"][0] is a
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["weight"]


def test_repr_lists_groups_like_torch():
    t = torch.optim.SGD([torch.ones(2, requires_grad=True)], lr=0.1, momentum=0.9)
    e = ember.optim.SGD([ember.ones(2, requires_grad=True)], lr=0.1, momentum=0.9)
    assert repr(e) == repr(t)
