"""Distances and normalisation: pairwise_distance, cosine_similarity, pdist, cdist, normalize, one_hot."""
import math

from .. import _dtype as dt
from .._backend import np
from .._tensor import Tensor
from ..autograd.function import Op
from ._common import xp_of
from .shape import broadcast_tensors

# cdist is torch.cdist only (not in torch.nn.functional); ember/__init__ exports it.
__all__ = ["pairwise_distance", "cosine_similarity", "pdist", "normalize", "one_hot"]
METHODS = []


def _norm_array(xp, a, p, axis, keepdims):
    absx = xp.abs(a)
    if p == 2:
        return xp.sqrt((a * a).sum(axis=axis, keepdims=keepdims))
    if p == 1:
        return absx.sum(axis=axis, keepdims=keepdims)
    if p == math.inf:
        return absx.max(axis=axis, keepdims=keepdims, initial=0)
    if p == -math.inf:
        return absx.min(axis=axis, keepdims=keepdims)
    if p == 0:
        return (a != 0).sum(axis=axis, keepdims=keepdims).astype(a.dtype)
    return (absx ** p).sum(axis=axis, keepdims=keepdims) ** (1.0 / p)


class Norm(Op):
    """The p-norm along one dim (grad_fn NormBackward1, as torch.norm(x, p, dim))."""
    saves_inputs = (0,)
    saves_output = True

    def name(self):
        return "NormBackward1"

    @staticmethod
    def forward(ctx, a, p, dim, keepdim):
        ctx.p, ctx.dim, ctx.keepdim = p, dim, keepdim
        return _norm_array(xp_of(a), a, p, dim, keepdim).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, norm = ctx.saved_tensors
        p, dim = ctx.p, ctx.dim
        if not ctx.keepdim:
            g = g.unsqueeze(dim)
            norm = norm.unsqueeze(dim)
        if p == 0:
            return x * 0, None, None, None
        if p == 1:
            return g * x.sign(), None, None, None
        zero = _mask(norm._data == 0, x)
        if p == 2:
            # d||x|| / dx = x / ||x||, taken as 0 where ||x|| = 0 (PyTorch's subgradient)
            return g * x / (norm + zero) * (1 - zero), None, None, None
        if p in (math.inf, -math.inf):
            # The gradient is shared evenly by the entries that attain the max (min).
            hit = _mask(np.abs(x._data) == norm._data, x)
            count = hit.sum(dim, keepdim=True)
            return g * x.sign() * hit / count, None, None, None
        # d||x||_p / dx = x |x|^(p-2) / ||x||^(p-1)
        grad = x * x.abs().pow(p - 2) / (norm + zero).pow(p - 1) * (1 - zero)
        return g * grad, None, None, None


def _mask(array, like):
    return Tensor._make(array.astype(like._data.dtype, copy=False))


def _norm(x, p, dim, keepdim=False):
    return Norm.apply(x, float(p), dim % max(x.dim(), 1), keepdim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """|| x1 - x2 + eps ||_p over the last dimension."""
    out_dim = max(x1.dim(), x2.dim())
    diff = x1 - x2 + eps
    if out_dim == 0:
        return diff.abs() if p != 0 else (diff != 0).to(diff.dtype)
    return _norm(diff, p, out_dim - 1, keepdim)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum(x1 * x2) / (max(||x1||, eps) * max(||x2||, eps)) along ``dim`` (inputs broadcast)."""
    if x1.shape != x2.shape:
        x1, x2 = broadcast_tensors(x1, x2)
    n1 = _norm(x1, 2, dim, True).clamp_min(eps)
    n2 = _norm(x2, 2, dim, True).clamp_min(eps)
    # NOTE: normalising each side first (x / ||x||) is better conditioned than dividing the dot product.
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(||input||_p, eps) along ``dim``."""
    denom = _norm(input, p, dim, True).clamp_min(eps).expand_as(input)
    result = input / denom
    if out is not None:
        out.copy_(result)
        return out
    return result


def pdist(input, p=2):
    """Distances between all row pairs i < j of an (N, M) input, in row-major pair order."""
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    n = input.shape[0]
    if n < 2:
        return input.new_empty((0,))
    i, j = np.triu_indices(n, 1)
    diff = input[Tensor._make(i)] - input[Tensor._make(j)]
    return _norm(diff, p, 1)


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """Distances between each row of x1 (..., P, M) and each row of x2 (..., R, M)."""
    if x1.dim() < 2 or x2.dim() < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {x1.dim()}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} "
                           f"X2: {x2.shape[-1]}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    modes = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist")
    if compute_mode not in modes:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    rows, cols = x1.shape[-2], x2.shape[-2]
    use_mm = p == 2 and (compute_mode == "use_mm_for_euclid_dist"
                         or (compute_mode == modes[0] and (rows > 25 or cols > 25)))
    if use_mm:
        # ||a - b||^2 = ||a||^2 - 2 a.b + ||b||^2: one GEMM instead of a (P, R, M) difference tensor.
        sq1 = (x1 * x1).sum(-1, keepdim=True)
        sq2 = (x2 * x2).sum(-1, keepdim=True)
        d2 = sq1 - 2 * x1.matmul(x2.transpose(-1, -2)) + sq2.transpose(-1, -2)
        return d2.clamp_min(0).sqrt()
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    return _norm(diff, p, -1)


def one_hot(tensor, num_classes=-1):
    """(*,) int64 class indices -> (*, num_classes) int64 one-hot."""
    if tensor.dtype != dt.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    a = tensor._data
    xp = xp_of(a)
    if num_classes == -1:
        if a.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(a.max()) + 1
    if a.size:
        if int(a.min()) < 0:
            raise RuntimeError("Class values must be non-negative.")
        if int(a.max()) >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    out = xp.zeros(a.shape + (num_classes,), dtype=np.int64)
    xp.put_along_axis(out, a[..., None], 1, axis=-1)
    return Tensor._make(out)
