"""Floating-point building blocks that reproduce PyTorch's CPU kernels bit for bit.

Three things NumPy does not give directly:

* **Fused multiply-add.** PyTorch's distribution code is compiled with GCC's
  default ``-ffp-contract=fast``, so ``x * a + b`` becomes one ``fma`` with a
  single rounding. :func:`fma64` and :func:`fma32` emulate it exactly with
  error-free transformations and round-to-odd (Boldo & Melquiond, "Emulation of
  FMA and correctly rounded sums", IEEE TC 2008).
* **glibc's libm.** PyTorch calls ``log``, ``log1p``, ``tan`` ... from glibc one
  element at a time; NumPy's SIMD versions differ in the last bit for a few
  percent of inputs. :func:`libm` maps Python's ``math`` (which is glibc) over
  an array instead.
* **avx_mathfun.** ``torch.randn`` in float32 computes Box-Muller with the
  Cephes-style ``log256_ps`` / ``sincos256_ps`` polynomials, not libm.
  :func:`avx_log` and :func:`avx_sincos` replay them operation by operation,
  including the multiply-adds GCC fused.
"""

from __future__ import annotations

import math

import numpy as np

f32 = np.float32
f64 = np.float64


# ----------------------------------------------------------- exact multiply-add

def _two_sum(a, b):
    """s + err == a + b exactly, with s = fl(a + b) (Knuth's TwoSum)."""
    s = a + b
    b_virtual = s - a
    err = (a - (s - b_virtual)) + (b - b_virtual)
    return s, err


def _split(a):
    """hi + lo == a with both halves 26 bits wide (Veltkamp's splitting)."""
    scaled = 134217729.0 * a  # 2**27 + 1
    hi = scaled - (scaled - a)
    return hi, a - hi


def _two_product(a, b):
    """p + err == a * b exactly, with p = fl(a * b) (Dekker's product)."""
    p = a * b
    a_hi, a_lo = _split(a)
    b_hi, b_lo = _split(b)
    err = ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    return p, err


def _sum_rounded_to_odd(a, b):
    """a + b rounded to odd: when inexact, the neighbour whose last bit is 1.

    Rounding to odd first and to nearest afterwards never double-rounds wrongly
    as long as the first format has at least two more bits than the second.
    """
    s, err = _two_sum(a, b)
    bits = np.asarray(s, dtype=f64).view(np.int64)
    bump = (err != 0) & ((bits & 1) == 0)
    if np.any(bump):
        toward_larger_magnitude = np.signbit(err) == np.signbit(s)
        step = np.where(toward_larger_magnitude, 1, -1) * bump
        s = (bits + step).view(f64)
    return s


def fma64(a, b, c) -> np.ndarray:
    """Correctly rounded float64 ``a * b + c`` (valid away from overflow and underflow)."""
    a, b, c = (np.asarray(v, dtype=f64) for v in (a, b, c))
    product_hi, product_lo = _two_product(a, b)
    sum_hi, sum_lo = _two_sum(c, product_hi)
    return np.asarray(sum_hi + _sum_rounded_to_odd(sum_lo, product_lo), dtype=f64)


def fma32(a, b, c) -> np.ndarray:
    """Correctly rounded float32 ``a * b + c`` for float32 inputs."""
    # The product of two float32 values is exact in float64; rounding the sum
    # to odd keeps the final rounding to float32 correct.
    product = np.asarray(a, dtype=f32).astype(f64) * np.asarray(b, dtype=f32).astype(f64)
    total = _sum_rounded_to_odd(product, np.asarray(c, dtype=f32).astype(f64))
    return np.asarray(total, dtype=f64).astype(f32)


# ------------------------------------------------------------------- glibc libm

def libm(function, values: np.ndarray) -> np.ndarray:
    """Apply a ``math`` function elementwise: glibc's result, as PyTorch gets it."""
    flat = np.asarray(values, dtype=f64).ravel().tolist()
    return np.fromiter(map(function, flat), dtype=f64, count=len(flat)).reshape(np.shape(values))


def libm_log(values):
    return libm(math.log, values)


def libm_log1p(values):
    return libm(math.log1p, values)


# ------------------------------------------------------------------ avx_mathfun
#
# Both routines take float32 arrays and return float32 arrays. Every
# intermediate is rounded to float32 exactly where the AVX code rounds; the
# products GCC fused into the following addition are done in float64 and rounded
# once (a float32 product is exact in float64). When a product is itself exact
# in float32 (a small integer times a short constant) the fusion cannot change
# the result, and plain float32 arithmetic is used.

_SQRT_HALF = f32(0.707106781186547524)
_LOG_POLY = tuple(f32(c) for c in (
    7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1,
    1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1,
    3.3333331174e-1))
_LOG_Q1 = f32(-2.12194440e-4)
_LOG_Q2 = f32(0.693359375)

_FOUR_OVER_PI = f32(1.27323954473516)
_MINUS_DP1 = f32(-0.78515625)
_MINUS_DP2 = f32(-2.4187564849853515625e-4)
_MINUS_DP3 = f32(-3.77489497744594108e-8)
_COS_POLY = (f32(2.443315711809948e-5), f32(-1.388731625493765e-3), f32(4.166664568298827e-2))
_SIN_POLY = (f32(-1.9515295891e-4), f32(8.3321608736e-3), f32(-1.6666654611e-1))


def _fused(product_a, product_b, addend) -> np.ndarray:
    """fl32(a * b + c) for float32 a, b and float32-valued c, with one rounding in float64.

    Cheaper than :func:`fma32`: the float64 sum is rounded to float32 directly,
    which double-rounds wrongly only when the float64 sum lands exactly on a
    float32 rounding midpoint (about one case in 2**29 inexact sums).
    """
    total = np.multiply(product_a, product_b, dtype=f64)
    total += addend
    return total.astype(f32)


def avx_log(x: np.ndarray) -> np.ndarray:
    """``log256_ps`` for float32 inputs in [2**-126, 1] (the Box-Muller radius argument).

    Cephes' logf: write x = m * 2**e with m in [sqrt(1/2), sqrt(2)), evaluate a
    degree-9 polynomial in m - 1 and add e * log(2) in two parts (q2 + q1).
    """
    bits = x.view(np.int32)
    exponent = (bits >> 23) - 126                     # x = m * 2**exponent, m in [0.5, 1)
    mantissa = ((bits & 0x007FFFFF) | 0x3F000000).view(f32)
    below_sqrt_half = mantissa < _SQRT_HALF
    e = exponent.astype(f32) - below_sqrt_half       # move m into [sqrt(1/2), sqrt(2))
    t = mantissa - f32(1)
    np.add(t, mantissa, out=t, where=below_sqrt_half)  # 2m - 1 (exact either way)
    t_squared = t * t
    poly = np.full_like(t, _LOG_POLY[0])
    for coefficient in _LOG_POLY[1:]:
        poly = _fused(poly, t, coefficient)
    poly = poly * t
    poly = _fused(poly, t_squared, e * _LOG_Q1)   # GCC fuses the earlier product here
    poly -= f32(0.5) * t_squared                  # exact product: fusion is moot
    result = t + poly
    result += e * _LOG_Q2                         # exact product (small integer e)
    return result


def avx_sincos(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``sincos256_ps`` for non-negative float32 angles: returns (sin, cos).

    Cephes' sinf/cosf: j = the octant rounded up to even, x = theta - j*pi/4 in
    three parts, then a sine or cosine polynomial on x chosen and signed by j.
    """
    octant = (theta * _FOUR_OVER_PI).astype(np.int32)   # truncation, as cvttps
    octant += 1
    octant &= ~1
    j = octant.astype(f32)
    x = theta + j * _MINUS_DP1          # j is a small integer: both products are exact
    x += j * _MINUS_DP2
    x = _fused(j, _MINUS_DP3, x)
    z = x * x

    cos_poly = _fused(z, _COS_POLY[0], _COS_POLY[1])
    cos_poly = _fused(cos_poly, z, _COS_POLY[2])
    cos_poly = cos_poly * z
    cos_poly = _fused(cos_poly, z, -(f32(0.5) * z))
    cos_poly += f32(1)

    sin_poly = _fused(z, _SIN_POLY[0], _SIN_POLY[1])
    sin_poly = _fused(sin_poly, z, _SIN_POLY[2])
    sin_poly = sin_poly * z
    sin_poly = _fused(sin_poly, x, x)

    # Octants 2 mod 4 swap the polynomials; sign flips come as raw sign bits.
    swap = (octant & 2) != 0
    sine = np.where(swap, cos_poly, sin_poly)
    cosine = np.where(swap, sin_poly, cos_poly)
    sine.view(np.int32)[...] ^= (octant & 4) << 29
    cosine.view(np.int32)[...] ^= (~(octant - 2) & 4) << 29
    return sine, cosine
