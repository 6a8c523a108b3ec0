"""Shape ops that return views sharing memory with their input, as PyTorch's do: view/reshape,
squeeze/unsqueeze, permute/transpose, expand/broadcast, narrow/select/unbind, diagonal."""
import math

from .._backend import np
from .._size import Size
from .._tensor import Tensor
from ..autograd.function import Op
from ..autograd.grad_mode import state as grad_state
from ._common import dim_tuple, wrap_dim, xp_of



def _shape_str(shape):
    return "[" + ", ".join(str(d) for d in shape) + "]"


def infer_shape(shape, numel):
    """Resolve a single -1 in ``shape``; RuntimeError like PyTorch's when impossible."""
    shape = tuple(int(d) for d in shape)
    neg = [i for i, d in enumerate(shape) if d == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for d in shape:
        if d < -1:
            raise RuntimeError(f"invalid shape dimension {d}")
    if neg:
        known = 1
        for d in shape:
            if d != -1:
                known *= d
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{_shape_str(shape)}' is invalid for input of size {numel}")
        shape = shape[:neg[0]] + (numel // known,) + shape[neg[0] + 1:]
    elif math.prod(shape) != numel:
        raise RuntimeError(f"shape '{_shape_str(shape)}' is invalid for input of size {numel}")
    return shape


def _shape_args(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list, Size)):
        return tuple(shape[0])
    if len(shape) == 1 and isinstance(shape[0], Tensor):
        return tuple(shape[0].tolist())
    for d in shape:
        if isinstance(d, bool) or not (isinstance(d, (int, np.integer)) or hasattr(d, "__index__")):
            raise TypeError(f"argument 'shape' (position 1) must be tuple of ints, not {type(d).__name__}")
    return shape


class View(Op):
    is_view = True

    @staticmethod
    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
        shape = infer_shape(shape, a.size)
        try:
            return a.reshape(shape, copy=False)
        except (ValueError, AttributeError):
            raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one "
                               "dimension spans across two contiguous subspaces). Use .reshape(...) instead.") from None

    @staticmethod
    def backward(ctx, g):
        return _reshaped_grad(g, ctx.in_shape), None


def _reshaped_grad(g, shape):
    """``g`` in the input's shape; on the array when no graph is being built (a few us less per
    call than the Tensor op, which a transformer step makes dozens of times)."""
    if grad_state.enabled:
        return g.reshape(shape)
    return Tensor._make(g._data.reshape(shape))


class Reshape(Op):
    """A view when the layout allows it, otherwise a copy (the output is then not a view)."""

    @staticmethod
    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
        return a.reshape(infer_shape(shape, a.size))

    @staticmethod
    def backward(ctx, g):
        return _reshaped_grad(g, ctx.in_shape), None


def view(input, *shape):
    if len(shape) == 1 and not isinstance(shape[0], (tuple, list, Size, int)) and shape[0] is not None:
        from .._dtype import to_dtype
        return _view_dtype(input, to_dtype(shape[0]))
    return View.apply(input, _shape_args(shape))


def _view_dtype(input, dtype):
    # A reinterpretation of the bytes: an alias outside autograd (PyTorch's never requires grad).
    t = Tensor._make(input._data.view(dtype.np_dtype))
    t._vc, t._base = input._vc, input
    return t


def reshape(input, *shape):
    shape = _shape_args(shape)
    a = input._data
    resolved = infer_shape(shape, a.size)
    try:
        a.reshape(resolved, copy=False)
        return View.apply(input, resolved)
    except ValueError:
        return Reshape.apply(input, resolved)


def view_as(input, other):
    return view(input, other.shape)


def reshape_as(input, other):
    return reshape(input, other.shape)


def flatten(input, start_dim=0, end_dim=-1):
    nd = input._data.ndim
    if nd == 0:
        return reshape(input, (1,))
    s, e = wrap_dim(start_dim, nd), wrap_dim(end_dim, nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    shape = input._data.shape
    return reshape(input, shape[:s] + (-1 if 0 not in shape[s:e + 1] else 0,) + shape[e + 1:]) \
        if 0 not in shape[s:e + 1] else reshape(input, shape[:s] + (0,) + shape[e + 1:])


def ravel(input):
    return reshape(input, (-1,))


def unflatten(input, dim, sizes):
    nd = input._data.ndim
    d = wrap_dim(dim, nd)
    shape = input._data.shape
    sizes = tuple(sizes)
    if -1 not in sizes and math.prod(sizes) != shape[d]:
        raise RuntimeError(f"unflatten: Provided sizes {_shape_str(sizes)} don't multiply up to the size of "
                           f"dim {dim} ({shape[d]}) in the input tensor")
    inner = infer_shape(sizes, shape[d])
    return view(input, shape[:d] + inner + shape[d + 1:]) if input._data.flags.c_contiguous \
        else reshape(input, shape[:d] + inner + shape[d + 1:])


class Squeeze(Op):
    is_view = True

    @staticmethod
    def forward(ctx, a, dims):
        ctx.in_shape = a.shape
        if dims is None:
            return a.reshape(tuple(d for d in a.shape if d != 1)) if a.ndim else a.view()
        keep = tuple(n for i, n in enumerate(a.shape) if not (i in dims and n == 1))
        return a.reshape(keep)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape), None


def squeeze(input, dim=None):
    if dim is None:
        return Squeeze.apply(input, None)
    nd = input._data.ndim
    dims = dim_tuple(dim, nd) if nd else ()
    return Squeeze.apply(input, dims)


class Unsqueeze(Op):
    is_view = True

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        return xp_of(a).expand_dims(a, dim)

    @staticmethod
    def backward(ctx, g):
        return g.squeeze(ctx.dim), None


def unsqueeze(input, dim):
    return Unsqueeze.apply(input, wrap_dim(dim, input._data.ndim + 1))


class Permute(Op):
    is_view = True

    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return a.transpose(dims)

    @staticmethod
    def backward(ctx, g):
        inverse = [0] * len(ctx.dims)
        for i, d in enumerate(ctx.dims):
            inverse[d] = i
        return g.permute(inverse), None


def permute(input, *dims):
    dims = _shape_args(dims)
    nd = input._data.ndim
    if len(dims) != nd:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
                           f"length of the desired ordering of dimensions i.e. input.dim() = {nd} is not equal "
                           f"to len(dims) = {len(dims)}")
    wrapped = tuple(wrap_dim(d, nd) for d in dims)
    if len(set(wrapped)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, wrapped)


class Transpose(Op):
    is_view = True

    @staticmethod
    def forward(ctx, a, d0, d1):
        ctx.d = (d0, d1)
        return a.swapaxes(d0, d1)

    @staticmethod
    def backward(ctx, g):
        if grad_state.enabled:
            return g.transpose(*ctx.d), None, None
        return Tensor._make(g._data.swapaxes(*ctx.d)), None, None   # no graph: the array view


def transpose(input, dim0, dim1):
    nd = input._data.ndim
    if nd == 0:
        wrap_dim(dim0, 0), wrap_dim(dim1, 0)
        return Transpose.apply(input, 0, 0) if False else View.apply(input, ())
    return Transpose.apply(input, wrap_dim(dim0, nd), wrap_dim(dim1, nd))


swapaxes = swapdims = transpose


def t(input):
    nd = input._data.ndim
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")
    return T.apply(input, 0, 1) if nd == 2 else View.apply(input, input._data.shape)


class T(Transpose):
    """``t()``: its own class only so grad_fn reads TBackward0, as in PyTorch."""


def adjoint(input):
    return transpose(input, -2, -1)


def movedim(input, source, destination):
    nd = input._data.ndim
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} dims) should "
                           f"contain the same number of dims as destination ({list(dst)} dims)")
    src = tuple(wrap_dim(s, nd) for s in src)
    dst = tuple(wrap_dim(d, nd) for d in dst)
    order = [n for n in range(nd) if n not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return Permute.apply(input, tuple(order))


moveaxis = movedim


class Expand(Op):
    is_view = True

    @staticmethod
    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
        return xp_of(a).broadcast_to(a, shape)

    @staticmethod
    def backward(ctx, g):
        return g.sum_to_size(ctx.in_shape) if ctx.in_shape else g.sum(), None


def _expanded_shape(in_shape, sizes):
    sizes = tuple(int(s) for s in sizes)
    if len(sizes) < len(in_shape):
        raise RuntimeError(f"expand(torch.FloatTensor{{{_shape_str(in_shape)}}}, size={_shape_str(sizes)}): "
                           f"the number of sizes provided ({len(sizes)}) must be greater or equal to the number "
                           f"of dimensions in the tensor ({len(in_shape)})")
    out = list(sizes)
    offset = len(sizes) - len(in_shape)
    for i, s in enumerate(sizes):
        if i < offset:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a leading, "
                                   f"non-existing dimension {i}")
            continue
        cur = in_shape[i - offset]
        if s == -1:
            out[i] = cur
        elif cur != 1 and cur != s:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size ({cur}) at "
                               f"non-singleton dimension {i}.  Target sizes: {_shape_str(sizes)}.  Tensor "
                               f"sizes: {_shape_str(in_shape)}")
    return tuple(out)


def expand(input, *sizes):
    shape = _expanded_shape(input._data.shape, _shape_args(sizes))
    if shape == input._data.shape:
        return View.apply(input, shape)
    return Expand.apply(input, shape)


def expand_as(input, other):
    return expand(input, other.shape)


def broadcast_to(input, shape):
    return expand(input, tuple(shape))


def broadcast_shapes(*shapes):
    try:
        return Size(np.broadcast_shapes(*[tuple(s) if not isinstance(s, int) else (s,) for s in shapes]))
    except ValueError:
        raise RuntimeError(f"Shape mismatch: objects cannot be broadcast to a single shape: "
                           f"{', '.join(_shape_str(s) for s in shapes)}") from None


def broadcast_tensors(*tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shape = broadcast_shapes(*[t.shape for t in tensors])
    return tuple(expand(t, shape) for t in tensors)


class SumToSize(Op):
    """Sum ``a`` down to ``shape`` (the reverse of broadcasting it)."""

    @staticmethod
    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
        return sum_to_shape_array(a, shape)

    @staticmethod
    def backward(ctx, g):
        return g.expand(ctx.in_shape), None


def sum_to_shape_array(a, shape):
    """Sum array ``a`` down to ``shape`` (which ``a``'s shape broadcasts from); a new array."""
    lead = a.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape)
                                      if s == 1 and a.shape[lead + i] != 1)
    out = a.sum(axis=axes, keepdims=True, dtype=a.dtype) if axes else a
    return out.reshape(shape) if out.shape != tuple(shape) else (out if axes else out.copy())


def sum_to_size(input, *size):
    shape = tuple(_shape_args(size))
    if shape == input._data.shape:
        return input
    try:
        if np.broadcast_shapes(shape, input._data.shape) != input._data.shape:
            raise ValueError
    except ValueError:
        raise RuntimeError(f"size {{{_shape_str(shape)}}} is not expandable to size "
                           f"{{{_shape_str(input._data.shape)}}}.") from None
    return SumToSize.apply(input, shape)


class Slice(Op):
    """A basic-slicing view: ``a[index]`` with ints, slices, None and Ellipsis only."""
    is_view = True

    @staticmethod
    def forward(ctx, a, index):
        ctx.in_shape, ctx.index = a.shape, index
        return a[index]

    @staticmethod
    def backward(ctx, g):
        from .indexing import scatter_into_zeros
        return scatter_into_zeros(g, ctx.in_shape, ctx.index), None


def narrow(input, dim, start, length):
    nd = input._data.ndim
    d = wrap_dim(dim, nd)
    size = input._data.shape[d]
    start = int(start)
    if start < 0:
        start += size
    if not 0 <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got {start})")
    if start + length > size or length < 0:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    idx = (slice(None),) * d + (slice(start, start + length),)
    return Slice.apply(input, idx)


def select(input, dim, index):
    nd = input._data.ndim
    if nd == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, nd)
    size = input._data.shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{_shape_str(input._data.shape)} at dimension {dim}")
    return Slice.apply(input, (slice(None),) * d + (int(index) % size,))


def unbind(input, dim=0):
    nd = input._data.ndim
    if nd == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = wrap_dim(dim, nd)
    return tuple(_renamed(Slice.apply(input, (slice(None),) * d + (i,)), "UnbindBackward0")
                 for i in range(input._data.shape[d]))


def _renamed(t, node_name):
    """Give ``t``'s grad_fn the name PyTorch's node has (ops built from others keep theirs)."""
    if t.grad_fn is not None:
        t.grad_fn._grad_fn_name = node_name
    return t


class Diagonal(Op):
    is_view = True

    @staticmethod
    def forward(ctx, a, offset, d1, d2):
        ctx.in_shape, ctx.args = a.shape, (offset, d1, d2)
        return a.diagonal(offset, d1, d2)

    @staticmethod
    def backward(ctx, g):
        offset, d1, d2 = ctx.args
        xp = xp_of(g._data)
        base = Tensor._make(xp.zeros(ctx.in_shape, g._data.dtype))
        from .indexing import diagonal_scatter
        return diagonal_scatter(base, g, offset, d1, d2), None, None, None


def diagonal(input, offset=0, dim1=0, dim2=1):
    nd = input._data.ndim
    d1, d2 = wrap_dim(dim1, nd), wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return Diagonal.apply(input, offset, d1, d2)


__all__ = [
    "view", "reshape", "view_as", "reshape_as", "flatten", "ravel", "unflatten", "squeeze", "unsqueeze",
    "permute", "transpose", "swapaxes", "swapdims", "t", "adjoint", "movedim", "moveaxis", "expand",
    "expand_as", "broadcast_to", "broadcast_shapes", "broadcast_tensors", "sum_to_size", "narrow", "select",
    "unbind", "diagonal"
]
