"""dtype objects and PyTorch's type-promotion rules.

A dtype pairs PyTorch's name with the NumPy dtype that stores it. Promotion follows
PyTorch, not NumPy: categories bool < integer < floating; within a category the wider
type wins; a higher category always wins whatever its width (int64 + float16 -> float16);
and zero-dim tensors and Python scalars only decide the result when they bring a higher
category than the dimensioned tensors.
"""
import builtins

from ._backend import bfloat16 as _np_bfloat16
from ._backend import np

BOOL, INT, FLOAT, COMPLEX = 0, 1, 2, 3


class dtype:
    __slots__ = ("name", "np_dtype", "category", "itemsize", "is_signed", "_rank")

    def __init__(self, name, np_dtype, category, rank):
        self.name = name
        self.np_dtype = np_dtype
        self.category = category
        self.itemsize = np_dtype.itemsize
        self.is_signed = name not in ("bool", "uint8", "uint16", "uint32", "uint64")
        self._rank = rank

    @property
    def is_floating_point(self):
        return self.category == FLOAT

    @property
    def is_complex(self):
        return self.category == COMPLEX

    def to_real(self):
        return {"complex64": float32, "complex128": float64}.get(self.name, self)

    def to_complex(self):
        return {"float64": complex128, "float16": complex64}.get(self.name, complex64)

    def __repr__(self):
        return f"torch.{self.name}"

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))


def _dtype_by_name(name):
    return _BY_NAME[name]


bool = dtype("bool", np.dtype(np.bool_), BOOL, 0)
uint8 = dtype("uint8", np.dtype(np.uint8), INT, 1)
int8 = dtype("int8", np.dtype(np.int8), INT, 1)
int16 = dtype("int16", np.dtype(np.int16), INT, 2)
int32 = dtype("int32", np.dtype(np.int32), INT, 3)
int64 = dtype("int64", np.dtype(np.int64), INT, 4)
uint16 = dtype("uint16", np.dtype(np.uint16), INT, 2)
uint32 = dtype("uint32", np.dtype(np.uint32), INT, 3)
uint64 = dtype("uint64", np.dtype(np.uint64), INT, 4)
float16 = dtype("float16", np.dtype(np.float16), FLOAT, 1)
bfloat16 = dtype("bfloat16", _np_bfloat16 if _np_bfloat16 is not None else np.dtype(np.float32), FLOAT, 1)
float32 = dtype("float32", np.dtype(np.float32), FLOAT, 2)
float64 = dtype("float64", np.dtype(np.float64), FLOAT, 3)
complex64 = dtype("complex64", np.dtype(np.complex64), COMPLEX, 2)
complex128 = dtype("complex128", np.dtype(np.complex128), COMPLEX, 3)

# PyTorch's aliases
half, float, double = float16, float32, float64
short, int, long = int16, int32, int64
cfloat, cdouble = complex64, complex128

ALL = (bool, uint8, int8, int16, int32, int64, uint16, uint32, uint64,
       float16, bfloat16, float32, float64, complex64, complex128)
_BY_NAME = {d.name: d for d in ALL}
_BY_NP = {d.np_dtype: d for d in ALL if d is not bfloat16 or _np_bfloat16 is not None}


def from_numpy_dtype(np_dtype):
    """The ember dtype stored as ``np_dtype``; TypeError for types PyTorch lacks."""
    try:
        return _BY_NP[np_dtype]
    except KeyError:
        pass
    try:
        return _BY_NP[np.dtype(np_dtype)]
    except (KeyError, TypeError):
        raise TypeError(
            f"can't convert np.ndarray of type {np.dtype(np_dtype)}. The only supported types are: "
            "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint64, "
            "uint32, uint16, uint8, and bool."
        ) from None


class _DefaultDtype:
    value = float32


_default = _DefaultDtype()


def get_default_dtype():
    return _default.value


def set_default_dtype(d):
    if not isinstance(d, dtype) or d.category != FLOAT:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default.value = d


def to_dtype(obj):
    """Accept an ember dtype, a NumPy dtype, or a Python type (float, int, bool)."""
    if isinstance(obj, dtype):
        return obj
    if obj is builtins.float:
        return float64
    if obj is builtins.int:
        return int64
    if obj is builtins.bool:
        return bool
    if obj is builtins.complex:
        return complex128
    return from_numpy_dtype(obj)


_PROMOTE_CACHE = {}


def promote_types(a, b):
    """PyTorch's promote_types: the smallest dtype both ``a`` and ``b`` convert to safely."""
    if a is b:
        return a
    key = (a.name, b.name)
    hit = _PROMOTE_CACHE.get(key)
    if hit is not None:
        return hit
    if a.category != b.category:
        hi, lo = (a, b) if a.category > b.category else (b, a)
        if hi.category == COMPLEX and lo.category == FLOAT and lo._rank > hi._rank:
            result = complex128
        else:
            result = hi
    elif a.category == FLOAT and {a.name, b.name} == {"float16", "bfloat16"}:
        result = float32
    elif a.category == FLOAT or a.category == COMPLEX:
        result = a if a._rank >= b._rank else b
    else:  # integers: NumPy's lattice agrees with PyTorch's (uint8 + int8 -> int16)
        result = _BY_NP[np.promote_types(a.np_dtype, b.np_dtype)]
    _PROMOTE_CACHE[key] = result
    return result


def scalar_dtype(value):
    """The dtype PyTorch gives a Python scalar when it meets a tensor."""
    if isinstance(value, builtins.bool):
        return bool
    if isinstance(value, builtins.int):
        return int64
    if isinstance(value, builtins.float):
        return _default.value
    if isinstance(value, builtins.complex):
        return complex64 if _default.value is not float64 else complex128
    raise TypeError(f"unsupported scalar type {type(value).__name__}")


def result_type_of(dim_dtypes, zero_dim_dtypes, scalar_dtypes):
    """Promote three tiers: dimensioned tensors, zero-dim tensors, Python scalars.

    A lower tier only decides the result when it brings a higher category.
    """
    result = None
    for tier in (dim_dtypes, zero_dim_dtypes, scalar_dtypes):
        if not tier:
            continue
        tier_type = tier[0]
        for d in tier[1:]:
            tier_type = promote_types(tier_type, d)
        if result is None:
            result = tier_type
        elif tier_type.category > result.category:
            if tier is scalar_dtypes and tier_type.category == FLOAT and result.category < FLOAT:
                result = _default.value
            elif tier is scalar_dtypes and tier_type.category == COMPLEX:
                result = result.to_complex() if result.category == FLOAT else tier_type
            else:
                result = tier_type
    return result


def can_cast(from_, to):
    """PyTorch's can_cast: no cast to a lower category (float -> int, int -> bool)."""
    return from_.category <= to.category


iinfo_np = np.iinfo
finfo_np = np.finfo
