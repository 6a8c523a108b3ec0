"""Shared machinery for ops: argument unwrapping, PyTorch type promotion on arrays,
in-place application with autograd, and ``out=`` handling."""
import numbers

from .. import _dtype as dt
from .._backend import get_array_module, np
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import Op
from ..autograd.grad_mode import state as grad_state

ndarray = np.ndarray
BF16 = dt.bfloat16.np_dtype


def xp_of(a):
    return np if type(a) is ndarray else get_array_module(a)


def is_float_array(a):
    return a.dtype.kind == "f" or a.dtype == BF16


def floating(a):
    """``a`` itself when it holds floats; cast to the default dtype when it holds ints or bools."""
    if a.dtype.kind in "fc" or a.dtype == BF16:
        return a
    return a.astype(dt.get_default_dtype().np_dtype)


def result_dtype(*operands):
    """PyTorch's result dtype (ember dtype) for arrays and Python scalars."""
    dims, zeros, scalars = [], [], []
    for o in operands:
        if isinstance(o, (ndarray,)) or hasattr(o, "__array_interface__") or hasattr(o, "__cuda_array_interface__"):
            (dims if o.ndim else zeros).append(dt._BY_NP[o.dtype])
        elif isinstance(o, Tensor):
            (dims if o._data.ndim else zeros).append(o.dtype)
        elif isinstance(o, numbers.Number):
            scalars.append(dt.scalar_dtype(o))
    return dt.result_type_of(dims, zeros, scalars)


def promote(a, b):
    """Cast a binary op's operands (arrays or Python scalars) to PyTorch's common dtype."""
    ta, tb = type(a), type(b)
    if ta is ndarray and tb is ndarray and a.dtype == b.dtype:
        return a, b
    res = result_dtype(a, b).np_dtype
    return _cast(a, res), _cast(b, res)


def _cast(x, np_dtype):
    if isinstance(x, numbers.Number):
        if np_dtype == BF16:  # NumPy would widen bfloat16 op Python-float to float32
            return BF16.type(x)
        if isinstance(x, bool) or np_dtype.kind != "b":
            if np_dtype.kind in "iu" and isinstance(x, int) and not isinstance(x, bool):
                info = np.iinfo(np_dtype)
                if not info.min <= x <= info.max:  # PyTorch wraps out-of-range scalars
                    return np.array(x).astype(np_dtype)
            return x
        return np_dtype.type(x)
    if x.dtype != np_dtype:
        return x.astype(np_dtype)
    return x


def dim_tuple(dim, ndim):
    """Normalize ``dim`` (None, int or sequence) to a sorted tuple of non-negative axes."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (int, np.integer)):
        return (_wrap_dim(int(dim), ndim),)
    out = tuple(sorted(_wrap_dim(int(d), ndim) for d in dim))
    if len(set(out)) != len(out):
        raise RuntimeError(f"dim {out[0]} appears multiple times in the list of dims")
    return out


wrap_dim = _wrap_dim


def check_tensor(x, fn_name, arg="input"):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn_name}(): argument '{arg}' (position 1) must be Tensor, not {type(x).__name__}")


def as_tensor_like(value, like):
    """Wrap a Python scalar or array as a tensor on ``like``'s device."""
    if isinstance(value, Tensor):
        return value
    return Tensor._make(np.asarray(value))


def write_out(out, result):
    """Implement ``out=``: resize ``out`` to the result and copy the values in."""
    if out is None:
        return result
    if not isinstance(out, Tensor):
        raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
    if grad_state.enabled and (out._requires_grad or result._requires_grad):
        raise RuntimeError("out=... arguments don't support automatic differentiation, but one of the "
                           "arguments requires grad.")
    if not dt.can_cast(result.dtype, out.dtype):
        raise RuntimeError(f"result type {_type_word(result.dtype)} can't be cast to the desired output "
                           f"type {_type_word(out.dtype)}")
    xp = xp_of(out._data)
    if out._data.shape != result._data.shape:
        out._data = xp.empty(result._data.shape, out._data.dtype)
    xp.copyto(out._data, result._data, casting="unsafe")
    out._vc[0] += 1
    return out


def _type_word(d):
    return {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
            "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool", "complex64": "ComplexFloat", "complex128": "ComplexDouble"}[d.name]


type_word = _type_word


# ----------------------------------------------------------------------------------------
# In-place application
# ----------------------------------------------------------------------------------------

class _DummyCtx:
    """ctx for an unrecorded forward."""
    needs_input_grad = ()


def _needs_recording(self, args):
    if not grad_state.enabled:
        return False
    if self._requires_grad:
        return True
    for a in args:
        if isinstance(a, Tensor) and a._requires_grad:
            return True
    base = self._base
    return base is not None and base._requires_grad


def check_inplace_writable(self):
    arr = self._data
    if not arr.flags.writeable:
        raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers "
                           "to a single memory location. Please clone() the tensor before performing the "
                           "operation.")


def apply_inplace(op_cls, self, *args):
    """Run ``op_cls`` on (self, *args) and write the result into ``self``'s memory.

    Without recording this is a plain array update. With recording, the op runs on a
    snapshot of ``self`` and ``self`` takes the op's node as its grad_fn; when ``self``
    is a view, its base is rebased through a CopySlices node so gradients reach it.
    """
    if not isinstance(self, Tensor):
        raise TypeError(f"in-place op expects a Tensor, got {type(self).__name__}")
    check_inplace_writable(self)
    if not _needs_recording(self, args):
        ctx = op_cls.__new__(op_cls)
        fast = getattr(op_cls, "forward_inplace", None)
        raw = [a._data if isinstance(a, Tensor) else a for a in args]
        if fast is not None and fast(self._data, *raw):
            self._vc[0] += 1
            return self
        result = op_cls.forward(ctx, self._data, *raw)
        _copy_result_into(self, result)
        self._vc[0] += 1
        return self
    if self.grad_fn is None and self._requires_grad:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    base = self._base
    if base is not None and (base._requires_grad or any(isinstance(a, Tensor) and a._requires_grad
                                                          for a in args)):
        if base.grad_fn is None and base._requires_grad:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place "
                               "operation.")
        return _inplace_on_view(op_cls, self, base, args)
    snapshot = _snapshot(self)
    result = op_cls.apply(snapshot, *args)
    _copy_result_into(self, result._data)
    self._vc[0] += 1
    _take_identity(self, result)
    return self


def _copy_result_into(self, result):
    res_dtype = dt._BY_NP[result.dtype] if hasattr(result, "dtype") else None
    if res_dtype is not None and not dt.can_cast(res_dtype, dt._BY_NP[self._data.dtype]):
        raise RuntimeError(f"result type {_type_word(res_dtype)} can't be cast to the desired output type "
                           f"{_type_word(dt._BY_NP[self._data.dtype])}")
    if hasattr(result, "shape") and result.shape != self._data.shape:
        try:
            b = np.broadcast_shapes(result.shape, self._data.shape)
        except ValueError:
            b = None
        if b != self._data.shape:
            raise RuntimeError(f"output with shape [{', '.join(map(str, self._data.shape))}] doesn't match "
                               f"the broadcast shape [{', '.join(map(str, b if b else result.shape))}]")
    xp_of(self._data).copyto(self._data, result, casting="unsafe")


def _snapshot(t):
    """A tensor with ``t``'s current values (copied) and ``t``'s place in the graph."""
    s = Tensor._make(t._data.copy(), t._requires_grad, t.grad_fn, t._output_nr)
    if t.grad_fn is None and t._requires_grad:
        s._accumulator = t._accumulator
    return s


def _take_identity(self, result):
    self.grad_fn = result.grad_fn
    self._output_nr = result._output_nr
    self._requires_grad = result._requires_grad


def view_positions(view, base):
    """For each element of ``view``, its flat (C-order) index in ``base``."""
    xp = xp_of(base._data)
    b = base._data
    item = b.itemsize
    ptr = _ptr(b)
    # Memory offset (in elements) of each base element, and of each view element.
    base_offsets = _offsets(xp, b.shape, tuple(s // item for s in b.strides))
    view_start = (_ptr(view._data) - ptr) // item
    view_offsets = view_start + _offsets(xp, view._data.shape, tuple(s // item for s in view._data.strides))
    if b.flags.c_contiguous:
        return view_offsets
    order = xp.argsort(base_offsets.ravel(), kind="stable")
    pos = xp.searchsorted(base_offsets.ravel()[order], view_offsets)
    return order[pos]


def _ptr(a):
    return a.__array_interface__["data"][0] if type(a) is ndarray else a.data.ptr


def _offsets(xp, shape, strides):
    out = xp.zeros(shape, dtype=np.int64)
    for axis, (n, s) in enumerate(zip(shape, strides)):
        idx_shape = [1] * len(shape)
        idx_shape[axis] = n
        out = out + (xp.arange(n, dtype=np.int64) * s).reshape(idx_shape)
    return out


class TakeFlat(Op):
    """values = base.flatten()[positions]; the differentiable read of a view from its base."""

    @staticmethod
    def forward(ctx, base, positions):
        ctx.base_shape = base.shape
        ctx.positions = positions
        return base.reshape(-1)[positions]

    @staticmethod
    def backward(ctx, g):
        return PutFlat.apply(Tensor._make(xp_of(g._data).zeros(ctx.base_shape, g._data.dtype)), g,
                             ctx.positions), None


class PutFlat(Op):
    """out = base with out.flatten()[positions] = values (in place on base's array)."""

    @staticmethod
    def forward(ctx, base, values, positions):
        ctx.positions = positions
        flat = base.reshape(-1)
        if flat.base is None and base.size:  # reshape copied: base is not contiguous
            out = base.copy()
            out.reshape(-1)[positions] = values
            return out
        flat[positions] = values
        return base

    @staticmethod
    def backward(ctx, g):
        positions = ctx.positions
        g_base = PutFlat.apply(g.clone(), Tensor._make(np.zeros((), g._data.dtype)), positions)
        g_values = TakeFlat.apply(g, positions)
        return g_base, g_values, None


def _inplace_on_view(op_cls, view, base, args):
    positions = view_positions(view, base)
    current = TakeFlat.apply(base, positions)          # the view's values, linked to base's graph
    result = op_cls.apply(current, *args)
    if result._data.dtype != view._data.dtype:
        result = result.to(view.dtype)
    new_base = PutFlat.apply(base, result, positions)  # writes into base's memory
    if new_base._data is not base._data:
        xp_of(base._data).copyto(base._data, new_base._data)
    base._vc[0] += 1
    _take_identity(base, new_base)
    regenerated = TakeFlat.apply(base, positions)
    view.grad_fn = regenerated.grad_fn
    view._output_nr = 0
    view._requires_grad = True
    return view


def scalar_or_tensor_data(x):
    return x._data if isinstance(x, Tensor) else x


__all__ = []
