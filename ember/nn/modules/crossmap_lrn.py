"""CrossMapLRN2d: the legacy (Lua Torch) cross-channel local response normalization."""
from ...ops.crossmap_lrn import CrossMapLRN2d as _cross_map_lrn2d
from .module import Module

__all__ = ["CrossMapLRN2d"]


class CrossMapLRN2d(Module):
    """Cross-channel LRN over (N, C, H, W): x / (k + alpha/size * sum of x^2 over nearby channels)^beta.

    Args:
        size (int): channels in the window. alpha (float, 1e-4). beta (float, 0.75). k (float, 1).
    """

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1):
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input):
        return _cross_map_lrn2d.apply(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
