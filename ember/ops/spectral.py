"""Window functions (torch.hann_window, ...). Computed in float64 and rounded to ``dtype``;
``periodic=True`` (the default) gives the window for spectral analysis: one point longer, last dropped."""
import math

from .. import _dtype as dt
from .._backend import np
from .._tensor import Tensor


def _window(name, window_length, periodic, dtype, requires_grad, fn):
    if not isinstance(window_length, int) or window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got window_length={window_length}")
    dtype = dt.get_default_dtype() if dtype is None else dtype
    if not dtype.is_floating_point:
        raise RuntimeError(f"{name} expects floating point dtypes, got: {dtype.name}")
    if window_length == 0:
        values = np.empty(0)
    elif window_length == 1:
        values = np.ones(1)
    else:
        n = window_length + 1 if periodic else window_length
        values = fn(np.arange(n, dtype=np.float64), n)[:window_length]
    t = Tensor._make(values.astype(dtype.np_dtype))
    if requires_grad:
        t.requires_grad_(True)
    return t


def _cosine_sum(coefs):
    def fn(k, n):
        out = np.zeros_like(k)
        for i, c in enumerate(coefs):
            out = out + c * np.cos(2 * math.pi * i * k / (n - 1))
        return out
    return fn


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False):
    return _window("hann_window", window_length, periodic, dtype, requires_grad, _cosine_sum((0.5, -0.5)))


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None, layout=None, device=None,
                   requires_grad=False):
    return _window("hamming_window", window_length, periodic, dtype, requires_grad, _cosine_sum((alpha, -beta)))


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False):
    return _window("blackman_window", window_length, periodic, dtype, requires_grad,
                   _cosine_sum((0.42, -0.5, 0.08)))


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False):
    return _window("bartlett_window", window_length, periodic, dtype, requires_grad,
                   lambda k, n: 1 - np.abs(2 * k / (n - 1) - 1))


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None, device=None,
                  requires_grad=False):
    from .special_math import _i0
    return _window("kaiser_window", window_length, periodic, dtype, requires_grad,
                   lambda k, n: _i0(beta * np.sqrt(np.clip(1 - (2 * k / (n - 1) - 1) ** 2, 0, None))) / _i0(beta))


__all__ = ["hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"]
METHODS = []
