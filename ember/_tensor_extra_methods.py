"""Tensor methods that belong to no op family: in-place forms of composite ops, in-place shape
changes (squeeze_, t_, resize_ ...), storage helpers and the attributes PyTorch code probes."""
import math

from . import _dtype as dt
from ._backend import np
from ._tensor import Tensor
from .autograd.grad_mode import state as _grad_state
from .ops import linalg, pointwise, shape
from .ops._common import check_inplace_writable, type_word


# ---- in-place through a composite op ----------------------------------------------------------
def inplace_via(self, fn, *args, **kwargs):
    """Run ``fn(self, *args)`` and write the result into ``self`` (PyTorch's in-place semantics:
    the result must be castable to self's dtype and broadcast to self's shape)."""
    check_inplace_writable(self)
    recording = _grad_state.enabled and (self._requires_grad or any(
        isinstance(a, Tensor) and a._requires_grad for a in args) or
        self._base is not None and self._base._requires_grad)
    if recording and self.grad_fn is None and self._requires_grad:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    # A clone keeps the values fn saves for backward safe from the write below.
    result = fn(self.clone() if recording else self, *args, **kwargs)
    if not dt.can_cast(result.dtype, self.dtype):
        raise RuntimeError(f"result type {type_word(result.dtype)} can't be cast to the desired output type "
                           f"{type_word(self.dtype)}")
    if tuple(result.shape) != tuple(self.shape):
        try:
            ok = np.broadcast_shapes(tuple(result.shape), tuple(self.shape)) == tuple(self.shape)
        except ValueError:
            ok = False
        if not ok:
            raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the broadcast shape "
                               f"{list(result.shape)}")
        result = result.expand(tuple(self.shape))
    if recording:
        return self.copy_(result)
    np.copyto(self._data, result._data, casting="unsafe")
    self._vc[0] += 1
    return self


def _inplace_method(fn, name):
    def method(self, *args, **kwargs):
        return inplace_via(self, fn, *args, **kwargs)
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In-place version of :meth:`{name[:-1]}`."
    return method


def _lazy(module, name):
    """The function ``name`` of ``ember.<module>``, looked up at call time."""
    def fn(*args, **kwargs):
        import importlib
        return getattr(importlib.import_module("ember." + module), name)(*args, **kwargs)
    return fn


def _comparison(name):
    return lambda self, other: getattr(pointwise, name)(self, other).to(self.dtype)


_COMPOSITE_INPLACE = {
    "deg2rad_": pointwise.deg2rad, "rad2deg_": pointwise.rad2deg, "fix_": pointwise.trunc,
    "logit_": pointwise.logit, "sinc_": pointwise.sinc, "xlogy_": pointwise.xlogy, "sgn_": pointwise.sgn,
    "arctan2_": pointwise.atan2, "copysign_": pointwise.copysign, "heaviside_": pointwise.heaviside,
    "bitwise_left_shift_": pointwise.bitwise_left_shift, "bitwise_right_shift_": pointwise.bitwise_right_shift,
    "greater_": _comparison("gt"), "greater_equal_": _comparison("ge"), "less_": _comparison("lt"),
    "less_equal_": _comparison("le"), "not_equal_": _comparison("ne"),
    "addmm_": linalg.addmm, "addbmm_": linalg.addbmm, "addr_": linalg.addr, "baddbmm_": linalg.baddbmm,
    "addmv_": linalg.addmv, "tril_": _lazy("ops.creation", "tril"), "triu_": _lazy("ops.creation", "triu"),
    "gcd_": _lazy("ops.misc_math", "gcd"), "lcm_": _lazy("ops.misc_math", "lcm"),
    "ldexp_": _lazy("ops.misc_math", "ldexp"), "nextafter_": _lazy("ops.misc_math", "nextafter"),
    "renorm_": _lazy("ops.misc_math", "renorm"),
    "digamma_": _lazy("ops.special_math", "digamma"), "lgamma_": _lazy("ops.special_math", "lgamma"),
    "polygamma_": lambda self, n: _lazy("ops.special_math", "polygamma")(n, self),
    "mvlgamma_": _lazy("ops.special_math", "mvlgamma"), "i0_": _lazy("ops.special_math", "i0"),
    "igamma_": _lazy("ops.special_math", "igamma"), "igammac_": _lazy("ops.special_math", "igammac"),
}
for _name, _fn in _COMPOSITE_INPLACE.items():
    if not hasattr(Tensor, _name):
        setattr(Tensor, _name, _inplace_method(_fn, _name))


def _float_power_(self, exponent):
    if self.dtype not in (dt.float64, dt.complex128):
        raise RuntimeError(f"the base given to float_power_ has dtype {type_word(self.dtype)} but the operation's "
                           f"result requires dtype {type_word(dt.float64)}")
    return inplace_via(self, pointwise.float_power, exponent)


Tensor.float_power_ = _float_power_
Tensor.polygamma = lambda self, n: _lazy("ops.special_math", "polygamma")(n, self)


def _masked_scatter_(self, mask, source):
    from .ops.indexing import masked_scatter
    return inplace_via(self, masked_scatter, mask, source)


if not hasattr(Tensor, "masked_scatter_"):
    Tensor.masked_scatter_ = _masked_scatter_


def _fill_diagonal_(self, fill_value, wrap=False):
    """Fill the main diagonal (all indices equal) of a tensor with >= 2 equal-length dims."""
    if self.dim() < 2:
        raise RuntimeError("dimensions must larger than 1")
    if self.dim() > 2 and len(set(self.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    n = min(self.shape)
    if self.dim() == 2:
        rows = self.shape[0]
        if wrap and rows > self.shape[1]:
            step = self.shape[1] + 1
            idx = np.arange(0, rows * self.shape[1], step)
            index = np.divmod(idx, self.shape[1])  # the diagonal restarts below a full square
        else:
            index = (np.arange(n), np.arange(n))
    else:
        index = (np.arange(n),) * self.dim()
    from .ops.indexing import setitem
    setitem(self, tuple(Tensor._make(i) for i in index), fill_value)
    return self


Tensor.fill_diagonal_ = _fill_diagonal_


# ---- in-place shape changes: self takes the shape (and graph node) of the view op ----------
def _restride_inplace(name, op):
    def method(self, *args):
        out = op(self, *args)
        self._data = out._data
        if out.grad_fn is not None:
            self.grad_fn, self._output_nr = out.grad_fn, out._output_nr
        return self
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In-place version of :meth:`{name[:-1]}` (changes this tensor's shape)."
    return method


Tensor.squeeze_ = _restride_inplace("squeeze_", lambda self, *dim: shape.squeeze(self, *dim))
Tensor.unsqueeze_ = _restride_inplace("unsqueeze_", shape.unsqueeze)
Tensor.t_ = _restride_inplace("t_", shape.t)
Tensor.transpose_ = _restride_inplace("transpose_", shape.transpose)
Tensor.swapaxes_ = Tensor.transpose_
Tensor.swapdims_ = Tensor.transpose_


def _resize_(self, *sizes, memory_format=None):
    """Change the shape; keeps the leading values when the element count allows, else reallocates
    (new elements uninitialised, here zeros)."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) or len(sizes) == 1 and hasattr(sizes[0], "__iter__"):
        sizes = tuple(sizes[0])
    sizes = tuple(int(s) for s in sizes)
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(sizes)}: {list(sizes)}")
    if self._requires_grad and _grad_state.enabled:
        raise RuntimeError("cannot resize variables that require grad")
    n = math.prod(sizes)
    old = self._data
    if n == old.size and old.flags.c_contiguous:
        self._data = old.reshape(sizes)
    else:
        flat = old.reshape(-1)
        new = np.zeros(n, old.dtype)
        k = min(n, flat.size)
        new[:k] = flat[:k]
        self._data = new.reshape(sizes)
    return self


def _resize_as_(self, other, memory_format=None):
    return _resize_(self, tuple(other.shape))


def _resize(self, *sizes):
    return _resize_(self.clone().detach(), *sizes)


Tensor.resize_ = _resize_
Tensor.resize_as_ = _resize_as_
Tensor.resize = _resize
Tensor.resize_as = lambda self, other: _resize(self, tuple(other.shape))


def _set_(self, source=None, storage_offset=0, size=None, stride=None):
    """Make ``self`` share ``source``'s memory (a Tensor source only), or become empty."""
    if source is None:
        self._data = np.empty(0, self._data.dtype)
    elif isinstance(source, Tensor):
        if size is not None:
            from .ops.misc_views import as_strided
            self._data = as_strided(source.detach(), size, stride or _contiguous_strides(size), storage_offset)._data
        else:
            self._data = source._data
    else:
        raise TypeError("set_(): only Tensor sources are supported")
    self._vc[0] += 1
    return self


def _contiguous_strides(size):
    strides, acc = [], 1
    for s in reversed(tuple(size)):
        strides.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(strides))


def _is_set_to(self, tensor):
    a, b = self._data, tensor._data
    return (a.__array_interface__["data"][0] == b.__array_interface__["data"][0] and a.shape == b.shape
            and a.strides == b.strides and a.dtype == b.dtype)


Tensor.set_ = _set_
Tensor.is_set_to = _is_set_to


def _dim_order(self, *, ambiguity_check=False):
    """Dims from outermost to innermost in memory (largest stride first)."""
    strides = self.stride()
    return tuple(sorted(range(self.dim()), key=lambda d: (-strides[d], d)))


Tensor.dim_order = _dim_order


def _new_empty_strided(self, size, stride, dtype=None, device=None, requires_grad=False, **kw):
    from .ops.creation import empty_strided
    return empty_strided(size, stride, dtype=dtype or self.dtype, requires_grad=requires_grad)


Tensor.new_empty_strided = _new_empty_strided


def _storage(self):
    return self.untyped_storage()


Tensor.storage = _storage
Tensor.storage_type = lambda self: type(self.untyped_storage())
Tensor.const_data_ptr = lambda self: self.data_ptr()
Tensor.record_stream = lambda self, stream: None
Tensor.to_dense = lambda self, dtype=None, *, masked_grad=None: self if dtype is None else self.to(dtype)
Tensor.is_nonzero = lambda self: _lazy("_api_extras", "is_nonzero")(self)
Tensor.as_subclass = lambda self, cls: Tensor._make_subclass(cls, self)
Tensor.output_nr = property(lambda self: self._output_nr)
Tensor.name = None
Tensor.volatile = False
for _flag in ("is_xla", "is_ipu", "is_xpu", "is_mps", "is_mtia", "is_maia", "is_vulkan", "is_sparse_csr"):
    if not hasattr(Tensor, _flag):
        setattr(Tensor, _flag, False)
Tensor.cdouble = lambda self, memory_format=None: self.to(dt.complex128)
Tensor.cfloat = lambda self, memory_format=None: self.to(dt.complex64)


def _map2_(self, x, y, fn):
    res = np.vectorize(fn)(self._data, x._data, y._data).astype(self._data.dtype)
    return self.copy_(Tensor._make(res))


Tensor.map2_ = _map2_


def _reinforce(self, reward):
    raise RuntimeError("reinforce() was removed. Use torch.distributions instead.")


Tensor.reinforce = _reinforce


def _module_load(self, other, assign=False):
    """What Module.load_state_dict stores for ``other`` loaded into this parameter."""
    return other.detach() if assign else other


Tensor.module_load = _module_load
Tensor.real = property(lambda self: _lazy("ops.misc_views", "real")(self), lambda self, value: _set_real(self, value))
Tensor.imag = property(lambda self: _lazy("ops.misc_views", "imag")(self))


def _set_real(self, value):
    from .autograd.grad_mode import no_grad
    with no_grad():
        target = _lazy("ops.misc_views", "real")(self)
        target.copy_(value if isinstance(value, Tensor) else Tensor._make(np.asarray(value, target._data.dtype)))


# ---- nn.functional ops that PyTorch also exposes as Tensor methods ------------------------------
def _functional_method(name):
    def method(self, *args, **kwargs):
        from .nn import functional
        return getattr(functional, name)(self, *args, **kwargs)
    method.__name__ = method.__qualname__ = name
    return method


for _name in ("softmax", "log_softmax", "hardshrink", "prelu"):
    if not hasattr(Tensor, _name):
        setattr(Tensor, _name, _functional_method(_name))


def _removed(name, replacement):
    def method(self, *args, **kwargs):
        raise RuntimeError(f"This function was deprecated since version 1.9 and is now removed. "
                           f"`{replacement}` is its replacement.")
    method.__name__ = name
    return method


Tensor.solve = _removed("solve", "torch.linalg.solve")
Tensor.lstsq = _removed("lstsq", "torch.linalg.lstsq")
Tensor.eig = _removed("eig", "torch.linalg.eig")
Tensor.symeig = _removed("symeig", "torch.linalg.eigh")
