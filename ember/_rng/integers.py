"""PyTorch's CPU recipes for random integers: ``randint`` / ``random_`` and ``randperm``.

* ``random_(low, high)`` is ``(word % (high - low)) + low``, with one 32-bit
  word per element, or a 64-bit draw once the range reaches 2**28.
* ``randperm(n)`` is a forward Fisher-Yates shuffle driven by ``random() % (n - i)``.
"""

from __future__ import annotations

import numpy as np

from .dtypes import (
    as_dtype,
    cast_from_float32,
    element_count,
    f32,
    float_scalar,
    is_floating,
    is_reduced_float,
    mantissa_digits,
)
from .mt19937 import MT19937

# Elements reduced per engine call: the words are still in cache when used.
_CONVERSION_CHUNK = 1 << 16
# randint switches from one 32-bit word to a 64-bit draw at this range.
_RANGE_NEEDING_64_BITS = 1 << 28
# randperm's shuffle reduces 32-bit words below this size (uint32 max // 20).
_RANDPERM_32_BIT_LIMIT = 0xFFFFFFFF // 20


def randint(engine: MT19937, shape, low: int, high: int, dtype=np.int64) -> np.ndarray:
    """``torch.randint(low, high, shape)`` / ``Tensor.random_(low, high)``."""
    return random_(engine, shape, dtype, low, high)


def random_(engine: MT19937, shape, dtype=np.int64, low: int | None = None,
            high: int | None = None) -> np.ndarray:
    """Every form of ``Tensor.random_``; ``random_(high)`` is ``low=0, high=high``.

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
    dtype = as_dtype(dtype)
    count = element_count(shape)
    if low is None and high is None:
        values = _random_full_dtype_range(engine, count, dtype)
    elif high is None:
        values = _random_from(engine, count, dtype, int(low))
    else:
        low, high = int(low), int(high)
        if low >= high:
            raise RuntimeError(
                f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
        if is_floating(dtype):
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
    values = np.empty(count, dtype=np.uint64)
    offset = np.uint64(low & 0xFFFFFFFFFFFFFFFF)
    for start in range(0, count, _CONVERSION_CHUNK):
        chunk = values[start:start + _CONVERSION_CHUNK]
        if span >= _RANGE_NEEDING_64_BITS:
            words = engine.random_uint64(chunk.size)
            np.remainder(words, np.uint64(span), out=words)
        else:
            words = engine.random_uint32(chunk.size)
            np.remainder(words, np.uint32(span), out=words)   # 32-bit division is cheaper
        np.add(words, offset, out=chunk, casting="unsafe")
    return values.view(np.int64)


def _random_from(engine, count, dtype, low: int) -> np.ndarray:
    if low == -(1 << 63):
        # The one range that does not fit uint64 arithmetic: all 2**64 values.
        if not (is_floating(dtype) or dtype == np.int64):
            raise RuntimeError(
                "random_full_64_bits_range_kernel_cpu handles only int64, double, float and bfloat16")
        return _cast_int64(engine.random_uint64(count).view(np.int64), dtype)
    if is_floating(dtype):
        high_inclusive = 1 << mantissa_digits(dtype)
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
    if is_floating(dtype):
        digits = mantissa_digits(dtype)
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
    if is_reduced_float(dtype):
        return cast_from_float32(values.astype(f32), dtype)
    return values.astype(dtype)


def _update_from(low: int, dtype) -> int:
    """Raise ``low`` to a value that stays >= low after the cast to ``dtype``."""
    low_plus_1 = int(float_scalar(low + 1, dtype))
    if low_plus_1 < low:
        exponent = abs(low + 1).bit_length() - 1
        low = low_plus_1 + (1 << (exponent - mantissa_digits(dtype) + 1))
    return low


def _update_to(high: int, dtype) -> int:
    """Lower ``high`` so that ``high - 1`` stays < high after the cast to ``dtype``."""
    high_minus_1 = int(float_scalar(high - 1, dtype))
    if high_minus_1 >= high:
        exponent = abs(high - 1).bit_length() - 1
        high = high_minus_1 - (1 << (exponent - mantissa_digits(dtype) + 1))
    return high


def randperm(engine: MT19937, n: int, dtype=np.int64) -> np.ndarray:
    """``torch.randperm(n)``: a Fisher-Yates shuffle of ``arange(n)``.

    For n below 2**32 / 20 (PyTorch's threshold), step i swaps slot i with slot
    ``i + random() % (n - i)``, for i = 0 .. n - 2 (n - 1 words). Larger n use
    the "inside-out" variant: ``z = random64() % (i + 1)``, ``r[i] = r[z]``,
    ``r[z] = i`` for i = 0 .. n - 1.
    """
    dtype = as_dtype(dtype)
    n = int(n)
    if n < _RANDPERM_32_BIT_LIMIT:
        permutation = _forward_shuffle(engine, n)
    else:
        permutation = _inside_out_shuffle(engine, n)
    return _cast_int64(permutation, dtype)


def _forward_shuffle(engine, n: int) -> np.ndarray:
    """The forward Fisher-Yates shuffle, with the swaps resolved all at once.

    Step i swaps slots i and t_i >= i. Slot p is final after step p, and
    before that only steps a < p with t_a = p write to it (each leaves there
    what slot a held just before step a). So, with the steps grouped by target:

    * ``held(p)`` -- what slot p holds just before step p -- is p if no
      earlier step targeted p, else ``held`` of the last such step: following
      these links down to a slot nobody targeted gives the value;
    * the result at i is what slot t_i holds just before step i: ``held`` of
      the previous step with the same target, or t_i itself if there is none.

    The links are followed by pointer jumping, a handful of gathers.
    """
    if n <= 1:
        return np.zeros(n, dtype=np.int64)
    words = engine.random_uint32(n - 1)
    np.remainder(words, np.arange(n, 1, -1, dtype=np.uint32), out=words)  # % (n - i)
    steps = np.arange(n, dtype=np.int32)          # n < 2**31 on this path
    targets = np.empty(n, dtype=np.int32)
    np.add(words, steps[:-1], out=targets[:-1], casting="unsafe")
    targets[-1] = n - 1                           # the last slot "swaps" with itself

    # Sort steps by (target, step) through one int64 key per step.
    keys = targets.astype(np.int64) << 32
    keys |= steps
    keys.sort()
    order = (keys & 0xFFFFFFFF).astype(np.int32)
    sorted_targets = (keys >> 32).astype(np.int32)
    same_target = sorted_targets[1:] == sorted_targets[:-1]
    previous_same_target = np.full(n, -1, dtype=np.int32)
    previous_same_target[order[1:][same_target]] = order[:-1][same_target]

    # Link slot p to the last step before p that targeted it. All steps
    # targeting p are <= p, so that is the group's last step, or the one
    # before it when p targeted itself.
    group_ends = np.append(~same_target, True)
    last_steps, group_targets = order[group_ends], sorted_targets[group_ends]
    links = np.where(last_steps == group_targets, previous_same_target[last_steps], last_steps)
    held = steps.copy()
    linked = links >= 0
    held[group_targets[linked]] = links[linked]
    while True:                                   # links always point to smaller slots
        jumped = held[held]
        if np.array_equal(jumped, held):
            break
        held = jumped

    result = targets
    has_previous = previous_same_target >= 0
    result[has_previous] = held[previous_same_target[has_previous]]
    return result.astype(np.int64)


def _inside_out_shuffle(engine, n: int) -> np.ndarray:
    sizes = np.arange(1, n + 1, dtype=np.uint64)
    picks = (engine.random_uint64(n) % sizes).tolist()
    slots = [0] * n
    for i, z in enumerate(picks):
        slots[i] = slots[z]
        slots[z] = i
    return np.array(slots, dtype=np.int64)
