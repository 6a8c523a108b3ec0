"""Elementwise ops: arithmetic, comparisons, and unary math. Forward beside backward."""
import math
import numbers

from .. import _dtype as dt
from .._backend import np
from .._tensor import Tensor
from ..autograd.function import Op
from . import _parallel
from ._common import _cast, floating, promote, result_dtype, type_word, write_out, xp_of

ndarray = np.ndarray


def _t(x):
    """A Python scalar or tensor, as given to ops (for backward rules that mix them)."""
    return x


# ---------------------------------------------------------------------------------------
# Binary arithmetic
# ---------------------------------------------------------------------------------------

def _check_bool_sub(a, b):
    a_bool = getattr(a, "dtype", None) == np.bool_ or isinstance(a, bool)
    b_bool = getattr(b, "dtype", None) == np.bool_ or isinstance(b, bool)
    if a_bool and b_bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    if a_bool or b_bool:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.")


def _inplace_ufunc(ufunc):
    """A no-grad in-place kernel: ``ufunc(x, y, out=x)`` when the result type fits x."""
    def forward_inplace(x, y, alpha=1):
        if alpha != 1:
            return False
        rd = result_dtype(x, y)
        if rd.np_dtype != x.dtype:
            if not dt.can_cast(rd, dt._BY_NP[x.dtype]):
                raise RuntimeError(f"result type {type_word(rd)} can't be cast to the desired output type "
                                   f"{type_word(dt._BY_NP[x.dtype])}")
            return False
        yd = getattr(y, "shape", ())
        if yd != x.shape and np.broadcast_shapes(x.shape, yd) != x.shape:
            return False
        ufunc(x, y if type(y) is not ndarray or y.dtype == x.dtype else y.astype(x.dtype), out=x)
        return True
    return forward_inplace


class Add(Op):
    forward_inplace = staticmethod(_inplace_ufunc(np.add))

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        ctx.alpha = alpha
        a, b = promote(a, b)
        if alpha != 1:
            b = b * alpha
        elif type(a) is ndarray and a.size >= _parallel.PARALLEL_MIN:
            out = _parallel.binary(np.add, a, b)
            if out is not None:
                return out
        return a + b

    @staticmethod
    def backward(ctx, g):
        # d(a + alpha*b) = da + alpha*db
        return g, (g if ctx.alpha == 1 else g * ctx.alpha), None


class Sub(Op):
    forward_inplace = staticmethod(_inplace_ufunc(np.subtract))

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        _check_bool_sub(a, b)
        ctx.alpha = alpha
        a, b = promote(a, b)
        if alpha != 1:
            b = b * alpha
        elif type(a) is ndarray and a.size >= _parallel.PARALLEL_MIN:
            out = _parallel.binary(np.subtract, a, b)
            if out is not None:
                return out
        return a - b

    @staticmethod
    def backward(ctx, g):
        return g, (-g if ctx.alpha == 1 else g * (-ctx.alpha)), None


class RSub(Op):
    """other - alpha * input (for ``scalar - tensor``)."""

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        _check_bool_sub(a, b)
        ctx.alpha = alpha
        ctx._grad_fn_name = "RsubBackward0" if hasattr(b, "dtype") else "RsubBackward1"  # tensor / scalar overload
        a, b = promote(a, b)
        return b - (a * alpha if alpha != 1 else a)

    @staticmethod
    def backward(ctx, g):
        return (-g if ctx.alpha == 1 else g * (-ctx.alpha)), g, None


class Mul(Op):
    saves_inputs = (0, 1)
    forward_inplace = staticmethod(_inplace_ufunc(np.multiply))

    @staticmethod
    def forward(ctx, a, b):
        a, b = promote(a, b)
        if type(a) is ndarray and a.size >= _parallel.PARALLEL_MIN:
            out = _parallel.binary(np.multiply, a, b)
            if out is not None:
                return out
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        # complex inputs: PyTorch's gradients are conjugate Wirtinger, d(ab)/da -> conj(b)
        return (g * _conj_if_complex(b) if ctx.needs_input_grad[0] else None,
                g * _conj_if_complex(a) if ctx.needs_input_grad[1] else None)


def _conj_if_complex(x):
    if isinstance(x, Tensor):
        return x.conj() if x._data.dtype.kind == "c" else x
    return x.conjugate() if isinstance(x, complex) else x


class Div(Op):
    saves_inputs = (0, 1)

    @staticmethod
    def forward(ctx, a, b, rounding_mode=None):
        ctx.rounding_mode = rounding_mode
        if rounding_mode is None:
            target = result_dtype(a, b)
            if target.category < dt.FLOAT:
                target = dt.get_default_dtype()
            a, b = _cast(a, target.np_dtype), _cast(b, target.np_dtype)
            xp = xp_of(a if isinstance(a, ndarray) else b)
            with np.errstate(divide="ignore", invalid="ignore"):
                return xp.true_divide(a, b)
        a, b = promote(a, b)
        xp = xp_of(a if isinstance(a, ndarray) else b)
        is_int = getattr(a, "dtype", np.dtype(type(a))).kind in "iub" if isinstance(a, ndarray) else \
            getattr(b, "dtype", np.dtype("f")).kind in "iub"
        if is_int and xp.any(xp.asarray(b) == 0):
            raise RuntimeError("ZeroDivisionError")
        with np.errstate(divide="ignore", invalid="ignore"):
            if rounding_mode == "trunc":
                if is_int:
                    q = xp.floor_divide(a, b)
                    r = xp.remainder(a, b)
                    # floor differs from trunc when the signs differ and the division is inexact
                    return q + ((r != 0) & ((xp.asarray(a) < 0) != (xp.asarray(b) < 0)))
                return xp.trunc(xp.true_divide(a, b))
            if rounding_mode == "floor":
                if is_int:
                    return xp.floor_divide(a, b)
                return xp.floor(xp.true_divide(a, b))
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                           f"'{rounding_mode}'")

    @staticmethod
    def forward_inplace(x, y, rounding_mode=None):
        if rounding_mode is not None or x.dtype.kind not in "f":
            if rounding_mode is None and x.dtype.kind in "iub":
                raise RuntimeError(f"result type Float can't be cast to the desired output type "
                                   f"{type_word(dt._BY_NP[x.dtype])}")
            return False
        rd = result_dtype(x, y)
        if rd.np_dtype != x.dtype:
            return False
        yd = getattr(y, "shape", ())
        if yd != x.shape and np.broadcast_shapes(x.shape, yd) != x.shape:
            return False
        np.true_divide(x, y, out=x)
        return True

    @staticmethod
    def backward(ctx, g):
        if ctx.rounding_mode is not None:
            return g * 0, (g * 0 if ctx.needs_input_grad[1] else None), None
        a, b = ctx.saved_tensors
        # d(a/b) = da/b - a db / b^2
        ga = g / _conj_if_complex(b) if ctx.needs_input_grad[0] else None
        gb = -g * _conj_if_complex(a / (b * b)) if ctx.needs_input_grad[1] else None
        return ga, gb, None


class Pow(Op):
    saves_inputs = (0, 1)
    saves_output = True

    @staticmethod
    def forward(ctx, a, b):
        a, b = promote(a, b)
        xp = xp_of(a if isinstance(a, ndarray) else b)
        if isinstance(a, ndarray) and a.dtype.kind in "iu":
            bb = xp.asarray(b)
            if bb.dtype.kind in "iu" and xp.any(bb < 0):
                raise RuntimeError("Integers to negative integer powers are not allowed.")
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return xp.power(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        ga = gb = None
        if ctx.needs_input_grad[0]:
            if isinstance(b, numbers.Number):
                # d/da a^b = b a^(b-1); b == 0 gives 0 everywhere (even at a = 0)
                ga = g * 0 if b == 0 else g * (b * a ** (b - 1))
            else:
                ga = where(b == 0, 0.0, g * b * a ** (b - 1))
        if ctx.needs_input_grad[1]:
            # d/db a^b = a^b log(a); at a = 0 and b >= 0 PyTorch defines it as 0
            if isinstance(a, numbers.Number):
                gb = g * out * math.log(a) if a > 0 else g * out * float("nan") if a < 0 else \
                    where(b >= 0, 0.0, g * out * float("-inf"))
            else:
                gb = where((a == 0) & (b >= 0), 0.0, g * out * log(a))
        return ga, gb


class Atan2(Op):
    saves_inputs = (0, 1)

    @staticmethod
    def forward(ctx, a, b):
        a, b = promote(floating(a), floating(b))
        return xp_of(a).arctan2(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        denom = a * a + b * b
        return g * b / denom, -g * a / denom


class Maximum(Op):
    saves_inputs = (0, 1)

    @staticmethod
    def forward(ctx, a, b):
        a, b = promote(a, b)
        return xp_of(a).maximum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        # ties split the gradient evenly, as in PyTorch
        mask_a = (a > b).to(g.dtype) + (a == b).to(g.dtype) * 0.5
        return g * mask_a, g * (1 - mask_a)


class Minimum(Op):
    saves_inputs = (0, 1)

    @staticmethod
    def forward(ctx, a, b):
        a, b = promote(a, b)
        return xp_of(a).minimum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        mask_a = (a < b).to(g.dtype) + (a == b).to(g.dtype) * 0.5
        return g * mask_a, g * (1 - mask_a)


class Fmod(Op):
    saves_inputs = (0, 1)

    @staticmethod
    def forward(ctx, a, b):
        a, b = promote(a, b)
        xp = xp_of(a if isinstance(a, ndarray) else b)
        if getattr(a, "dtype", None) is not None and a.dtype.kind in "iu" and xp.any(xp.asarray(b) == 0):
            raise RuntimeError("ZeroDivisionError")
        with np.errstate(divide="ignore", invalid="ignore"):
            return xp.fmod(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        gb = None
        if ctx.needs_input_grad[1]:
            gb = -g * div(a, b, rounding_mode="trunc")
        return g, gb


class Remainder(Op):
    saves_inputs = (0, 1)

    @staticmethod
    def forward(ctx, a, b):
        a, b = promote(a, b)
        xp = xp_of(a if isinstance(a, ndarray) else b)
        if getattr(a, "dtype", None) is not None and a.dtype.kind in "iu" and xp.any(xp.asarray(b) == 0):
            raise RuntimeError("ZeroDivisionError")
        with np.errstate(divide="ignore", invalid="ignore"):
            return xp.remainder(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        gb = None
        if ctx.needs_input_grad[1]:
            gb = -g * div(a, b, rounding_mode="floor")
        return g, gb


class Lerp(Op):
    saves_inputs = (0, 1, 2)

    @staticmethod
    def forward(ctx, start, end, weight):
        start, end = promote(start, end)
        return start + weight * (end - start)

    @staticmethod
    def backward(ctx, g):
        start, end, weight = ctx.saved_tensors
        gw = g * (end - start) if ctx.needs_input_grad[2] else None
        return g * (1 - weight), g * weight, gw


class Hypot(Op):
    saves_inputs = (0, 1)
    saves_output = True

    @staticmethod
    def forward(ctx, a, b):
        a, b = promote(a, b)
        return xp_of(a).hypot(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        return g * a / out, g * b / out


# ---------------------------------------------------------------------------------------
# Comparisons and logical ops (never differentiable)
# ---------------------------------------------------------------------------------------

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


class IsNan(Op):
    differentiable = False

    @staticmethod
    def forward(ctx, a):
        return xp_of(a).isnan(a) if a.dtype.kind in "fc" or a.dtype == dt.bfloat16.np_dtype \
            else xp_of(a).zeros(a.shape, bool)


class IsInf(Op):
    differentiable = False

    @staticmethod
    def forward(ctx, a):
        return xp_of(a).isinf(a) if a.dtype.kind in "fc" or a.dtype == dt.bfloat16.np_dtype \
            else xp_of(a).zeros(a.shape, bool)


class IsFinite(Op):
    differentiable = False

    @staticmethod
    def forward(ctx, a):
        return xp_of(a).isfinite(a) if a.dtype.kind in "fc" or a.dtype == dt.bfloat16.np_dtype \
            else xp_of(a).ones(a.shape, bool)


class SignBit(Op):
    differentiable = False

    @staticmethod
    def forward(ctx, a):
        return xp_of(a).signbit(a)


# ---------------------------------------------------------------------------------------
# Unary math
# ---------------------------------------------------------------------------------------

class Neg(Op):
    @staticmethod
    def forward_inplace(x):
        if x.dtype == np.bool_:
            return False
        np.negative(x, out=x)
        return True

    @staticmethod
    def forward(ctx, a):
        if a.dtype == np.bool_:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are "
                               "trying to invert a mask, use the `~` or `logical_not()` operator instead.")
        return -a

    @staticmethod
    def backward(ctx, g):
        return -g


def _reject_bool(a, kernel):
    if a.dtype == np.bool_:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


class Abs(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        _reject_bool(a, "abs_cpu")
        return xp_of(a).abs(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * a.sign()


class Sign(Op):
    @staticmethod
    def forward(ctx, a):
        if a.dtype == np.bool_:
            return a.copy()
        xp = xp_of(a)
        out = xp.sign(a)
        if a.dtype.kind == "f":
            out = xp.where(out != out, out.dtype.type(0), out)  # PyTorch: sign(nan) = 0
        return out

    @staticmethod
    def backward(ctx, g):
        return g * 0


class Sgn(Sign):
    pass


class Exp(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, a):
        a = floating(a)
        if type(a) is ndarray and a.size >= _parallel.PARALLEL_MIN:
            out = _parallel.unary(np.exp, a, {"over": "ignore"})
            if out is not None:
                return out
        with np.errstate(over="ignore"):
            return xp_of(a).exp(a)

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out


class Exp2(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, a):
        with np.errstate(over="ignore"):
            return xp_of(a).exp2(floating(a))

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out * math.log(2.0)


class Expm1(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, a):
        with np.errstate(over="ignore"):
            return xp_of(a).expm1(floating(a))

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (out + 1)


class Log(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        with np.errstate(divide="ignore", invalid="ignore"):
            return xp_of(a).log(floating(a))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / a


class Log2(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        with np.errstate(divide="ignore", invalid="ignore"):
            return xp_of(a).log2(floating(a))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (a * math.log(2.0))


class Log10(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        with np.errstate(divide="ignore", invalid="ignore"):
            return xp_of(a).log10(floating(a))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (a * math.log(10.0))


class Log1p(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        with np.errstate(divide="ignore", invalid="ignore"):
            return xp_of(a).log1p(floating(a))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (a + 1)


class Sqrt(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, a):
        with np.errstate(invalid="ignore"):
            return xp_of(a).sqrt(floating(a))

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g / (out * 2)


class Rsqrt(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, a):
        a = floating(a)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (1 / xp_of(a).sqrt(a)).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        # d/dx x^(-1/2) = -1/2 x^(-3/2) = -out^3 / 2
        return g * out * out * out * -0.5


class Square(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        if a.dtype == np.bool_:
            a = a.astype(np.int64)
        return a * a

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * 2 * a


class Reciprocal(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, a):
        a = floating(a)
        with np.errstate(divide="ignore"):
            return (1 / a).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return -g * out * out


class Sin(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        return xp_of(a).sin(floating(a))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * a.cos()


class Cos(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        return xp_of(a).cos(floating(a))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return -g * a.sin()


class Tan(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, a):
        return xp_of(a).tan(floating(a))

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (out * out + 1)


class Asin(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        with np.errstate(invalid="ignore"):
            return xp_of(a).arcsin(floating(a))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * (1 - a * a).rsqrt()


class Acos(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        with np.errstate(invalid="ignore"):
            return xp_of(a).arccos(floating(a))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return -g * (1 - a * a).rsqrt()


class Atan(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        return xp_of(a).arctan(floating(a))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (a * a + 1)


class Sinh(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        with np.errstate(over="ignore"):
            return xp_of(a).sinh(floating(a))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * a.cosh()


class Cosh(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        with np.errstate(over="ignore"):
            return xp_of(a).cosh(floating(a))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * a.sinh()


class Tanh(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, a):
        return xp_of(a).tanh(floating(a))

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        # d/dx tanh(x) = 1 - tanh(x)^2
        return g * (1 - out * out)


class Asinh(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        return xp_of(a).arcsinh(floating(a))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * (a * a + 1).rsqrt()


class Acosh(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        with np.errstate(invalid="ignore"):
            return xp_of(a).arccosh(floating(a))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * (a * a - 1).rsqrt()


class Atanh(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        with np.errstate(divide="ignore", invalid="ignore"):
            return xp_of(a).arctanh(floating(a))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (1 - a * a)


class Sigmoid(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, a):
        a = floating(a)
        xp = xp_of(a)
        # NOTE: written through exp(-|x|) so neither branch overflows for large |x|.
        e = xp.exp(-xp.abs(a))
        return xp.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out * (1 - out)


try:  # optional: SciPy's erf/erfc are faster; the NumPy versions below are as accurate
    from scipy.special import erf as _scipy_erf
    from scipy.special import erfc as _scipy_erfc
except ImportError:  # pragma: no cover - depends on the environment
    _scipy_erf = _scipy_erfc = None

_SQRT_PI = math.sqrt(math.pi)


def _erf_array(xp, a):
    if _scipy_erf is not None and type(a) is np.ndarray and a.dtype.kind == "f":
        return _scipy_erf(a).astype(a.dtype, copy=False)
    return _erf_numpy(xp, a)


def _erfc_array(xp, a):
    if _scipy_erfc is not None and type(a) is np.ndarray and a.dtype.kind == "f":
        return _scipy_erfc(a).astype(a.dtype, copy=False)
    return _erfc_numpy(xp, a)


def _exp_neg_square(xp, x):
    """exp(-x*x) without the rounding error of x*x: split x = hi + lo with hi*hi exact."""
    hi = x.astype(np.float32).astype(np.float64)
    with np.errstate(invalid="ignore"):  # at +-inf: hi*hi = inf and the correction is dropped
        correction = xp.where(xp.isfinite(x), (x - hi) * (x + hi), 0.0)
    return xp.exp(-hi * hi) * xp.exp(-correction)


def _erf_series(xp, x):
    """erf(x) = 2/sqrt(pi) e^(-x^2) sum_n (2x^2)^n x / (1*3*...*(2n+1)); all terms positive,
    so no cancellation; 40 terms reach float64 rounding for |x| < 2."""
    z = 2.0 * x * x
    term = xp.ones_like(x)
    total = xp.ones_like(x)
    for n in range(1, 40):
        term = term * z / (2 * n + 1)
        total = total + term
    return (2.0 / _SQRT_PI) * x * _exp_neg_square(xp, x) * total


def _erfc_continued_fraction(xp, x):
    """erfc(x) = e^(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))) for x >= 1.5,
    evaluated bottom-up at a fixed depth (80 levels reach float64 rounding there)."""
    t = x.copy()
    for k in range(80, 0, -1):
        t = x + (0.5 * k) / t
    return _exp_neg_square(xp, x) / (_SQRT_PI * t)


def _erf_numpy(xp, a):
    """erf in float64 to within a few ulps (series near 0, continued fraction in the tails)."""
    x = a.astype(np.float64)
    ax = xp.abs(x)
    out = xp.empty_like(x)
    small = ax < 2.0
    out[small] = _erf_series(xp, x[small])
    large = ~small  # includes NaN, which stays NaN
    tail = 1.0 - _erfc_continued_fraction(xp, ax[large])
    out[large] = xp.where(x[large] < 0, -tail, tail)
    return out.astype(a.dtype, copy=False)


def _erfc_numpy(xp, a):
    """erfc in float64, with relative accuracy in the right tail (no 1 - erf cancellation)."""
    x = a.astype(np.float64)
    out = xp.empty_like(x)
    tail = x >= 1.5  # NaN goes through the erf branch and stays NaN
    out[tail] = _erfc_continued_fraction(xp, x[tail])
    out[~tail] = 1.0 - _erf_numpy(xp, x[~tail])
    return out.astype(a.dtype, copy=False)


class Erf(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        a = floating(a)
        return _erf_array(xp_of(a), a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        # d/dx erf(x) = 2/sqrt(pi) exp(-x^2)
        return g * (2.0 / math.sqrt(math.pi)) * (-(a * a)).exp()


class Erfc(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        a = floating(a)
        return _erfc_array(xp_of(a), a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * (-2.0 / math.sqrt(math.pi)) * (-(a * a)).exp()


class Erfinv(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, a):
        a = floating(a)
        from scipy.special import erfinv as _erfinv
        return _erfinv(a).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (math.sqrt(math.pi) / 2) * (out * out).exp()


def _zero_grad_rounding(name, fn_name):
    class Rounding(Op):
        @staticmethod
        def forward(ctx, a):
            _reject_bool(a, fn_name + "_vml_cpu")
            if a.dtype.kind in "iub":
                return a.copy()
            return getattr(xp_of(a), fn_name)(a)

        @staticmethod
        def backward(ctx, g):
            # piecewise constant: zero gradient almost everywhere
            return g * 0
    Rounding.__name__ = Rounding.__qualname__ = name
    return Rounding


Floor = _zero_grad_rounding("Floor", "floor")
Ceil = _zero_grad_rounding("Ceil", "ceil")
Trunc = _zero_grad_rounding("Trunc", "trunc")


class Round(Op):
    @staticmethod
    def forward(ctx, a, decimals=0):
        _reject_bool(a, "round_vml_cpu")
        if a.dtype.kind in "iub":
            return a.copy()
        xp = xp_of(a)
        if decimals == 0:
            return xp.rint(a)  # round half to even, like PyTorch
        scale = 10.0 ** decimals
        return (xp.rint(a * scale) / scale).astype(a.dtype)

    @staticmethod
    def backward(ctx, g):
        return g * 0, None


class Frac(Op):
    @staticmethod
    def forward(ctx, a):
        with np.errstate(invalid="ignore"):  # frac(+-inf) is NaN, as in PyTorch, without a warning
            return a - xp_of(a).trunc(a)

    @staticmethod
    def backward(ctx, g):
        return g


class Clamp(Op):
    saves_inputs = (0, 1, 2)

    @staticmethod
    def forward(ctx, a, lo, hi):
        xp = xp_of(a)
        if not hasattr(lo, "dtype") and not hasattr(hi, "dtype"):
            ctx._grad_fn_name = "ClampBackward1"  # PyTorch's Scalar overload
        dtype = result_dtype(*(v for v in (a, lo, hi) if v is not None)).np_dtype
        out = a.astype(dtype, copy=False)
        if lo is not None:
            out = xp.maximum(out, lo if not isinstance(lo, ndarray) else lo.astype(dtype, copy=False))
        if hi is not None:
            out = xp.minimum(out, hi if not isinstance(hi, ndarray) else hi.astype(dtype, copy=False))
        if out is a:
            out = a.copy()
        return out.astype(dtype, copy=False)

    @staticmethod
    def forward_inplace(x, lo, hi):
        if any(isinstance(v, ndarray) for v in (lo, hi)) or x.dtype.kind != "f":
            return False
        np.clip(x, lo, hi, out=x)
        return True

    @staticmethod
    def backward(ctx, g):
        a, lo, hi = ctx.saved_tensors
        mask = None
        if lo is not None:
            mask = a >= lo
        if hi is not None:
            m = a <= hi
            mask = m if mask is None else mask & m
        ga = g * mask if mask is not None else g
        glo = ghi = None
        if isinstance(lo, Tensor) and ctx.needs_input_grad[1]:
            glo = g * (a < lo)
            if hi is not None:
                glo = glo * (lo <= hi)
        if isinstance(hi, Tensor) and ctx.needs_input_grad[2]:
            ghi = g * (a > hi) if lo is None else g * ((a > hi) | (lo > hi))
        return ga, glo, ghi


class Where(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, cond, a, b):
        if cond.dtype != np.bool_:
            if cond.dtype == np.uint8:
                cond = cond.astype(bool)
            else:
                raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with "
                                   f"dtype {type_word(dt._BY_NP[cond.dtype])}")
        scalars_only = not hasattr(a, "dtype") and not hasattr(b, "dtype")
        a, b = promote(a, b)
        xp = xp_of(cond)
        if scalars_only:  # where(c, 1.0, 0.0): Python floats give the default dtype, ints int64
            res = result_dtype(a, b)
            res = dt.get_default_dtype() if res.is_floating_point else res
            return xp.where(cond, xp.asarray(a, res.np_dtype), xp.asarray(b, res.np_dtype))
        return xp.where(cond, a, b)

    @staticmethod
    def backward(ctx, g):
        (cond,) = ctx.saved_tensors
        zero = g * 0
        return None, where(cond, g, zero), where(cond, zero, g)


def _bf16_finfo():
    import ml_dtypes
    return ml_dtypes.finfo(dt.bfloat16.np_dtype)


class NanToNum(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a, nan, posinf, neginf):
        if a.dtype.kind not in "f" and a.dtype != dt.bfloat16.np_dtype:
            return a.copy()
        xp = xp_of(a)
        info = np.finfo(a.dtype) if a.dtype.kind == "f" else _bf16_finfo()
        # NumPy's nan_to_num does not recognise bfloat16's NaN: replace in float32.
        src = a.astype(np.float32) if a.dtype == dt.bfloat16.np_dtype else a
        return xp.nan_to_num(src, nan=0.0 if nan is None else nan,
                             posinf=float(info.max) if posinf is None else posinf,
                             neginf=float(info.min) if neginf is None else neginf).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * a.isfinite(), None, None, None


class Copy(Op):
    """The value of ``src`` broadcast to ``self``'s shape and cast to its dtype (for copy_)."""

    @staticmethod
    def forward(ctx, self, src):
        xp = xp_of(self)
        if isinstance(src, ndarray) or hasattr(src, "shape"):
            return xp.broadcast_to(xp.asarray(src).astype(self.dtype, copy=False), self.shape).copy()
        return xp.full(self.shape, src, dtype=self.dtype)

    @staticmethod
    def forward_inplace(x, src):
        np.copyto(x, src, casting="unsafe")
        return True

    @staticmethod
    def backward(ctx, g):
        return g * 0, g


class Fill(Op):
    @staticmethod
    def forward(ctx, self, value):
        return xp_of(self).full(self.shape, value, dtype=self.dtype)

    @staticmethod
    def forward_inplace(x, value):
        if isinstance(value, ndarray):
            if value.ndim != 0:
                raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                                   f"{value.ndim} dimensions.")
        x.fill(value)
        return True

    @staticmethod
    def backward(ctx, g):
        return g * 0, (g.sum() if ctx.needs_input_grad[1] else None)


# ---------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------

def _check_alpha(a, b, alpha):
    if alpha != 1 and isinstance(alpha, float):
        rd = result_dtype(a, b)
        if rd.category < dt.FLOAT:
            raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")


def _binary_args(name, a, b):
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        if isinstance(a, numbers.Number) and isinstance(b, numbers.Number):
            from .creation import scalar_tensor
            a = scalar_tensor(a)
        else:
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(a).__name__}")
    if not isinstance(b, (Tensor, numbers.Number)):
        if isinstance(b, (list, tuple)) or hasattr(b, "__array__"):
            from .creation import tensor as _tensor
            b = _tensor(b)
        else:
            raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not {type(b).__name__}")
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        sa, sb = a._data.shape, b._data.shape
        if sa != sb:
            try:
                np.broadcast_shapes(sa, sb)
            except ValueError:
                _raise_broadcast(sa, sb)
    return a, b


def _raise_broadcast(sa, sb):
    # Find the first mismatching dimension from the right, as PyTorch reports it.
    n = max(len(sa), len(sb))
    pa = (1,) * (n - len(sa)) + tuple(sa)
    pb = (1,) * (n - len(sb)) + tuple(sb)
    for i in range(n - 1, -1, -1):
        if pa[i] != pb[i] and pa[i] != 1 and pb[i] != 1:
            raise RuntimeError(f"The size of tensor a ({pa[i]}) must match the size of tensor b ({pb[i]}) "
                               f"at non-singleton dimension {i}")
    raise RuntimeError(f"shapes {list(sa)} and {list(sb)} cannot be broadcast")


raise_broadcast_error = _raise_broadcast


def add(input, other, *, alpha=1, out=None):
    input, other = _binary_args("add", input, other)
    if alpha != 1:
        _check_alpha(input, other, alpha)
    if not isinstance(input, Tensor):
        return write_out(out, RSub.apply(other, input, -alpha) if alpha != 1 else Add.apply(other, input))
    return write_out(out, Add.apply(input, other, alpha) if alpha != 1 else Add.apply(input, other))


def sub(input, other, *, alpha=1, out=None):
    input, other = _binary_args("sub", input, other)
    if alpha != 1:
        _check_alpha(input, other, alpha)
    if not isinstance(input, Tensor):
        return write_out(out, RSub.apply(other, input, alpha))
    return write_out(out, Sub.apply(input, other, alpha) if alpha != 1 else Sub.apply(input, other))


subtract = sub


def rsub(input, other, *, alpha=1):
    return RSub.apply(input, other, alpha)


def mul(input, other, *, out=None):
    input, other = _binary_args("mul", input, other)
    if not isinstance(input, Tensor):
        input, other = other, input
    return write_out(out, Mul.apply(input, other))


multiply = mul


def div(input, other, *, rounding_mode=None, out=None):
    input, other = _binary_args("div", input, other)
    if rounding_mode is None:
        return write_out(out, Div.apply(input, other))
    return write_out(out, Div.apply(input, other, rounding_mode))


divide = div
true_divide = div


def floor_divide(input, other, *, out=None):
    return div(input, other, rounding_mode="floor", out=out)


def pow(input, exponent, *, out=None):
    if not isinstance(input, Tensor):
        if not isinstance(exponent, Tensor):
            raise TypeError("pow(): expected a Tensor argument")
        return write_out(out, Pow.apply(input, exponent))
    input, exponent = _binary_args("pow", input, exponent)
    return write_out(out, Pow.apply(input, exponent))


def float_power(input, exponent, *, out=None):
    a = input.double() if isinstance(input, Tensor) else float(input)
    b = exponent.double() if isinstance(exponent, Tensor) else float(exponent)
    return pow(a, b, out=out)


def atan2(input, other, *, out=None):
    input, other = _binary_args("atan2", input, other)
    return write_out(out, Atan2.apply(input, other))


arctan2 = atan2


def maximum(input, other, *, out=None):
    _need_tensors("maximum", input, other)
    input, other = _binary_args("maximum", input, other)
    return write_out(out, Maximum.apply(input, other))


def minimum(input, other, *, out=None):
    _need_tensors("minimum", input, other)
    input, other = _binary_args("minimum", input, other)
    return write_out(out, Minimum.apply(input, other))


def fmax(input, other, *, out=None):
    xp_res = maximum(input, other)
    return write_out(out, where(input.isnan(), other, where(other.isnan(), input, xp_res)))


def fmin(input, other, *, out=None):
    xp_res = minimum(input, other)
    return write_out(out, where(input.isnan(), other, where(other.isnan(), input, xp_res)))


def _need_tensors(name, a, b):
    if not isinstance(b, Tensor):
        raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not {type(b).__name__}")


def fmod(input, other, *, out=None):
    input, other = _binary_args("fmod", input, other)
    return write_out(out, Fmod.apply(input, other))


def remainder(input, other, *, out=None):
    if not isinstance(input, Tensor):
        from .creation import scalar_tensor
        input = scalar_tensor(input)
    input, other = _binary_args("remainder", input, other)
    return write_out(out, Remainder.apply(input, other))


def lerp(input, end, weight, *, out=None):
    input, end = _binary_args("lerp", input, end)
    return write_out(out, Lerp.apply(input, end, weight))


def hypot(input, other, *, out=None):
    return write_out(out, Hypot.apply(input, other))


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


def _unary(name, op, doc):
    def fn(input, *, out=None):
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
        return write_out(out, op.apply(input))
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


neg = _unary("neg", Neg, "Elementwise negation, -input.")
negative = neg
abs = _unary("abs", Abs, "Elementwise absolute value.")
absolute = abs
sign = _unary("sign", Sign, "Elementwise sign: -1, 0 or 1.")
sgn = _unary("sgn", Sgn, "Elementwise sign (for real inputs, same as sign).")
exp = _unary("exp", Exp, "Elementwise e**input.")
exp2 = _unary("exp2", Exp2, "Elementwise 2**input.")
expm1 = _unary("expm1", Expm1, "Elementwise e**input - 1, accurate near 0.")
log = _unary("log", Log, "Elementwise natural logarithm.")
log2 = _unary("log2", Log2, "Elementwise base-2 logarithm.")
log10 = _unary("log10", Log10, "Elementwise base-10 logarithm.")
log1p = _unary("log1p", Log1p, "Elementwise log(1 + input), accurate near 0.")
sqrt = _unary("sqrt", Sqrt, "Elementwise square root.")
rsqrt = _unary("rsqrt", Rsqrt, "Elementwise 1 / sqrt(input).")
square = _unary("square", Square, "Elementwise input * input.")
reciprocal = _unary("reciprocal", Reciprocal, "Elementwise 1 / input.")
sin = _unary("sin", Sin, "Elementwise sine.")
cos = _unary("cos", Cos, "Elementwise cosine.")
tan = _unary("tan", Tan, "Elementwise tangent.")
asin = _unary("asin", Asin, "Elementwise arcsine.")
acos = _unary("acos", Acos, "Elementwise arccosine.")
atan = _unary("atan", Atan, "Elementwise arctangent.")
sinh = _unary("sinh", Sinh, "Elementwise hyperbolic sine.")
cosh = _unary("cosh", Cosh, "Elementwise hyperbolic cosine.")
tanh = _unary("tanh", Tanh, "Elementwise hyperbolic tangent.")
asinh = _unary("asinh", Asinh, "Elementwise inverse hyperbolic sine.")
acosh = _unary("acosh", Acosh, "Elementwise inverse hyperbolic cosine.")
atanh = _unary("atanh", Atanh, "Elementwise inverse hyperbolic tangent.")
arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh
sigmoid = _unary("sigmoid", Sigmoid, "Elementwise logistic sigmoid 1 / (1 + e**-input).")
erf = _unary("erf", Erf, "Elementwise Gauss error function.")
erfc = _unary("erfc", Erfc, "Elementwise complementary error function 1 - erf(input).")
erfinv = _unary("erfinv", Erfinv, "Elementwise inverse error function.")
floor = _unary("floor", Floor, "Elementwise floor.")
ceil = _unary("ceil", Ceil, "Elementwise ceiling.")
trunc = _unary("trunc", Trunc, "Elementwise rounding toward zero.")
fix = trunc
frac = _unary("frac", Frac, "Elementwise fractional part, input - trunc(input).")


def round(input, *, decimals=0, out=None):
    """Round half to even, optionally to ``decimals`` decimal places."""
    return write_out(out, Round.apply(input, decimals) if decimals else Round.apply(input))


def clamp(input, min=None, max=None, *, out=None):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    return write_out(out, Clamp.apply(input, min, max))


clip = clamp


def clamp_min(input, min):
    return Clamp.apply(input, min, None)


def clamp_max(input, max):
    return Clamp.apply(input, None, max)


def where(condition, input=None, other=None, *, out=None):
    if input is None and other is None:
        from .indexing import nonzero
        return nonzero(condition, as_tuple=True)
    if not isinstance(condition, Tensor):
        raise TypeError(f"where(): argument 'condition' (position 1) must be Tensor, not {type(condition).__name__}")
    return write_out(out, Where.apply(condition, input, other))


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    return write_out(out, NanToNum.apply(input, nan, posinf, neginf))


def xlogy(input, other, *, out=None):
    if not isinstance(input, Tensor):
        from .creation import scalar_tensor
        input = scalar_tensor(input)
    return write_out(out, where(input == 0, 0.0, input * log(other)) if isinstance(other, Tensor)
                     else where(input == 0, 0.0, input * math.log(other)))


def logaddexp(input, other, *, out=None):
    m = maximum(input, other)
    return write_out(out, m + log(exp(input - m) + exp(other - m)))


def logaddexp2(input, other, *, out=None):
    m = maximum(input, other)
    return write_out(out, m + log2(exp2(input - m) + exp2(other - m)))


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    return write_out(out, input + value * tensor1 * tensor2 if value != 1 else input + tensor1 * tensor2)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    return write_out(out, input + value * (tensor1 / tensor2))


def positive(input):
    if input.dtype is dt.bool:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def deg2rad(input):
    return input * (math.pi / 180)


def rad2deg(input):
    return input * (180 / math.pi)


def sinc(input):
    x = input * math.pi
    return where(input == 0, 1.0, sin(x) / where(input == 0, 1.0, x))


def copysign(input, other):
    return abs(input) * where(signbit(other if isinstance(other, Tensor) else
                                      input.new_tensor(other)), -1.0, 1.0)


def heaviside(input, values):
    return where(input == 0, values, (input > 0).to(input.dtype))


def logit(input, eps=None):
    x = input if eps is None else clamp(input, eps, 1 - eps)
    return log(x / (1 - x))


class Relu(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, a):
        return xp_of(a).maximum(a, a.dtype.type(0))

    @staticmethod
    def forward_inplace(x):
        xp_of(x).maximum(x, x.dtype.type(0), out=x)
        return True

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        # d/dx max(x, 0) = 1 where x > 0; 0 at x = 0 (the subgradient PyTorch picks)
        return ThresholdBackward.apply(g, out._data > 0)


_SAME_SIZE_INT = {2: np.int16, 4: np.int32, 8: np.int64}


class ThresholdBackward(Op):
    """``g`` where ``mask`` holds, else +0 (relu's backward; NaN in ``g`` is dropped where the
    mask is off, as in PyTorch). Linear in ``g``, so its own backward is itself."""

    @staticmethod
    def forward(ctx, g, mask):
        ctx.mask = mask
        xp = xp_of(g)
        bits = _SAME_SIZE_INT.get(g.dtype.itemsize)
        if bits is None or g.dtype.kind == "c":
            return xp.where(mask, g, g.dtype.type(0))
        # NOTE: an AND of g's bits with an all-ones/all-zeros mask: exact, and ~10x faster
        # than np.where, whose boolean select branches on every (unpredictable) element.
        keep = xp.negative(mask.view(np.int8), dtype=bits)
        xp.bitwise_and(g.view(bits), keep, out=keep)
        return keep.view(g.dtype)

    @staticmethod
    def backward(ctx, gg):
        return ThresholdBackward.apply(gg, ctx.mask), None




def relu(input):
    """Elementwise max(input, 0)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"relu(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    return Relu.apply(input)


__all__ = [
    "add", "sub", "subtract", "rsub", "mul", "multiply", "div", "divide", "true_divide", "floor_divide",
    "pow", "float_power", "atan2", "arctan2", "maximum", "minimum", "fmax", "fmin", "fmod", "remainder",
    "lerp", "hypot", "eq", "ne", "lt", "le", "gt", "ge", "not_equal", "less", "less_equal", "greater",
    "greater_equal", "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and",
    "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift", "bitwise_right_shift", "isnan",
    "isinf", "isfinite", "isposinf", "isneginf", "isreal", "signbit", "neg", "negative", "abs",
    "absolute", "sign", "sgn", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt",
    "square", "reciprocal", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh",
    "acosh", "atanh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "sigmoid", "erf",
    "erfc", "erfinv", "floor", "ceil", "trunc", "fix", "frac", "round", "clamp", "clip", "clamp_min",
    "clamp_max", "where", "nan_to_num", "xlogy", "logaddexp", "logaddexp2", "addcmul", "addcdiv",
    "positive", "deg2rad", "rad2deg", "sinc", "copysign", "heaviside", "logit", "relu",
]

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
