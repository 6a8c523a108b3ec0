"""Shared helpers for the optimizer tests: the same tiny problem in ember and in PyTorch."""
import numpy as np
import torch

import ember


def problem(dtype=np.float64, seed=0):
    """Initial weights and data for loss = sum((W @ X + b - Y)^2)."""
    rng = np.random.default_rng(seed)
    return {"W": rng.standard_normal((4, 5)).astype(dtype), "b": rng.standard_normal(4).astype(dtype),
            "X": rng.standard_normal((5, 3)).astype(dtype), "Y": rng.standard_normal((4, 3)).astype(dtype)}


def leaves(lib, data):
    return [lib.tensor(data["W"].copy(), requires_grad=True), lib.tensor(data["b"].copy(), requires_grad=True)]


def loss_fn(lib, params, data, sign=1.0):
    W, b = params
    return sign * (((W @ lib.tensor(data["X"])) + b.reshape(-1, 1) - lib.tensor(data["Y"])) ** 2).sum()


def numpy_of(t):
    return t.detach().numpy().copy()


def step_both(opts, params, data, sign=1.0):
    """One zero_grad/backward/step in each library."""
    for lib, opt, ps in zip((torch, ember), opts, params):
        opt.zero_grad()
        loss_fn(lib, ps, data, sign).backward()
        opt.step()


def assert_params_close(tp, ep, rtol, atol):
    for t, e in zip(tp, ep):
        np.testing.assert_allclose(numpy_of(e), numpy_of(t), rtol=rtol, atol=atol)


def to_ember_state_dict(sd):
    """A PyTorch optimizer state_dict with every tensor converted via ember.tensor(t.numpy())."""
    def conv(v):
        if isinstance(v, torch.Tensor):
            return ember.tensor(v.detach().numpy().copy())
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items()}
        if isinstance(v, list):
            return [conv(x) for x in v]
        return v
    return {"state": {k: conv(v) for k, v in sd["state"].items()},
            "param_groups": [dict(g) for g in sd["param_groups"]]}
