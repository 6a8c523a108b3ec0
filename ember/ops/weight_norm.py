"""Weight normalization primitives: ``norm_except_dim`` and ``_weight_norm``.

``w = g * v / ||v||`` where the norm runs over every dim except ``dim`` (``dim=-1``: over
all elements, so ``g`` is a scalar). Used by both weight_norm utilities in ember.nn.utils.
"""
from .._backend import np
from ..autograd.function import Op
from ._common import xp_of

__all__ = ["norm_except_dim", "_weight_norm"]


def norm_except_dim(v, pow=2, dim=0):
    """The ``pow``-norm of ``v`` over every dim except ``dim``, keeping ``v``'s rank.

    ``dim=-1`` means the norm of the whole tensor (a 0-d result).
    """
    if dim == -1:
        return v.norm(pow)
    if dim == 0:
        shape = (v.size(0),) + (1,) * (v.dim() - 1)
        return v.contiguous().view(v.size(0), -1).norm(pow, dim=1).view(shape)
    if dim == v.dim() - 1:
        shape = (1,) * (v.dim() - 1) + (v.size(-1),)
        return v.contiguous().view(-1, v.size(-1)).norm(pow, dim=0).view(shape)
    return norm_except_dim(v.transpose(0, dim), pow, 0).transpose(0, dim)


def _reduce_axes(ndim, dim):
    return tuple(i for i in range(ndim) if i != dim)


class WeightNormInterface(Op):
    """Fused ``g * v / ||v||`` for ``dim`` = first or last dim (PyTorch's fast path)."""

    saves_inputs = (0, 1)

    @staticmethod
    def forward(ctx, v, g, dim):
        xp = xp_of(v)
        acc = np.float32 if v.dtype.itemsize < 4 else v.dtype  # half types accumulate in float32
        vv = v.astype(acc, copy=False)
        norm = xp.sqrt(xp.sum(vv * vv, axis=_reduce_axes(v.ndim, dim), keepdims=True))
        ctx.dim = dim
        return (vv * (g.astype(acc, copy=False) / norm)).astype(v.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        v, g = ctx.saved_tensors
        axes = _reduce_axes(v.dim(), ctx.dim)
        norm = (v * v).sum(axes, keepdim=True).sqrt()
        # d/dg: <grad, v> / ||v||;  d/dv: (g/||v||) * (grad - v <grad, v> / ||v||^2)
        dot = (grad * v).sum(axes, keepdim=True)
        grad_g = (dot / norm).view(g.shape) if ctx.needs_input_grad[1] else None
        grad_v = (g.view(norm.shape) / norm) * (grad - v * (dot / (norm * norm))) \
            if ctx.needs_input_grad[0] else None
        return grad_v, grad_g, None


def _weight_norm(v, g, dim=0):
    """``v * (g / norm_except_dim(v, 2, dim))``."""
    if -1 < dim < v.dim() and (dim == 0 or dim == v.dim() - 1) and v.dim() > 0:
        if g.dim() != v.dim() and g.numel() == v.size(dim):
            shape = [1] * v.dim()
            shape[dim] = v.size(dim)
            g = g.view(shape)
        return WeightNormInterface.apply(v, g, dim)
    return v * (g / norm_except_dim(v, 2, dim))
