"""ember.fft against torch.fft: values, dtypes, shapes, gradients (through .real/.imag/.abs())
and errors; plus finite-difference gradient checks in float64."""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_same_error

RNG = np.random.default_rng(7)
REAL = RNG.standard_normal((4, 6))
CPLX = REAL + 1j * RNG.standard_normal((4, 6))
NORMS = [None, "backward", "forward", "ortho"]
TOL = {"float32": 1e-5, "float64": 1e-10, "complex64": 1e-5, "complex128": 1e-10}


def _numpy(t):
    if isinstance(t, torch.Tensor):
        return t.detach().resolve_conj().numpy()
    return np.asarray(t.detach().numpy())


def _close(e, t, what, scale_from=None):
    assert tuple(e.shape) == tuple(t.shape), f"{what}: shape {tuple(e.shape)} != {tuple(t.shape)}"
    assert e.dtype.name == str(t.dtype)[6:], f"{what}: dtype {e.dtype.name} != {t.dtype}"
    ev, tv = _numpy(e), _numpy(t)
    rtol = TOL[e.dtype.name]
    # FFT rounding errors scale with the largest magnitude, not with each element
    atol = rtol * max(1.0, float(np.max(np.abs(tv)))) if tv.size else 0
    np.testing.assert_allclose(ev, tv, rtol=rtol, atol=atol, err_msg=what)


def _loss(lib, out, seed=3):
    """A real loss that reads the real part, the imaginary part and the modulus."""
    rng = np.random.default_rng(seed)
    real_dtype = lib.float64 if out.dtype in (lib.float64, lib.complex128) else lib.float32
    w1 = lib.tensor(rng.standard_normal(tuple(out.shape)), dtype=real_dtype)
    if not out.is_complex():
        return (out * w1).sum()
    w2 = lib.tensor(rng.standard_normal(tuple(out.shape)), dtype=real_dtype)
    return (out.real * w1).sum() + (out.imag * w2).sum() + out.abs().sum()


def check(fn, arr, dtype, grad=True):
    """fn(lib, x) on both libraries from ``arr`` cast to ``dtype``; compare output and x.grad."""
    results = {}
    for lib in (ember, torch):
        x = lib.tensor(np.asarray(arr), dtype=getattr(lib, dtype))
        if grad:
            x.requires_grad_(True)
        out = fn(lib, x)
        if grad:
            _loss(lib, out).backward()
        results[lib] = (out, x)
    (eo, ex), (to, tx) = results[ember], results[torch]
    _close(eo, to, "output")
    if grad:
        _close(ex.grad, tx.grad, "grad")
    return eo, to


ONE_D = {
    "fft": lambda lib, x, norm: lib.fft.fft(x, norm=norm),
    "fft_n_pad": lambda lib, x, norm: lib.fft.fft(x, n=9, norm=norm),
    "fft_n_trim_dim0": lambda lib, x, norm: lib.fft.fft(x, n=3, dim=0, norm=norm),
    "ifft": lambda lib, x, norm: lib.fft.ifft(x, norm=norm),
    "ifft_n": lambda lib, x, norm: lib.fft.ifft(x, n=5, dim=-2, norm=norm),
    "irfft": lambda lib, x, norm: lib.fft.irfft(x, norm=norm),
    "irfft_odd_n": lambda lib, x, norm: lib.fft.irfft(x, n=7, norm=norm),
    "irfft_short_n": lambda lib, x, norm: lib.fft.irfft(x, n=4, dim=0, norm=norm),
    "hfft": lambda lib, x, norm: lib.fft.hfft(x, norm=norm),
    "hfft_n": lambda lib, x, norm: lib.fft.hfft(x, n=5, norm=norm),
}
REAL_ONLY = {
    "rfft": lambda lib, x, norm: lib.fft.rfft(x, norm=norm),
    "rfft_n": lambda lib, x, norm: lib.fft.rfft(x, n=7, dim=0, norm=norm),
    "ihfft": lambda lib, x, norm: lib.fft.ihfft(x, norm=norm),
    "ihfft_n": lambda lib, x, norm: lib.fft.ihfft(x, n=9, norm=norm),
    "rfftn": lambda lib, x, norm: lib.fft.rfftn(x, norm=norm),
    "rfft2_s": lambda lib, x, norm: lib.fft.rfft2(x, s=(5, 8), norm=norm),
    "ihfftn": lambda lib, x, norm: lib.fft.ihfftn(x, norm=norm),
    "ihfft2_s": lambda lib, x, norm: lib.fft.ihfft2(x, s=(3, 5), norm=norm),
}
N_D = {
    "fft2": lambda lib, x, norm: lib.fft.fft2(x, norm=norm),
    "ifft2_s": lambda lib, x, norm: lib.fft.ifft2(x, s=(3, 8), norm=norm),
    "fftn_dim": lambda lib, x, norm: lib.fft.fftn(x, dim=(1,), norm=norm),
    "ifftn": lambda lib, x, norm: lib.fft.ifftn(x, norm=norm),
    "fftn_s_only": lambda lib, x, norm: lib.fft.fftn(x, s=(5,), norm=norm),
    "irfftn": lambda lib, x, norm: lib.fft.irfftn(x, norm=norm),
    "irfft2_s": lambda lib, x, norm: lib.fft.irfft2(x, s=(5, 9), norm=norm),
    "irfftn_s_minus_one": lambda lib, x, norm: lib.fft.irfftn(x, s=(3, -1), norm=norm),
    "hfftn": lambda lib, x, norm: lib.fft.hfftn(x, norm=norm),
    "hfft2_s": lambda lib, x, norm: lib.fft.hfft2(x, s=(3, 7), norm=norm),
}
ALL_INPUTS = {**ONE_D, **N_D}


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("name", sorted(ALL_INPUTS))
@pytest.mark.parametrize("dtype", ["float32", "float64", "complex64", "complex128"])
def test_transform_matches_torch(name, dtype, norm):
    arr = CPLX if dtype.startswith("complex") else REAL
    check(lambda lib, x: ALL_INPUTS[name](lib, x, norm), arr, dtype)


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("name", sorted(REAL_ONLY))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_real_input_transform_matches_torch(name, dtype, norm):
    check(lambda lib, x: REAL_ONLY[name](lib, x, norm), REAL, dtype)


@pytest.mark.parametrize("dtype", ["int64", "int32", "bool"])
def test_integer_input_uses_default_dtype(dtype):
    arr = (REAL * 3).astype(np.int64) if dtype != "bool" else REAL > 0
    for fn in (lambda lib, x: lib.fft.fft(x), lambda lib, x: lib.fft.rfft(x), lambda lib, x: lib.fft.irfft(x),
               lambda lib, x: lib.fft.fftn(x)):
        check(fn, arr, dtype, grad=False)


def test_default_float64_gives_complex128():
    saved = ember.get_default_dtype()
    ember.set_default_dtype(ember.float64)
    try:
        assert ember.fft.fft(ember.tensor([1, 2, 3])).dtype is ember.complex128
    finally:
        ember.set_default_dtype(saved)


def test_three_dims_and_non_contiguous_input():
    arr = RNG.standard_normal((3, 4, 5))
    check(lambda lib, x: lib.fft.fftn(x.transpose(0, 2), dim=(0, 2)), arr, "float64")
    check(lambda lib, x: lib.fft.rfftn(x[:, ::2], s=(4, 3)), arr, "float32")
    check(lambda lib, x: lib.fft.irfftn(lib.fft.rfftn(x), s=(3, 4, 5)), arr, "float64")


def test_roundtrips_recover_the_signal():
    x = ember.tensor(REAL)
    np.testing.assert_allclose(ember.fft.ifft(ember.fft.fft(x)).real.numpy(), REAL, atol=1e-12)
    np.testing.assert_allclose(ember.fft.irfft(ember.fft.rfft(x), n=6).numpy(), REAL, atol=1e-12)
    np.testing.assert_allclose(ember.fft.hfft(ember.fft.ihfft(x), n=6).numpy(), REAL, atol=1e-12)


def test_grad_fn_names_match_torch():
    cases = [lambda lib, x: lib.fft.fft(x), lambda lib, x: lib.fft.fft(x.to(lib.complex64)),
             lambda lib, x: lib.fft.rfft(x), lambda lib, x: lib.fft.irfft(x), lambda lib, x: lib.fft.ihfft(x),
             lambda lib, x: lib.fft.fft2(x), lambda lib, x: lib.fft.ihfftn(x)]
    for fn in cases:
        e = fn(ember, ember.tensor(REAL, requires_grad=True))
        t = fn(torch, torch.tensor(REAL, requires_grad=True))
        assert e.grad_fn.name() == type(t.grad_fn).__name__


@pytest.mark.parametrize("name", ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fft2", "rfftn", "irfftn",
                                  "hfftn", "ihfftn"])
def test_gradcheck_and_gradgradcheck(name):
    fn = getattr(ember.fft, name)
    real_input = name in ("rfft", "ihfft", "rfftn", "ihfftn")

    def parts(x):
        out = fn(x if real_input else ember.complex(x, x.flip(-1) * 0.5), norm="ortho")
        return ember.stack([out.real, out.imag]) if out.is_complex() else out

    x = ember.tensor(RNG.standard_normal((3, 5)), requires_grad=True)
    assert ember.autograd.gradcheck(parts, (x,))
    assert ember.autograd.gradgradcheck(parts, (x,))


def test_complex_input_gradients_match_torch():
    w = CPLX[::-1].copy()
    for fn in (lambda lib, x: lib.fft.fft(x) * lib.tensor(w), lambda lib, x: lib.fft.irfft(x, n=9),
               lambda lib, x: lib.fft.ifft2(x, s=(2, 7)) / lib.tensor(w[:2, :1] + 3)):
        check(fn, CPLX, "complex128")


def test_out_argument():
    for lib in (ember, torch):
        out = lib.empty(0, dtype=lib.complex128)
        res = lib.fft.fft(lib.tensor(REAL), out=out)
        assert res is out
    np.testing.assert_allclose(ember.fft.fft(ember.tensor(REAL)).numpy(), np.fft.fft(REAL), atol=1e-12)


@pytest.mark.parametrize("n", [0, 1, 2, 5, 6])
@pytest.mark.parametrize("d", [1.0, 0.25])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fftfreq_and_rfftfreq(n, d, dtype):
    for name in ("fftfreq", "rfftfreq"):
        e = getattr(ember.fft, name)(n, d, dtype=getattr(ember, dtype))
        t = getattr(torch.fft, name)(n, d, dtype=getattr(torch, dtype))
        _close(e, t, name)
        np.testing.assert_array_equal(_numpy(e), _numpy(t))  # same rounding: bit-identical
    assert ember.fft.fftfreq(4).dtype is ember.float32
    assert ember.fft.rfftfreq(4, requires_grad=True).requires_grad


@pytest.mark.parametrize("dim", [None, 0, 1, (0, 1), -1])
def test_fftshift_and_ifftshift(dim):
    arr = np.arange(35.0).reshape(5, 7)
    for name in ("fftshift", "ifftshift"):
        check(lambda lib, x: getattr(lib.fft, name)(x, dim=dim), arr, "float64")
    check(lambda lib, x: lib.fft.ifftshift(lib.fft.fftshift(x, dim), dim), CPLX, "complex64")


ERRORS = [
    lambda lib: lib.fft.fft(lib.ones(4), n=0),
    lambda lib: lib.fft.fft(lib.ones(4), n=-1),
    lambda lib: lib.fft.fft(lib.ones(4), n=2.0),
    lambda lib: lib.fft.fft(lib.ones(4, 3), dim=2),
    lambda lib: lib.fft.fft(lib.ones(4), dim=(0,)),
    lambda lib: lib.fft.fft(lib.tensor(3.0)),
    lambda lib: lib.fft.fft(lib.ones(4), norm="foo"),
    lambda lib: lib.fft.fft(lib.ones(4), norm=3),
    lambda lib: lib.fft.fft([1.0, 2.0]),
    lambda lib: lib.fft.fft(lib.ones(4, dtype=lib.float16)),
    lambda lib: lib.fft.fft(lib.ones(4, dtype=lib.bfloat16)),
    lambda lib: lib.fft.rfft(lib.ones(4, dtype=lib.complex64)),
    lambda lib: lib.fft.rfft2(lib.ones(4, 4, dtype=lib.complex128)),
    lambda lib: lib.fft.ihfft(lib.ones(4, dtype=lib.complex64)),
    lambda lib: lib.fft.ihfftn(lib.ones(4, 4, dtype=lib.complex64)),
    lambda lib: lib.fft.irfft(lib.ones(4, 1)),
    lambda lib: lib.fft.fftn(lib.ones(4, 6), dim=(0, 0)),
    lambda lib: lib.fft.fftn(lib.ones(4, 6), s=(3,), dim=(0, 1)),
    lambda lib: lib.fft.fftn(lib.ones(4, 6), s=(3, 3, 3)),
    lambda lib: lib.fft.fftn(lib.ones(4, 6), s=(0, 3)),
    lambda lib: lib.fft.fft2(lib.ones(3)),
    lambda lib: lib.fft.rfftn(lib.ones(4, 6), dim=()),
    lambda lib: lib.fft.irfftn(lib.ones(4, 6), dim=()),
    lambda lib: lib.fft.hfftn(lib.ones(4, 6), dim=()),
    lambda lib: lib.fft.fftn(lib.tensor(2.0), dim=(0,)),
    lambda lib: lib.fft.fftfreq(-1),
    lambda lib: lib.fft.fftfreq(5, dtype=lib.int64),
    lambda lib: lib.fft.rfftfreq(5, dtype=lib.complex64),
    lambda lib: lib.fft.fftshift(lib.ones(5), dim=3),
]


@pytest.mark.parametrize("case", range(len(ERRORS)))
def test_bad_arguments_raise_like_torch(case):
    assert_same_error(ERRORS[case])


def test_error_messages_name_the_problem():
    assert_same_error(lambda lib: lib.fft.fft(lib.ones(4), n=0), match="Invalid number of data points (0)")
    assert_same_error(lambda lib: lib.fft.fft(lib.ones(4), norm="foo"), match='Invalid normalization mode: "foo"')
    assert_same_error(lambda lib: lib.fft.rfft(lib.ones(4, dtype=lib.complex64)), match="but got ComplexFloat")
    assert_same_error(lambda lib: lib.fft.fftn(lib.ones(2, 2), dim=(1, 1)), match="FFT dims must be unique")


def test_empty_dims_give_a_complex_copy():
    check(lambda lib, x: lib.fft.fftn(x, dim=()), REAL, "float32", grad=False)
    check(lambda lib, x: lib.fft.fftn(x), np.array(2.5), "float64", grad=False)
