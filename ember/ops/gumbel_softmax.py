"""Gumbel-softmax: differentiable samples from a categorical distribution given logits."""
import warnings

from .activation import softmax
from .creation import empty_like, zeros_like

__all__ = ["gumbel_softmax"]
METHODS = []


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """softmax((logits + g) / tau) with g ~ Gumbel(0, 1); ``hard=True`` returns one-hot samples
    whose gradient is the soft sample's (straight-through estimator).

    The Gumbel noise is ``-log(E)`` with ``E ~ Exp(1)`` drawn by ``exponential_`` like PyTorch.
    """
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    gumbels = -empty_like(logits).exponential_().log()
    y_soft = softmax((logits + gumbels) / tau, dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = zeros_like(logits).scatter_(dim, index, 1.0)
    # Forward value: the one-hot sample; gradient: the soft sample's.
    return y_hard - y_soft.detach() + y_soft


