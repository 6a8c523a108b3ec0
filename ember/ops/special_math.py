"""Special functions on NumPy alone: log-gamma and its derivatives (digamma, polygamma via the
Hurwitz zeta), modified Bessel functions I0/I1, regularized incomplete gamma, normal CDF helpers.

Kernels compute in float64 (series, recurrences and asymptotic expansions accurate to a few
float64 ulps) and round to the input's float dtype. Integer inputs give the default float dtype.
"""
import math

from .. import _dtype as dt
from .._backend import np
from .._tensor import Tensor
from ..autograd.function import Op
from ._common import floating, result_dtype, write_out

_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)
_LANCZOS_G = 7.0
_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7)
# Stirling series coefficients B_2k / (2k (2k-1)) for lgamma at large x.
_STIRLING = (1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156)
# (2k)! / B_2k, the Euler-Maclaurin tail of the Hurwitz zeta sum.
_ZETA_EM = (12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9, 7.47242496e10,
            -2.950130727918164224e12, 1.1646782814350067249e14, -4.5979787224074726105e15,
            1.8152105401943546773e17, -7.1661652561756670113e18)


def _f64(a):
    return np.asarray(a, dtype=np.float64)


def _sinpi(x):
    """sin(pi x) with the argument reduced exactly first (accurate for large |x|)."""
    r = np.fmod(x, 2.0)
    return np.where(r == np.round(r), 0.0, np.sin(np.pi * r))  # exact zeros at the integers


# ---- log-gamma --------------------------------------------------------------------------------
def _lgamma_pos(x):
    """log Gamma(x) for x >= 0.5."""
    out = np.empty_like(x)
    big = x >= 10
    xb = x[big]
    inv = 1.0 / xb
    inv2 = inv * inv
    series = np.zeros_like(xb)
    for c in reversed(_STIRLING):
        series = series * inv2 + c
    out[big] = (xb - 0.5) * np.log(xb) - xb + _LOG_SQRT_2PI + series * inv
    xs = x[~big] - 1.0
    acc = np.full_like(xs, _LANCZOS[0])
    for i, c in enumerate(_LANCZOS[1:], 1):
        acc = acc + c / (xs + i)
    t = xs + _LANCZOS_G + 0.5
    out[~big] = _LOG_SQRT_2PI + (xs + 0.5) * np.log(t) - t + np.log(acc)
    return out


def _lgamma64(x):
    x = _f64(x)
    out = np.empty_like(x)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        pos = x >= 0.5
        out[pos] = _lgamma_pos(x[pos])
        neg = ~pos & ~np.isnan(x)
        xn = x[neg]
        s = np.abs(_sinpi(xn))
        res = math.log(math.pi) - np.log(s) - _lgamma_pos(1.0 - xn)
        res[s == 0] = np.inf  # poles at 0, -1, -2, ...
        out[neg] = res
        out[np.isnan(x)] = np.nan
        out[np.isinf(x)] = np.inf
        out[(x == 1) | (x == 2)] = 0.0  # exact roots (the Lanczos sum leaves an ulp there)
    return out


def _digamma64(x):
    x = _f64(x)
    out = np.empty_like(x)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        neg = x < 0
        xr = np.where(neg, 1.0 - x, x)
        acc = np.zeros_like(xr)
        z = xr.copy()
        for _ in range(10):  # recurrence psi(z) = psi(z + 1) - 1/z until z >= 10
            small = z < 10
            acc = acc - np.where(small, 1.0 / np.where(small, z, 1.0), 0.0)
            z = np.where(small, z + 1.0, z)
        inv2 = 1.0 / (z * z)
        tail = inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 * (
            1 / 132 - inv2 * (691 / 32760 - inv2 / 12))))))
        out = np.log(z) - 0.5 / z - tail + acc
        # reflection: psi(x) = psi(1 - x) - pi / tan(pi x)
        frac = np.fmod(x, 1.0)
        refl = np.pi / np.tan(np.pi * frac)
        out = np.where(neg, out - refl, out)
        out = np.where(neg & (frac == 0), np.nan, out)
        out = np.where(x == 0, np.copysign(np.inf, -x), out)  # -inf at +0, +inf at -0
        out = np.where(np.isposinf(x), np.inf, out)
        out = np.where(np.isneginf(x), np.nan, out)
    return out


def _zeta64(s, q):
    """Hurwitz zeta sum_k (q + k)^-s (Euler-Maclaurin after a direct sum)."""
    s, q = np.broadcast_arrays(_f64(s), _f64(q))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        qmin = np.nanmin(q) if q.size else 0.0
        n_direct = 12 + (int(math.ceil(-qmin)) if np.isfinite(qmin) and qmin < 0 else 0)
        total = np.zeros(s.shape)
        for k in range(n_direct):
            total = total + (q + k) ** -s
        a = q + n_direct
        b = a ** -s
        total = total + a * b / (s - 1) + 0.5 * b  # integral tail plus half the first omitted term
        fact = np.ones(s.shape)
        bb = b.copy()
        k = 0.0
        for c in _ZETA_EM:
            fact = fact * (s + k)
            bb = bb / a
            total = total + fact * bb / c
            fact = fact * (s + k + 1)
            bb = bb / a
            k += 2
        total = np.where(s == 1, np.inf, total)
        total = np.where(s < 1, np.nan, total)
        bad_q = (q <= 0) & (q == np.floor(q))
        total = np.where(bad_q, np.inf, total)
        total = np.where((q <= 0) & ~bad_q & (s != np.floor(s)), np.nan, total)
    return total


def _polygamma64(n, x):
    if n == 0:
        return _digamma64(x)
    sign = 1.0 if n % 2 else -1.0
    return sign * math.exp(math.lgamma(n + 1.0)) * _zeta64(n + 1.0, x)


class _Unary(Op):
    """Float64 kernel ``_kernel`` rounded to the input's floating dtype."""
    saves_inputs = (0,)

    @classmethod
    def forward(cls, ctx, a):
        d = floating(a).dtype if a.dtype.kind not in "fc" else a.dtype
        with np.errstate(over="ignore"):  # a float64 value beyond float32 rounds to inf, silently as in PyTorch
            return np.asarray(cls._kernel(a)).astype(d, copy=False)


class Lgamma(_Unary):
    _kernel = staticmethod(_lgamma64)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * digamma(a)  # d/dx log Gamma(x) = psi(x)


class Digamma(_Unary):
    _kernel = staticmethod(_digamma64)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * polygamma(1, a)


class Polygamma(Op):
    saves_inputs = (1,)

    @staticmethod
    def forward(ctx, n, a):
        ctx.n = n
        d = floating(a).dtype if a.dtype.kind not in "fc" else a.dtype
        return np.asarray(_polygamma64(n, a)).astype(d, copy=False)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return None, g * polygamma(ctx.n + 1, a)


def _check_tensor(x, name):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")


def lgamma(input, *, out=None):
    """log |Gamma(input)|."""
    _check_tensor(input, "lgamma")
    return write_out(out, Lgamma.apply(input))


def digamma(input, *, out=None):
    """psi(input) = d/dx log Gamma(x); -inf at 0, NaN at negative integers."""
    _check_tensor(input, "digamma")
    return write_out(out, Digamma.apply(input))


def polygamma(n, input, *, out=None):
    """The n-th derivative of digamma."""
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return write_out(out, Polygamma.apply(int(n), input))


def mvlgamma(input, p, *, out=None):
    """Multivariate log-gamma: sum_i lgamma(x - i/2) + p(p-1)/4 log(pi), for x > (p-1)/2."""
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    if not input.is_floating_point():
        input = input.to(dt.get_default_dtype())
    from .creation import arange
    offsets = -arange(p, dtype=input.dtype) / 2
    res = lgamma(input.unsqueeze(-1) + offsets).sum(-1) + p * (p - 1) / 4 * math.log(math.pi)
    return write_out(out, res)


def multigammaln(input, p, *, out=None):
    return mvlgamma(input, p, out=out)


# ---- Hurwitz zeta ---------------------------------------------------------------------------------
class Zeta(Op):
    differentiable = False

    @staticmethod
    def forward(ctx, s, q):
        d = result_dtype(s, q)
        d = d if d.is_floating_point else dt.get_default_dtype()
        return np.asarray(_zeta64(s, q)).astype(d.np_dtype)


def zeta(input, other, *, out=None):
    """Hurwitz zeta function sum_k (other + k) ** -input."""
    return write_out(out, Zeta.apply(input, other))


# ---- modified Bessel functions of the first kind -------------------------------------------------
def _bessel_i64(nu, x, scaled):
    """I_nu(|x|) for nu in {0, 1} (times exp(-|x|) when ``scaled``); odd symmetry applied by the caller."""
    ax = np.abs(_f64(x))
    out = np.empty_like(ax)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        small = ax <= 30
        xs = ax[small]
        q = xs * xs / 4
        term = np.ones_like(xs) if nu == 0 else xs / 2
        total = term.copy()
        for k in range(1, 80):  # sum (x/2)^(2k+nu) / (k! (k+nu)!), all terms positive
            term = term * q / (k * (k + nu))
            total = total + term
        out[small] = total * np.exp(-xs) if scaled else total
        xb = ax[~small]
        mu = 4.0 * nu * nu
        term = np.ones_like(xb)
        total = term.copy()
        for k in range(1, 30):  # asymptotic series e^x / sqrt(2 pi x) sum (-1)^k a_k(nu) / x^k
            term = term * -(mu - (2 * k - 1) ** 2) / (k * 8 * xb)
            total = total + term
        pref = 1.0 / np.sqrt(2 * np.pi * xb)
        out[~small] = total * pref if scaled else total * pref * np.exp(xb)
    return out


def _i0(x):
    return _bessel_i64(0, x, False)


def _i0e(x):
    return _bessel_i64(0, x, True)


def _i1(x):
    return np.sign(x) * _bessel_i64(1, x, False)


def _i1e(x):
    return np.sign(x) * _bessel_i64(1, x, True)


class I0(_Unary):
    _kernel = staticmethod(_i0)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * special_i1(a)  # I0' = I1


class I0e(_Unary):
    _kernel = staticmethod(_i0e)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * (special_i1e(a) - a.sign() * special_i0e(a))


class I1(_Unary):
    _kernel = staticmethod(_i1)

    @staticmethod
    def backward(ctx, g):
        from .pointwise import where
        (a,) = ctx.saved_tensors
        # I1' = I0 - I1 / x, which is 1/2 at x = 0
        safe = where(a == 0, 1.0, a)
        return g * where(a == 0, 0.5, i0(a) - special_i1(a) / safe)


class I1e(_Unary):
    _kernel = staticmethod(_i1e)

    @staticmethod
    def backward(ctx, g):
        from .pointwise import where
        (a,) = ctx.saved_tensors
        safe = where(a == 0, 1.0, a)
        return g * where(a == 0, 0.5, special_i0e(a) - special_i1e(a) * (a.sign() + 1 / safe))


def i0(input, *, out=None):
    """Modified Bessel function of the first kind, order 0."""
    _check_tensor(input, "i0")
    return write_out(out, I0.apply(input))


def special_i0e(input, *, out=None):
    return write_out(out, I0e.apply(input))


def special_i1(input, *, out=None):
    return write_out(out, I1.apply(input))


def special_i1e(input, *, out=None):
    return write_out(out, I1e.apply(input))


# ---- regularized incomplete gamma ----------------------------------------------------------------
def _igamma_pair(a, x):
    """(P(a, x), Q(a, x)): a series for x < a + 1, Lentz's continued fraction otherwise."""
    a, x = np.broadcast_arrays(_f64(a), _f64(x))
    p = np.full(a.shape, np.nan)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        log_pref = a * np.log(x) - x - _lgamma64(a)
        use_series = x < a + 1
        # series: P = x^a e^-x / Gamma(a + 1) * sum x^n / ((a+1)...(a+n))
        aa, xx = a[use_series], x[use_series]
        term = np.ones_like(aa)
        total = term.copy()
        for n in range(1, 2000):
            term = term * xx / (aa + n)
            total = total + term
            if not (np.abs(term) > 1e-17 * np.abs(total)).any():
                break
        p_series = np.exp(log_pref[use_series] - np.log(aa)) * total
        # continued fraction for Q
        aa, xx = a[~use_series], x[~use_series]
        tiny = 1e-300
        b = xx + 1 - aa
        c = np.full_like(b, 1 / tiny)
        d = 1 / b
        h = d.copy()
        for i in range(1, 2000):
            an = -i * (i - aa)
            b = b + 2
            d = an * d + b
            d = np.where(np.abs(d) < tiny, tiny, d)
            c = b + an / c
            c = np.where(np.abs(c) < tiny, tiny, c)
            d = 1 / d
            delta = d * c
            h = h * delta
            if not (np.abs(delta - 1) > 1e-16).any():
                break
        q_cf = np.exp(log_pref[~use_series]) * h
        p[use_series] = p_series
        p[~use_series] = 1 - q_cf
        q = 1 - p
        q[~use_series] = q_cf
        # edges: x = 0 -> P = 0; x = inf -> P = 1; a = 0 -> P = 1 (x > 0); negative or NaN -> NaN
        zero_x = x == 0
        p[zero_x], q[zero_x] = 0.0, 1.0
        inf_x = np.isposinf(x)
        p[inf_x], q[inf_x] = 1.0, 0.0
        zero_a = (a == 0) & (x > 0)
        p[zero_a], q[zero_a] = 1.0, 0.0
        bad = (a < 0) | (x < 0) | np.isnan(a) | np.isnan(x) | ((a == 0) & (x == 0))
        p[bad], q[bad] = np.nan, np.nan
    return p, q


class Igamma(Op):
    saves_inputs = (0, 1)

    @staticmethod
    def forward(ctx, a, x, upper):
        ctx.upper = upper
        d = result_dtype(a, x)
        d = d.np_dtype if d.is_floating_point else dt.get_default_dtype().np_dtype
        return _igamma_pair(a, x)[1 if upper else 0].astype(d)

    @staticmethod
    def backward(ctx, g):
        a, x = ctx.saved_tensors
        if ctx.needs_input_grad[0]:
            raise RuntimeError(f"derivative for aten::{'igammac' if ctx.upper else 'igamma'} is not implemented")
        # d/dx P(a, x) = x^(a-1) e^-x / Gamma(a)
        dens = ((a - 1) * x.log() - x - lgamma(a)).exp()
        return None, g * (-dens if ctx.upper else dens), None


def igamma(input, other, *, out=None):
    """Regularized lower incomplete gamma P(input, other)."""
    return write_out(out, Igamma.apply(input, other, False))


def igammac(input, other, *, out=None):
    """Regularized upper incomplete gamma Q(input, other) = 1 - P."""
    return write_out(out, Igamma.apply(input, other, True))


__all__ = ["lgamma", "digamma", "polygamma", "mvlgamma", "i0", "igamma", "igammac"]
METHODS = ["lgamma", "digamma", "mvlgamma", "i0", "igamma", "igammac"]
