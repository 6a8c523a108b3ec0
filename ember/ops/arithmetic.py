"""Elementwise arithmetic: + - * / pow, atan2, max/min, fmod/remainder, lerp, hypot and the
binary composites built on them. Forward beside backward."""
import math
import numbers

from .. import _dtype as dt
from .._backend import np
from .._tensor import Tensor
from ..autograd.function import Op
from . import _parallel
from ._common import _cast, floating, promote, result_dtype, type_word, write_out, xp_of
from ._elementwise import _binary_args
from .clamp_where import where
from .comparison import signbit
from .unary_math import abs, exp, exp2, log, log2

ndarray = np.ndarray


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


def _modulo_forward(ufunc_name, a, b):
    a, b = promote(a, b)
    xp = xp_of(a if isinstance(a, ndarray) else b)
    if getattr(a, "dtype", None) is not None and a.dtype.kind in "iu" and xp.any(xp.asarray(b) == 0):
        raise RuntimeError("ZeroDivisionError")
    with np.errstate(divide="ignore", invalid="ignore"):
        return getattr(xp, ufunc_name)(a, b)


def _modulo_backward(ctx, g, rounding_mode):
    # a mod b = a - q b with q = div(a, b, rounding_mode) piecewise constant: da = g, db = -g q
    a, b = ctx.saved_tensors
    gb = None
    if ctx.needs_input_grad[1]:
        gb = -g * div(a, b, rounding_mode=rounding_mode)
    return g, gb


class Fmod(Op):
    """C's fmod: the remainder takes the sign of the dividend (quotient rounded toward zero)."""
    saves_inputs = (0, 1)

    @staticmethod
    def forward(ctx, a, b):
        return _modulo_forward("fmod", a, b)

    @staticmethod
    def backward(ctx, g):
        return _modulo_backward(ctx, g, "trunc")


class Remainder(Op):
    """Python's %: the remainder takes the sign of the divisor (quotient rounded down)."""
    saves_inputs = (0, 1)

    @staticmethod
    def forward(ctx, a, b):
        return _modulo_forward("remainder", a, b)

    @staticmethod
    def backward(ctx, g):
        return _modulo_backward(ctx, g, "floor")


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


def _check_alpha(a, b, alpha):
    if alpha != 1 and isinstance(alpha, float):
        rd = result_dtype(a, b)
        if rd.category < dt.FLOAT:
            raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")


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


def copysign(input, other):
    return abs(input) * where(signbit(other if isinstance(other, Tensor) else
                                      input.new_tensor(other)), -1.0, 1.0)


def heaviside(input, values):
    return where(input == 0, values, (input > 0).to(input.dtype))


__all__ = [
    "add", "sub", "subtract", "rsub", "mul", "multiply", "div", "divide", "true_divide", "floor_divide",
    "pow", "float_power", "atan2", "arctan2", "maximum", "minimum", "fmax", "fmin", "fmod", "remainder",
    "lerp", "hypot", "xlogy", "logaddexp", "logaddexp2", "addcmul", "addcdiv", "positive", "copysign",
    "heaviside"
]
