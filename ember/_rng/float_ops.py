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
  :class:`AvxBoxMuller` replays them operation by operation, including the
  multiply-adds GCC fused.
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
    flat = np.ascontiguousarray(values, dtype=f64).ravel()
    # Iterating a memoryview hands out Python floats without building a list.
    result = np.fromiter(map(function, memoryview(flat)), dtype=f64, count=flat.size)
    return result.reshape(np.shape(values))


def libm_log(values):
    return libm(math.log, values)


def libm_log1p(values):
    return libm(math.log1p, values)


# ------------------------------------------------------------------ avx_mathfun
#
# torch.randn's float32 Box-Muller runs the Cephes-style log256_ps and
# sincos256_ps of avx_mathfun.h. The replay below rounds every intermediate to
# float32 exactly where the AVX code rounds. Where GCC fused a product into the
# following addition, the product is formed in float64 (a product of two
# float32 values is exact there), the addend added, and the sum rounded once to
# float32. That last step double-rounds wrongly only if the float64 sum lands
# exactly on a float32 rounding midpoint without being exact, about once in
# 2**29 inexact sums; it is the price of not using the slower exact fma32 on
# the hot path. Where a product is exact in float32 anyway (a small integer
# times a short constant) the fusion cannot change the result and plain float32
# arithmetic is used.
#
# Everything works in place on preallocated chunk buffers: the chunk's
# temporaries then stay in cache and NumPy allocates nothing per call.

# The coefficients are Cephes' (as used by avx_mathfun.h, zlib licence): they
# are part of what PyTorch computes, so they must be these exact float32 values.
_SQRT_HALF_BITS = int(np.array(0.707106781186547524, dtype=f32).view(np.int32))
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

_UNIFORM_BITS = 0xFFFFFF
_TWO_POW_24 = 1 << 24
# A word's uniform is k * 2**-24 with k = word & 0xFFFFFF. Scaling by a power of
# two commutes with rounding, so 2pi * u rounds like (k * (2pi * 2**-24)).
_TWO_PI_OVER_2_POW_24 = f32(f32(2.0 * math.pi) * f32(2.0 ** -24))
# float(k) carries 1 - u = k / 2**24 with its exponent shifted by 24 (and the
# float32 exponent bias is 127; log256_ps adds one more).
_EXPONENT_OFFSET = 127 + 24 - 1


class AvxBoxMuller:
    """Replays PyTorch's AVX Box-Muller on chunks of at most ``capacity`` pairs."""

    def __init__(self, capacity: int):
        def floats():
            return np.empty(capacity, dtype=f32)

        def doubles():
            return np.empty(capacity, dtype=f64)

        self.capacity = capacity
        self._ints_a = np.empty(capacity, dtype=np.int32)
        self._ints_b = np.empty(capacity, dtype=np.int32)
        self._x, self._z, self._e, self._poly, self._poly2, self._tmp = (floats() for _ in range(6))
        self._radius = floats()
        self._x64, self._z64, self._acc, self._tmp64 = (doubles() for _ in range(4))

    def __call__(self, radius_words, angle_words, cos_out, sin_out) -> None:
        """Standard normals ``r cos`` / ``r sin`` for words j and j + 8 of each block.

        ``radius_words`` give u1 (the radius uses log(1 - u1)), ``angle_words``
        give u2 (angle 2 pi u2), one pair per position; results go to the outputs.
        """
        count = len(radius_words)
        radius = self._radius[:count]
        self._log_of_one_minus_uniform(radius_words, count, out=radius)
        np.multiply(radius, f32(-2), out=radius)
        np.sqrt(radius, out=radius)
        sine, cosine = self._sincos_of_angle(angle_words, count)
        np.multiply(radius, cosine, out=cos_out)
        np.multiply(radius, sine, out=sin_out)

    # -------------------------------------------------------------- log256_ps

    def _log_of_one_minus_uniform(self, words, count, out):
        """log256_ps(1 - u) for the words' uniforms u, into ``out``.

        Cephes' logf: write x = m * 2**e with m in [sqrt(1/2), sqrt(2)),
        evaluate a degree-9 polynomial in m - 1 and add e * log(2) in two parts.
        """
        k, exponent = self._ints_a[:count], self._ints_b[:count]
        t, z, e = self._x[:count], self._z[:count], self._e[:count]
        poly, tmp = self._poly[:count], self._tmp[:count]
        np.bitwise_and(words.view(np.int32), _UNIFORM_BITS, out=k)   # view: no buffered cast
        np.subtract(_TWO_POW_24, k, out=k)                 # (1 - u) * 2**24, in [1, 2**24]
        np.copyto(tmp, k, casting="unsafe")                 # exact: k <= 2**24
        bits = tmp.view(np.int32)
        np.right_shift(bits, 23, out=exponent)              # biased exponent
        np.bitwise_and(bits, 0x007FFFFF, out=bits)
        np.bitwise_or(bits, 0x3F000000, out=bits)           # mantissa m in [0.5, 1)
        # Integer arithmetic on the bits of positive floats keeps their order:
        # below is -1 where m < sqrt(1/2), where Cephes uses 2m and e - 1.
        below = k
        np.subtract(bits, _SQRT_HALF_BITS, out=below)
        np.right_shift(below, 31, out=below)
        np.add(exponent, below, out=exponent)
        np.subtract(exponent, _EXPONENT_OFFSET, out=exponent)
        np.copyto(e, exponent, casting="unsafe")
        np.bitwise_and(below, 1 << 23, out=below)           # doubling m = exponent + 1
        np.add(bits, below, out=bits)
        np.subtract(tmp, f32(1), out=t)                     # m - 1 or 2m - 1, exact
        np.multiply(t, t, out=z)

        t64, acc = self._x64[:count], self._acc[:count]
        np.copyto(t64, t)
        np.multiply(t64, _LOG_POLY[0], out=acc)
        for coefficient in _LOG_POLY[1:]:                   # poly = fma(poly, t, c)
            self._add_and_round(acc, coefficient, poly)
            np.multiply(acc, t64, out=acc)
        np.copyto(poly, acc, casting="same_kind")           # last product: plain float32
        np.multiply(e, _LOG_Q1, out=tmp)
        z64 = self._z64[:count]
        np.copyto(z64, z)
        np.copyto(acc, poly)
        np.multiply(acc, z64, out=acc)                      # GCC fuses poly * z ...
        np.add(acc, tmp, out=acc)                           # ... with e * q1
        np.copyto(poly, acc, casting="same_kind")
        np.multiply(z, f32(0.5), out=tmp)                   # exact: fusion is moot
        np.subtract(poly, tmp, out=poly)
        np.add(t, poly, out=t)
        np.multiply(e, _LOG_Q2, out=tmp)                    # exact: e is a small integer
        np.add(t, tmp, out=out)

    @staticmethod
    def _add_and_round(acc, addend, rounded):
        """acc = fl32(acc + addend), also stored in ``rounded`` (float32)."""
        np.add(acc, addend, out=acc)
        np.copyto(rounded, acc, casting="same_kind")
        np.copyto(acc, rounded)

    # ----------------------------------------------------------- sincos256_ps

    def _sincos_of_angle(self, words, count):
        """sincos256_ps(2 pi u) for the words' uniforms u; returns (sin, cos) buffer views.

        Cephes' sinf/cosf: j = the octant rounded up to even, x = theta - j pi/4
        in three parts, then a sine or cosine polynomial in x, chosen and signed by j.
        """
        k, octant = self._ints_a[:count], self._ints_b[:count]
        theta, x, z = self._e[:count], self._x[:count], self._z[:count]
        cos_poly, sin_poly, tmp = self._poly[:count], self._poly2[:count], self._tmp[:count]
        x64, z64, acc, half_z64 = (buffer[:count] for buffer in (self._x64, self._z64, self._acc,
                                                                 self._tmp64))

        np.bitwise_and(words.view(np.int32), _UNIFORM_BITS, out=k)   # view: no buffered cast
        np.copyto(theta, k, casting="unsafe")
        np.multiply(theta, _TWO_PI_OVER_2_POW_24, out=theta)
        np.multiply(theta, _FOUR_OVER_PI, out=tmp)
        np.copyto(octant, tmp, casting="unsafe")             # truncation, like cvttps
        np.add(octant, 1, out=octant)
        np.bitwise_and(octant, ~1, out=octant)
        j = tmp
        np.copyto(j, octant, casting="unsafe")
        np.multiply(j, _MINUS_DP1, out=x)                    # j is small: exact products
        np.add(theta, x, out=x)
        np.multiply(j, _MINUS_DP2, out=theta)
        np.add(x, theta, out=x)
        np.copyto(acc, j)
        np.multiply(acc, _MINUS_DP3, out=acc)                # fused: x + j * dp3
        np.copyto(x64, x)
        np.add(acc, x64, out=acc)
        np.copyto(x, acc, casting="same_kind")
        np.multiply(x, x, out=z)
        np.copyto(x64, x)
        np.copyto(z64, z)

        np.multiply(z64, _COS_POLY[0], out=acc)              # fma(z, c0, c1)
        self._add_and_round(acc, _COS_POLY[1], cos_poly)
        np.multiply(acc, z64, out=acc)                       # fma(., z, c2)
        self._add_and_round(acc, _COS_POLY[2], cos_poly)
        np.multiply(cos_poly, z, out=cos_poly)
        np.copyto(acc, cos_poly)
        np.multiply(acc, z64, out=acc)                       # fma(., z, -z/2)
        np.multiply(z64, -0.5, out=half_z64)                 # exact
        np.add(acc, half_z64, out=acc)
        np.copyto(cos_poly, acc, casting="same_kind")
        np.add(cos_poly, f32(1), out=cos_poly)

        np.multiply(z64, _SIN_POLY[0], out=acc)              # fma(z, s0, s1)
        self._add_and_round(acc, _SIN_POLY[1], sin_poly)
        np.multiply(acc, z64, out=acc)                       # fma(., z, s2)
        self._add_and_round(acc, _SIN_POLY[2], sin_poly)
        np.multiply(sin_poly, z, out=sin_poly)
        np.copyto(acc, sin_poly)
        np.multiply(acc, x64, out=acc)                       # fma(., x, x)
        np.add(acc, x64, out=acc)
        np.copyto(sin_poly, acc, casting="same_kind")

        # Octants 2 and 3 mod 4 swap the polynomials (XOR-swap on the bits under
        # an all-ones mask); the signs are then flipped with raw sign bits.
        swap_bits = k
        np.left_shift(octant, 30, out=swap_bits)
        np.right_shift(swap_bits, 31, out=swap_bits)         # -1 where bit 1 of j is set
        sin_bits, cos_bits = sin_poly.view(np.int32), cos_poly.view(np.int32)
        difference = theta.view(np.int32)
        np.bitwise_xor(sin_bits, cos_bits, out=difference)
        np.bitwise_and(difference, swap_bits, out=difference)
        np.bitwise_xor(sin_bits, difference, out=sin_bits)
        np.bitwise_xor(cos_bits, difference, out=cos_bits)
        np.bitwise_and(octant, 4, out=swap_bits)             # sin sign: bit 2 of j
        np.left_shift(swap_bits, 29, out=swap_bits)
        np.bitwise_xor(sin_bits, swap_bits, out=sin_bits)
        np.add(octant, 2, out=octant)                        # cos sign: bit 2 of j + 2
        np.bitwise_and(octant, 4, out=octant)
        np.left_shift(octant, 29, out=octant)
        np.bitwise_xor(cos_bits, octant, out=cos_bits)
        return sin_poly, cos_poly
