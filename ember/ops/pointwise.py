"""Elementwise ops. Each family lives in its own file; this module gathers them under the
one name the rest of ember (and Tensor method binding) imports from.

- arithmetic.py: + - * / pow, atan2, maximum/minimum, fmod/remainder, lerp, hypot, composites
- comparison.py: comparisons, logical and bitwise ops, isnan/isinf/isfinite/signbit
- unary_math.py: neg/abs/sign, exp/log, roots, trigonometric, hyperbolic, sigmoid, rounding
- error_function.py: erf, erfc, erfinv
- clamp_where.py: clamp, where, nan_to_num, relu, and the copy_/fill_ kernels
"""
from . import arithmetic, comparison, unary_math, error_function, clamp_where
from ._elementwise import _binary_args, _raise_broadcast, _unary, raise_broadcast_error  # noqa: F401
from .arithmetic import *  # noqa: F401,F403
from .comparison import *  # noqa: F401,F403
from .unary_math import *  # noqa: F401,F403
from .error_function import *  # noqa: F401,F403
from .clamp_where import *  # noqa: F401,F403
# Op classes (their names are grad_fn names) and the helpers other modules import from here.
from .arithmetic import Add, Sub, RSub, Mul, Div, Pow, Atan2, Maximum, Minimum, Fmod, Remainder, Lerp, Hypot
from .comparison import (  # noqa: F401
    Eq, Ne, Lt, Le, Gt, Ge, LogicalAnd, LogicalOr, LogicalXor, BitwiseAnd, BitwiseOr, BitwiseXor, LeftShift,
    RightShift, LogicalNot, BitwiseNot, IsNan, IsInf, IsFinite, SignBit
)
from .unary_math import (  # noqa: F401
    Neg, _reject_bool, Abs, Sign, Sgn, Exp, Exp2, Expm1, Log, Log2, Log10, Log1p, Sqrt, Rsqrt, Square,
    Reciprocal, Sin, Cos, Tan, Asin, Acos, Atan, Sinh, Cosh, Tanh, Asinh, Acosh, Atanh, Sigmoid, Floor, Ceil,
    Trunc, Round, Frac
)
from .error_function import _erf_array, _erfc_array, _erf_numpy, _erfc_numpy, Erf, Erfc, Erfinv
from .clamp_where import Clamp, Where, NanToNum, Copy, Fill, Relu, ThresholdBackward

__all__ = [*arithmetic.__all__, *comparison.__all__, *unary_math.__all__, *error_function.__all__,
           *clamp_where.__all__]

# Ops that also have an in-place Tensor method ``name_``.
INPLACE = {
    "add": Add, "sub": Sub, "mul": Mul, "div": Div, "pow": Pow, "atan2": Atan2, "fmod": Fmod,
    "remainder": Remainder, "lerp": Lerp, "neg": Neg, "abs": Abs, "sign": Sign, "exp": Exp, "exp2": Exp2,
    "expm1": Expm1, "log": Log, "log2": Log2, "log10": Log10, "log1p": Log1p, "sqrt": Sqrt,
    "rsqrt": Rsqrt, "square": Square, "reciprocal": Reciprocal, "sin": Sin, "cos": Cos, "tan": Tan,
    "asin": Asin, "acos": Acos, "atan": Atan, "sinh": Sinh, "cosh": Cosh, "tanh": Tanh, "asinh": Asinh,
    "acosh": Acosh, "atanh": Atanh, "sigmoid": Sigmoid, "erf": Erf, "erfc": Erfc, "erfinv": Erfinv,
    "floor": Floor, "ceil": Ceil, "trunc": Trunc, "frac": Frac, "round": Round, "clamp": Clamp,
    "nan_to_num": NanToNum, "copy": Copy, "fill": Fill, "hypot": Hypot,
    "eq": Eq, "ne": Ne, "lt": Lt, "le": Le, "gt": Gt, "ge": Ge,
    "logical_and": LogicalAnd, "logical_or": LogicalOr, "logical_xor": LogicalXor,
    "logical_not": LogicalNot, "bitwise_and": BitwiseAnd, "bitwise_or": BitwiseOr,
    "bitwise_xor": BitwiseXor, "bitwise_not": BitwiseNot, "maximum": Maximum, "minimum": Minimum,
}
