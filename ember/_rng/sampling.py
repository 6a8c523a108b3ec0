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

Dtypes are NumPy dtypes, or ``BFLOAT16`` for PyTorch's bfloat16 recipes on
float32 storage (see :mod:`.dtypes`). The integer recipes live in
:mod:`.integers` and are re-exported here.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .. import _threads
from .dtypes import (
    BFLOAT16,
    as_dtype,
    cast_from_double,
    cast_from_float32,
    complex_part,
    element_count,
    f32,
    f64,
    float_scalar,
    is_bfloat16,
    is_complex,
    is_reduced_float,
    require_floating,
    round_to_bfloat16,
    storage_dtype,
)
from .float_ops import AvxBoxMuller, fma32, fma64, libm, libm_log, libm_log1p
from .integers import randint, random_, randperm
from .mt19937 import MT19937

__all__ = [
    "BFLOAT16", "bernoulli", "cauchy", "exponential", "geometric", "log_normal", "multinomial",
    "normal", "normal_from_tensors", "randint", "random_", "randperm", "scalar_standard_normals",
    "uniform", "uniform_double53", "uniform_float24",
]
_FLOAT24_MASK = 0xFFFFFF
_DOUBLE53_MASK = np.uint64((1 << 53) - 1)
_TWO_PI = 2.0 * math.pi
# Box-Muller works on blocks of 16 uniforms: the first 8 give radii, the last 8 angles.
_BLOCK = 16
_HALF_BLOCK = 8
# Uniforms converted per engine call: the words are still in cache when used.
_CONVERSION_CHUNK = 1 << 16
# Pairs per Box-Muller chunk: small enough that the chunk's temporaries stay in cache.
_BOX_MULLER_CHUNK = 1 << 14


# ===================================================================== uniforms

def uniform_float24(engine: MT19937, count: int) -> np.ndarray:
    """``count`` float32 uniforms in [0, 1): the low 24 bits of one word each, times 2**-24."""
    values = np.empty(count, dtype=f32)
    # Chunked so that each word is converted while it is still in cache.
    for start in range(0, count, _CONVERSION_CHUNK):
        chunk = values[start:start + _CONVERSION_CHUNK]
        words = engine.random_uint32(chunk.size)
        np.bitwise_and(words, _FLOAT24_MASK, out=words)
        np.copyto(chunk, words.view(np.int32), casting="unsafe")   # exact below 2**24
        np.multiply(chunk, f32(2.0 ** -24), out=chunk)
    return values


def uniform_double53(engine: MT19937, count: int) -> np.ndarray:
    """``count`` float64 uniforms in [0, 1): the low 53 bits of a 64-bit draw each, times 2**-53."""
    values = np.empty(count, dtype=f64)
    for start in range(0, count, _CONVERSION_CHUNK):
        chunk = values[start:start + _CONVERSION_CHUNK]
        draws = engine.random_uint64(chunk.size)
        np.bitwise_and(draws, _DOUBLE53_MASK, out=draws)
        np.copyto(chunk, draws.view(np.int64), casting="unsafe")   # exact below 2**53
        np.multiply(chunk, 2.0 ** -53, out=chunk)
    return values


def uniform(engine: MT19937, shape, dtype=f32, low: float = 0.0, high: float = 1.0) -> np.ndarray:
    """``torch.rand`` / ``Tensor.uniform_(low, high)``: one draw per element.

    float64 scales a 53-bit double; every other dtype scales a 24-bit float in
    float32 (``high - low`` is rounded to float32 first) and rounds the result
    to the dtype. Scaling is ``fma(u, high - low, low)``; a value that rounds to
    ``high`` becomes ``low``, so the interval stays half-open.
    """
    dtype = as_dtype(dtype)
    require_floating(dtype, "uniform")
    if is_complex(dtype):                  # real and imaginary parts, interleaved
        parts = uniform(engine, (*shape, 2), complex_part(dtype), low, high)
        return parts.view(dtype).reshape(shape)
    count = element_count(shape)
    unit_interval = (low, high) == (0.0, 1.0)
    if dtype == f64:
        values = uniform_double53(engine, count)
        if not unit_interval:
            values = fma64(values, high - low, low)
    else:
        values = uniform_float24(engine, count)
        low32, high32 = f32(low), f32(high)
        if (low32, high32) != (0.0, 1.0):
            values = fma32(values, high32 - low32, low32)
        values = cast_from_float32(values, dtype)
    if not (unit_interval and dtype in (f32, f64)):   # [0, 1) cannot round up to 1 there
        high_in_dtype = float_scalar(high, dtype)
        values[values == high_in_dtype] = float_scalar(low, dtype)
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

    Complex dtypes fill real and imaginary parts as one real tensor of twice
    the size, with ``std / sqrt(2)`` (and ``mean`` for both parts).

    Args:
        contiguous: whether the tensor being filled is contiguous; PyTorch
            sends non-contiguous tensors down the scalar path whatever their size.
    """
    dtype = as_dtype(dtype)
    require_floating(dtype, "normal")
    if is_complex(dtype):
        parts = normal(engine, (*shape, 2), complex_part(dtype), mean, std / math.sqrt(2),
                       contiguous)
        return parts.view(dtype).reshape(shape)
    count = element_count(shape)
    if count >= _BLOCK and contiguous:
        if is_reduced_float(dtype):
            values = cast_from_float32(_normal_blocks_reduced(engine, count, mean, std), dtype)
        elif dtype == f32:
            values = _normal_blocks_float32(engine, count, f32(mean), f32(std))
        else:
            values = _normal_blocks_float64(engine, count, float(mean), float(std))
    else:
        standard = scalar_standard_normals(engine, count)
        values = cast_from_double(_scale_and_shift64(standard, mean, std), dtype)
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
    if whole != count:
        uniforms = np.concatenate([uniforms[:whole], uniform_double53(engine, _BLOCK)])
    radius_uniforms, angle_uniforms = _split_blocks(uniforms)
    radius = np.sqrt(-2.0 * libm_log(1.0 - radius_uniforms))
    theta = _TWO_PI * angle_uniforms
    # NOTE: NumPy's float64 cos/sin call libm; its float64 log does not (hence libm_log).
    normals = _merge_blocks(radius * np.cos(theta), radius * np.sin(theta))
    return _place_blocks(_scale_and_shift64(normals, mean, std), count, whole)


def _normal_blocks_float32(engine, count, mean, std):
    whole = count - count % _BLOCK
    values = np.empty(count, dtype=f32)
    kernel = _AvxBlocks(min(whole // 2, _BOX_MULLER_CHUNK))
    step = 2 * _BOX_MULLER_CHUNK
    if whole >= _THREADED_MIN_ELEMENTS and _threads.num_threads() > 1:
        _transform_in_threads(engine.random_uint32(whole), values[:whole], step)
    else:
        # Words are drawn chunk by chunk, so each is transformed while in cache.
        for start in range(0, whole, step):
            words = engine.random_uint32(min(step, whole - start))
            kernel(words, out=values[start:start + words.size])
    if whole != count:
        engine.random_uint32(count - whole)     # drawn, then overwritten by the tail block
        kernel(engine.random_uint32(_BLOCK), out=values[count - _BLOCK:])
    if (mean, std) != (0.0, 1.0):
        values = fma32(values, std, mean)
    return values


# Large float32 normals are transformed by two threads, each taking one half of the
# blocks: blocks of 16 are independent, and NumPy releases the GIL inside every ufunc,
# so the halves run in parallel (the words are drawn before, in order, so the stream is
# unchanged). Below the threshold the thread hand-off costs more than it saves; with
# ember.set_num_threads(1) nothing is threaded.
_THREADED_MIN_ELEMENTS = 1 << 20
_pool = None


def _transform_in_threads(words, out, step):
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ember-randn")
    middle = (words.size // 2) // _BLOCK * _BLOCK

    def transform(start, stop):
        kernel = _AvxBlocks(_BOX_MULLER_CHUNK)
        for begin in range(start, stop, step):
            end = min(begin + step, stop)
            kernel(words[begin:end], out=out[begin:end])

    futures = [_pool.submit(transform, 0, middle), _pool.submit(transform, middle, words.size)]
    for future in futures:
        future.result()


def _normal_blocks_reduced(engine, count, mean, std):
    whole = count - count % _BLOCK
    words = engine.random_uint32(whole + (_BLOCK if whole != count else 0))
    normals = np.empty(words.size, dtype=f32)
    _AvxBlocks(min(words.size // 2, _BOX_MULLER_CHUNK))(words, out=normals)
    if (f32(mean), f32(std)) != (0.0, 1.0):
        normals = fma32(normals, f32(std), f32(mean))
    return _place_blocks(normals, count, whole)


def _place_blocks(block_values: np.ndarray, count: int, whole: int) -> np.ndarray:
    """Lay out transformed blocks: whole blocks first, a redone tail block over the last 16."""
    if whole == count:
        return block_values
    values = np.empty(count, dtype=block_values.dtype)
    values[:whole] = block_values[:whole]
    values[count - _BLOCK:] = block_values[whole:]
    return values


def _split_blocks(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first and the last 8 elements of every block of 16, each gathered contiguously."""
    # A block half viewed as one opaque record makes the split two plain copies
    # instead of strided 8-element rows (which NumPy walks slowly).
    halves = values.view(f"V{_HALF_BLOCK * values.itemsize}")
    first = np.ascontiguousarray(halves[0::2]).view(values.dtype)
    last = np.ascontiguousarray(halves[1::2]).view(values.dtype)
    return first, last


def _merge_blocks(first: np.ndarray, last: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Inverse of :func:`_split_blocks`."""
    merged = np.empty(first.size + last.size, dtype=first.dtype) if out is None else out
    halves = merged.view(f"V{_HALF_BLOCK * merged.itemsize}")
    halves[0::2] = first.view(halves.dtype)
    halves[1::2] = last.view(halves.dtype)
    return merged


class _AvxBlocks:
    """PyTorch's AVX float32 Box-Muller over blocks of 16 words, standard normals out.

    In each block, word j gives u1 (radius ``sqrt(-2 log(1 - u1))``, so log
    never sees 0) and word j + 8 gives u2 (angle ``2 pi u2``, 2 pi rounded to
    float32); slot j gets ``r cos`` and slot j + 8 gets ``r sin``.
    """

    def __init__(self, capacity_pairs: int):
        self._kernel = AvxBoxMuller(max(capacity_pairs, _HALF_BLOCK))
        self._cosines = np.empty(self._kernel.capacity, dtype=f32)
        self._sines = np.empty(self._kernel.capacity, dtype=f32)

    def __call__(self, words: np.ndarray, out: np.ndarray) -> None:
        radius_words, angle_words = _split_blocks(words)
        capacity = self._kernel.capacity
        for start in range(0, radius_words.size, capacity):
            chunk = slice(start, start + capacity)
            pairs = radius_words[chunk].size
            cosines, sines = self._cosines[:pairs], self._sines[:pairs]
            self._kernel(radius_words[chunk], angle_words[chunk], cosines, sines)
            _merge_blocks(cosines, sines, out=out[2 * start:2 * (start + pairs)])


def normal_from_tensors(engine: MT19937, mean, std, dtype=f32) -> np.ndarray:
    """``torch.normal(mean, std)`` where either argument is an array.

    PyTorch draws standard normals of the broadcast shape and then scales in
    the output dtype with two roundings: ``normal_(0, std) + mean`` for a scalar
    std, else ``normal_(0, 1) * std + mean``.
    """
    dtype = as_dtype(dtype)
    mean_is_array, std_is_array = isinstance(mean, np.ndarray), isinstance(std, np.ndarray)
    if not (mean_is_array or std_is_array):
        raise TypeError("normal_from_tensors needs an array mean or std; use normal() for scalars")
    shape = np.broadcast_shapes(np.shape(mean), np.shape(std))
    storage = storage_dtype(dtype)
    if std_is_array:
        values = normal(engine, shape, dtype) * np.asarray(std, dtype=storage)
    else:
        values = normal(engine, shape, dtype, 0.0, std)
    if isinstance(dtype, str):          # round each step like a bfloat16 tensor op
        values = round_to_bfloat16(values)
    values = values + np.asarray(mean, dtype=storage)
    return round_to_bfloat16(values) if isinstance(dtype, str) else values


# ============================================================ other continuous

def exponential(engine: MT19937, shape, dtype=f32, lambd: float = 1.0) -> np.ndarray:
    """``Tensor.exponential_(lambd)``: ``(-1 / lambd) * log1p(-u)`` in double, one 53-bit u each."""
    dtype = as_dtype(dtype)
    uniforms = uniform_double53(engine, element_count(shape))
    values = (-1.0 / lambd) * libm_log1p(-uniforms)
    return cast_from_double(values, dtype).reshape(shape)


def geometric(engine: MT19937, shape, dtype=f32, p: float = 0.5) -> np.ndarray:
    """``Tensor.geometric_(p)``: ``ceil(log(u) / log1p(-p))`` in double, one 53-bit u each."""
    dtype = as_dtype(dtype)
    uniforms = uniform_double53(engine, element_count(shape))
    values = np.ceil(libm_log(uniforms) / math.log1p(-p))
    return cast_from_double(values, dtype).reshape(shape)


def log_normal(engine: MT19937, shape, dtype=f32, mean: float = 1.0, std: float = 2.0) -> np.ndarray:
    """``Tensor.log_normal_(mean, std)``: ``exp(fma(z, std, mean))`` for scalar-path normals z.

    Always the scalar double Box-Muller, so it shares the generator's cached normal.
    """
    dtype = as_dtype(dtype)
    standard = scalar_standard_normals(engine, element_count(shape))
    values = libm(math.exp, fma64(standard, std, mean))
    return cast_from_double(values, dtype).reshape(shape)


def cauchy(engine: MT19937, shape, dtype=f32, median: float = 0.0, sigma: float = 1.0) -> np.ndarray:
    """``Tensor.cauchy_(median, sigma)``: ``fma(sigma, tan(pi (u - 0.5)), median)`` in double."""
    dtype = as_dtype(dtype)
    uniforms = uniform_double53(engine, element_count(shape))
    tangents = libm(math.tan, math.pi * (uniforms - 0.5))
    values = fma64(sigma, tangents, median)
    return cast_from_double(values, dtype).reshape(shape)


# ==================================================================== discrete

def bernoulli(engine: MT19937, p, shape=None, dtype=None) -> np.ndarray:
    """``Tensor.bernoulli_(p)`` / ``torch.bernoulli``: 1 where a uniform is below p.

    A Python-number p compares 53-bit double uniforms with p. An array p
    (broadcast to ``shape``) compares 53-bit doubles when p is float64 and
    24-bit float uniforms with p cast to float32 otherwise. ``dtype`` defaults
    to p's dtype (``torch.bernoulli(p)``), float32 for a number.
    """
    if dtype is None:
        dtype = p.dtype if isinstance(p, np.ndarray) else f32
    dtype = as_dtype(dtype)
    if isinstance(p, np.ndarray):
        shape = p.shape if shape is None else tuple(shape)
        p = np.broadcast_to(p, shape)
        if p.dtype == f64:
            hits = uniform_double53(engine, element_count(shape)).reshape(shape) < p
        else:
            hits = uniform_float24(engine, element_count(shape)).reshape(shape) < p.astype(f32)
    else:
        hits = uniform_double53(engine, element_count(shape)).reshape(shape) < float(p)
    if is_bfloat16(dtype):
        return hits.astype(f32).astype(storage_dtype(dtype))
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
        accumulate_dtype = f32 if is_reduced_float(rows.dtype) else rows.dtype
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
