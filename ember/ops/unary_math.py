"""Elementwise unary math: negation, abs/sign, exp/log, powers and roots, trigonometric and
hyperbolic functions, sigmoid, rounding. Forward beside backward."""
import math

from .._backend import np
from ..autograd.function import Op
from . import _parallel
from ._common import floating, write_out, xp_of
from ._elementwise import _unary
from .clamp_where import clamp, where

ndarray = np.ndarray


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
floor = _unary("floor", Floor, "Elementwise floor.")
ceil = _unary("ceil", Ceil, "Elementwise ceiling.")
trunc = _unary("trunc", Trunc, "Elementwise rounding toward zero.")
fix = trunc
frac = _unary("frac", Frac, "Elementwise fractional part, input - trunc(input).")


def round(input, *, decimals=0, out=None):
    """Round half to even, optionally to ``decimals`` decimal places."""
    return write_out(out, Round.apply(input, decimals) if decimals else Round.apply(input))


def deg2rad(input):
    return input * (math.pi / 180)


def rad2deg(input):
    return input * (180 / math.pi)


def sinc(input):
    x = input * math.pi
    return where(input == 0, 1.0, sin(x) / where(input == 0, 1.0, x))


def logit(input, eps=None):
    x = input if eps is None else clamp(input, eps, 1 - eps)
    return log(x / (1 - x))


__all__ = [
    "neg", "negative", "abs", "absolute", "sign", "sgn", "exp", "exp2", "expm1", "log", "log2", "log10",
    "log1p", "sqrt", "rsqrt", "square", "reciprocal", "sin", "cos", "tan", "asin", "acos", "atan", "sinh",
    "cosh", "tanh", "asinh", "acosh", "atanh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh",
    "sigmoid", "floor", "ceil", "trunc", "fix", "frac", "round", "deg2rad", "rad2deg", "sinc", "logit"
]
