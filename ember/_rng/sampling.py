"""PyTorch's CPU sampling recipes, bit for bit, as functions of an :class:`MT19937`.

Every function draws from the engine exactly the words PyTorch's kernel draws,
in the same order, and turns them into numbers with the same arithmetic, so a
program that interleaves calls sees the same stream as under PyTorch. Results
are NumPy arrays filled in *memory order*: PyTorch's element-by-element kernels
walk a tensor in storage order (a transposed tensor gets its values in the
order of its untransposed storage), so callers with non-contiguous outputs
should sample into the storage layout and view it.

The recipes (found by experiment against torch 2.13 on x86-64, and matching
ATen's ``DistributionsHelper.h`` / ``TransformationHelper.h``):

* ``random()`` is one 32-bit word; ``random64()`` is two, the first one high.
* A float uniform in [0, 1) is ``(random() & (2**24 - 1)) * 2**-24``; a double
  one is ``(random64() & (2**53 - 1)) * 2**-53``. float16/bfloat16 use the
  float recipe and round. Scaling to [low, high) is one fused multiply-add,
  ``fma(u, high - low, low)``, and a result that rounds up to ``high`` is
  replaced by ``low``.
* ``normal_`` has two paths, see :func:`normal`.
* Integer draws are ``random() % range + low``, or ``random64()`` once the
  range is 2**28 or more.

Dtypes are NumPy dtypes; ``BFLOAT16`` (the string ``"bfloat16"``) selects
PyTorch's bfloat16 recipe and returns float32 arrays holding bfloat16 values.
"""

from __future__ import annotations

import math

import numpy as np

from .float_ops import AvxBoxMuller, fma32, fma64, libm, libm_log, libm_log1p
from .mt19937 import MT19937

BFLOAT16 = "bfloat16"

f16, f32, f64 = np.float16, np.float32, np.float64
_FLOAT24_MASK = 0xFFFFFF
_DOUBLE53_MASK = np.uint64((1 << 53) - 1)
_TWO_PI = 2.0 * math.pi
# Box-Muller works on blocks of 16 uniforms: the first 8 give radii, the last 8 angles.
_BLOCK = 16
_HALF_BLOCK = 8
# Pairs per Box-Muller chunk: small enough that the chunk's temporaries stay in cache.
_BOX_MULLER_CHUNK = 1 << 14
# randint switches from one 32-bit word to a 64-bit draw at this range.
_RANGE_NEEDING_64_BITS = 1 << 28
# randperm's shuffle reduces 32-bit words below this size (uint32 max // 20).
_RANDPERM_32_BIT_LIMIT = 0xFFFFFFFF // 20


# ======================================================================= dtypes

def _is_bfloat16(dtype) -> bool:
    return isinstance(dtype, str) and dtype == BFLOAT16


def _as_dtype(dtype):
    return dtype if _is_bfloat16(dtype) else np.dtype(dtype)


def _is_floating(dtype) -> bool:
    return _is_bfloat16(dtype) or dtype.kind == "f"


def _mantissa_digits(dtype) -> int:
    """std::numeric_limits<T>::digits: significand bits including the implicit one."""
    if _is_bfloat16(dtype):
        return 8
    return {2: 11, 4: 24, 8: 53}[dtype.itemsize]


def _round_to_bfloat16(values: np.ndarray) -> np.ndarray:
    """float32 -> bfloat16 (round to nearest even), kept in float32 storage."""
    values = np.asarray(values, dtype=f32)
    bits = values.view(np.uint32).astype(np.uint64)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000).astype(np.uint32).view(f32)
    return np.where(np.isnan(values), values, rounded)


def _cast_from_float32(values: np.ndarray, dtype) -> np.ndarray:
    """What static_cast<scalar_t>(float) gives for a floating dtype."""
    if _is_bfloat16(dtype):
        return _round_to_bfloat16(values)
    return values.astype(dtype, copy=False)


def _cast_from_double(values: np.ndarray, dtype) -> np.ndarray:
    """What static_cast<scalar_t>(double) gives; c10::Half and BFloat16 go through float."""
    if _is_bfloat16(dtype) or dtype == f16:
        return _cast_from_float32(np.asarray(values, dtype=f64).astype(f32), dtype)
    return np.asarray(values).astype(dtype, copy=False)


def _float_scalar(value: float, dtype) -> float:
    """static_cast<scalar_t>(value) for a floating dtype, back as a Python float."""
    return float(_cast_from_double(np.array([value], dtype=f64), dtype)[0])


def _count(shape) -> int:
    return int(np.prod(shape, dtype=np.int64))


# ===================================================================== uniforms

def uniform_float24(engine: MT19937, count: int) -> np.ndarray:
    """``count`` float32 uniforms in [0, 1): the low 24 bits of one word each, times 2**-24."""
    words = engine.random_uint32(count)
    np.bitwise_and(words, _FLOAT24_MASK, out=words)
    values = words.astype(f32)
    values *= f32(2.0 ** -24)
    return values


def uniform_double53(engine: MT19937, count: int) -> np.ndarray:
    """``count`` float64 uniforms in [0, 1): the low 53 bits of a 64-bit draw each, times 2**-53."""
    values = (engine.random_uint64(count) & _DOUBLE53_MASK).astype(f64)
    values *= 2.0 ** -53
    return values


def uniform(engine: MT19937, shape, dtype=f32, low: float = 0.0, high: float = 1.0) -> np.ndarray:
    """``torch.rand`` / ``Tensor.uniform_(low, high)``: one draw per element.

    float64 scales a 53-bit double; every other dtype scales a 24-bit float in
    float32 (``high - low`` is rounded to float32 first) and rounds the result
    to the dtype. Scaling is ``fma(u, high - low, low)``; a value that rounds to
    ``high`` becomes ``low``, so the interval stays half-open.
    """
    dtype = _as_dtype(dtype)
    count = _count(shape)
    if not _is_bfloat16(dtype) and dtype == f64:
        values = uniform_double53(engine, count)
        if (low, high) != (0.0, 1.0):
            values = fma64(values, high - low, low)
    else:
        values = uniform_float24(engine, count)
        low32, high32 = f32(low), f32(high)
        if (low32, high32) != (0.0, 1.0):
            values = fma32(values, high32 - low32, low32)
        values = _cast_from_float32(values, dtype)
    high_in_dtype = _float_scalar(high, dtype)
    values[values == high_in_dtype] = _float_scalar(low, dtype)
    return values.reshape(shape)


# ======================================================================= normal

def normal(engine: MT19937, shape, dtype=f32, mean: float = 0.0, std: float = 1.0,
           contiguous: bool = True) -> np.ndarray:
    """``torch.randn`` / ``Tensor.normal_(mean, std)``.

    PyTorch picks one of two Box-Muller paths:

    * **Block path** (contiguous and at least 16 elements): draw one uniform
      per element, then transform each block of 16 in place, pairing slot j
      (radius from ``1 - u``) with slot j + 8 (angle): slot j gets
      ``r cos`` and slot j + 8 gets ``r sin``, both ``fma(z, std, mean)``. A
      ragged tail is redone: 16 *fresh* uniforms produce the last 16 elements.
      float32 uses AVX ``log256_ps``/``sincos256_ps`` (replayed exactly in
      :mod:`float_ops`); float64 uses libm. float16/bfloat16 compute in float32
      but draw block by block, so their tail uses the 16 words right after the
      last whole block instead of after all ``n``.
    * **Scalar path** (otherwise): a double Box-Muller per *pair* of elements
      from two 53-bit uniforms u1, u2: ``r = sqrt(-2 log1p(-u2))``,
      ``theta = 2 pi u1``; the element gets ``r cos(theta)`` and ``r sin(theta)``
      is cached in the generator for the next scalar normal draw (even one in a
      later call). Each result is ``fma(z, std, mean)`` in double, then cast.

    Args:
        contiguous: whether the tensor being filled is contiguous; PyTorch
            sends non-contiguous tensors down the scalar path whatever their size.
    """
    dtype = _as_dtype(dtype)
    count = _count(shape)
    if count >= _BLOCK and contiguous:
        if _is_bfloat16(dtype) or dtype == f16:
            values = _cast_from_float32(_normal_blocks_reduced(engine, count, mean, std), dtype)
        elif dtype == f32:
            values = _normal_blocks_float32(engine, count, f32(mean), f32(std))
        else:
            values = _normal_blocks_float64(engine, count, float(mean), float(std))
    else:
        standard = scalar_standard_normals(engine, count)
        values = _cast_from_double(_scale_and_shift64(standard, mean, std), dtype)
    return values.reshape(shape)


def scalar_standard_normals(engine: MT19937, count: int) -> np.ndarray:
    """``count`` draws of PyTorch's scalar ``normal_distribution<double>`` (mean 0, std 1).

    Consumes and refills ``engine.next_double_normal_sample`` as PyTorch does.
    """
    values = np.empty(count, dtype=f64)
    if count == 0:
        return values
    start = 0
    if engine.next_double_normal_sample is not None:
        values[0] = engine.next_double_normal_sample
        engine.next_double_normal_sample = None
        start = 1
    needed = count - start
    pairs = (needed + 1) // 2
    uniforms = uniform_double53(engine, 2 * pairs)
    angle_uniforms, radius_uniforms = uniforms[0::2], uniforms[1::2]
    radius = np.sqrt(-2.0 * libm_log1p(-radius_uniforms))
    theta = _TWO_PI * angle_uniforms
    pair_values = np.empty(2 * pairs, dtype=f64)
    pair_values[0::2] = radius * libm(math.cos, theta)
    pair_values[1::2] = radius * libm(math.sin, theta)
    values[start:] = pair_values[:needed]
    if needed % 2:
        engine.next_double_normal_sample = float(pair_values[-1])
    return values


def _scale_and_shift64(values: np.ndarray, mean: float, std: float) -> np.ndarray:
    if (mean, std) == (0.0, 1.0):
        return values
    return fma64(values, std, mean)


def _normal_blocks_float64(engine, count, mean, std):
    uniforms = uniform_double53(engine, count)
    whole = count - count % _BLOCK
    blocks = [uniforms[:whole].reshape(-1, _BLOCK)]
    if whole != count:
        blocks.append(uniform_double53(engine, _BLOCK).reshape(1, _BLOCK))
    blocks = np.concatenate(blocks)
    radius = np.sqrt(-2.0 * libm_log(1.0 - blocks[:, :_HALF_BLOCK]))
    theta = _TWO_PI * blocks[:, _HALF_BLOCK:]
    # NOTE: NumPy's float64 cos/sin call libm (its log does not, hence libm_log).
    normals = np.concatenate([radius * np.cos(theta), radius * np.sin(theta)], axis=1)
    return _place_blocks(_scale_and_shift64(normals, mean, std), count, whole)


def _normal_blocks_float32(engine, count, mean, std):
    words = engine.random_uint32(count)
    whole = count - count % _BLOCK
    if whole != count:
        words = np.concatenate([words[:whole], engine.random_uint32(_BLOCK)])
    normals = _box_muller_avx(words)
    if (mean, std) != (0.0, 1.0):
        normals = fma32(normals, std, mean)
    return _place_blocks(normals, count, whole)


def _normal_blocks_reduced(engine, count, mean, std):
    whole = count - count % _BLOCK
    words = engine.random_uint32(whole + (_BLOCK if whole != count else 0))
    normals = _box_muller_avx(words)
    if (f32(mean), f32(std)) != (0.0, 1.0):
        normals = fma32(normals, f32(std), f32(mean))
    return _place_blocks(normals, count, whole)


def _place_blocks(block_values: np.ndarray, count: int, whole: int) -> np.ndarray:
    """Lay out transformed blocks: whole blocks first, a redone tail block over the last 16."""
    flat = block_values.reshape(-1)
    if whole == count:
        return flat.copy() if flat.base is not None else flat
    values = np.empty(count, dtype=flat.dtype)
    values[:whole] = flat[:whole]
    values[count - _BLOCK:] = flat[whole:]
    return values


def _box_muller_avx(words: np.ndarray) -> np.ndarray:
    """PyTorch's AVX float32 Box-Muller over blocks of 16 words, standard normals out.

    In each block, word j gives u1 (radius ``sqrt(-2 log(1 - u1))``, so log
    never sees 0) and word j + 8 gives u2 (angle ``2 pi u2``, 2 pi rounded to
    float32); slot j gets ``r cos`` and slot j + 8 gets ``r sin``.
    """
    # View each block as two 32-byte records so the halves split with one
    # contiguous copy each, instead of strided 8-element rows.
    halves = words.view("V32")
    radius_words = np.ascontiguousarray(halves[0::2]).view(np.uint32)
    angle_words = np.ascontiguousarray(halves[1::2]).view(np.uint32)
    pairs = radius_words.size
    cosines = np.empty(pairs, dtype=f32)
    sines = np.empty(pairs, dtype=f32)
    kernel = AvxBoxMuller(min(pairs, _BOX_MULLER_CHUNK))
    for start in range(0, pairs, _BOX_MULLER_CHUNK):
        chunk = slice(start, start + _BOX_MULLER_CHUNK)
        kernel(radius_words[chunk], angle_words[chunk], cosines[chunk], sines[chunk])
    out = np.empty(words.size, dtype=f32)
    out_halves = out.view("V32")
    out_halves[0::2] = cosines.view("V32")
    out_halves[1::2] = sines.view("V32")
    return out


def normal_from_tensors(engine: MT19937, mean, std, dtype=f32) -> np.ndarray:
    """``torch.normal(mean, std)`` where either argument is an array.

    PyTorch draws standard normals of the broadcast shape and then scales in
    the output dtype with two roundings: ``normal_(0, std) + mean`` for a scalar
    std, else ``normal_(0, 1) * std + mean``.
    """
    dtype = _as_dtype(dtype)
    numpy_dtype = f32 if _is_bfloat16(dtype) else dtype
    mean_is_array, std_is_array = isinstance(mean, np.ndarray), isinstance(std, np.ndarray)
    if not (mean_is_array or std_is_array):
        raise TypeError("normal_from_tensors needs an array mean or std; use normal() for scalars")
    shape = np.broadcast_shapes(np.shape(mean), np.shape(std))
    if std_is_array:
        values = normal(engine, shape, dtype) * np.asarray(std, dtype=numpy_dtype)
    else:
        values = normal(engine, shape, dtype, 0.0, std)
    values = values + np.asarray(mean, dtype=numpy_dtype)
    if _is_bfloat16(dtype):
        values = _round_to_bfloat16(values)
    return values.astype(numpy_dtype, copy=False)


# ============================================================ other continuous

def exponential(engine: MT19937, shape, dtype=f32, lambd: float = 1.0) -> np.ndarray:
    """``Tensor.exponential_(lambd)``: ``(-1 / lambd) * log1p(-u)`` in double, one 53-bit u each."""
    dtype = _as_dtype(dtype)
    uniforms = uniform_double53(engine, _count(shape))
    values = (-1.0 / lambd) * libm_log1p(-uniforms)
    return _cast_from_double(values, dtype).reshape(shape)


def geometric(engine: MT19937, shape, dtype=f32, p: float = 0.5) -> np.ndarray:
    """``Tensor.geometric_(p)``: ``ceil(log(u) / log1p(-p))`` in double, one 53-bit u each."""
    dtype = _as_dtype(dtype)
    uniforms = uniform_double53(engine, _count(shape))
    values = np.ceil(libm_log(uniforms) / math.log1p(-p))
    return _cast_from_double(values, dtype).reshape(shape)


def log_normal(engine: MT19937, shape, dtype=f32, mean: float = 1.0, std: float = 2.0) -> np.ndarray:
    """``Tensor.log_normal_(mean, std)``: ``exp(fma(z, std, mean))`` for scalar-path normals z.

    Always the scalar double Box-Muller, so it shares the generator's cached normal.
    """
    dtype = _as_dtype(dtype)
    standard = scalar_standard_normals(engine, _count(shape))
    values = libm(math.exp, fma64(standard, std, mean))
    return _cast_from_double(values, dtype).reshape(shape)


def cauchy(engine: MT19937, shape, dtype=f32, median: float = 0.0, sigma: float = 1.0) -> np.ndarray:
    """``Tensor.cauchy_(median, sigma)``: ``fma(sigma, tan(pi (u - 0.5)), median)`` in double."""
    dtype = _as_dtype(dtype)
    uniforms = uniform_double53(engine, _count(shape))
    tangents = libm(math.tan, math.pi * (uniforms - 0.5))
    values = fma64(sigma, tangents, median)
    return _cast_from_double(values, dtype).reshape(shape)


# ===================================================================== integers

def randint(engine: MT19937, shape, low: int, high: int, dtype=np.int64) -> np.ndarray:
    """``torch.randint(low, high, shape)`` / ``Tensor.random_(low, high)``."""
    return random_(engine, shape, dtype, low, high)


def random_(engine: MT19937, shape, dtype=np.int64, low: int | None = None,
            high: int | None = None) -> np.ndarray:
    """``Tensor.random_()``, ``random_(high)`` (pass ``low=0``), ``random_(low, high)``, ``random_(low, None)``.

    * Both bounds given: ``(word % (high - low)) + low`` as int64, then cast,
      where word is ``random()`` or, for ranges of 2**28 and up, ``random64()``.
      Floating dtypes first pull the bounds inwards to values that survive the
      cast (PyTorch's ``update_from`` / ``update_to``).
    * Only ``low``: the upper bound is the dtype's max (2**digits for floats),
      inclusive; ``low = -2**63`` on int64/float/double is the raw 64-bit draw.
    * Neither: ``random64() % 2**63`` for int64, ``random64() % (2**53 + 1)``
      for float64, ``random() % (2**digits + 1)`` for other floats,
      ``random() % (max + 1)`` for other integers and ``random() & 1`` for bool.
    """
    dtype = _as_dtype(dtype)
    count = _count(shape)
    if low is None and high is None:
        values = _random_full_dtype_range(engine, count, dtype)
    elif high is None:
        values = _random_from(engine, count, dtype, int(low))
    else:
        low, high = int(low), int(high)
        if low >= high:
            raise RuntimeError(
                f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
        if _is_floating(dtype):
            low, high = _update_from(low, dtype), _update_to(high, dtype)
            if low >= high:
                raise RuntimeError(
                    "random_ expects 'from' casted to dtype to be less than 'to' casted to "
                    f"dtype, but got from={low} >= to={high}")
        values = _random_in_range(engine, count, high - low, low)
        values = _cast_int64(values, dtype)
    return values.reshape(shape)


def _random_in_range(engine, count, span: int, low: int) -> np.ndarray:
    """(word % span) + low with uint64 wrap-around, as int64."""
    if span >= _RANGE_NEEDING_64_BITS:
        words = engine.random_uint64(count)
    else:
        words = engine.random_uint32(count).astype(np.uint64)
    words %= np.uint64(span)
    words += np.uint64(low & 0xFFFFFFFFFFFFFFFF)
    return words.view(np.int64)


def _random_from(engine, count, dtype, low: int) -> np.ndarray:
    if low == -(1 << 63):
        # The one range that does not fit uint64 arithmetic: all 2**64 values.
        if not (_is_floating(dtype) or dtype == np.int64):
            raise RuntimeError(
                "random_full_64_bits_range_kernel_cpu handles only int64, double, float and bfloat16")
        return _cast_int64(engine.random_uint64(count).view(np.int64), dtype)
    if _is_floating(dtype):
        high_inclusive = 1 << _mantissa_digits(dtype)
        low = _update_from(low, dtype)
        if low >= high_inclusive:
            raise RuntimeError(
                "random_ expects 'from' casted to dtype to be less than or equal to 'to_inc' "
                f"casted to dtype, but got from={low} > to_inc={high_inclusive}")
    elif dtype == np.bool_:
        high_inclusive = 1
    else:
        high_inclusive = int(np.iinfo(dtype).max)
    values = _random_in_range(engine, count, high_inclusive - low + 1, low)
    return _cast_int64(values, dtype)


def _random_full_dtype_range(engine, count, dtype) -> np.ndarray:
    if _is_floating(dtype):
        digits = _mantissa_digits(dtype)
        modulus = np.uint64((1 << digits) + 1)
        words = engine.random_uint64(count) if digits == 53 else engine.random_uint32(count).astype(np.uint64)
        return _cast_int64((words % modulus).view(np.int64), dtype)
    if dtype == np.bool_:
        return (engine.random_uint32(count) & 1).astype(np.bool_)
    if dtype == np.int64:
        return (engine.random_uint64(count) & np.uint64((1 << 63) - 1)).view(np.int64)
    modulus = np.uint64(int(np.iinfo(dtype).max) + 1)
    return (engine.random_uint32(count).astype(np.uint64) % modulus).astype(dtype)


def _cast_int64(values: np.ndarray, dtype) -> np.ndarray:
    """static_cast<scalar_t>(int64): wrap for narrow ints, round to nearest for floats."""
    if _is_bfloat16(dtype) or (dtype.kind == "f" and dtype.itemsize == 2):
        return _cast_from_float32(values.astype(f32), dtype)
    return values.astype(dtype)


def _update_from(low: int, dtype) -> int:
    """Raise ``low`` to a value that stays >= low after the cast to ``dtype``."""
    low_plus_1 = int(_float_scalar(low + 1, dtype))
    if low_plus_1 < low:
        exponent = abs(low + 1).bit_length() - 1
        low = low_plus_1 + (1 << (exponent - _mantissa_digits(dtype) + 1))
    return low


def _update_to(high: int, dtype) -> int:
    """Lower ``high`` so that ``high - 1`` stays < high after the cast to ``dtype``."""
    high_minus_1 = int(_float_scalar(high - 1, dtype))
    if high_minus_1 >= high:
        exponent = abs(high - 1).bit_length() - 1
        high = high_minus_1 - (1 << (exponent - _mantissa_digits(dtype) + 1))
    return high


def randperm(engine: MT19937, n: int, dtype=np.int64) -> np.ndarray:
    """``torch.randperm(n)``: a Fisher-Yates shuffle of ``arange(n)``.

    For n below 2**32 / 20 (PyTorch's threshold), step i swaps slot i with slot
    ``i + random() % (n - i)``, for i = 0 .. n - 2 (n - 1 words). Larger n use
    the "inside-out" variant: ``z = random64() % (i + 1)``, ``r[i] = r[z]``,
    ``r[z] = i`` for i = 0 .. n - 1.
    """
    dtype = _as_dtype(dtype)
    n = int(n)
    if n < _RANDPERM_32_BIT_LIMIT:
        permutation = _forward_shuffle(engine, n)
    else:
        permutation = _inside_out_shuffle(engine, n)
    return _cast_int64(permutation, dtype)


def _forward_shuffle(engine, n: int) -> np.ndarray:
    steps = max(n - 1, 0)
    starts = np.arange(steps, dtype=np.int64)
    partners = starts + engine.random_uint32(steps).astype(np.int64) % (n - starts)
    slots = list(range(n))
    # Each swap reads what earlier swaps wrote, so this stays a loop.
    for i, j in enumerate(partners.tolist()):
        slots[i], slots[j] = slots[j], slots[i]
    return np.array(slots, dtype=np.int64)


def _inside_out_shuffle(engine, n: int) -> np.ndarray:
    sizes = np.arange(1, n + 1, dtype=np.uint64)
    picks = (engine.random_uint64(n) % sizes).tolist()
    slots = [0] * n
    for i, z in enumerate(picks):
        slots[i] = slots[z]
        slots[z] = i
    return np.array(slots, dtype=np.int64)


# ==================================================================== discrete

def bernoulli(engine: MT19937, p, shape=None, dtype=f32) -> np.ndarray:
    """``Tensor.bernoulli_(p)`` / ``torch.bernoulli``: 1 where a uniform is below p.

    A Python-number p compares 53-bit double uniforms with p. An array p
    (broadcast to ``shape``) compares 53-bit doubles when p is float64 and
    24-bit float uniforms with p cast to float32 otherwise.
    """
    dtype = _as_dtype(dtype)
    if isinstance(p, np.ndarray):
        shape = p.shape if shape is None else tuple(shape)
        p = np.broadcast_to(p, shape)
        if p.dtype == f64:
            hits = uniform_double53(engine, _count(shape)).reshape(shape) < p
        else:
            hits = uniform_float24(engine, _count(shape)).reshape(shape) < p.astype(f32)
    else:
        hits = uniform_double53(engine, _count(shape)).reshape(shape) < float(p)
    if _is_bfloat16(dtype):
        return hits.astype(f32)
    return hits.astype(dtype)


def multinomial(engine: MT19937, probs: np.ndarray, num_samples: int,
                replacement: bool = False) -> np.ndarray:
    """``torch.multinomial(probs, num_samples, replacement)`` for 1-D or 2-D ``probs``.

    Without replacement, or for a single sample, PyTorch uses the exponential
    race (Gumbel-max trick): draw ``q = exponential_(1)`` shaped like ``probs``
    (in its dtype) and take the top ``num_samples`` of ``probs / q``.

    With replacement, each row's cumulative sum is accumulated sequentially in
    the row's dtype (float32 for float16), divided by its total, its last entry
    set to 1, and each sample is the first index whose cumulative value is not
    below a 53-bit double uniform (rows in order, samples in order).
    """
    probs = np.asarray(probs)
    rows = probs.reshape(1, -1) if probs.ndim == 1 else probs
    _check_multinomial(rows, num_samples, replacement)
    if not replacement or num_samples == 1:
        race = exponential(engine, rows.shape, rows.dtype, 1.0)
        scores = rows / race
        if num_samples == 1:
            samples = np.argmax(scores, axis=1).reshape(-1, 1)
        else:
            samples = np.argsort(-scores, axis=1, kind="stable")[:, :num_samples]
    else:
        samples = np.empty((rows.shape[0], num_samples), dtype=np.int64)
        accumulate_dtype = f32 if rows.dtype == f16 else rows.dtype
        for row_index, row in enumerate(rows.astype(accumulate_dtype)):
            cumulative = np.add.accumulate(row)   # sequential, like the C loop
            cumulative /= cumulative[-1]
            cumulative[-1] = 1
            uniforms = uniform_double53(engine, num_samples)
            samples[row_index] = np.searchsorted(cumulative.astype(f64), uniforms, side="left")
    samples = samples.astype(np.int64)
    return samples.reshape(-1) if probs.ndim == 1 else samples


def _check_multinomial(rows: np.ndarray, num_samples: int, replacement: bool) -> None:
    if not replacement and num_samples > rows.shape[1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    if not np.all(np.isfinite(rows)) or np.any(rows < 0):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if np.any(rows.sum(axis=1) == 0):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
