"""ember.special: the torch.special namespace."""
import math

from . import _dtype as _dt
from ._backend import np
from ._tensor import Tensor
from .autograd.function import Op
from .ops import pointwise as _pw
from .ops import special_math as _sm
from .ops._common import floating, write_out
from .ops.creation import scalar_tensor as _scalar_tensor

digamma = psi = _sm.digamma
gammaln = _sm.lgamma
polygamma = _sm.polygamma
multigammaln = _sm.multigammaln
zeta = _sm.zeta
i0 = _sm.i0
i0e = _sm.special_i0e
i1 = _sm.special_i1
i1e = _sm.special_i1e
gammainc = _sm.igamma
gammaincc = _sm.igammac
erf, erfc, erfinv = _pw.erf, _pw.erfc, _pw.erfinv
expit = _pw.sigmoid
exp2, expm1, log1p = _pw.exp2, _pw.expm1, _pw.log1p
sinc, logit, xlogy, round = _pw.sinc, _pw.logit, _pw.xlogy, _pw.round
_SQRT_2PI = math.sqrt(2 * math.pi)


def softmax(input, dim, *, dtype=None):
    from .nn.functional import softmax as _softmax
    return _softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    from .nn.functional import log_softmax as _log_softmax
    return _log_softmax(input, dim, dtype=dtype)


def logsumexp(input, dim, keepdim=False, *, out=None):
    from .ops.reduction import logsumexp as _lse
    return write_out(out, _lse(input, dim, keepdim))


def entr(input, *, out=None):
    """-x log x for x > 0, 0 at 0, -inf for x < 0."""
    x = input if input.is_floating_point() else input.to(_dt.get_default_dtype())
    safe = _pw.where(x > 0, x, 1.0)
    res = _pw.where(x > 0, -x * safe.log(), _pw.where(x == 0, 0.0, -math.inf))
    return write_out(out, _pw.where(x != x, x, res))


class Xlog1py(Op):
    saves_inputs = (0, 1)

    @staticmethod
    def forward(ctx, x, y):
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(x == 0, 0.0, x * np.log1p(y))
        out = np.where(np.isnan(y), y, out)
        return out.astype(np.result_type(x, y), copy=False)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        # d/dx = log1p(y) (0 where x == 0, as PyTorch), d/dy = x / (1 + y)
        gx = g * _pw.where(x == 0, 0.0, y.log1p()) if ctx.needs_input_grad[0] else None
        gy = g * x / (1 + y) if ctx.needs_input_grad[1] else None
        return gx, gy


def xlog1py(input, other, *, out=None):
    """input * log1p(other), 0 where input == 0 (unless other is NaN)."""
    from .ops._common import promote
    if not isinstance(input, Tensor):
        input = _scalar_tensor(input)
    if not isinstance(other, Tensor):
        other = _scalar_tensor(other)
    if not input.is_floating_point() and not other.is_floating_point():
        input = input.to(_dt.get_default_dtype())
    a, b = promote(input._data, other._data)
    if a.dtype != input._data.dtype:
        input = input.to(_dt._BY_NP[a.dtype])
    if b.dtype != other._data.dtype:
        other = other.to(_dt._BY_NP[b.dtype])
    return write_out(out, Xlog1py.apply(input, other))


def ndtr(input, *, out=None):
    """Standard normal CDF."""
    x = input if input.is_floating_point() else input.to(_dt.get_default_dtype())
    return write_out(out, 0.5 * _pw.erfc(-x * (1 / math.sqrt(2))))


# Acklam's rational approximation of the normal quantile, refined by Newton steps.
_A = (-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
      -3.066479806614716e+01, 2.506628277459239e+00)
_B = (-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
      -1.328068155288572e+01)
_C = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
      4.374664141464968e+00, 2.938163982698783e+00)
_D = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00)


def _poly(coefs, x):
    acc = np.zeros_like(x)
    for c in coefs:
        acc = acc * x + c
    return acc


def _ndtri64(p):
    p = np.asarray(p, np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # Solve in the lower half only: for p > 1/2, 1 - p is exact and ndtri(p) = -ndtri(1 - p).
        upper = p > 0.5
        q = np.where(upper, 1 - p, p)
        t = np.sqrt(-2 * np.log(np.where(q > 0, q, 1e-300)))
        tail = _poly(_C, t) / (_poly(_D, t) * t + 1)
        r = q - 0.5
        r2 = r * r
        central = _poly(_A, r2) * r / (_poly(_B, r2) * r2 + 1)
        x = np.where(q < 0.02425, tail, central)
        erfc = _pw._erfc_array
        for _ in range(2):  # Halley steps on ndtr(x) = q, x <= 0 where erfc keeps full precision
            err = 0.5 * erfc(np, -x / math.sqrt(2)) - q
            pdf = np.exp(-0.5 * x * x) / _SQRT_2PI
            step = np.where(pdf > 0, err / np.where(pdf > 0, pdf, 1.0), 0.0)
            x = x - step / (1 + x * step / 2)
        x = np.where(upper, -x, x)
        x = np.where(p == 0, -np.inf, np.where(p == 1, np.inf, x))
        x = np.where((p < 0) | (p > 1) | np.isnan(p), np.nan, x)
    return x


class Ndtri(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, a):
        a = floating(a)
        return _ndtri64(a).astype(a.dtype)

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * _SQRT_2PI * (out * out / 2).exp()  # 1 / pdf(ndtri(p))


def ndtri(input, *, out=None):
    """Inverse of the standard normal CDF."""
    return write_out(out, Ndtri.apply(input))


def erfcx(input, *, out=None):
    """exp(x^2) erfc(x), without the overflow."""
    return write_out(out, Erfcx.apply(input))


def _erfcx64(x):
    x = np.asarray(x, np.float64)
    out = np.empty_like(x)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        big = x > 25
        xb = x[big]
        inv2 = 1 / (2 * xb * xb)
        series = 1 - inv2 * (1 - 3 * inv2 * (1 - 5 * inv2 * (1 - 7 * inv2 * (1 - 9 * inv2))))
        out[big] = series / (xb * math.sqrt(math.pi))
        xs = x[~big]
        out[~big] = np.exp(xs * xs) * _pw._erfc_array(np, xs)
    return out


class Erfcx(Op):
    saves_inputs = (0,)
    saves_output = True

    @staticmethod
    def forward(ctx, a):
        a = floating(a)
        return _erfcx64(a).astype(a.dtype)

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        return g * (2 * a * out - 2 / math.sqrt(math.pi))


def log_ndtr(input, *, out=None):
    """log of the normal CDF, accurate far into the lower tail."""
    x = input if input.is_floating_point() else input.to(_dt.get_default_dtype())
    t = x * (1 / math.sqrt(2))
    lower = (erfcx(-_pw.where(x < -1, t, -1.0)) / 2).log() - t * t
    upper = (-0.5 * _pw.erfc(_pw.where(x < -1, 1.0, t))).log1p()
    return write_out(out, _pw.where(x < -1, lower, upper))


__all__ = ["digamma", "psi", "gammaln", "polygamma", "multigammaln", "zeta", "i0", "i0e", "i1", "i1e",
           "gammainc", "gammaincc", "erf", "erfc", "erfinv", "erfcx", "expit", "exp2", "expm1", "log1p", "sinc",
           "logit", "xlogy", "xlog1py", "round", "softmax", "log_softmax", "logsumexp", "entr", "ndtr", "ndtri",
           "log_ndtr"]
