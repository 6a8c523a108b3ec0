"""Dtype rules shared by the sampling recipes: which arithmetic and which casts PyTorch uses.

A dtype is a NumPy dtype or the string :data:`BFLOAT16`. A NumPy dtype named
"bfloat16" (ml_dtypes provides one; it is recognised by name, so this module
needs nothing beyond NumPy) gets bfloat16 arrays; the string gets float32
arrays holding bfloat16 values.
"""

from __future__ import annotations

import numpy as np

f16, f32, f64 = np.float16, np.float32, np.float64

BFLOAT16 = "bfloat16"


def as_dtype(dtype):
    if isinstance(dtype, str) and dtype == BFLOAT16:
        return BFLOAT16
    return np.dtype(dtype)


def is_bfloat16(dtype) -> bool:
    return isinstance(dtype, str) or dtype.name == "bfloat16"


def is_reduced_float(dtype) -> bool:
    """float16 or bfloat16: PyTorch computes these in float32 ("opmath") and rounds."""
    return is_bfloat16(dtype) or dtype == f16


def is_floating(dtype) -> bool:
    return is_bfloat16(dtype) or dtype.kind == "f"


def is_complex(dtype) -> bool:
    return not is_bfloat16(dtype) and dtype.kind == "c"


def storage_dtype(dtype) -> np.dtype:
    """The NumPy dtype of the arrays returned for ``dtype``."""
    return np.dtype(f32) if isinstance(dtype, str) else dtype


def complex_part(dtype: np.dtype) -> np.dtype:
    """The real dtype of a complex dtype's parts (complex64 -> float32)."""
    return np.dtype(f"f{dtype.itemsize // 2}")


def mantissa_digits(dtype) -> int:
    """std::numeric_limits<T>::digits: significand bits including the implicit one."""
    if is_bfloat16(dtype):
        return 8
    return {2: 11, 4: 24, 8: 53}[dtype.itemsize]


def round_to_bfloat16(values: np.ndarray) -> np.ndarray:
    """float32 -> bfloat16 (round to nearest even), kept in float32 storage."""
    values = np.asarray(values, dtype=f32)
    bits = values.view(np.uint32).astype(np.uint64)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000).astype(np.uint32).view(f32)
    return np.where(np.isnan(values), values, rounded)


def cast_from_float32(values: np.ndarray, dtype) -> np.ndarray:
    """static_cast<scalar_t>(float): round to nearest even."""
    if isinstance(dtype, str):
        return round_to_bfloat16(values)
    return np.asarray(values, dtype=f32).astype(dtype, copy=False)


def cast_from_double(values: np.ndarray, dtype) -> np.ndarray:
    """static_cast<scalar_t>(double); c10::Half and BFloat16 convert through float."""
    values = np.asarray(values, dtype=f64)
    if is_reduced_float(dtype):
        return cast_from_float32(values.astype(f32), dtype)
    return values.astype(dtype, copy=False)


def float_scalar(value: float, dtype) -> float:
    """static_cast<scalar_t>(value) for a floating dtype, back as a Python float."""
    return float(cast_from_double(np.array([value], dtype=f64), dtype).astype(f64)[0])


def require_floating(dtype, operation: str) -> None:
    if not (is_floating(dtype) or is_complex(dtype)):
        raise TypeError(f"{operation} needs a floating point or complex dtype, got {dtype}")


def element_count(shape) -> int:
    return int(np.prod(shape, dtype=np.int64))
