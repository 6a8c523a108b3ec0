"""The batch-blocked stride-1 convolution (ember/ops/conv_blocked.py) against PyTorch.

Batch sizes that leave a short last block, padding and dilation, 1-D and 3-D, missing bias,
single-input-gradient cases, and a check that the thread count does not change a single bit.
"""
import numpy as np
import pytest

import ember
from ember.ops import conv_blocked
from oracle import compare, randn


@pytest.fixture(autouse=True)
def blocked_path_on(monkeypatch):
    # The blocked path is chosen only when OpenBLAS's threads sleep quickly (ember's import-time
    # setting, EMBER_BLAS_SPIN_TUNING): these tests are about its results, so force it on.
    from ember import _blas_spin
    monkeypatch.setattr(_blas_spin, "short", lambda: True)


def _spy_blocked(monkeypatch, module=conv_blocked):
    """The names of ``module``'s forward/backward calls, in order."""
    calls = []
    for name in ("forward", "backward"):
        real = getattr(module, name)

        def spy(*a, _real=real, _name=name, **k):
            calls.append(_name)
            return _real(*a, **k)
        monkeypatch.setattr(module, name, spy)
    return calls


@pytest.mark.parametrize("n, c, o, size, kw", [
    (2, 3, 4, 9, {}),
    (5, 2, 3, 11, {"padding": 1}),                     # 5 samples: uneven blocks
    (7, 4, 5, 10, {"padding": (2, 1), "dilation": (1, 2)}),
    (9, 1, 6, 12, {"padding": "same"}),
    (3, 2, 2, 8, {"kernel": (2, 3)}),                  # even kernel
])
def test_blocked_conv2d_matches_torch(monkeypatch, n, c, o, size, kw):
    kw = dict(kw)
    k = kw.pop("kernel", (3, 3))
    calls = _spy_blocked(monkeypatch)
    x, w, b = randn(n, c, size, size), randn(o, c, *k, seed=1), randn(o, seed=2)
    compare(lambda lib, x, w, b: lib.nn.functional.conv2d(x, w, b, **kw), x, w, b)
    assert calls == ["forward", "backward"]


def test_blocked_conv_float32_matches_torch(monkeypatch):
    calls = _spy_blocked(monkeypatch)
    x, w = randn(6, 8, 14, 14, dtype=np.float32), randn(16, 8, 3, 3, dtype=np.float32, seed=1)
    compare(lambda lib, x, w: lib.nn.functional.conv2d(x, w), x, w)
    assert calls == ["forward", "backward"]


def test_blocked_conv1d_and_conv3d_match_torch(monkeypatch):
    calls = _spy_blocked(monkeypatch)
    compare(lambda lib, x, w: lib.nn.functional.conv1d(x, w, padding=2), randn(4, 3, 20), randn(5, 3, 4, seed=1))
    compare(lambda lib, x, w: lib.nn.functional.conv3d(x, w, padding=1), randn(3, 2, 5, 6, 7),
            randn(4, 2, 3, 3, 3, seed=1))
    assert calls == ["forward", "backward"] * 2


@pytest.mark.parametrize("n, c, o, size, kw", [
    (5, 1, 16, 12, {"padding": 1}),                    # LeNet-like first layer, uneven blocks
    (6, 2, 16, 11, {"kernel": (2, 3), "dilation": (1, 2)}),
    (3, 1, 12, 9, {"padding": "same", "bias": False}),
])
@pytest.mark.parametrize("x_grad", [False, True])
def test_narrow_layout_conv2d_matches_torch(monkeypatch, n, c, o, size, kw, x_grad):
    # fewer column rows (C * prod(k)) than output channels: ember/ops/conv_narrow.py, except a
    # backward that wants the input gradient (the wide path)
    kw = dict(kw)
    k = kw.pop("kernel", (3, 3))
    bias = kw.pop("bias", True)
    narrow = _spy_narrow(monkeypatch)
    x, w, b = randn(n, c, size, size), randn(o, c, *k, seed=1), randn(o, seed=2)

    def fn(lib, x, w, b):
        return lib.nn.functional.conv2d(x if x_grad else x.detach(), w, b if bias else None, **kw)
    compare(fn, x, w, b)
    assert narrow == (["forward"] if x_grad else ["forward", "backward"])


@pytest.mark.parametrize("which", ["weight", "bias"])
def test_narrow_layout_single_gradient(monkeypatch, which):
    narrow = _spy_narrow(monkeypatch)
    x, w, b = randn(4, 1, 10, 10), randn(12, 1, 3, 3, seed=1), randn(12, seed=2)

    def fn(lib, x, w, b):
        return lib.nn.functional.conv2d(x.detach(), w if which == "weight" else w.detach(),
                                        b if which == "bias" else b.detach())
    compare(fn, x, w, b)
    assert narrow == ["forward", "backward"]


def test_narrow_layout_conv1d_and_conv3d_match_torch(monkeypatch):
    narrow = _spy_narrow(monkeypatch)
    compare(lambda lib, x, w, b: lib.nn.functional.conv1d(x.detach(), w, b, padding=2),
            randn(4, 1, 20), randn(8, 1, 4, seed=1), randn(8, seed=2))
    compare(lambda lib, x, w: lib.nn.functional.conv3d(x.detach(), w, padding=1),
            randn(3, 1, 5, 6, 7), randn(32, 1, 3, 3, 3, seed=1))
    assert narrow == ["forward", "backward"] * 2


def _spy_narrow(monkeypatch):
    from ember.ops import conv_narrow
    return _spy_blocked(monkeypatch, conv_narrow)


@pytest.mark.parametrize("which", ["input", "weight", "bias", "weight and bias"])
def test_blocked_conv_single_gradient(which):
    # "weight and bias": the bias gradient comes out of the weight-gradient product (a row of
    # ones under the columns); "bias" alone sums the output gradient directly
    x, w, b = randn(4, 3, 10, 10), randn(5, 3, 3, 3, seed=1), randn(5, seed=2)

    def fn(lib, x, w, b):
        return lib.nn.functional.conv2d(x if which == "input" else x.detach(),
                                        w if "weight" in which else w.detach(),
                                        b if "bias" in which else b.detach())
    compare(fn, x, w, b)


def test_blocked_conv_gradcheck_float64():
    x = ember.tensor(randn(3, 2, 6, 6), requires_grad=True)
    w = ember.tensor(randn(3, 2, 3, 3, seed=1), requires_grad=True)
    b = ember.tensor(randn(3, seed=2), requires_grad=True)
    assert ember.autograd.gradcheck(lambda x, w, b: ember.nn.functional.conv2d(x, w, b, padding=1), (x, w, b))


@pytest.mark.parametrize("c, o, x_grad", [(8, 12, True), (1, 16, False)])   # wide; narrow
def test_blocked_conv_is_bit_identical_for_any_thread_count(c, o, x_grad):
    # Blocks are fixed by shape, and the weight gradient's per-block sums are added in block
    # order, so which thread ran which block cannot show in the result.
    x = randn(16, c, 20, 20, dtype=np.float32)
    w = randn(o, c, 3, 3, dtype=np.float32, seed=1)
    b = randn(o, dtype=np.float32, seed=3)
    g = randn(16, o, 18, 18, dtype=np.float32, seed=2)
    results = []
    before = ember.get_num_threads()
    try:
        for threads in (1, 2, 3):
            ember.set_num_threads(threads)
            xt, wt = ember.tensor(x, requires_grad=x_grad), ember.tensor(w, requires_grad=True)
            bt = ember.tensor(b, requires_grad=True)
            y = ember.nn.functional.conv2d(xt, wt, bt)
            y.backward(ember.tensor(g))
            results.append((y.detach().numpy(), wt.grad.numpy(), bt.grad.numpy())
                           + ((xt.grad.numpy(),) if x_grad else ()))
    finally:
        ember.set_num_threads(before)
    for other in results[1:]:
        for a, b in zip(results[0], other):
            assert np.array_equal(a, b)


def test_blocked_conv_leaves_blas_thread_count_alone():
    blas = ember._threads.blas_num_threads()   # None where NumPy has no OpenBLAS: stays None
    x = ember.tensor(randn(8, 4, 12, 12), requires_grad=True)
    ember.nn.functional.conv2d(x, ember.tensor(randn(4, 4, 3, 3, seed=1))).sum().backward()
    assert ember._threads.blas_num_threads() == blas


def test_overlapping_single_threaded_blocks_restore_blas_threads():
    # Two threads in blas_single_threaded at once, closing in the opposite order they opened:
    # the count OpenBLAS had before the first one opened is what it has after the last closes.
    import threading
    from ember import _threads
    before = _threads.blas_num_threads()
    inside, release = threading.Event(), threading.Event()

    def other():
        with _threads.blas_single_threaded():
            inside.set()
            release.wait(10)
    t = threading.Thread(target=other)
    with _threads.blas_single_threaded():
        t.start()
        inside.wait(10)
        if before is not None:
            assert _threads.blas_num_threads() == 1
    release.set()
    t.join(10)
    assert _threads.blas_num_threads() == before


def test_single_gemm_path_when_openblas_threads_spin(monkeypatch):
    from ember import _blas_spin
    monkeypatch.setattr(_blas_spin, "short", lambda: False)
    calls = _spy_blocked(monkeypatch)
    compare(lambda lib, x, w: lib.nn.functional.conv2d(x, w), randn(4, 3, 9, 9), randn(5, 3, 3, 3, seed=1))
    assert calls == []
