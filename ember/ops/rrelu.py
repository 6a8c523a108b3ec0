"""Randomized leaky ReLU (RReLU): negative inputs scaled by a random slope in training.

Training: each element x <= 0 gets its own slope r ~ U(lower, upper), drawn in element
order, one double-precision draw per such element (PyTorch's CPU kernel), so the same
seed gives the same slopes. Evaluation: the fixed slope (lower + upper) / 2.
"""
from .. import _dtype as dt
from .._backend import np
from .._tensor import Tensor
from ..autograd.function import Op
from ._common import BF16, apply_inplace, xp_of
from .creation import empty

__all__ = ["rrelu", "rrelu_"]
METHODS = []


def _opmath(dtype):
    return np.float32 if dtype.itemsize < 4 or dtype == BF16 else dtype


class RreluWithNoise(Op):
    """``noise`` is the per-element slope array (training) or None (evaluation: fixed slope)."""

    @staticmethod
    def forward(ctx, a, noise, lower, upper):
        if a.dtype.kind != "f" and a.dtype != BF16:
            raise NotImplementedError(f"\"rrelu_with_noise_out_cpu\" not implemented for '{a.dtype}'")
        xp = xp_of(a)
        if noise is None:
            slope = (lower + upper) / 2
            factor = xp.where(a > 0, 1.0, slope).astype(a.dtype)
            out = xp.where(a > 0, a, a * a.dtype.type(slope)).astype(a.dtype, copy=False)
        else:
            factor = noise
            op = _opmath(a.dtype)
            out = (a.astype(op, copy=False) * noise.astype(op, copy=False)).astype(a.dtype, copy=False)
        # NOTE: with upper - lower <= 1e-6 PyTorch's backward uses the mean slope even in training.
        if noise is not None and upper - lower <= 1e-6:
            slope = (lower + upper) / 2
            factor = xp.where(a > 0, 1.0, slope).astype(a.dtype)
        ctx.factor = factor
        return out

    @staticmethod
    def backward(ctx, g):
        # d/dx (r * x) = r, with r = 1 for the positive elements
        return g * Tensor._make(ctx.factor), None, None, None


class _RreluWithNoiseInplace(RreluWithNoise):
    def name(self):
        return "RreluWithNoiseBackward1"


def _draw_noise(input, lower, upper):
    a = input._data
    xp = xp_of(a)
    negative = a <= 0
    count = int(negative.sum())
    # One double draw in [0, 1) per non-positive element, scaled like uniform_real_distribution.
    u = empty(count, dtype=dt.float64, device=input.device).uniform_()._data
    # NOTE: the bounds are first rounded to the compute type (float32 unless the input is double).
    op = np.dtype(_opmath(a.dtype))
    lo, hi = float(op.type(lower)), float(op.type(upper))
    r = u * (hi - lo) + lo
    noise = xp.ones(a.shape, dtype=a.dtype)
    noise[negative] = xp.asarray(r.astype(op)).astype(a.dtype)
    return noise


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """x if x >= 0 else a * x, with a ~ U(lower, upper) in training and (lower + upper) / 2 otherwise."""
    if inplace:
        return rrelu_(input, lower, upper, training)
    noise = _draw_noise(input, lower, upper) if training else None
    return RreluWithNoise.apply(input, noise, lower, upper)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    """In-place :func:`rrelu`."""
    noise = _draw_noise(input, lower, upper) if training else None
    return apply_inplace(_RreluWithNoiseInplace, input, noise, lower, upper)
