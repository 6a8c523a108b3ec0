"""Tensor: an array plus autograd metadata. No math lives here.

The array (``_data``) is a NumPy (or CuPy) array whose dtype is one of ember's dtypes.
Views share the array memory and the version counter (``_vc``, a one-element list) with
their base, so an in-place change through any view is seen by saved-tensor checks.
Methods and operators are attached in ``_tensor_methods.py``; each routes to one op.
"""
from . import _dtype as dt
from ._backend import cupy as _cupy
from ._backend import np
from ._device import CPU, device
from ._size import Size
from .autograd import function as _function
from .autograd import node as _node
from . import autograd as _autograd
from .autograd.grad_mode import state as _grad_state
from .autograd.node import HookDict, RemovableHandle

_ARRAY_TYPES = (np.ndarray,) if _cupy is None else (np.ndarray, _cupy.ndarray)
_NP_TO_DTYPE = dt._BY_NP


class Tensor:
    __slots__ = ("_data", "_requires_grad", "_grad", "grad_fn", "_output_nr", "_vc", "_base",
                 "_accumulator", "_backward_hooks", "_retains_grad", "__weakref__", "__dict__")

    # NumPy: let our reflected operators run instead of NumPy broadcasting over us.
    __array_priority__ = 1000
    __array_ufunc__ = None

    def __new__(cls, *args, **kwargs):
        """Legacy constructor: ``Tensor([1, 2])`` (float data) or ``Tensor(2, 3)`` (uninitialised)."""
        if cls is not Tensor and not args and not kwargs:
            return _empty_like_meta(cls)
        device_arg = kwargs.pop("device", None)
        if kwargs:
            raise TypeError(f"new() got an unexpected keyword argument '{next(iter(kwargs))}'")
        dtype = dt.get_default_dtype()
        if len(args) == 1 and not isinstance(args[0], int):
            data = args[0]
            if isinstance(data, Tensor):
                t = Tensor._make(data._data, False, None, 0)
                t._vc, t._base = data._vc, data
                return t
            from .ops.creation import tensor as _tensor_fn
            out = _tensor_fn(data, dtype=dtype)
        else:
            shape = args[0] if len(args) == 1 and isinstance(args[0], (tuple, list, Size)) else args
            out = Tensor._make(np.empty(tuple(shape), dtype.np_dtype), False, None, 0)
        if cls is not Tensor:
            out = Tensor._make_subclass(cls, out)
        return out

    def __init__(self, *args, **kwargs):
        pass

    @staticmethod
    def _make(data, requires_grad=False, grad_fn=None, output_nr=0):
        """Fast internal constructor: wrap an array without copying."""
        if not isinstance(data, _ARRAY_TYPES):
            data = np.asarray(data)
        t = object.__new__(Tensor)
        t._data = data
        t._requires_grad = requires_grad
        t._grad = None
        t.grad_fn = grad_fn
        t._output_nr = output_nr
        t._vc = [0]
        t._base = None
        t._accumulator = None
        t._backward_hooks = None
        t._retains_grad = False
        return t

    @classmethod
    def _make_subclass(cls, subclass, data, require_grad=False):
        t = object.__new__(subclass)
        t._data = data._data
        t._requires_grad = False
        t._grad = None
        t.grad_fn = None
        t._output_nr = 0
        t._vc = data._vc
        t._base = None
        t._accumulator = None
        t._backward_hooks = None
        t._retains_grad = False
        if require_grad:
            t.requires_grad = True
        return t

    # --- metadata ------------------------------------------------------------------------
    @property
    def dtype(self):
        return _NP_TO_DTYPE[self._data.dtype]

    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    @property
    def device(self):
        if isinstance(self._data, np.ndarray):
            return CPU
        return device("cuda", self._data.device.id)

    @property
    def is_cuda(self):
        return not isinstance(self._data, np.ndarray)

    @property
    def is_cpu(self):
        return isinstance(self._data, np.ndarray)

    is_sparse = False
    is_quantized = False
    is_meta = False
    is_mkldnn = False
    is_nested = False
    layout = "torch.strided"

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        return self._data.ndim

    ndimension = dim

    def numel(self):
        return self._data.size

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.nbytes

    def stride(self, dim=None):
        item = self._data.itemsize
        strides = tuple(s // item for s in self._data.strides)
        if self._data.size == 0 or any(d == 1 for d in self._data.shape):
            strides = _canonical_strides(self._data.shape, strides)
        if dim is None:
            return strides
        return strides[_wrap_dim(dim, self._data.ndim)]

    def storage_offset(self):
        base = self._data
        while isinstance(base.base, _ARRAY_TYPES):
            base = base.base
        offset = (self._data.__array_interface__["data"][0] - base.__array_interface__["data"][0]) \
            if isinstance(self._data, np.ndarray) else 0
        return offset // self._data.itemsize

    def data_ptr(self):
        if isinstance(self._data, np.ndarray):
            return self._data.__array_interface__["data"][0]
        return self._data.data.ptr

    def is_contiguous(self, memory_format=None):
        return bool(self._data.flags.c_contiguous)

    def is_floating_point(self):
        return self._data.dtype.kind == "f" or self._data.dtype == dt.bfloat16.np_dtype

    def is_complex(self):
        return self._data.dtype.kind == "c"

    def is_signed(self):
        return self.dtype.is_signed

    def get_device(self):
        return -1 if isinstance(self._data, np.ndarray) else self._data.device.id

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def _version(self):
        return self._vc[0]

    @property
    def _is_view(self):
        return self._base is not None

    def _is_view_fn(self):
        return self._base is not None

    # --- autograd metadata -----------------------------------------------------------------
    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        value = bool(value)
        if self.grad_fn is not None:
            if not value:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to use a "
                    "computed variable in a subgraph that doesn't require differentiation use "
                    "var_no_grad = var.detach().")
            return
        if value and self._data.dtype.kind not in "fc" and self._data.dtype != dt.bfloat16.np_dtype:
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self._requires_grad = value

    def requires_grad_(self, requires_grad=True):
        self.requires_grad = requires_grad
        return self

    @property
    def grad(self):
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                                f"{type(value).__name__}")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_CPP_TYPE_NAMES.get(value.dtype.name)}' to a "
                    f"tensor with grad_dtype '{_CAPITAL_TYPE_NAMES.get(self.dtype.name)}'. The gradient must match "
                    "the tensor's grad_dtype (defaults to the tensor's dtype). You can set the tensor's grad_dtype "
                    "attribute with a specific dtype, or None to allow any dtype. Set grad_dtype with caution. "
                    "Diverging the dtypes of a tensor and its gradient may break downstream systems that assume "
                    "they match.")
            if value._data.shape != self._data.shape:
                raise RuntimeError(f"attempting to assign a gradient of size '{list(value._data.shape)}' to a "
                                   f"tensor of size '{list(self._data.shape)}'. Please ensure that the gradient "
                                   "and the tensor are the same size")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def data(self):
        t = Tensor._make(self._data, False, None, 0)
        t._vc = [0]  # .data is invisible to autograd: a fresh version counter
        return t

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, not {type(value).__name__}")
        self._data = value._data

    def retain_grad(self):
        if self.grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        if self._retains_grad:
            return
        import weakref
        ref = weakref.ref(self)

        def store_grad(grad):
            t = ref()
            if t is not None:
                g = grad.detach() if not _grad_state.enabled else grad
                if t._grad is None:
                    t._grad = g.clone() if not _grad_state.enabled else g
                else:
                    t._grad = t._grad + g
        hooks = self.grad_fn._tensor_prehooks(self._output_nr)
        # Runs after the user's hooks registered so far, like PyTorch's retains_grad hook.
        hooks[-1 - len(hooks)] = store_grad
        self._retains_grad = True

    @property
    def retains_grad(self):
        return self._retains_grad

    def register_hook(self, hook):
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            if self._backward_hooks is None:
                self._backward_hooks = HookDict()
            hooks = self._backward_hooks
        else:
            hooks = self.grad_fn._tensor_prehooks(self._output_nr)
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        return handle

    def register_post_accumulate_grad_hook(self, hook):
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        hooks = self.__dict__.setdefault("_post_accumulate_hooks", HookDict())
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        return handle

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        _autograd.backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        t = Tensor._make(self._data, False, None, 0)
        t._vc = self._vc
        t._base = self._base
        return t

    def detach_(self):
        if self._base is not None and self._base._requires_grad:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self.grad_fn = None
        self._requires_grad = False
        return self

    # --- conversions ------------------------------------------------------------------------
    def numpy(self, *, force=False):
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        if not isinstance(self._data, np.ndarray):
            if not force:
                raise TypeError("can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() to "
                                "copy the tensor to host memory first.")
            return _cupy.asnumpy(self._data)
        return self._data

    def __array__(self, dtype=None, copy=None):
        arr = self._data if isinstance(self._data, np.ndarray) else _cupy.asnumpy(self._data)
        if dtype is not None and arr.dtype != dtype:
            return arr.astype(dtype)
        return arr

    def __dlpack__(self, stream=None, **kwargs):
        if self._requires_grad:
            raise RuntimeError("Can't export tensors that require gradient, use tensor.detach()")
        return self._data.__dlpack__(**({} if stream is None else {"stream": stream}))

    def __dlpack_device__(self):
        return self._data.__dlpack_device__()

    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.reshape(()).item() if self._data.dtype != dt.bfloat16.np_dtype \
            else float(self._data.reshape(()).astype(np.float32))

    def tolist(self):
        arr = self._data
        if arr.dtype == dt.bfloat16.np_dtype:
            arr = arr.astype(np.float32)
        if not isinstance(arr, np.ndarray):
            arr = _cupy.asnumpy(arr)
        return arr.tolist()

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()))

    def __float__(self):
        self._check_scalar("float")
        return float(self.item())

    def __int__(self):
        self._check_scalar("int")
        return int(self.item())

    def __complex__(self):
        return complex(self.item())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def _check_scalar(self, what):
        if self._data.size != 1:
            raise ValueError(f"only one element tensors can be converted to Python scalars")

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)  # str(self) for an empty spec, TypeError otherwise

    def __repr__(self, *, tensor_contents=None):
        from ._formatting import format_tensor
        arr = self._data
        if not isinstance(arr, np.ndarray):
            arr = _cupy.asnumpy(arr)
        fn_name = self.grad_fn.name() if self.grad_fn is not None else None
        return format_tensor(arr, dtype_name=self.dtype.name, default_dtype_name=dt.get_default_dtype().name,
                             requires_grad=self._requires_grad and self.grad_fn is None,
                             grad_fn_name=fn_name,
                             device=None if self.is_cpu else str(self.device))

    __str__ = __repr__

    def __hash__(self):
        return id(self)

    def __reduce_ex__(self, protocol):
        from .serialization import _rebuild_tensor_for_pickle
        arr = self._data if isinstance(self._data, np.ndarray) else _cupy.asnumpy(self._data)
        return (_rebuild_tensor_for_pickle, (np.array(arr), self._requires_grad))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the "
                               "deepcopy protocol at the moment.  If you were attempting to deepcopy a "
                               "module, this may be because of a torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        new = Tensor._make(self._data.copy(), False, None, 0)
        if type(self) is not Tensor:
            new = Tensor._make_subclass(type(self), new, self._requires_grad)
        else:
            new._requires_grad = self._requires_grad
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        extra = {k: v for k, v in self.__dict__.items() if not k.startswith("_post")}
        if extra:
            import copy
            new.__dict__.update(copy.deepcopy(extra, memo))
        memo[id(self)] = new
        return new

    def _accumulate_inplace(self, other):
        """``self += other`` on the arrays, for gradient accumulation (no autograd)."""
        np_data = self._data
        if np_data.flags.writeable:
            np_data += other._data
        else:
            self._data = np_data + other._data
        self._vc[0] += 1


# How PyTorch's messages spell dtypes: C++ type names and ScalarType names.
_CPP_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
                   "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
                   "uint8": "unsigned char", "bool": "bool"}
_CAPITAL_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
                       "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
                       "bool": "Bool"}


def _empty_like_meta(cls):
    t = Tensor._make(np.empty((0,), dt.get_default_dtype().np_dtype))
    return Tensor._make_subclass(cls, t)


def _canonical_strides(shape, strides):
    # PyTorch reports contiguous strides for size-1 dims (NumPy may report anything there).
    out = list(strides)
    expected = 1
    for i in range(len(shape) - 1, -1, -1):
        if shape[i] == 1 or 0 in shape:
            out[i] = expected
        expected *= max(shape[i], 1)
    return tuple(out)


def _wrap_dim(dim, ndim):
    """Normalize a possibly negative ``dim``; IndexError like PyTorch's when out of range."""
    n = ndim if ndim > 0 else 1
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim % n


_function.Tensor = Tensor
_node.Tensor = Tensor
_function._BF16 = dt.bfloat16.np_dtype
