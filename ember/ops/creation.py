"""Tensor creation: from data, filled, ranges, and structured matrices."""
import builtins
import math
import numbers

from .. import _dtype as dt
from .._backend import module_for_device_type, np
from .._device import to_device
from .._size import Size
from .._tensor import Tensor
from ..autograd.function import Op
from ._common import wrap_dim, write_out, xp_of

ndarray = np.ndarray


def _xp(device):
    if device is None:
        return np
    return module_for_device_type(to_device(device).type)


def _finish(array, requires_grad=False):
    t = Tensor._make(array)
    if requires_grad:
        if not t.is_floating_point() and not t.is_complex():
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t.requires_grad = True
    return t


def _infer_dtype(data):
    """PyTorch's dtype for nested Python data: bool < int64 < default float."""
    kind = dt.BOOL
    stack = [data]
    n_leaves = 0
    while stack:
        item = stack.pop()
        n_leaves += not isinstance(item, (list, tuple))
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, Tensor):
            kind = builtins.max(kind, item.dtype.category)
            if item.dtype.category == dt.FLOAT and item.dtype is not dt.get_default_dtype():
                return item.dtype if kind <= dt.FLOAT else None
        elif isinstance(item, bool) or isinstance(item, np.bool_):
            pass
        elif isinstance(item, (int, np.integer)):
            kind = builtins.max(kind, dt.INT)
        elif isinstance(item, (float, np.floating)):
            kind = builtins.max(kind, dt.FLOAT)
        elif isinstance(item, complex):
            kind = dt.COMPLEX
        else:
            raise TypeError(f"new(): invalid data type '{type(item).__name__}'")
    if not n_leaves:  # tensor([]) and tensor([[], []]) hold floats
        return dt.get_default_dtype()
    return {dt.BOOL: dt.bool, dt.INT: dt.int64, dt.FLOAT: dt.get_default_dtype(),
            dt.COMPLEX: dt.complex64}[kind]


def _to_array(data, dtype):
    """A fresh host array for ``data`` with PyTorch's dtype inference."""
    if isinstance(data, Tensor):
        arr = data._data
        return arr.astype(dtype.np_dtype if dtype else arr.dtype, copy=True)
    if isinstance(data, ndarray) or hasattr(data, "__array_interface__"):
        arr = np.asarray(data)
        target = dtype.np_dtype if dtype else dt.from_numpy_dtype(arr.dtype).np_dtype
        return np.array(arr, dtype=target, copy=True)
    if isinstance(data, (numbers.Number, np.generic)) and not isinstance(data, (list, tuple)):
        d = dtype or _infer_dtype(data)
        return np.array(data, dtype=d.np_dtype if d.name != "bfloat16" else np.float32).astype(d.np_dtype)
    if isinstance(data, (list, tuple)):
        d = dtype or _infer_dtype(data)
        flat = _nested_to_list(data)
        try:
            arr = np.array(flat, dtype=np.float64 if d.category == dt.FLOAT else None)
        except ValueError as exc:
            raise ValueError(f"expected sequence of equal-length lists: {exc}") from None
        if arr.dtype == object:
            raise ValueError("expected sequence of equal-length lists, got ragged nested data")
        return arr.astype(d.np_dtype)
    if hasattr(data, "__len__") and hasattr(data, "__getitem__"):
        return _to_array(list(data), dtype)
    raise TypeError(f"new(): data must be a sequence (got {type(data).__name__})")


def _nested_to_list(data):
    if isinstance(data, Tensor):
        return data.tolist()
    if isinstance(data, (list, tuple)):
        return [_nested_to_list(x) for x in data]
    return data


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of ``data`` (nested lists, numbers, arrays or tensors)."""
    dtype = dt.to_dtype(dtype) if dtype is not None else None
    arr = _to_array(data, dtype)
    xp = _xp(device)
    if xp is not np:
        arr = xp.asarray(arr)
    return _finish(arr, requires_grad)


def scalar_tensor(value, *, dtype=None, device=None, requires_grad=False):
    d = dt.to_dtype(dtype) if dtype is not None else dt.get_default_dtype()
    return _finish(np.array(value, dtype=d.np_dtype), requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Share memory with ``data`` where possible (tensors and NumPy arrays of a matching dtype)."""
    dtype = dt.to_dtype(dtype) if dtype is not None else None
    if isinstance(data, Tensor):
        return data if dtype is None or dtype is data.dtype else data.to(dtype)
    if isinstance(data, ndarray):
        if dtype is None or dtype.np_dtype == data.dtype:
            return from_numpy(data)
        return Tensor._make(data.astype(dtype.np_dtype))
    return tensor(data, dtype=dtype, device=device)


asarray = as_tensor


def from_numpy(ndarray_):
    if not isinstance(ndarray_, ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray_).__name__})")
    dt.from_numpy_dtype(ndarray_.dtype)  # TypeError for unsupported dtypes
    if not ndarray_.dtype.isnative:
        raise TypeError("given numpy array has byte order different from the native byte order. "
                        "Conversion between byte orders is currently not supported.")
    return Tensor._make(ndarray_)


def from_dlpack(ext_tensor):
    if isinstance(ext_tensor, Tensor):  # our own tensor: alias its array (NumPy re-imports read-only)
        return Tensor._make(ext_tensor._data)
    arr = np.from_dlpack(ext_tensor) if not hasattr(ext_tensor, "__cuda_array_interface__") \
        else module_for_device_type("cuda").from_dlpack(ext_tensor)
    return Tensor._make(arr)


def _size_args(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
        size = tuple(size[0])
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = int(s.item())
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"zeros(): argument 'size' must be tuple of ints, but found element of type "
                            f"{type(s).__name__} at pos {len(out)}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
        out.append(int(s))
    return tuple(out)


def _dtype_or_default(dtype):
    return dt.to_dtype(dtype) if dtype is not None else dt.get_default_dtype()


def _filled(fill, size, dtype, device, requires_grad, out=None):
    d = _dtype_or_default(dtype)
    shape = _size_args(size)
    xp = _xp(device)
    if fill == 0:
        arr = xp.zeros(shape, d.np_dtype)
    elif fill == 1:
        arr = xp.ones(shape, d.np_dtype)
    else:
        arr = xp.empty(shape, d.np_dtype)
    result = _finish(arr, requires_grad)
    if out is not None:
        return write_out(out, result)
    return result


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    return _filled(0, size, dtype, device, requires_grad, out)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    return _filled(1, size, dtype, device, requires_grad, out)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
          memory_format=None):
    return _filled(None, size, dtype, device, requires_grad, out)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    if dtype is None:
        if isinstance(fill_value, Tensor):
            fill_value = fill_value.item()
        d = dt.scalar_dtype(fill_value)
    else:
        d = dt.to_dtype(dtype)
    shape = _size_args((size,) if not isinstance(size, int) else ((size,),))
    arr = _xp(device).full(shape, fill_value, dtype=d.np_dtype)
    return _finish(arr, requires_grad)


def _like(input, dtype):
    return dt.to_dtype(dtype) if dtype is not None else input.dtype


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _finish(xp_of(input._data).zeros(input._data.shape, _like(input, dtype).np_dtype), requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _finish(xp_of(input._data).ones(input._data.shape, _like(input, dtype).np_dtype), requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _finish(xp_of(input._data).empty(input._data.shape, _like(input, dtype).np_dtype), requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    return _finish(xp_of(input._data).full(input._data.shape, fill_value, _like(input, dtype).np_dtype),
                   requires_grad)


def empty_strided(size, stride, *, dtype=None, device=None, requires_grad=False):
    return empty(*size, dtype=dtype, requires_grad=requires_grad)


def _arange_dtype(values, dtype):
    if dtype is not None:
        return dt.to_dtype(dtype)
    if builtins.any(isinstance(v, float) or (isinstance(v, Tensor) and v.is_floating_point()) for v in values):
        return dt.get_default_dtype()
    return dt.int64


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    d = _arange_dtype((start, end, step), dtype)
    start, end, step = vals
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) / step < 0 and end != start:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    n = builtins.max(0, math.ceil((end - start) / step))
    xp = _xp(device)
    if d.category == dt.FLOAT:
        # Computed in float64 as start + i*step, like PyTorch's kernel, then rounded.
        arr = (start + xp.arange(n, dtype=np.float64) * step).astype(d.np_dtype)
    else:
        arr = (int(start) + xp.arange(n, dtype=np.int64) * int(step)).astype(d.np_dtype) if \
            builtins.all(isinstance(v, (int, np.integer)) for v in (start, step)) else \
            (start + xp.arange(n, dtype=np.float64) * step).astype(d.np_dtype)
    result = _finish(arr, requires_grad)
    if out is not None:
        return write_out(out, result)
    return result


def range_(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    if end is None:
        start, end = 0, start
    n = int(math.floor((end - start) / step)) + 1
    d = _dtype_or_default(dtype)
    return _finish((start + np.arange(n, dtype=np.float64) * step).astype(d.np_dtype), requires_grad)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    d = _dtype_or_default(dtype)
    start = start.item() if isinstance(start, Tensor) else start
    end = end.item() if isinstance(end, Tensor) else end
    xp = _xp(device)
    if steps == 1:
        arr = xp.array([start], dtype=np.float64)
    else:
        # PyTorch fills the first half from start and the second half from end (symmetric rounding).
        step = (end - start) / (steps - 1)
        idx = xp.arange(steps, dtype=np.float64)
        half = steps // 2
        arr = xp.where(idx < half, start + step * idx, end - step * (steps - 1 - idx))
    if d.category != dt.FLOAT:
        arr = xp.trunc(arr) if d.category == dt.INT else arr
    return _finish(arr.astype(d.np_dtype), requires_grad)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    d = _dtype_or_default(dtype)
    exps = linspace(start, end, steps, dtype=dt.float64)._data
    return _finish((base ** exps).astype(d.np_dtype), requires_grad)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    d = _dtype_or_default(dtype)
    return _finish(_xp(device).eye(n, n if m is None else m, dtype=d.np_dtype), requires_grad)


class Tril(Op):
    @staticmethod
    def forward(ctx, a, k):
        ctx.k = k
        return xp_of(a).tril(a, k)

    @staticmethod
    def backward(ctx, g):
        return g.tril(ctx.k), None


class Triu(Op):
    @staticmethod
    def forward(ctx, a, k):
        ctx.k = k
        return xp_of(a).triu(a, k)

    @staticmethod
    def backward(ctx, g):
        return g.triu(ctx.k), None


def _check_2d(input, name):
    if input._data.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")


def tril(input, diagonal=0, *, out=None):
    _check_2d(input, "tril")
    return Tril.apply(input, diagonal)


def triu(input, diagonal=0, *, out=None):
    _check_2d(input, "triu")
    return Triu.apply(input, diagonal)


def tril_indices(row, col, offset=0, *, dtype=None, device=None):
    r, c = np.tril_indices(row, offset, col)
    return Tensor._make(np.stack([r, c]).astype(np.int64))


def triu_indices(row, col, offset=0, *, dtype=None, device=None):
    r, c = np.triu_indices(row, offset, col)
    return Tensor._make(np.stack([r, c]).astype(np.int64))


class DiagEmbed1d(Op):
    """diag(v, k) for a vector v: a square matrix with v on its k-th diagonal."""

    @staticmethod
    def forward(ctx, v, k):
        ctx.k = k
        return xp_of(v).diag(v, k)

    @staticmethod
    def backward(ctx, g):
        return g.diagonal(ctx.k), None


def diag(input, diagonal=0, *, out=None):
    nd = input._data.ndim
    if nd == 1:
        return DiagEmbed1d.apply(input, diagonal)
    if nd == 2:
        return input.diagonal(diagonal).clone()
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {nd}D")


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    n = input.shape[-1] + builtins.abs(offset)
    out = zeros(*input.shape[:-1], n, n, dtype=input.dtype)
    idx = np.arange(input.shape[-1])
    rows, cols = (idx, idx + offset) if offset >= 0 else (idx - offset, idx)
    from .indexing import index_put
    return index_put(out, (Ellipsis, Tensor._make(rows), Tensor._make(cols)), input)


def diagflat(input, offset=0):
    return diag(input.reshape(-1), offset)


def meshgrid(*tensors, indexing=None):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {indexing}")
    for t in tensors:
        if t.dim() > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}")
    ts = [t.reshape(-1) for t in tensors]
    swap = indexing == "xy" and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    shape = tuple(t.shape[0] for t in ts)
    outs = []
    for i, t in enumerate(ts):
        view_shape = [1] * len(ts)
        view_shape[i] = -1
        outs.append(t.reshape(view_shape).expand(shape))
    if swap:  # "xy": build as "ij" with the first two inputs swapped, then swap the outputs back
        outs[0], outs[1] = outs[1], outs[0]
    return tuple(outs)


def cartesian_prod(*tensors):
    grids = meshgrid(*tensors, indexing="ij")
    from .shape import stack
    if len(tensors) == 1:
        return tensors[0]
    return stack([g.reshape(-1) for g in grids], 1)


def complex_(real, imag):
    return Tensor._make(real._data + 1j * imag._data)


def polar(abs, angle):
    return Tensor._make(abs._data * np.exp(1j * angle._data))


__all__ = [
    "tensor", "scalar_tensor", "as_tensor", "asarray", "from_numpy", "from_dlpack", "zeros", "ones", "empty",
    "full", "zeros_like", "ones_like", "empty_like", "full_like", "empty_strided", "arange", "linspace",
    "logspace", "eye", "tril", "triu", "tril_indices", "triu_indices", "diag", "diag_embed", "diagflat",
    "meshgrid", "cartesian_prod", "polar",
]
METHODS = ["tril", "triu", "diag", "diag_embed", "diagflat"]
