"""Views over raw storage (as_strided, unfold), complex-part views, the ``*_copy`` forms of
view ops, and small top-level predicates (typename, is_signed, ...)."""

from .. import _dtype as dt
from .._backend import np
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import Op
from . import shape as _shape
from ._common import apply_inplace, xp_of


# ---- storage positions -------------------------------------------------------------------
def _root(a):
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


def _element_offset(a, root):
    return (a.__array_interface__["data"][0] - root.__array_interface__["data"][0]) // a.itemsize


def _positions(shape, strides, offset):
    """Flat storage index of each element of a (shape, element-strides, offset) view."""
    out = np.full(shape, offset, dtype=np.int64)
    for axis, (n, s) in enumerate(zip(shape, strides)):
        idx = [1] * len(shape)
        idx[axis] = n
        out = out + (np.arange(n, dtype=np.int64) * s).reshape(idx)
    return out


def _flat_storage(root):
    """A 1-D view of the root array's memory in storage order."""
    if root.flags.c_contiguous:
        return root.reshape(-1)
    if root.flags.f_contiguous:
        return root.T.reshape(-1)
    raise RuntimeError("as_strided: the tensor's storage is not contiguous")


class PositionalMap(Op):
    """out[j] = sum over i with src[i] == dst[j] of x[i]: moves values between two layouts of one
    storage. Linear; its adjoint is the same map with src and dst swapped."""

    @staticmethod
    def forward(ctx, x, src, dst, storage_size, out_shape):
        ctx.args = (src, dst, storage_size, x.shape)
        store = np.bincount(src.reshape(-1), weights=x.reshape(-1), minlength=storage_size) \
            if x.dtype.kind != "c" else _complex_bincount(src, x, storage_size)
        return store[dst].reshape(out_shape).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        src, dst, storage_size, in_shape = ctx.args
        return PositionalMap.apply(g, dst, src, storage_size, in_shape), None, None, None, None


def _complex_bincount(src, x, n):
    flat = src.reshape(-1)
    return np.bincount(flat, x.real.reshape(-1), n) + 1j * np.bincount(flat, x.imag.reshape(-1), n)


class AsStrided(Op):
    is_view = True

    @staticmethod
    def forward(ctx, a, size, stride, offset):
        root = _root(a)
        flat = _flat_storage(root)
        item = a.itemsize
        ctx.args = (_positions(a.shape, tuple(s // item for s in a.strides), _element_offset(a, root)),
                    _positions(size, stride, offset), flat.size, a.shape)
        return np.lib.stride_tricks.as_strided(flat[offset:], size, tuple(s * item for s in stride))

    @staticmethod
    def backward(ctx, g):
        # scatter-add g into storage through the output's positions, read back through the input's.
        in_pos, out_pos, n, in_shape = ctx.args
        return PositionalMap.apply(g, out_pos, in_pos, n, in_shape), None, None, None


def as_strided(input, size, stride, storage_offset=None):
    """A view of ``input``'s storage with the given size, strides and offset (in elements)."""
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(f"mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, got strides: "
                           f"{list(stride)}")
    if not isinstance(input._data, np.ndarray):
        raise NotImplementedError("as_strided is implemented for CPU tensors only")
    offset = input.storage_offset() if storage_offset is None else int(storage_offset)
    root = _root(input._data)
    if any(n == 0 for n in size):
        needed = 0
    else:
        needed = offset + sum((n - 1) * s for n, s in zip(size, stride)) + 1
    if needed > root.size:
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, "
                           f"and itemsize {input.element_size()} requiring a storage size of "
                           f"{needed * input.element_size()} are out of bounds for storage of size "
                           f"{root.size * input.element_size()}")
    return AsStrided.apply(input, size, stride, offset)


def as_strided_(input, size, stride, storage_offset=None):
    view = as_strided(input, size, stride, storage_offset)
    input._data = view._data
    return input


def as_strided_scatter(input, src, size, stride, storage_offset=None):
    """A copy of ``input`` with ``src`` written through the as_strided(size, stride, offset) view."""
    out = input.clone()
    from ..autograd.grad_mode import no_grad
    view = as_strided(out.detach(), size, stride, 0 if storage_offset is None else storage_offset)
    if tuple(view.shape) != tuple(src.shape):
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                           f"{list(src.shape)}, slice size = {list(view.shape)}")
    with no_grad():
        view.copy_(src)
    return out


class Unfold(Op):
    is_view = True

    @staticmethod
    def forward(ctx, a, d, size, step):
        n = (a.shape[d] - size) // step + 1
        shape = a.shape[:d] + (n,) + a.shape[d + 1:] + (size,)
        strides = a.strides[:d] + (a.strides[d] * step,) + a.strides[d + 1:] + (a.strides[d],)
        ctx.args = (a.shape, d, size, step)
        return np.lib.stride_tricks.as_strided(a, shape, strides, writeable=a.flags.writeable)

    @staticmethod
    def backward(ctx, g):
        in_shape, d, size, step = ctx.args
        return UnfoldBackward.apply(g, in_shape, d, size, step), None, None, None


class UnfoldBackward(Op):
    @staticmethod
    def forward(ctx, g, in_shape, d, size, step):
        ctx.args = (d, size, step)
        out = np.zeros(in_shape, g.dtype)
        gm = np.moveaxis(g, d, -2)  # (..., windows, size)
        om = np.moveaxis(out, d, -1)
        for k in range(size):  # one vectorised add per window offset (size is small)
            idx = np.arange(gm.shape[-2]) * step + k
            om[..., idx] += gm[..., k]
        return out

    @staticmethod
    def backward(ctx, gg):
        d, size, step = ctx.args
        return Unfold.apply(gg, d, size, step), None, None, None, None


def unfold(input, dimension, size, step):
    """View of all length-``size`` windows along ``dimension``, ``step`` apart, as a new last dim."""
    d = _wrap_dim(dimension, max(input.dim(), 1))
    if input.dim() == 0:
        return input.reshape(1).unfold(0, size, step).squeeze(0) if size == 1 else _unfold_error(input, d, size)
    if size > input.shape[d]:
        _unfold_error(input, d, size)
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    return Unfold.apply(input, d, size, step)


def _unfold_error(input, d, size):
    raise RuntimeError(f"maximum size for tensor at dimension {d} is {input.shape[d] if input.dim() else 1} but "
                       f"size is {size}")


# ---- complex parts (real tensors are their own real part) ---------------------------------
class RealView(Op):
    is_view = True

    def name(self):
        return "SelectBackward0"  # PyTorch takes the part as a select of view_as_real

    @staticmethod
    def forward(ctx, a):
        return a.real

    @staticmethod
    def backward(ctx, g):
        return g.to(dt.complex128 if g.dtype is dt.float64 else dt.complex64)


class ImagView(Op):
    is_view = True

    def name(self):
        return "SelectBackward0"  # PyTorch takes the part as a select of view_as_real

    @staticmethod
    def forward(ctx, a):
        return a.imag

    @staticmethod
    def backward(ctx, g):
        return complex(g * 0, g)


def real(input):
    """The real part: a view for complex tensors, ``input`` itself otherwise."""
    return RealView.apply(input) if input.is_complex() else input


def imag(input):
    if not input.is_complex():
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return ImagView.apply(input)


class Conj(Op):
    @staticmethod
    def forward(ctx, a):
        return np.conj(a)

    @staticmethod
    def backward(ctx, g):
        return Conj.apply(g)


def conj(input):
    """Complex conjugate (materialised; ember has no lazy conjugate bit). Real tensors: ``input``."""
    return Conj.apply(input) if input.is_complex() else input


def conj_physical(input, *, out=None):
    return Conj.apply(input) if input.is_complex() else input.clone()


def conj_physical_(input):
    if input.is_complex():
        return apply_inplace(Conj, input)
    return input


def resolve_conj(input):
    return input


def resolve_neg(input):
    return input


def is_conj(input):
    return False


def is_neg(input):
    return False


def angle(input, *, out=None):
    """Argument of each element: for reals 0 (x >= 0), pi (x < 0), NaN for NaN."""
    from .pointwise import atan2, where
    if input.is_complex():
        return atan2(imag(input), real(input))
    x = input if input.is_floating_point() else input.to(dt.get_default_dtype())
    a = x._data
    res = Tensor._make(np.where(np.isnan(a), a, np.where(a < 0, np.pi, 0.0)).astype(a.dtype))
    return res + (x - x.detach()) * 0 if x.requires_grad else res  # zero gradient, like PyTorch


class Complex(Op):
    @staticmethod
    def forward(ctx, re, im):
        if re.dtype != im.dtype:
            raise RuntimeError(f"Expected object of scalar type {dt._BY_NP[re.dtype].name} but got scalar type "
                               f"{dt._BY_NP[im.dtype].name} for second argument")
        out_dtype = np.complex128 if re.dtype == np.float64 else np.complex64
        return (re + 1j * im).astype(out_dtype) if re.dtype.kind == "f" else None

    @staticmethod
    def backward(ctx, g):
        return RealView.apply(g), ImagView.apply(g)


def complex(real, imag, *, out=None):
    """A complex tensor from real and imaginary parts (float32 -> complex64, float64 -> complex128)."""
    if real.dtype not in (dt.float32, dt.float64) or imag.dtype not in (dt.float32, dt.float64):
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{real.dtype.name} and {imag.dtype.name}")
    return Complex.apply(real, imag)


class ViewAsReal(Op):
    is_view = True
    differentiable = False

    @staticmethod
    def forward(ctx, a):
        part = np.float64 if a.dtype == np.complex128 else np.float32
        return a[..., None].view(part)


class ViewAsComplex(Op):
    is_view = True
    differentiable = False

    @staticmethod
    def forward(ctx, a):
        cplx = np.complex128 if a.dtype == np.float64 else np.complex64
        return a.view(cplx)[..., 0]


def view_as_real(input):
    if not input.is_complex():
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return ViewAsReal.apply(input)


def view_as_complex(input):
    if input.dtype not in (dt.float32, dt.float64):
        raise RuntimeError(f"view_as_complex is only supported for float and double tensors, but got a tensor "
                           f"of scalar type: {input.dtype.name}")
    if input.dim() == 0 or input.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    if input.stride(-1) != 1:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    return ViewAsComplex.apply(input)


# ---- unsafe_ splits (same values as split; ember has no aliasing check to skip) ----------
def unsafe_split(input, split_size, dim=0):
    return _shape.split(input, split_size, dim)


def unsafe_split_with_sizes(input, split_sizes, dim=0):
    return _shape.split_with_sizes(input, split_sizes, dim)


def unsafe_chunk(input, chunks, dim=0):
    return _shape.chunk(input, chunks, dim)


# ---- *_copy: the view op, then a copy that owns its memory --------------------------------
def _copy_of(view_fn, name):
    def fn(input, *args, out=None, **kwargs):
        res = view_fn(input, *args, **kwargs)
        if isinstance(res, (tuple, list)):
            return tuple(r.clone() for r in res)
        res = res.clone()
        if out is not None:
            return out.copy_(res) if out.shape == res.shape else out.resize_(res.shape).copy_(res)
        return res
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Like :func:`{name[:-5]}`, but returns a new tensor instead of a view."
    return fn


def _view(input, *size):
    return _shape.view(input, *size)


def _slice(input, dim=0, start=None, end=None, step=1):
    idx = [slice(None)] * input.dim()
    idx[_wrap_dim(dim, input.dim())] = slice(start, end, step)
    return input[tuple(idx)]


def _alias(input):
    return input.view(tuple(input.shape)) if input.dim() else input.view(())


def _squeeze(input, dim=None):
    return _shape.squeeze(input) if dim is None else _shape.squeeze(input, dim)


view_copy = _copy_of(_view, "view_copy")
permute_copy = _copy_of(lambda input, dims: _shape.permute(input, dims), "permute_copy")
t_copy = _copy_of(_shape.t, "t_copy")
transpose_copy = _copy_of(_shape.transpose, "transpose_copy")
expand_copy = _copy_of(lambda input, size, *, implicit=False: _shape.expand(input, size), "expand_copy")
squeeze_copy = _copy_of(_squeeze, "squeeze_copy")
unsqueeze_copy = _copy_of(_shape.unsqueeze, "unsqueeze_copy")
select_copy = _copy_of(_shape.select, "select_copy")
slice_copy = _copy_of(_slice, "slice_copy")
split_copy = _copy_of(_shape.split, "split_copy")
split_with_sizes_copy = _copy_of(_shape.split_with_sizes, "split_with_sizes_copy")
diagonal_copy = _copy_of(_shape.diagonal, "diagonal_copy")
unbind_copy = _copy_of(_shape.unbind, "unbind_copy")
narrow_copy = _copy_of(_shape.narrow, "narrow_copy")
detach_copy = _copy_of(lambda input: input.detach(), "detach_copy")
alias_copy = _copy_of(_alias, "alias_copy")
as_strided_copy = _copy_of(as_strided, "as_strided_copy")
unfold_copy = _copy_of(unfold, "unfold_copy")
view_as_real_copy = _copy_of(view_as_real, "view_as_real_copy")
view_as_complex_copy = _copy_of(view_as_complex, "view_as_complex_copy")


# ---- small top-level predicates and fills -----------------------------------------------------
def typename(obj):
    """'torch.FloatTensor' style names for tensors; module-qualified class names otherwise."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    qual = getattr(obj, "__qualname__", None) or type(obj).__qualname__
    if not hasattr(obj, "__qualname__"):
        module = type(obj).__module__
    if module in ("", "builtins"):
        return qual
    return f"{module}.{qual}"


def is_signed(input):
    return input.dtype.is_signed


def is_inference(input):
    return bool(getattr(input, "_is_inference", False))


def get_device(input):
    return input.get_device()


def is_distributed(input):
    return False


def detach(input):
    return input.detach()


def detach_(input):
    return input.detach_()


def fill(input, value):
    """A new tensor shaped like ``input`` holding ``value``."""
    return input.clone().detach().fill_(value) if not input.requires_grad else input * 0 + value


def fill_(input, value):
    return input.fill_(value)


def zero_(input):
    return input.zero_()


__all__ = ["as_strided", "as_strided_", "as_strided_scatter", "unfold_copy", "real", "imag", "conj",
           "conj_physical", "conj_physical_", "resolve_conj", "resolve_neg", "is_conj", "is_neg", "angle",
           "complex", "view_as_real", "view_as_complex", "unsafe_split", "unsafe_split_with_sizes",
           "unsafe_chunk", "view_copy", "permute_copy", "t_copy", "transpose_copy", "expand_copy",
           "squeeze_copy", "unsqueeze_copy", "select_copy", "slice_copy", "split_copy", "split_with_sizes_copy",
           "diagonal_copy", "unbind_copy", "narrow_copy", "detach_copy", "alias_copy", "as_strided_copy",
           "view_as_real_copy", "view_as_complex_copy", "typename", "is_signed", "is_inference",
           "get_device", "is_distributed", "detach", "detach_", "fill", "fill_", "zero_"]
METHODS = ["as_strided", "as_strided_", "as_strided_scatter", "unfold", "conj", "conj_physical",
           "conj_physical_", "resolve_conj", "resolve_neg", "is_conj", "is_neg", "angle", "unsafe_split",
           "unsafe_split_with_sizes", "unsafe_chunk", "narrow_copy", "is_inference", "is_distributed"]
_ = xp_of
