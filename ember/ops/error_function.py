"""The Gauss error function family: erf, erfc, erfinv."""
import math

from .._backend import np
from ..autograd.function import Op
from ._common import floating, xp_of
from ._elementwise import _unary


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


erf = _unary("erf", Erf, "Elementwise Gauss error function.")
erfc = _unary("erfc", Erfc, "Elementwise complementary error function 1 - erf(input).")
erfinv = _unary("erfinv", Erfinv, "Elementwise inverse error function.")


__all__ = [
    "erf", "erfc", "erfinv"
]
