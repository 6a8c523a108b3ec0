"""The legacy (Lua Torch) cross-channel LRN as an autograd Function (used by nn.CrossMapLRN2d).

Its forward window and its hand-written backward are both kept exactly as PyTorch has
them (neither is the textbook symmetric LRN), so outputs and gradients match.
"""
from .._backend import np
from .._tensor import Tensor
from ..autograd.function import Function
from ._common import xp_of
from .shape import cat

__all__ = []
METHODS = []


def _window_sums(squares, size):
    """Per-channel sums of ``squares`` (N, C, H, W) over the legacy kernel's running window.

    The kernel starts with channels [0, pre_pad) and then slides: add channel c + pre_pad - 1,
    drop channel c - pre_pad only once c > pre_pad. Channel 0 is thus never dropped; this
    quirk is part of the layer's definition, so it is reproduced exactly.
    """
    channels = squares.shape[1]
    pre_pad = int((size - 1) / 2 + 1)
    csum = xp_of(squares).cumsum(squares, axis=1)
    c = np.arange(channels)
    hi = np.minimum(c + pre_pad - 1, channels - 1)
    hi[0] = min(pre_pad, channels) - 1
    total = csum[:, hi]
    dropped_to = c - pre_pad  # channels 1 .. c - pre_pad have been removed
    has_drop = dropped_to >= 1
    if has_drop.any():
        removed = csum[:, np.maximum(dropped_to, 0)] - csum[:, :1]
        total = total - removed * has_drop[None, :, None, None]
    return total


class CrossMapLRN2d(Function):
    @staticmethod
    def forward(ctx, input, size, alpha=1e-4, beta=0.75, k=1):
        if input.dim() != 4:
            raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D instead.")
        x = input._data
        scale = _window_sums(x * x, size) * (alpha / size) + k
        scale = scale.astype(x.dtype, copy=False)
        out = Tensor._make((np.power(scale, -beta) * x).astype(x.dtype, copy=False))
        ctx.size, ctx.alpha, ctx.beta, ctx.k = size, alpha, beta, k
        ctx.scale = Tensor._make(scale)
        ctx.save_for_backward(input, out)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        input, output = ctx.saved_tensors
        size, scale = ctx.size, ctx.scale
        channels = input.size(1)
        # PyTorch's rule: grad * scale^-beta - (2 alpha beta / size) * x * accum, where accum[c]
        # sums r = grad * out / scale over the channel window [c - inv, c - inv + size), with
        # inv = int(size - (size - 1) / 2) (zero outside the channels).
        ratio = grad_output * output / scale
        inv = int(size - (size - 1) / 2)
        if inv > size - 1:
            raise RuntimeError(f"CrossMapLRN2d backward: size {size} leaves no room for the channel window")
        spatial = tuple(ratio.shape[2:])
        front = ratio.new_zeros((ratio.size(0), inv) + spatial)
        back = ratio.new_zeros((ratio.size(0), size - 1 - inv) + spatial)
        padded = cat([front, ratio, back], 1)
        accum = padded[:, 0:channels]
        for j in range(1, size):
            accum = accum + padded[:, j:j + channels]
        cache = 2 * ctx.alpha * ctx.beta / size
        grad_input = scale.pow(-ctx.beta) * grad_output - cache * input * accum
        return grad_input, None, None, None, None
