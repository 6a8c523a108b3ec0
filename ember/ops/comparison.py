"""Comparisons, logical and bitwise ops, and the isnan/isinf family (never differentiable)."""
from .. import _dtype as dt
from .._backend import np
from .._tensor import Tensor
from ..autograd.function import Op
from ._common import promote, write_out, xp_of
from ._elementwise import _binary_args

ndarray = np.ndarray


def _comparison(ufunc_name, symbol):
    class Compare(Op):
        differentiable = False

        @staticmethod
        def forward(ctx, a, b):
            a, b = promote(a, b)
            xp = xp_of(a if isinstance(a, ndarray) else b)
            return getattr(xp, ufunc_name)(a, b)
    Compare.__name__ = Compare.__qualname__ = ufunc_name.title().replace("_", "")
    return Compare


Eq = _comparison("equal", "==")
Ne = _comparison("not_equal", "!=")
Lt = _comparison("less", "<")
Le = _comparison("less_equal", "<=")
Gt = _comparison("greater", ">")
Ge = _comparison("greater_equal", ">=")


def _logical(ufunc_name):
    class Logical(Op):
        differentiable = False

        @staticmethod
        def forward(ctx, a, b):
            xp = xp_of(a if isinstance(a, ndarray) else b)
            return getattr(xp, ufunc_name)(a, b)
    Logical.__name__ = ufunc_name
    return Logical


LogicalAnd = _logical("logical_and")
LogicalOr = _logical("logical_or")
LogicalXor = _logical("logical_xor")


def _bitwise(ufunc_name, op_name):
    class Bitwise(Op):
        differentiable = False

        @staticmethod
        def forward(ctx, a, b):
            for v in (a, b):
                if isinstance(v, float) or (isinstance(v, ndarray) and v.dtype.kind in "fc"):
                    raise RuntimeError(f"\"{op_name}_cpu\" not implemented for 'Float'")
            a, b = promote(a, b)
            xp = xp_of(a if isinstance(a, ndarray) else b)
            return getattr(xp, ufunc_name)(a, b)
    Bitwise.__name__ = ufunc_name
    return Bitwise


BitwiseAnd = _bitwise("bitwise_and", "bitwise_and")
BitwiseOr = _bitwise("bitwise_or", "bitwise_or")
BitwiseXor = _bitwise("bitwise_xor", "bitwise_xor")
LeftShift = _bitwise("left_shift", "lshift")
RightShift = _bitwise("right_shift", "rshift")


class LogicalNot(Op):
    differentiable = False

    @staticmethod
    def forward(ctx, a):
        return xp_of(a).logical_not(a)


class BitwiseNot(Op):
    differentiable = False

    @staticmethod
    def forward(ctx, a):
        if a.dtype.kind == "f":
            raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
        return xp_of(a).invert(a)


def _float_class_test(a, ufunc_name, integer_answer):
    """``ufunc_name`` on floating/complex ``a``; integers and bools are never nan or inf, so
    every element of those gets ``integer_answer``."""
    xp = xp_of(a)
    if a.dtype.kind in "fc" or a.dtype == dt.bfloat16.np_dtype:
        return getattr(xp, ufunc_name)(a)
    return (xp.ones if integer_answer else xp.zeros)(a.shape, bool)


class IsNan(Op):
    differentiable = False

    @staticmethod
    def forward(ctx, a):
        return _float_class_test(a, "isnan", False)


class IsInf(Op):
    differentiable = False

    @staticmethod
    def forward(ctx, a):
        return _float_class_test(a, "isinf", False)


class IsFinite(Op):
    differentiable = False

    @staticmethod
    def forward(ctx, a):
        return _float_class_test(a, "isfinite", True)


class SignBit(Op):
    differentiable = False

    @staticmethod
    def forward(ctx, a):
        return xp_of(a).signbit(a)


def _compare_fn(name, op):
    def fn(input, other, *, out=None):
        input, other = _binary_args(name, input, other)
        if not isinstance(input, Tensor):
            input, other = other, input
            return write_out(out, _SWAPPED[op].apply(input, other))
        return write_out(out, op.apply(input, other))
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise ``input {name} other`` as a bool tensor."
    return fn


_SWAPPED = {Eq: Eq, Ne: Ne, Lt: Gt, Gt: Lt, Le: Ge, Ge: Le}
eq = _compare_fn("eq", Eq)
ne = _compare_fn("ne", Ne)
lt = _compare_fn("lt", Lt)
le = _compare_fn("le", Le)
gt = _compare_fn("gt", Gt)
ge = _compare_fn("ge", Ge)
not_equal, less, less_equal, greater, greater_equal = ne, lt, le, gt, ge


def _logical_fn(name, op):
    def fn(input, other, *, out=None):
        input, other = _binary_args(name, input, other)
        if not isinstance(input, Tensor):
            input, other = other, input
        return write_out(out, op.apply(input, other))
    fn.__name__ = fn.__qualname__ = name
    return fn


logical_and = _logical_fn("logical_and", LogicalAnd)
logical_or = _logical_fn("logical_or", LogicalOr)
logical_xor = _logical_fn("logical_xor", LogicalXor)
bitwise_and = _logical_fn("bitwise_and", BitwiseAnd)
bitwise_or = _logical_fn("bitwise_or", BitwiseOr)
bitwise_xor = _logical_fn("bitwise_xor", BitwiseXor)
bitwise_left_shift = _logical_fn("bitwise_left_shift", LeftShift)
bitwise_right_shift = _logical_fn("bitwise_right_shift", RightShift)


def logical_not(input, *, out=None):
    return write_out(out, LogicalNot.apply(input))


def bitwise_not(input, *, out=None):
    return write_out(out, BitwiseNot.apply(input))


def isnan(input):
    return IsNan.apply(input)


def isinf(input):
    return IsInf.apply(input)


def isfinite(input):
    return IsFinite.apply(input)


def isposinf(input):
    return IsInf.apply(input) & (input > 0)


def isneginf(input):
    return IsInf.apply(input) & (input < 0)


def isreal(input):
    return IsFinite.apply(input) | ~IsFinite.apply(input)


def signbit(input):
    return SignBit.apply(input)


__all__ = [
    "eq", "ne", "lt", "le", "gt", "ge", "not_equal", "less", "less_equal", "greater", "greater_equal",
    "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor",
    "bitwise_not", "bitwise_left_shift", "bitwise_right_shift", "isnan", "isinf", "isfinite", "isposinf",
    "isneginf", "isreal", "signbit"
]
