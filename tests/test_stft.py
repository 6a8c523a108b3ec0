"""torch.stft / torch.istft against PyTorch: values, dtypes, shapes, gradients for the signal
and the window, warnings and errors."""
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import assert_same_error

RNG = np.random.default_rng(11)
SIG1 = RNG.standard_normal(40)
SIG2 = RNG.standard_normal((2, 37))
SIGC = SIG2 + 1j * RNG.standard_normal((2, 37))
HANN8 = np.hanning(9)[:8]
HANN5 = np.hanning(6)[:5]
TOL = {"float32": 2e-5, "float64": 1e-10, "complex64": 2e-5, "complex128": 1e-10}


def _numpy(t):
    if isinstance(t, torch.Tensor):
        return t.detach().resolve_conj().numpy()
    return np.asarray(t.detach().numpy())


def _close(e, t, what):
    assert tuple(e.shape) == tuple(t.shape), f"{what}: shape {tuple(e.shape)} != {tuple(t.shape)}"
    assert e.dtype.name == str(t.dtype)[6:], f"{what}: dtype {e.dtype.name} != {t.dtype}"
    ev, tv = _numpy(e), _numpy(t)
    rtol = TOL[e.dtype.name]
    np.testing.assert_allclose(ev, tv, rtol=rtol, atol=rtol * max(1.0, float(np.abs(tv).max())), err_msg=what)


def check(fn, signal, window, dtype="float64"):
    """fn(lib, x, w) on both libraries; compare the result and the gradients of x and w."""
    results = {}
    for lib in (ember, torch):
        x = lib.tensor(signal, dtype=getattr(lib, dtype if not np.iscomplexobj(signal) else "complex128"))
        x.requires_grad_(True)
        w = None
        if window is not None:
            w = lib.tensor(window, dtype=getattr(lib, dtype)).requires_grad_(True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = fn(lib, x, w)
        weights = lib.tensor(np.cos(np.arange(out.numel())).reshape(tuple(out.shape)),
                             dtype=lib.float64 if out.dtype in (lib.float64, lib.complex128) else lib.float32)
        loss = out.abs().sum() + (out.real * weights).sum() if out.is_complex() else (out * weights).sum()
        loss.backward()
        results[lib] = (out, x, w)
    (eo, ex, ew), (to, tx, tw) = results[ember], results[torch]
    _close(eo, to, "output")
    _close(ex.grad, tx.grad, "input grad")
    if tw is not None:
        _close(ew.grad, tw.grad, "window grad")


STFT_CASES = {
    "default": (SIG2, HANN8, lambda lib, x, w: lib.stft(x, 8, window=w, return_complex=True)),
    "1d_hop3": (SIG1, HANN8, lambda lib, x, w: lib.stft(x, 8, hop_length=3, window=w, return_complex=True)),
    "no_window": (SIG2, None, lambda lib, x, w: lib.stft(x, 8, return_complex=True)),
    "short_window": (SIG2, HANN5, lambda lib, x, w: lib.stft(x, 8, win_length=5, window=w, return_complex=True)),
    "short_no_window": (SIG2, None, lambda lib, x, w: lib.stft(x, 8, win_length=5, return_complex=True)),
    "no_center": (SIG2, HANN5, lambda lib, x, w: lib.stft(x, 8, 3, 5, w, center=False, return_complex=True)),
    "align_to_window": (SIG2, HANN5, lambda lib, x, w: lib.stft(x, 8, 3, 5, w, center=False, align_to_window=True,
                                                               return_complex=True)),
    "normalized_twosided": (SIG2, HANN8, lambda lib, x, w: lib.stft(x, 8, window=w, normalized=True,
                                                                   onesided=False, return_complex=True)),
    "pad_constant": (SIG2, HANN8, lambda lib, x, w: lib.stft(x, 8, window=w, pad_mode="constant",
                                                            return_complex=True)),
    "pad_replicate": (SIG2, HANN8, lambda lib, x, w: lib.stft(x, 8, window=w, pad_mode="replicate",
                                                             return_complex=True)),
    "pad_circular": (SIG2, HANN8, lambda lib, x, w: lib.stft(x, 8, window=w, pad_mode="circular",
                                                            return_complex=True)),
    "return_real": (SIG2, HANN8, lambda lib, x, w: lib.stft(x, 8, window=w, return_complex=False)),
    "complex_input": (SIGC, HANN8, lambda lib, x, w: lib.stft(x, 8, window=w)),
    "method": (SIG2, HANN8, lambda lib, x, w: x.stft(8, 2, window=w, return_complex=True)),
}


@pytest.mark.parametrize("name", sorted(STFT_CASES))
def test_stft_matches_torch(name):
    signal, window, fn = STFT_CASES[name]
    check(fn, signal, window)


def test_stft_float32():
    check(STFT_CASES["default"][2], SIG2, HANN8, "float32")
    check(STFT_CASES["short_window"][2], SIG2, HANN5, "float32")


def _roundtrip(stft_kw, istft_kw):
    def fn(lib, x, w):
        spec = lib.stft(x, 8, hop_length=2, window=w, **stft_kw)
        return lib.istft(spec, 8, hop_length=2, window=w, **istft_kw)
    return fn


ISTFT_CASES = {
    "default": (SIG2, HANN8, _roundtrip({"return_complex": True}, {})),
    "1d": (SIG1, HANN8, _roundtrip({"return_complex": True}, {})),
    "length_shorter": (SIG2, HANN8, _roundtrip({"return_complex": True}, {"length": 30})),
    "length_longer": (SIG2, HANN8, _roundtrip({"return_complex": True}, {"length": 50})),
    "normalized": (SIG2, HANN8, _roundtrip({"return_complex": True, "normalized": True}, {"normalized": True})),
    "no_window": (SIG2, None, _roundtrip({"return_complex": True}, {})),
    "twosided": (SIG2, HANN8, _roundtrip({"return_complex": True, "onesided": False}, {})),
    "complex_output": (SIGC, HANN8, _roundtrip({}, {"return_complex": True})),
    "no_center": (SIG2, HANN8 + 0.1, _roundtrip({"return_complex": True, "center": False}, {"center": False})),
    "method": (SIG2, HANN8, lambda lib, x, w: lib.stft(x, 8, 2, window=w, return_complex=True).istft(
        8, 2, window=w)),
    "short_window": (SIG2, HANN5, lambda lib, x, w: lib.istft(
        lib.stft(x, 8, 2, 5, w, return_complex=True), 8, 2, 5, w)),
    "modified_spectrum": (SIG2, HANN8, lambda lib, x, w: lib.istft(
        lib.stft(x, 8, 2, window=w, return_complex=True) * lib.tensor(np.linspace(0.5, 2, 5)[:, None]),
        8, 2, window=w)),
}


@pytest.mark.parametrize("name", sorted(ISTFT_CASES))
def test_istft_matches_torch(name):
    signal, window, fn = ISTFT_CASES[name]
    check(fn, signal, window)


def test_istft_float32_and_inverts_stft():
    check(ISTFT_CASES["default"][2], SIG2, HANN8, "float32")
    x = ember.tensor(SIG2)
    w = ember.hann_window(8, dtype=ember.float64)
    back = ember.istft(ember.stft(x, 8, 2, window=w, return_complex=True), 8, 2, window=w, length=37)
    np.testing.assert_allclose(back.numpy(), SIG2, atol=1e-12)


def test_gradcheck_through_stft_and_istft():
    x = ember.tensor(RNG.standard_normal(20), requires_grad=True)
    w = ember.tensor(HANN8 + 0.2, requires_grad=True)

    def fn(x, w):
        spec = ember.stft(x, 8, 2, window=w, return_complex=True)
        return ember.istft(spec * spec.abs(), 8, 2, window=w)
    assert ember.autograd.gradcheck(fn, (x, w))


def test_warnings_like_torch():
    x = ember.tensor(SIG2)
    with pytest.warns(UserWarning, match="A window was not provided"):
        ember.stft(x, 8, return_complex=True)
    with pytest.warns(UserWarning, match="return_complex=False is deprecated"):
        ember.stft(x, 8, window=ember.ones(8, dtype=ember.float64), return_complex=False)
    spec = ember.stft(x, 8, 2, window=ember.ones(8, dtype=ember.float64), return_complex=True)
    with pytest.warns(UserWarning, match="shorter than the length parameter"):
        ember.istft(spec, 8, 2, window=ember.ones(8, dtype=ember.float64), length=60)


def _spec(lib, **kw):
    x = lib.tensor(SIG2)
    return lib.stft(x, 8, 2, window=lib.hann_window(8, dtype=lib.float64), return_complex=True, **kw)


def _hann(lib):
    return lib.hann_window(8, dtype=lib.float64)


ERRORS = {
    "stft_return_complex_missing": lambda lib: lib.stft(lib.tensor(SIG2), 8, window=_hann(lib)),
    "stft_n_fft_too_big": lambda lib: lib.stft(lib.tensor(SIG2), 50, center=False, return_complex=True),
    "stft_n_fft_zero": lambda lib: lib.stft(lib.tensor(SIG2), 0, return_complex=True),
    "stft_hop_zero": lambda lib: lib.stft(lib.tensor(SIG2), 8, hop_length=0, return_complex=True),
    "stft_win_too_long": lambda lib: lib.stft(lib.tensor(SIG2), 8, win_length=9, return_complex=True),
    "stft_window_size": lambda lib: lib.stft(lib.tensor(SIG2), 8, window=lib.ones(7), return_complex=True),
    "stft_3d": lambda lib: lib.stft(lib.tensor(SIG2)[None], 8, return_complex=True),
    "stft_onesided_complex": lambda lib: lib.stft(lib.tensor(SIGC), 8, onesided=True, return_complex=True),
    "stft_align_with_center": lambda lib: lib.stft(lib.tensor(SIG2), 8, align_to_window=True,
                                                   return_complex=True),
    "stft_int_input": lambda lib: lib.stft(lib.tensor(SIG2).long(), 8, center=False, return_complex=True),
    "istft_real_input": lambda lib: lib.istft(_spec(lib).real, 8, 2, window=_hann(lib)),
    "istft_1d": lambda lib: lib.istft(_spec(lib)[0, 0], 8, 2, window=_hann(lib)),
    "istft_4d": lambda lib: lib.istft(_spec(lib)[None], 8, 2, window=_hann(lib)),
    "istft_wrong_bins": lambda lib: lib.istft(_spec(lib), 10, 2),
    "istft_twosided_bins": lambda lib: lib.istft(_spec(lib), 8, 2, window=_hann(lib), onesided=False),
    "istft_hop_zero": lambda lib: lib.istft(_spec(lib), 8, 0, window=_hann(lib)),
    "istft_win_too_long": lambda lib: lib.istft(_spec(lib), 8, 2, win_length=9),
    "istft_window_size": lambda lib: lib.istft(_spec(lib), 8, 2, window=lib.ones(7)),
    "istft_nola": lambda lib: lib.istft(_spec(lib), 8, 2, window=_hann(lib), center=False),
    "istft_onesided_complex": lambda lib: lib.istft(_spec(lib), 8, 2, window=_hann(lib), return_complex=True),
    "istft_complex_window": lambda lib: lib.istft(_spec(lib), 8, 2, window=_hann(lib).to(lib.complex128)),
    "istft_empty": lambda lib: lib.istft(_spec(lib)[:, :, :0], 8, 2, window=_hann(lib)),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_bad_arguments_raise_like_torch(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same_error(ERRORS[name])


def test_error_messages_match_torch():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in ("stft_n_fft_too_big", "stft_hop_zero", "stft_window_size", "istft_wrong_bins",
                     "istft_window_size", "istft_hop_zero"):
            try:
                ERRORS[name](torch)
            except RuntimeError as exc:
                expected = str(exc).split("\n")[0]
            with pytest.raises(RuntimeError) as info:
                ERRORS[name](ember)
            assert str(info.value).split("\n")[0] == expected
