"""RReLU: randomized leaky ReLU (random negative slope while training)."""
from ...ops.rrelu import rrelu
from .module import Module

__all__ = ["RReLU"]


class RReLU(Module):
    """x if x >= 0 else a * x; a ~ U(lower, upper) per element in training, (lower + upper) / 2 in eval.

    Args:
        lower (float): lower bound of the slope (1/8). upper (float): upper bound (1/3).
        inplace (bool): modify the input in place (False).
    """

    def __init__(self, lower=1.0 / 8, upper=1.0 / 3, inplace=False):
        super().__init__()
        self.lower = lower
        self.upper = upper
        self.inplace = inplace

    def forward(self, input):
        return rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self):
        return f"lower={self.lower}, upper={self.upper}" + (", inplace=True" if self.inplace else "")
