"""ember.set_num_threads / get_num_threads: the setting, NumPy's OpenBLAS, and every ember thread split."""
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import ember
from ember import _threads
from ember.ops import _parallel
from oracle import assert_same_error


@pytest.fixture(autouse=True)
def restore_threads():
    ember_before, torch_before = ember.get_num_threads(), torch.get_num_threads()
    yield
    ember.set_num_threads(ember_before)
    torch.set_num_threads(torch_before)


def test_set_get_round_trip():
    ember.set_num_threads(1)
    assert ember.get_num_threads() == 1
    ember.set_num_threads(3)
    assert ember.get_num_threads() == 3


def test_numpy_integer_accepted_like_torch():
    torch.set_num_threads(np.int64(1))
    ember.set_num_threads(np.int64(1))
    assert ember.get_num_threads() == torch.get_num_threads() == 1
    assert type(ember.get_num_threads()) is int


def _default_in_subprocess(env_extra):
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    env.update(env_extra)
    code = "import torch, ember; print(torch.get_num_threads(), ember.get_num_threads())"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    torch_n, ember_n = out.stdout.split()
    return int(torch_n), int(ember_n)


@pytest.mark.parametrize("env", [{}, {"OMP_NUM_THREADS": "1"}], ids=["cores", "omp1"])
def test_default_matches_torch(env):
    torch_n, ember_n = _default_in_subprocess(env)
    assert ember_n == torch_n


def _numpy_blas_threads():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    pools = [p for p in threadpoolctl.threadpool_info()
             if p["internal_api"] == "openblas" and "numpy" in p["filepath"]]
    if not pools:
        pytest.skip("NumPy is not linked against OpenBLAS here")
    return pools[0]["num_threads"]


@pytest.mark.parametrize("n", [1, 2])
def test_blas_threads_follow(n):
    _numpy_blas_threads()
    ember.set_num_threads(n)
    assert _numpy_blas_threads() == n
    assert _threads.blas_num_threads() == n


def test_no_elementwise_workers_with_one_thread():
    ember.set_num_threads(1)
    assert _parallel._workers() == []
    ember.set_num_threads(3)
    assert len(_parallel._workers()) == 2


def test_parallel_unsplit_with_one_thread_and_bit_identical(monkeypatch):
    a = np.random.default_rng(0).standard_normal(_parallel.PARALLEL_MIN + 12345).astype(np.float32)
    b = np.random.default_rng(1).standard_normal(a.size).astype(np.float32)
    splits = []
    real = _parallel._run_split
    monkeypatch.setattr(_parallel, "_run_split", lambda *args, **kw: (splits.append(1), real(*args, **kw)))
    results = {}
    for n in (1, 2):
        ember.set_num_threads(n)
        splits.clear()
        ta, tb = ember.from_numpy(a), ember.from_numpy(b)
        results[n] = ((ta + tb).numpy(), (ta * tb).numpy(), ember.exp(ta).numpy())
        assert bool(splits) == (n > 1)
    for one, two, plain in zip(results[1], results[2], (a + b, a * b, np.exp(a))):
        assert np.array_equal(one, two)
        assert np.array_equal(one, plain)


def test_conv_split_run_follows_setting():
    from ember.ops.conv import split_run
    for n, expected in ((1, 1), (2, 2)):
        ember.set_num_threads(n)
        calls = []
        split_run(np, lambda lo, hi: calls.append((lo, hi)), 8, 1 << 30)
        assert len(calls) == expected
        assert sorted(calls)[0][0] == 0 and sorted(calls)[-1][1] == 8


def test_optimizer_pool_follows_setting():
    from ember.optim import _functional_core
    ember.set_num_threads(1)
    assert _functional_core._get_pool() is False
    ember.set_num_threads(2)
    assert _functional_core._get_pool()._max_workers == 2


def test_randn_unthreaded_with_one_thread_matches_torch(monkeypatch):
    from ember._rng import sampling
    calls = []
    real = sampling._transform_in_threads
    monkeypatch.setattr(sampling, "_transform_in_threads", lambda *a: (calls.append(1), real(*a)))
    size = 1 << 20
    torch.manual_seed(0)
    expected = torch.randn(size).numpy()
    for n in (1, 2):
        ember.set_num_threads(n)
        calls.clear()
        ember.manual_seed(0)
        assert np.array_equal(ember.randn(size).numpy(), expected)
        assert bool(calls) == (n > 1)


@pytest.mark.parametrize("bad, match", [(0, "positive integer"), (-2, "positive integer"),
                                        (1.5, "expects an int, but got float"),
                                        (True, "expects an int, but got bool"),
                                        (None, "expects an int, but got NoneType"),
                                        ("2", "expects an int, but got str")])
def test_bad_input_errors_like_torch(bad, match):
    before = ember.get_num_threads()
    assert_same_error(lambda lib: lib.set_num_threads(bad), match=match)
    assert ember.get_num_threads() == before
