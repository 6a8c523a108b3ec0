"""LBFGS, SparseAdam (dense-gradient fallback) and swa_utils against PyTorch."""
import numpy as np
import pytest
import torch

import ember

from _optim_helpers import assert_params_close, leaves, loss_fn, numpy_of, problem


@pytest.mark.parametrize("kw", [dict(), dict(line_search_fn="strong_wolfe"), dict(history_size=3, max_iter=5),
                                dict(lr=0.5, max_iter=7, line_search_fn="strong_wolfe", history_size=2),
                                dict(tolerance_grad=1e-3, tolerance_change=1e-4)])
def test_lbfgs_matches_torch(kw):
    data = problem(np.float64)
    tp, ep = leaves(torch, data), leaves(ember, data)
    t_opt, e_opt = torch.optim.LBFGS(tp, **kw), ember.optim.LBFGS(ep, **kw)

    def closure(lib, opt, ps):
        def f():
            opt.zero_grad()
            loss = loss_fn(lib, ps, data)
            loss.backward()
            return loss
        return f
    for _ in range(4):
        lt = t_opt.step(closure(torch, t_opt, tp))
        le = e_opt.step(closure(ember, e_opt, ep))
        assert abs(lt.item() - le.item()) <= 1e-9 * max(1.0, abs(lt.item()))
        assert_params_close(tp, ep, 1e-8, 1e-10)
    ts, es = t_opt.state[tp[0]], e_opt.state[ep[0]]
    assert (ts["func_evals"], ts["n_iter"]) == (es["func_evals"], es["n_iter"])
    assert len(ts["old_dirs"]) == len(es["old_dirs"])


def test_lbfgs_rejects_param_groups_and_unknown_line_search():
    a, b = ember.ones(2, requires_grad=True), ember.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="LBFGS doesn't support per-parameter options"):
        ember.optim.LBFGS([{"params": [a]}, {"params": [b]}])
    opt = ember.optim.LBFGS([a], line_search_fn="bogus")

    def closure():
        opt.zero_grad()
        loss = (a * a).sum()
        loss.backward()
        return loss
    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        opt.step(closure)


@pytest.mark.parametrize("maximize", [False, True])
def test_sparse_adam_matches_torch_embedding_gradients(maximize):
    rng = np.random.default_rng(3)
    w0 = rng.standard_normal((10, 4))
    t_emb = torch.nn.Embedding(10, 4, sparse=True, dtype=torch.float64)
    with torch.no_grad():
        t_emb.weight.copy_(torch.tensor(w0))
    e_w = ember.tensor(w0.copy(), requires_grad=True)
    t_opt = torch.optim.SparseAdam(t_emb.parameters(), lr=0.05, maximize=maximize)
    e_opt = ember.optim.SparseAdam([e_w], lr=0.05, maximize=maximize)
    for step in range(8):
        idx = rng.integers(0, 10, size=5)
        t_opt.zero_grad()
        t_emb(torch.tensor(idx)).pow(2).sum().backward()
        e_w.grad = ember.tensor(t_emb.weight.grad.to_dense().numpy().copy())
        t_opt.step()
        e_opt.step()
        np.testing.assert_allclose(numpy_of(e_w), t_emb.weight.detach().numpy(), rtol=1e-12, atol=1e-14)
    assert e_opt.state[e_w]["step"] == t_opt.state[t_emb.weight]["step"] == 8


def test_sparse_adam_leaves_untouched_rows_alone():
    w = ember.tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    w.grad = ember.tensor(np.array([[0.0, 0.0], [1.0, -1.0], [0.0, 0.0]]))
    ember.optim.SparseAdam([w], lr=0.1).step()
    out = numpy_of(w)
    np.testing.assert_array_equal(out[[0, 2]], [[0.0, 1.0], [4.0, 5.0]])
    assert np.all(out[1] != [2.0, 3.0])


def test_sparse_adam_rejects_complex_like_torch():
    with pytest.raises(ValueError, match="SparseAdam does not support complex parameters"):
        ember.optim.SparseAdam([ember.ones(2, dtype=ember.complex64, requires_grad=True)])


def test_ema_and_swa_avg_fns_match_torch():
    rng = np.random.default_rng(4)
    a, c = rng.standard_normal(5), rng.standard_normal(5)
    for fn_name, args in [("get_ema_avg_fn", (0.9,)), ("get_swa_avg_fn", ())]:
        t = getattr(torch.optim.swa_utils, fn_name)(*args)(torch.tensor(a), torch.tensor(c), 3)
        e = getattr(ember.optim.swa_utils, fn_name)(*args)(ember.tensor(a), ember.tensor(c), 3)
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-14)
    for fn_name, args in [("get_ema_multi_avg_fn", (0.9,)), ("get_swa_multi_avg_fn", ())]:
        ta, ea = [torch.tensor(a)], [ember.tensor(a)]
        getattr(torch.optim.swa_utils, fn_name)(*args)(ta, [torch.tensor(c)], torch.tensor(3))
        getattr(ember.optim.swa_utils, fn_name)(*args)(ea, [ember.tensor(c)], ember.tensor(3))
        np.testing.assert_allclose(ea[0].numpy(), ta[0].numpy(), rtol=1e-14)


def test_ema_decay_out_of_range_raises_like_torch():
    with pytest.raises(ValueError, match=r"Invalid decay value 1.5 provided. Please provide a value in \[0,1\] range."):
        ember.optim.swa_utils.get_ema_avg_fn(1.5)


@pytest.mark.skipif(not hasattr(ember.nn, "Linear") or not hasattr(ember.nn, "Module"),
                    reason="ember.nn.Module / Linear not available yet")
@pytest.mark.parametrize("kind", ["swa", "ema", "ema_multi"])
def test_averaged_model_matches_torch(kind):
    rng = np.random.default_rng(5)
    ws = [rng.standard_normal((3, 4)) for _ in range(4)]
    bs = [rng.standard_normal(3) for _ in range(4)]
    results = []
    for lib in (torch, ember):
        model = lib.nn.Linear(4, 3).double() if lib is torch else lib.nn.Linear(4, 3, dtype=lib.float64)
        kwargs = {"ema": {"avg_fn": lib.optim.swa_utils.get_ema_avg_fn(0.8)},
                  "ema_multi": {"multi_avg_fn": lib.optim.swa_utils.get_ema_multi_avg_fn(0.8)},
                  "swa": {}}[kind]
        avg = lib.optim.swa_utils.AveragedModel(model, **kwargs)
        for w, b in zip(ws, bs):
            with lib.no_grad():
                model.weight.copy_(lib.tensor(w))
                model.bias.copy_(lib.tensor(b))
            avg.update_parameters(model)
        results.append([p.detach().numpy().copy() for p in avg.module.parameters()] + [int(avg.n_averaged)])
    for x, y in zip(results[1][:-1], results[0][:-1]):
        np.testing.assert_allclose(x, y, rtol=1e-12)
    assert results[0][-1] == results[1][-1] == 4
