"""Attach operators and methods to Tensor. Each routes to the one op that implements it."""
import numbers

from . import _dtype as dt
from ._backend import np
from ._device import to_device
from ._tensor import Tensor
from .autograd.function import Op
from .ops import creation, indexing, linalg, pointwise, random_ops, reduction, shape, sorting
from .ops._common import apply_inplace, xp_of

# Functions that exist only at module level (torch.cat), never as methods.
_FUNCTION_ONLY = {
    "cat", "concat", "concatenate", "stack", "hstack", "vstack", "row_stack", "dstack", "column_stack",
    "atleast_1d", "atleast_2d", "atleast_3d", "broadcast_shapes", "broadcast_tensors", "meshgrid",
    "tensor", "scalar_tensor", "as_tensor", "asarray", "from_numpy", "from_dlpack", "zeros", "ones", "empty",
    "full", "zeros_like", "ones_like", "empty_like", "full_like", "empty_strided", "arange", "linspace",
    "logspace", "eye", "tril_indices", "triu_indices", "cartesian_prod", "polar", "einsum", "tensordot",
    "chain_matmul", "where",
}


def _bind_module(module):
    names = getattr(module, "METHODS", None)
    if names is None:
        names = [n for n in module.__all__ if n not in _FUNCTION_ONLY]
    for name in names:
        if not hasattr(Tensor, name) or name in ("size",):
            setattr(Tensor, name, getattr(module, name))


for _m in (pointwise, reduction, shape, indexing, linalg, creation, random_ops, sorting):
    _bind_module(_m)


def bind_ops_module(module):
    """Called by op modules added later (reductions, sorting, ...) to attach their methods."""
    _bind_module(module)


# ---- varargs method forms -----------------------------------------------------------------
Tensor.view = shape.view
Tensor.reshape = shape.reshape
Tensor.permute = shape.permute
Tensor.expand = shape.expand
Tensor.repeat = shape.repeat
Tensor.sum_to_size = shape.sum_to_size


def _flip(self, *dims):
    if len(dims) == 1 and isinstance(dims[0], (list, tuple)):
        dims = tuple(dims[0])
    return shape.flip(self, dims)


Tensor.flip = _flip


def _tile(self, *dims):
    if len(dims) == 1 and isinstance(dims[0], (list, tuple)):
        dims = tuple(dims[0])
    return shape.tile(self, dims)


Tensor.tile = _tile


def _where_method(self, condition, y):
    return pointwise.where(condition, self, y)


Tensor.where = _where_method


@property
def _T(self):
    nd = self._data.ndim
    return shape.permute(self, tuple(range(nd - 1, -1, -1))) if nd > 1 else self


@property
def _mT(self):
    if self._data.ndim < 2:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor.")
    return shape.transpose(self, -2, -1)


@property
def _H(self):
    nd = self._data.ndim
    if nd not in (0, 2):
        extra = " For batches of matrices, consider using tensor.mH" if nd > 2 else ""
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {nd}-D tensor.{extra}")
    return _T.fget(self).conj()  # conjugate transpose; conj() is the identity on real tensors


@property
def _mH(self):
    if self._data.ndim < 2:
        raise RuntimeError("tensor.mH is only supported on matrices or batches of matrices. Got 1-D tensor.")
    return shape.transpose(self, -2, -1).conj()


Tensor.T = _T
Tensor.mT = _mT
Tensor.H = _H
Tensor.mH = _mH

# ---- operators ------------------------------------------------------------------------------
def _binary_operator(op_cls, general):
    """``self (op) other``: a same-shape tensor or a Python float/int goes straight to the op
    (nothing to check or broadcast); everything else takes the public function's checks."""
    def method(self, other):
        kind = type(other)
        if kind is float or kind is int or (kind is Tensor and other._data.shape == self._data.shape):
            return op_cls.apply(self, other)
        return general(self, other)
    return method


Tensor.__add__ = _binary_operator(pointwise.Add, pointwise.add)
Tensor.__radd__ = _binary_operator(pointwise.Add, pointwise.add)
Tensor.__sub__ = _binary_operator(pointwise.Sub, pointwise.sub)
Tensor.__rsub__ = lambda self, other: pointwise.RSub.apply(self, other)
Tensor.__mul__ = _binary_operator(pointwise.Mul, pointwise.mul)
Tensor.__rmul__ = _binary_operator(pointwise.Mul, pointwise.mul)
Tensor.__truediv__ = lambda self, other: pointwise.div(self, other)
Tensor.__rtruediv__ = lambda self, other: pointwise.Div.apply(other, self)
Tensor.__floordiv__ = lambda self, other: pointwise.floor_divide(self, other)
Tensor.__rfloordiv__ = lambda self, other: pointwise.Div.apply(other, self, "floor")
Tensor.__mod__ = lambda self, other: pointwise.remainder(self, other)
Tensor.__rmod__ = lambda self, other: pointwise.Remainder.apply(other, self)
Tensor.__pow__ = lambda self, other: pointwise.pow(self, other)
Tensor.__rpow__ = lambda self, other: pointwise.Pow.apply(other, self)
Tensor.__matmul__ = lambda self, other: linalg.matmul(self, other) if isinstance(other, Tensor) else NotImplemented
Tensor.__rmatmul__ = lambda self, other: linalg.matmul(other, self)
Tensor.__neg__ = lambda self: pointwise.Neg.apply(self)
Tensor.__pos__ = lambda self: pointwise.positive(self)
Tensor.__abs__ = lambda self: pointwise.Abs.apply(self)
Tensor.__invert__ = lambda self: pointwise.BitwiseNot.apply(self)
Tensor.__and__ = lambda self, other: pointwise.bitwise_and(self, other)
Tensor.__rand__ = lambda self, other: pointwise.bitwise_and(self, other)
Tensor.__or__ = lambda self, other: pointwise.bitwise_or(self, other)
Tensor.__ror__ = lambda self, other: pointwise.bitwise_or(self, other)
Tensor.__xor__ = lambda self, other: pointwise.bitwise_xor(self, other)
Tensor.__rxor__ = lambda self, other: pointwise.bitwise_xor(self, other)
Tensor.__lshift__ = lambda self, other: pointwise.bitwise_left_shift(self, other)
Tensor.__rshift__ = lambda self, other: pointwise.bitwise_right_shift(self, other)


def _cmp(op):
    def method(self, other):
        if other is None or not isinstance(other, (Tensor, numbers.Number)) and not hasattr(other, "__array__"):
            return NotImplemented if op is not pointwise.Eq and op is not pointwise.Ne else \
                (False if op is pointwise.Eq else True)
        return getattr(pointwise, {pointwise.Eq: "eq", pointwise.Ne: "ne", pointwise.Lt: "lt",
                                   pointwise.Le: "le", pointwise.Gt: "gt", pointwise.Ge: "ge"}[op])(self, other)
    return method


Tensor.__eq__ = _cmp(pointwise.Eq)
Tensor.__ne__ = _cmp(pointwise.Ne)
Tensor.__lt__ = _cmp(pointwise.Lt)
Tensor.__le__ = _cmp(pointwise.Le)
Tensor.__gt__ = _cmp(pointwise.Gt)
Tensor.__ge__ = _cmp(pointwise.Ge)
Tensor.__hash__ = lambda self: id(self)

Tensor.__getitem__ = indexing.getitem
Tensor.__setitem__ = indexing.setitem


# ---- in-place methods --------------------------------------------------------------------
def _make_inplace(op_cls, name):
    def method(self, *args):
        return apply_inplace(op_cls, self, *args)
    method.__name__ = method.__qualname__ = name + "_"
    method.__doc__ = f"In-place version of :meth:`{name}`."
    return method


for _name, _op in pointwise.INPLACE.items():
    setattr(Tensor, _name + "_", _make_inplace(_op, _name))


def _add_(self, other, *, alpha=1):
    return apply_inplace(pointwise.Add, self, other, alpha) if alpha != 1 else apply_inplace(pointwise.Add, self, other)


def _sub_(self, other, *, alpha=1):
    return apply_inplace(pointwise.Sub, self, other, alpha) if alpha != 1 else apply_inplace(pointwise.Sub, self, other)


def _div_(self, other, *, rounding_mode=None):
    if rounding_mode is None:
        return apply_inplace(pointwise.Div, self, other)
    return apply_inplace(pointwise.Div, self, other, rounding_mode)


def _clamp_(self, min=None, max=None):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    return apply_inplace(pointwise.Clamp, self, min, max)


def _round_(self, *, decimals=0):
    return apply_inplace(pointwise.Round, self, decimals) if decimals else apply_inplace(pointwise.Round, self)


def _nan_to_num_(self, nan=0.0, posinf=None, neginf=None):
    return apply_inplace(pointwise.NanToNum, self, nan, posinf, neginf)


def _copy_(self, src, non_blocking=False):
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'other' (position 1) must be Tensor, not {type(src).__name__}")
    try:
        np.broadcast_shapes(src._data.shape, self._data.shape)
        ok = np.broadcast_shapes(src._data.shape, self._data.shape) == self._data.shape
    except ValueError:
        ok = False
    if not ok:
        raise RuntimeError(f"The size of tensor a ({self.shape[-1] if self.dim() else 1}) must match the size of "
                           f"tensor b ({src.shape[-1] if src.dim() else 1}) at non-singleton dimension "
                           f"{max(self.dim() - 1, 0)}")
    if src._data.dtype != self._data.dtype:
        # copy_ casts freely (float -> int included), unlike arithmetic in-place ops.
        src_cast = src.to(self.dtype)
        return apply_inplace(pointwise.Copy, self, src_cast)
    return apply_inplace(pointwise.Copy, self, src)


def _fill_(self, value):
    if isinstance(value, Tensor) and value.dim() != 0:
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with {value.dim()} "
                           f"dimensions.")
    return apply_inplace(pointwise.Fill, self, value)


def _zero_(self):
    return apply_inplace(pointwise.Fill, self, 0)


def _clamp_min_(self, min):
    return apply_inplace(pointwise.Clamp, self, min, None)


def _clamp_max_(self, max):
    return apply_inplace(pointwise.Clamp, self, None, max)


def _relu_(self):
    return apply_inplace(pointwise.Relu, self)


def _addcmul_(self, tensor1, tensor2, *, value=1):
    return apply_inplace(pointwise.Add, self, tensor1 * tensor2 * value if value != 1 else tensor1 * tensor2)


def _addcdiv_(self, tensor1, tensor2, *, value=1):
    return apply_inplace(pointwise.Add, self, tensor1 / tensor2 * value if value != 1 else tensor1 / tensor2)


def _lerp_(self, end, weight):
    return apply_inplace(pointwise.Lerp, self, end, weight)


Tensor.add_ = _add_
Tensor.sub_ = _sub_
Tensor.subtract_ = _sub_
Tensor.mul_ = _make_inplace(pointwise.Mul, "mul")
Tensor.multiply_ = Tensor.mul_
Tensor.div_ = _div_
Tensor.divide_ = _div_
Tensor.true_divide_ = _div_
Tensor.clamp_ = _clamp_
Tensor.clip_ = _clamp_
Tensor.clamp_min_ = _clamp_min_
Tensor.clamp_max_ = _clamp_max_
Tensor.round_ = _round_
Tensor.nan_to_num_ = _nan_to_num_
Tensor.copy_ = _copy_
Tensor.fill_ = _fill_
Tensor.zero_ = _zero_
Tensor.relu_ = _relu_
Tensor.addcmul_ = _addcmul_
Tensor.addcdiv_ = _addcdiv_
Tensor.lerp_ = _lerp_
Tensor.negative_ = Tensor.neg_
Tensor.absolute_ = Tensor.abs_
Tensor.arcsin_, Tensor.arccos_, Tensor.arctan_ = Tensor.asin_, Tensor.acos_, Tensor.atan_
Tensor.arcsinh_, Tensor.arccosh_, Tensor.arctanh_ = Tensor.asinh_, Tensor.acosh_, Tensor.atanh_
Tensor.floor_divide_ = lambda self, other: apply_inplace(pointwise.Div, self, other, "floor")


def _iop(method_name):
    def method(self, other):
        return getattr(self, method_name)(other)
    return method


Tensor.__iadd__ = _iop("add_")
Tensor.__isub__ = _iop("sub_")
Tensor.__imul__ = _iop("mul_")
Tensor.__itruediv__ = _iop("div_")
Tensor.__ifloordiv__ = _iop("floor_divide_")
Tensor.__imod__ = _iop("remainder_")
Tensor.__ipow__ = _iop("pow_")
Tensor.__iand__ = _iop("bitwise_and_")
Tensor.__ior__ = _iop("bitwise_or_")
Tensor.__ixor__ = _iop("bitwise_xor_")


# ---- dtype / device conversion ----------------------------------------------------------------
class ToDtype(Op):
    def name(self):
        return "ToCopyBackward0"

    @staticmethod
    def forward(ctx, a, np_dtype):
        ctx.in_dtype = a.dtype
        return a.astype(np_dtype)

    @staticmethod
    def backward(ctx, g):
        if g._data.dtype.kind == "c" and ctx.in_dtype.kind != "c":
            g = g.real  # real -> complex: the gradient is the real part, as in PyTorch
        return g.to(dt._BY_NP[ctx.in_dtype]), None


class ToDevice(Op):
    @staticmethod
    def forward(ctx, a, device_type):
        from ._backend import module_for_device_type, to_host
        ctx.src_type = "cpu" if type(a) is np.ndarray else "cuda"
        if device_type == "cpu":
            return to_host(a).copy() if type(a) is np.ndarray else to_host(a)
        return module_for_device_type(device_type).asarray(a)

    @staticmethod
    def backward(ctx, g):
        return g.to(ctx.src_type), None


def _parse_to(args, kwargs):
    dtype = kwargs.pop("dtype", None)
    device = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    for a in args:
        if isinstance(a, dt.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype, device = a.dtype, a.device
        elif isinstance(a, (str, int)) or hasattr(a, "type") and not isinstance(a, type):
            device = a
        elif isinstance(a, bool):
            pass
        elif a is not None:
            dtype = dt.to_dtype(a)
    if kwargs:
        raise TypeError(f"to() received an invalid combination of arguments - got unexpected keyword "
                        f"'{next(iter(kwargs))}'")
    return dtype, device, copy


def _to(self, *args, **kwargs):
    dtype, device, copy = _parse_to(args, kwargs)
    out = self
    if device is not None:
        device = to_device(device)
        if device.type != self.device.type:
            out = ToDevice.apply(out, device.type)
    if dtype is not None and dt.to_dtype(dtype).np_dtype != out._data.dtype:
        out = ToDtype.apply(out, dt.to_dtype(dtype).np_dtype)
    if copy and out is self:
        out = shape.clone(self)
    return out


Tensor.to = _to
Tensor.cpu = lambda self, memory_format=None: _to(self, "cpu")
Tensor.cuda = lambda self, device=None, non_blocking=False: _to(self, "cuda" if device is None else device)


def _dtype_method(d):
    def method(self, memory_format=None):
        return _to(self, d)
    method.__name__ = d.name
    return method


Tensor.float = _dtype_method(dt.float32)
Tensor.double = _dtype_method(dt.float64)
Tensor.half = _dtype_method(dt.float16)
Tensor.bfloat16 = _dtype_method(dt.bfloat16)
Tensor.long = _dtype_method(dt.int64)
Tensor.int = _dtype_method(dt.int32)
Tensor.short = _dtype_method(dt.int16)
Tensor.char = _dtype_method(dt.int8)
Tensor.byte = _dtype_method(dt.uint8)
Tensor.bool = _dtype_method(dt.bool)

_TYPE_NAMES = {
    "torch.FloatTensor": dt.float32, "torch.DoubleTensor": dt.float64, "torch.HalfTensor": dt.float16,
    "torch.BFloat16Tensor": dt.bfloat16, "torch.LongTensor": dt.int64, "torch.IntTensor": dt.int32,
    "torch.ShortTensor": dt.int16, "torch.CharTensor": dt.int8, "torch.ByteTensor": dt.uint8,
    "torch.BoolTensor": dt.bool,
}
_NAME_OF_TYPE = {v.name: k for k, v in _TYPE_NAMES.items()}


def _type(self, dtype=None, non_blocking=False, **kwargs):
    if dtype is None:
        return _NAME_OF_TYPE.get(self.dtype.name, "torch.Tensor")
    if isinstance(dtype, str):
        if dtype not in _TYPE_NAMES:
            raise ValueError(f"invalid type: '{dtype}'")
        dtype = _TYPE_NAMES[dtype]
    return _to(self, dt.to_dtype(dtype))


Tensor.type = _type
Tensor.type_as = lambda self, other: _to(self, other.dtype)


# ---- construction helpers on tensors ------------------------------------------------------
def _new_tensor(self, data, dtype=None, device=None, requires_grad=False):
    return creation.tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)


def _new_factory(fn):
    def method(self, *size, dtype=None, device=None, requires_grad=False, **kw):
        return fn(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)
    return method


Tensor.new_tensor = _new_tensor
Tensor.new_zeros = _new_factory(creation.zeros)
Tensor.new_ones = _new_factory(creation.ones)
Tensor.new_empty = _new_factory(creation.empty)


def _new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
    return creation.full(size, fill_value, dtype=dtype or self.dtype, requires_grad=requires_grad)


Tensor.new_full = _new_full


def _new(self, *args):
    if not args:
        return creation.empty(0, dtype=self.dtype)
    if len(args) == 1 and not isinstance(args[0], int):
        return creation.tensor(args[0], dtype=self.dtype)
    return creation.empty(*args, dtype=self.dtype)


Tensor.new = _new
Tensor.bernoulli = random_ops._bernoulli_method


def _size(self, dim=None):
    from ._size import Size
    if dim is None:
        return Size(self._data.shape)
    from ._tensor import _wrap_dim
    return self._data.shape[_wrap_dim(dim, self._data.ndim)]


Tensor.size = _size
Tensor.clone = shape.clone
Tensor.contiguous = shape.contiguous


def _apply_(self, fn):
    flat = self._data.reshape(-1)
    for i in range(flat.size):
        flat[i] = fn(flat[i].item())
    return self


Tensor.apply_ = _apply_
Tensor.map_ = lambda self, other, fn: self.copy_(Tensor._make(np.vectorize(fn)(self._data, other._data)
                                                             .astype(self._data.dtype)))


def _share_memory_(self):
    return self


Tensor.share_memory_ = _share_memory_
Tensor.is_shared = lambda self: False
Tensor.pin_memory = lambda self, device=None: self
Tensor.is_pinned = lambda self, device=None: False
Tensor.untyped_storage = lambda self: _Storage(self)


class _Storage:
    """Enough of a storage object for code that asks for pointers and sizes."""

    def __init__(self, t):
        base = t._data
        while isinstance(base.base, np.ndarray):
            base = base.base
        self._array = base

    def data_ptr(self):
        return self._array.__array_interface__["data"][0]

    def nbytes(self):
        return self._array.nbytes

    def size(self):
        return self._array.nbytes

    def __len__(self):
        return self._array.nbytes


_ = xp_of

from .ops import linalg_lu, linalg_ops, misc_math, misc_views, special_math, stft  # noqa: E402
for _m in (misc_math, misc_views, special_math, linalg_ops, linalg_lu, stft):  # bound after the core families
    _bind_module(_m)
from . import _tensor_extra_methods  # noqa: E402,F401
