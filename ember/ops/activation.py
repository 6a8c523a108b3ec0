"""Activation functions (``torch.nn.functional``): each one Op with a fused forward.

Forward works on arrays; backward is written in Tensor ops so it is differentiable
again. Half-precision inputs are computed in float32 and rounded once at the end
(PyTorch's "opmath" behaviour). Class names give PyTorch's grad_fn names.
"""
import math
import warnings

from .._backend import np
from .._tensor import Tensor
from ..autograd.function import Op
from ..autograd.grad_mode import state as grad_state
from . import _fast_math
from ._common import BF16, apply_inplace, xp_of
from .clamp_where import Relu
from .pointwise import _erf_array, sigmoid, tanh
from .shape import cat

__all__ = ["relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "prelu", "elu", "elu_", "selu", "selu_",
           "celu", "celu_", "gelu", "silu", "mish", "hardtanh", "hardtanh_", "hardsigmoid", "hardswish",
           "softplus", "softsign", "softshrink", "hardshrink", "tanhshrink", "threshold", "threshold_",
           "logsigmoid", "glu", "softmax", "log_softmax", "softmin", "sigmoid", "tanh"]
METHODS = []

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _up(a):
    """Compute dtype for ``a``: float16/bfloat16 go through float32."""
    if a.dtype.itemsize < 4 and (a.dtype.kind == "f" or a.dtype == BF16):
        return a.astype(np.float32)
    if a.dtype.kind not in "fc" and a.dtype != BF16:
        raise NotImplementedError(f'"{_kernel_word()}" not implemented for \'{_int_word(a.dtype)}\'')
    return a


def _kernel_word():
    return "activation_cpu"


def _int_word(d):
    return {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool"}.get(str(d), str(d))


def _const(mask, like):
    """A constant tensor from an array (a mask or piecewise factor) in ``like``'s dtype."""
    return Tensor._make(mask.astype(like._data.dtype, copy=False))


def _named(cls, name):
    """A copy of ``cls`` whose grad_fn prints ``name`` (PyTorch's in-place ops use '...Backward1')."""
    return type(cls.__name__ + "_", (cls,), {"__slots__": (), "name": lambda self: name})


# --- ReLU family ---------------------------------------------------------------------------
# The op itself is clamp_where.Relu (shared with torch.relu and Tensor.relu).


def relu(input, inplace=False):
    """max(0, x)."""
    if inplace:
        return relu_(input)
    return Relu.apply(input)


def relu_(input):
    return apply_inplace(Relu, input)


class Hardtanh(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a, lo, hi):
        ctx.lo, ctx.hi = lo, hi
        return np.clip(a, lo, hi).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        a = x._data
        return g * _const((a > ctx.lo) & (a < ctx.hi), g), None, None


def _apply(op, inplace, input, *args):
    """``op`` on ``input``, writing into it when ``inplace`` (the functional ``inplace=`` flag)."""
    if inplace:
        return apply_inplace(op, input, *args)
    return op.apply(input, *args)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """Clamp to [min_val, max_val]; gradient 0 outside (and at the edges)."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _apply(Hardtanh, inplace, input, min_val, max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    """min(max(0, x), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


class LeakyRelu(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a, slope):
        ctx.slope = slope
        return np.where(a > 0, a, a * a.dtype.type(slope)).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * _const(np.where(x._data > 0, 1.0, ctx.slope), g), None


_LeakyReluInplace = _named(LeakyRelu, "LeakyReluBackward1")


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x if x > 0 else negative_slope * x."""
    if inplace:
        return leaky_relu_(input, negative_slope)
    return LeakyRelu.apply(input, negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    return apply_inplace(_LeakyReluInplace, input, negative_slope)


class PreluKernel(Op):
    saves_inputs = (0, 1)

    @staticmethod
    def forward(ctx, a, w):
        return np.where(a > 0, a, a * w).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        pos = x._data > 0
        gx = g * (_const(pos, g) + _const(~pos, g) * w) if ctx.needs_input_grad[0] else None
        gw = g * x * _const(~pos, g) if ctx.needs_input_grad[1] else None
        return gx, gw


def prelu(input, weight):
    """x if x > 0 else weight * x, with one weight per channel (dim 1) or one shared weight."""
    n = weight.numel()
    channels = input.shape[1] if input.dim() >= 2 else 1
    if n != 1 and n != channels:
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                           f"{n} and channel size = {channels}.")
    if n != 1 and input.dim() >= 2:
        weight = weight.reshape((channels,) + (1,) * (input.dim() - 2))
    elif n == 1 and weight.dim() > 0:
        weight = weight.reshape(())
    return PreluKernel.apply(input, weight)


# --- exponential units ------------------------------------------------------------------------
class Elu(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a, alpha, scale, input_scale):
        ctx.alpha, ctx.scale, ctx.input_scale = alpha, scale, input_scale
        x = _up(a)
        with np.errstate(over="ignore"):
            neg = np.expm1(np.minimum(x, 0) * input_scale) * (alpha * scale)
        return np.where(x > 0, x * scale, neg).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        pos = _const(x._data > 0, g)
        # d/dx = scale for x > 0, alpha * scale * input_scale * exp(x * input_scale) otherwise
        neg = (x.clamp(max=0) * ctx.input_scale).exp() * (ctx.alpha * ctx.scale * ctx.input_scale)
        return g * (pos * ctx.scale + (1 - pos) * neg), None, None, None


_EluInplace = _named(Elu, "EluBackward1")


class Celu(Elu):
    __slots__ = ()


_CeluInplace = _named(Celu, "CeluBackward1")


def elu(input, alpha=1.0, inplace=False):
    """x if x > 0 else alpha * (exp(x) - 1)."""
    if inplace:
        return elu_(input, alpha)
    return Elu.apply(input, alpha, 1.0, 1.0)


def elu_(input, alpha=1.0):
    return apply_inplace(_EluInplace, input, alpha, 1.0, 1.0)


def selu(input, inplace=False):
    """scale * elu(x, alpha) with the self-normalising constants."""
    if inplace:
        return selu_(input)
    return Elu.apply(input, _SELU_ALPHA, _SELU_SCALE, 1.0)


def selu_(input):
    return apply_inplace(_EluInplace, input, _SELU_ALPHA, _SELU_SCALE, 1.0)


def celu(input, alpha=1.0, inplace=False):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    if inplace:
        return celu_(input, alpha)
    return Celu.apply(input, alpha, 1.0, 1.0 / alpha)


def celu_(input, alpha=1.0):
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return apply_inplace(_CeluInplace, input, alpha, 1.0, 1.0 / alpha)


# --- smooth gates -------------------------------------------------------------------------
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_KAPPA = 0.044715


class Gelu(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a, approximate):
        ctx.approximate = approximate
        ctx.cdf = None
        if approximate != "tanh" and type(a) is np.ndarray and a.dtype == np.float32:
            out, ctx.cdf = _fast_math.gelu_f32(a)  # Phi(x) is kept: backward needs no second erf
            return out
        x = _up(a)
        if approximate == "tanh":
            out = 0.5 * x * (1 + np.tanh(_SQRT_2_OVER_PI * (x + _KAPPA * x * x * x)))
        else:
            out = 0.5 * x * (1 + _erf_array(xp_of(x), x * x.dtype.type(_INV_SQRT_2)))
        return out.astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        if ctx.cdf is not None and not grad_state.enabled:
            # no graph to build (not create_graph): one fused NumPy pass
            return Tensor._make(_fast_math.gelu_backward_f32(g._data, x._data, ctx.cdf)), None
        if ctx.approximate == "tanh":
            t = ((x + x * x * x * _KAPPA) * _SQRT_2_OVER_PI).tanh()
            # d/dx 0.5x(1+t) = 0.5(1+t) + 0.5x(1-t^2) * sqrt(2/pi)(1 + 3 kappa x^2)
            d = (t + 1) * 0.5 + x * 0.5 * (1 - t * t) * ((x * x * (3 * _KAPPA) + 1) * _SQRT_2_OVER_PI)
        else:
            # d/dx x Phi(x) = Phi(x) + x phi(x)
            cdf = ((x * _INV_SQRT_2).erf() + 1) * 0.5
            pdf = (x * x * -0.5).exp() * _INV_SQRT_2PI
            d = cdf + x * pdf
        return g * d, None


def gelu(input, approximate="none"):
    """x * Phi(x) (``approximate='tanh'``: the tanh approximation)."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return Gelu.apply(input, approximate)


def _sigmoid_array(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


class Silu(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        x = _up(a)
        return (x * _sigmoid_array(x)).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        s = x.sigmoid()
        # d/dx x s(x) = s (1 + x (1 - s))
        return g * (s * (x * (1 - s) + 1))


def silu(input, inplace=False):
    """x * sigmoid(x)."""
    return _apply(Silu, inplace, input)


def _softplus_array(x, beta=1.0, threshold=20.0):
    z = x * beta
    # NOTE: log1p(exp(-|z|)) + max(z, 0) never overflows; above threshold it is z itself.
    soft = (np.log1p(np.exp(-np.abs(z))) + np.maximum(z, 0)) / beta
    return np.where(z > threshold, x, soft).astype(x.dtype, copy=False)


class Mish(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        x = _up(a)
        return (x * np.tanh(_softplus_array(x))).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        t = Softplus.apply(x, 1.0, 20.0).tanh()
        # d/dx x tanh(sp(x)) = tanh(sp) + x sigmoid(x) (1 - tanh(sp)^2)
        return g * (t + x * x.sigmoid() * (1 - t * t))


def mish(input, inplace=False):
    """x * tanh(softplus(x))."""
    return _apply(Mish, inplace, input)


class Hardsigmoid(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        return (np.clip(a / 6 + 0.5, 0, 1)).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        a = x._data
        # NOTE: PyTorch's kernel uses the float32 constant 1/6 for every dtype; so do we.
        return g * _const(((a > -3) & (a < 3)) * float(np.float32(1.0) / np.float32(6.0)), g)


def hardsigmoid(input, inplace=False):
    """relu6(x + 3) / 6."""
    return _apply(Hardsigmoid, inplace, input)


class Hardswish(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        return (a * np.clip(a + 3, 0, 6) / 6).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        a = x._data
        mid = _const((a > -3) & (a < 3), g)
        high = _const(a >= 3, g)
        # d/dx = 0 up to -3, x/3 + 1/2 strictly inside (-3, 3), 1 from 3 on (PyTorch's boundary choice)
        return g * (mid * (x / 3 + 0.5) + high)


def hardswish(input, inplace=False):
    """x * relu6(x + 3) / 6."""
    return _apply(Hardswish, inplace, input)


class Softplus(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a, beta, threshold):
        ctx.beta, ctx.threshold = beta, threshold
        x = _up(a)
        return _softplus_array(x, beta, threshold).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        lin = _const(x._data * ctx.beta > ctx.threshold, g)
        # d/dx log(1 + exp(beta x)) / beta = sigmoid(beta x)
        return g * (lin + (1 - lin) * (x * ctx.beta).sigmoid()), None, None


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta x)) / beta; linear where beta x > threshold."""
    return Softplus.apply(input, beta, threshold)


def softsign(input):
    """x / (1 + |x|)."""
    return input / (input.abs() + 1)


def tanhshrink(input):
    """x - tanh(x)."""
    return input - input.tanh()


class Softshrink(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a, lambd):
        ctx.lambd = lambd
        return np.where(a > lambd, a - lambd, np.where(a < -lambd, a + lambd, 0)).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * _const(np.abs(x._data) > ctx.lambd, g), None


def softshrink(input, lambd=0.5):
    """x - lambd if x > lambd, x + lambd if x < -lambd, else 0."""
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    return Softshrink.apply(input, lambd)


class Hardshrink(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a, lambd):
        ctx.lambd = lambd
        return np.where(np.abs(a) > lambd, a, 0).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * _const(np.abs(x._data) > ctx.lambd, g), None


def hardshrink(input, lambd=0.5):
    """x if |x| > lambd else 0."""
    return Hardshrink.apply(input, lambd)


class Threshold(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a, threshold, value):
        ctx.threshold = threshold
        return np.where(a > threshold, a, value).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * _const(x._data > ctx.threshold, g), None, None


_ThresholdInplace = _named(Threshold, "ThresholdBackward1")


def threshold(input, threshold, value, inplace=False):
    """x if x > threshold else value."""
    if inplace:
        return threshold_(input, threshold, value)
    return Threshold.apply(input, threshold, value)


def threshold_(input, threshold, value):
    return apply_inplace(_ThresholdInplace, input, threshold, value)


class LogSigmoid(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        x = _up(a)
        # NOTE: min(x, 0) - log1p(exp(-|x|)) is exact for large |x| of either sign.
        return (np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        # d/dx log sigmoid(x) = sigmoid(-x)
        return g * (-x).sigmoid()


def logsigmoid(input):
    """log(sigmoid(x)), stable for large |x|."""
    return LogSigmoid.apply(input)


class Glu(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        x = _up(a)
        first, second = np.split(x, 2, axis=dim)
        return (first * _sigmoid_array(second)).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        first, second = x.chunk(2, ctx.dim)
        s = second.sigmoid()
        return cat([g * s, g * first * s * (1 - s)], ctx.dim), None


def glu(input, dim=-1):
    """a * sigmoid(b) where a, b are the two halves of ``input`` along ``dim``."""
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = dim % input.dim() if -input.dim() <= dim < input.dim() else None
    if d is None:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-input.dim()}, "
                         f"{input.dim() - 1}], but got {dim})")
    if input.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {input.shape[d]}")
    return Glu.apply(input, d)


# --- softmax family ----------------------------------------------------------------------
def _softmax_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X "
                  "as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def _norm_dim(dim, ndim):
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim % n


class Softmax(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        x = _up(a)
        if x.ndim == 0:
            return np.ones_like(a)
        # NOTE: subtracting the max keeps exp() from overflowing; the result is unchanged.
        e = np.exp(x - x.max(axis=dim, keepdims=True))
        e /= e.sum(axis=dim, keepdims=True)
        return e.astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        if out.dim() == 0:
            return g * 0, None
        # dL/dx = y * (g - sum(g * y))
        return out * (g - (g * out).sum(ctx.dim, keepdim=True)), None


class LogSoftmax(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        x = _up(a)
        if x.ndim == 0:
            return np.zeros_like(a)
        shifted = x - x.max(axis=dim, keepdims=True)
        shifted -= np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
        return shifted.astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        if out.dim() == 0:
            return g * 0, None
        # dL/dx = g - softmax(x) * sum(g)
        return g - out.exp() * g.sum(ctx.dim, keepdim=True), None


def _softmax_common(op, name, input, dim, stacklevel, dtype):
    if dim is None:
        dim = _softmax_dim(name, input.dim(), stacklevel + 1)
    if dtype is not None:
        input = input.to(dtype)
    return op.apply(input, _norm_dim(dim, input.dim()))


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x_i) / sum_j exp(x_j) along ``dim`` (stable for large inputs)."""
    return _softmax_common(Softmax, "softmax", input, dim, _stacklevel, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """log(softmax(x)) computed as x - max - log(sum(exp(x - max)))."""
    return _softmax_common(LogSoftmax, "log_softmax", input, dim, _stacklevel, dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-x) along ``dim``."""
    if dim is None:
        dim = _softmax_dim("softmin", input.dim(), _stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    return Softmax.apply(-input, _norm_dim(dim, input.dim()))
