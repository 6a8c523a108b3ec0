"""LR schedulers: 100-step learning-rate (and momentum) sequences equal PyTorch's exactly."""
import warnings

import numpy as np
import pytest
import torch

import ember


def _optimizer(lib, name="SGD", **kw):
    a, b = lib.zeros(3, requires_grad=True), lib.zeros(2, requires_grad=True)
    kw = kw or ({"lr": 0.1, "momentum": 0.9} if name == "SGD" else {"lr": 0.1})
    return getattr(lib.optim, name)([{"params": [a]}, {"params": [b], "lr": 0.05}], **kw)


def _sequence(lib, make, opt_name="SGD", steps=100, metrics=None):
    opt = _optimizer(lib, opt_name)
    sched = make(lib.optim.lr_scheduler, opt)
    out = []
    for i in range(steps):
        opt.step()
        sched.step() if metrics is None else sched.step(metrics[i])
        g = opt.param_groups[0]
        out.append((list(sched.get_last_lr()), [x["lr"] for x in opt.param_groups],
                    g.get("momentum"), g.get("betas")))
    return out


SCHEDULERS = {
    "LambdaLR": lambda m, o: m.LambdaLR(o, lambda e: 0.95 ** e),
    "LambdaLR_per_group": lambda m, o: m.LambdaLR(o, [lambda e: 0.9 ** e, lambda e: 1.0 / (e + 1)]),
    "MultiplicativeLR": lambda m, o: m.MultiplicativeLR(o, lambda e: 0.97),
    "StepLR": lambda m, o: m.StepLR(o, 7, 0.5),
    "MultiStepLR": lambda m, o: m.MultiStepLR(o, [10, 30, 30, 60], 0.3),
    "ConstantLR": lambda m, o: m.ConstantLR(o, 0.25, 20),
    "LinearLR": lambda m, o: m.LinearLR(o, 0.1, 0.9, 40),
    "ExponentialLR": lambda m, o: m.ExponentialLR(o, 0.97),
    "PolynomialLR": lambda m, o: m.PolynomialLR(o, 60, 2.0),
    "CosineAnnealingLR": lambda m, o: m.CosineAnnealingLR(o, 17, 0.001),
    "CosineAnnealingWarmRestarts": lambda m, o: m.CosineAnnealingWarmRestarts(o, 7, 2, 0.001),
    "CosineAnnealingWarmRestarts_mult1": lambda m, o: m.CosineAnnealingWarmRestarts(o, 10),
    "CyclicLR_triangular": lambda m, o: m.CyclicLR(o, 0.01, 0.1, 9, 5),
    "CyclicLR_triangular2": lambda m, o: m.CyclicLR(o, [0.01, 0.02], 0.1, 9, mode="triangular2"),
    "CyclicLR_exp_range": lambda m, o: m.CyclicLR(o, 0.01, 0.1, 9, mode="exp_range", gamma=0.98),
    "CyclicLR_no_momentum": lambda m, o: m.CyclicLR(o, 0.01, 0.1, 4, cycle_momentum=False),
    "CyclicLR_scale_fn": lambda m, o: m.CyclicLR(o, 0.01, 0.1, 5, scale_fn=lambda x: 0.5 ** x,
                                                 scale_mode="iterations"),
    "OneCycleLR_cos": lambda m, o: m.OneCycleLR(o, 0.1, total_steps=100),
    "OneCycleLR_linear_three_phase": lambda m, o: m.OneCycleLR(o, [0.1, 0.2], total_steps=100,
                                                               anneal_strategy="linear", three_phase=True),
    "OneCycleLR_epochs": lambda m, o: m.OneCycleLR(o, 0.3, epochs=10, steps_per_epoch=10, pct_start=0.25,
                                                   div_factor=10.0, final_div_factor=100.0),
    "SequentialLR": lambda m, o: m.SequentialLR(o, [m.LinearLR(o, 0.1, 1.0, 10), m.CosineAnnealingLR(o, 50)],
                                                [10]),
    "ChainedScheduler": lambda m, o: m.ChainedScheduler([m.ExponentialLR(o, 0.98), m.StepLR(o, 10, 0.5)]),
    "SWALR_cos": lambda m, o: _swalr(m, o, "cos"),
    "SWALR_linear": lambda m, o: _swalr(m, o, "linear"),
}


def _swalr(m, o, strategy):
    lib = torch if m.__name__.startswith("torch") else ember
    return lib.optim.swa_utils.SWALR(o, swa_lr=0.02, anneal_epochs=15, anneal_strategy=strategy)


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_lr_sequence_matches_torch(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert _sequence(ember, SCHEDULERS[name]) == _sequence(torch, SCHEDULERS[name])


@pytest.mark.parametrize("name", ["OneCycleLR_cos", "CyclicLR_triangular"])
def test_momentum_cycling_drives_adam_betas(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        e = _sequence(ember, SCHEDULERS[name], opt_name="Adam")
        assert e == _sequence(torch, SCHEDULERS[name], opt_name="Adam")
    assert len({x[3][0] for x in e}) > 10


METRIC = list(np.concatenate([np.linspace(1, 0.5, 20), np.full(80, 0.5)]) + np.sin(np.arange(100)) * 0.01)


@pytest.mark.parametrize("kw", [dict(), dict(mode="max", threshold_mode="abs", patience=3, cooldown=2,
                                             min_lr=[0.02, 0.001]),
                                dict(patience=2, factor=0.5, eps=1e-3), dict(threshold=0.1, cooldown=5)])
def test_reduce_lr_on_plateau_matches_torch(kw):
    make = lambda m, o: m.ReduceLROnPlateau(o, **kw)  # noqa: E731
    assert _sequence(ember, make, metrics=METRIC) == _sequence(torch, make, metrics=METRIC)


def test_closed_form_with_epoch_matches_torch():
    out = []
    for lib in (torch, ember):
        opt = _optimizer(lib)
        s = lib.optim.lr_scheduler.StepLR(opt, 3, 0.5)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for e in (5, 9, 2):
                opt.step()
                s.step(e)
        out.append(s.get_last_lr())
    assert out[0] == out[1]


def _warnings_of(fn):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        fn()
    return [(w.category, str(w.message)) for w in rec]


def test_scheduler_step_before_optimizer_step_warns_like_torch():
    def run(lib):
        opt = _optimizer(lib)
        sched = lib.optim.lr_scheduler.StepLR(opt, 2)
        sched.step()
    t, e = _warnings_of(lambda: run(torch)), _warnings_of(lambda: run(ember))
    assert e == t and len(e) == 1 and e[0][0] is UserWarning
    assert "Detected call of `lr_scheduler.step()` before `optimizer.step()`" in e[0][1]


def test_no_warning_in_the_right_order():
    def run():
        opt = _optimizer(ember)
        sched = ember.optim.lr_scheduler.StepLR(opt, 2)
        opt.step()
        sched.step()
    assert _warnings_of(run) == []


def test_get_lr_outside_step_warns_like_torch():
    def run(lib):
        lib.optim.lr_scheduler.StepLR(_optimizer(lib), 2).get_lr()
    assert _warnings_of(lambda: run(ember)) == _warnings_of(lambda: run(torch))


@pytest.mark.parametrize("name", ["StepLR", "CosineAnnealingLR", "OneCycleLR_cos", "CyclicLR_triangular",
                                  "SequentialLR", "LambdaLR", "CosineAnnealingWarmRestarts"])
def test_scheduler_state_dict_round_trip(name):
    make = SCHEDULERS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full = _sequence(ember, make, steps=60)
        opt = _optimizer(ember)
        sched = make(ember.optim.lr_scheduler, opt)
        for _ in range(30):
            opt.step()
            sched.step()
        saved_sched, saved_opt = sched.state_dict(), opt.state_dict()
        opt2 = _optimizer(ember)
        sched2 = make(ember.optim.lr_scheduler, opt2)
        opt2.load_state_dict(saved_opt)
        sched2.load_state_dict(saved_sched)
        rest = []
        for _ in range(30):
            opt2.step()
            sched2.step()
            rest.append(list(sched2.get_last_lr()))
    assert rest == [x[0] for x in full[30:]]


def test_state_dict_keys_match_torch():
    for name in ("StepLR", "OneCycleLR_cos", "SequentialLR"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t = SCHEDULERS[name](torch.optim.lr_scheduler, _optimizer(torch)).state_dict()
            e = SCHEDULERS[name](ember.optim.lr_scheduler, _optimizer(ember)).state_dict()
        assert sorted(e) == sorted(t)


BAD = [
    lambda m, o: m.ConstantLR(o, factor=1.5),
    lambda m, o: m.LinearLR(o, start_factor=0),
    lambda m, o: m.LinearLR(o, end_factor=2),
    lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=0),
    lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=0),
    lambda m, o: m.CyclicLR(o, 0.01, 0.1, mode="nope"),
    lambda m, o: m.OneCycleLR(o, 0.1),
    lambda m, o: m.OneCycleLR(o, 0.1, total_steps=0),
    lambda m, o: m.OneCycleLR(o, 0.1, total_steps=10, pct_start=1.5),
    lambda m, o: m.OneCycleLR(o, 0.1, total_steps=10, anneal_strategy="exp"),
    lambda m, o: m.OneCycleLR(o, [0.1], total_steps=10),
    lambda m, o: m.ReduceLROnPlateau(o, factor=1.0),
    lambda m, o: m.ReduceLROnPlateau(o, mode="avg"),
    lambda m, o: m.ReduceLROnPlateau(o, threshold_mode="x"),
    lambda m, o: m.ReduceLROnPlateau(o, min_lr=[0.1]),
    lambda m, o: m.LambdaLR(o, [lambda e: 1.0]),
    lambda m, o: m.StepLR(o, 2, last_epoch=3),
    lambda m, o: m.SequentialLR(o, [m.StepLR(o, 2)], [3]),
    lambda m, o: m.StepLR(object(), 2),
]


@pytest.mark.parametrize("i", range(len(BAD)))
def test_bad_scheduler_arguments_raise_like_torch(i):
    with pytest.raises(Exception) as t_err:
        BAD[i](torch.optim.lr_scheduler, _optimizer(torch))
    with pytest.raises(type(t_err.value)) as e_err:
        BAD[i](ember.optim.lr_scheduler, _optimizer(ember))
    assert str(e_err.value) == str(t_err.value)


def test_one_cycle_too_many_steps_raises():
    for lib in (torch, ember):
        opt = _optimizer(lib)
        s = lib.optim.lr_scheduler.OneCycleLR(opt, 0.1, total_steps=3)
        with pytest.raises(ValueError, match="Tried to step 4 times. The specified number of total steps is 3"):
            for _ in range(4):
                opt.step()
                s.step()
