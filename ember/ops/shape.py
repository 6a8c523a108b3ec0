"""Shape ops: views (sharing memory, like PyTorch's) and the copies that join or repeat."""
import math

from .._backend import np
from .._size import Size
from .._tensor import Tensor
from ..autograd.function import Op
from ._common import dim_tuple, promote, result_dtype, wrap_dim, xp_of

ndarray = np.ndarray


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
        return g.reshape(ctx.in_shape), None


class Reshape(Op):
    """A view when the layout allows it, otherwise a copy (the output is then not a view)."""

    @staticmethod
    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
        return a.reshape(infer_shape(shape, a.size))

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape), None


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
        return g.transpose(*ctx.d), None, None


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


class Flip(Op):
    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return xp_of(a).flip(a, dims).copy()

    @staticmethod
    def backward(ctx, g):
        return g.flip(ctx.dims), None


def flip(input, dims):
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    return Flip.apply(input, dim_tuple(dims, input._data.ndim))


def fliplr(input):
    return flip(input, (1,))


def flipud(input):
    return flip(input, (0,))


class Roll(Op):
    @staticmethod
    def forward(ctx, a, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        if dims is None:
            return xp_of(a).roll(a.reshape(-1), shifts).reshape(a.shape)
        return xp_of(a).roll(a, shifts, dims)

    @staticmethod
    def backward(ctx, g):
        neg = tuple(-s for s in ctx.shifts) if isinstance(ctx.shifts, tuple) else -ctx.shifts
        return g.roll(neg, ctx.dims), None, None


def roll(input, shifts, dims=None):
    if isinstance(shifts, (list, tuple)):
        shifts = tuple(int(s) for s in shifts)
    if dims is not None:
        dims = (dims,) if isinstance(dims, int) else tuple(dims)
        if not isinstance(shifts, tuple):
            shifts = (shifts,)
        if len(shifts) != len(dims):
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
        dims = tuple(wrap_dim(d, input._data.ndim) for d in dims)
    elif isinstance(shifts, tuple):
        if len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
        shifts = shifts[0]
    return Roll.apply(input, shifts, dims)


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


class Cat(Op):
    @staticmethod
    def forward(ctx, dim, *arrays):
        ctx.dim = dim
        ctx.sizes = [a.shape[dim] if a.ndim else 0 for a in arrays]
        dtype = result_dtype(*arrays).np_dtype
        arrays = [a.astype(dtype, copy=False) for a in arrays if not (a.ndim == 1 and a.shape[0] == 0)] \
            or [arrays[0].astype(dtype, copy=False)]
        return xp_of(arrays[0]).concatenate(arrays, axis=dim)

    @staticmethod
    def backward(ctx, g):
        grads, start = [], 0
        for n in ctx.sizes:
            grads.append(g.narrow(ctx.dim, start, n) if n else None)
            start += n
        return (None, *grads)


def cat(tensors, dim=0, *, out=None):
    from ._common import write_out
    if isinstance(tensors, Tensor):
        raise TypeError("cat(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor")
    tensors = list(tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
    ref = next((t for t in tensors if not (t._data.ndim == 1 and t._data.shape[0] == 0)), tensors[0])
    nd = ref._data.ndim
    if nd == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    d = wrap_dim(dim, nd)
    for i, t in enumerate(tensors):
        s = t._data.shape
        if len(s) == 1 and s[0] == 0:
            continue
        if len(s) != nd:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {nd} and {len(s)}")
        for k in range(nd):
            if k != d and s[k] != ref._data.shape[k]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size "
                                   f"{ref._data.shape[k]} but got size {s[k]} for tensor number {i} in the list.")
    return write_out(out, Cat.apply(d, *tensors))


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape0 = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != shape0:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {_shape_str(shape0)} at "
                               f"entry 0 and {_shape_str(t._data.shape)} at entry {i}")
    d = wrap_dim(dim, len(shape0) + 1)
    result = cat([unsqueeze(t, d) for t in tensors], d, out=out)
    return _renamed(result, "StackBackward0") if out is None else result


def hstack(tensors):
    tensors = [atleast_1d(t) for t in tensors]
    return cat(tensors, 0 if tensors[0].dim() == 1 else 1)


def vstack(tensors):
    return cat([atleast_2d(t) for t in tensors], 0)


row_stack = vstack


def dstack(tensors):
    return cat([atleast_3d(t) for t in tensors], 2)


def column_stack(tensors):
    cols = [t.reshape(-1, 1) if t.dim() <= 1 else t for t in tensors]
    return cat(cols, 1)


def atleast_1d(t):
    return t.reshape(1) if t.dim() == 0 else t


def atleast_2d(t):
    return t.reshape(1, -1) if t.dim() < 2 else t


def atleast_3d(t):
    if t.dim() == 0:
        return t.reshape(1, 1, 1)
    if t.dim() == 1:
        return t.reshape(1, -1, 1)
    if t.dim() == 2:
        return t.unsqueeze(-1)
    return t


def split(tensor, split_size_or_sections, dim=0):
    nd = tensor._data.ndim
    d = wrap_dim(dim, nd)
    size = tensor._data.shape[d]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0 and size:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {size}")
        sizes = [min(step, size - s) for s in range(0, size, step)] if step else [0]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != size:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's "
                               f"size at dimension {d}), but got split_sizes={sizes}")
    out, start = [], 0
    node_name = "SplitBackward0" if isinstance(split_size_or_sections, int) else "SplitWithSizesBackward0"
    for n in sizes:
        out.append(_renamed(Slice.apply(tensor, (slice(None),) * d + (slice(start, start + n),)), node_name))
        start += n
    return tuple(out)


def split_with_sizes(tensor, split_sizes, dim=0):
    return split(tensor, list(split_sizes), dim)


def chunk(input, chunks, dim=0):
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    d = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    step = -(-size // chunks) if size else 1
    return split(input, step, d) if size else split(input, [0] * 1, d)


def tensor_split(input, indices_or_sections, dim=0):
    d = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if isinstance(indices_or_sections, Tensor):
        indices_or_sections = indices_or_sections.tolist()
    if isinstance(indices_or_sections, int):
        n = indices_or_sections
        if n <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {n}")
        base, extra = divmod(size, n)
        bounds, start = [], 0
        for i in range(n):
            stop = start + base + (1 if i < extra else 0)
            bounds.append((start, stop))
            start = stop
    else:
        idx = [0] + [min(max(int(i) if i >= 0 else int(i) + size, 0), size) for i in indices_or_sections] + [size]
        bounds = [(idx[i], max(idx[i], idx[i + 1])) for i in range(len(idx) - 1)]
    return tuple(Slice.apply(input, (slice(None),) * d + (slice(a, b),)) for a, b in bounds)


def hsplit(input, sections):
    return tensor_split(input, sections, 1 if input.dim() > 1 else 0)


def vsplit(input, sections):
    return tensor_split(input, sections, 0)


def dsplit(input, sections):
    return tensor_split(input, sections, 2)


class Tile(Op):
    def name(self):
        return "RepeatBackward0"  # PyTorch's tile is repeat

    @staticmethod
    def forward(ctx, a, reps):
        ctx.in_shape = a.shape
        ctx.reps = reps
        return xp_of(a).tile(a, reps)

    @staticmethod
    def backward(ctx, g):
        in_shape = (1,) * (len(ctx.reps) - len(ctx.in_shape)) + tuple(ctx.in_shape)
        # view the output as (rep0, n0, rep1, n1, ...) and sum the rep axes
        split_shape = []
        for r, n in zip(ctx.reps, in_shape):
            split_shape += [r, n]
        summed = g.reshape(split_shape).sum(dim=tuple(range(0, 2 * len(in_shape), 2)))
        return summed.reshape(ctx.in_shape), None


def repeat(input, *sizes):
    reps = tuple(_shape_args(sizes))
    nd = input._data.ndim
    if len(reps) < nd:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions "
                           "of tensor")
    return Tile.apply(input, reps)


def tile(input, dims):
    dims = tuple(dims)
    nd = input._data.ndim
    if len(dims) < nd:
        dims = (1,) * (nd - len(dims)) + dims
    return Tile.apply(input, dims)


class RepeatInterleave(Op):
    @staticmethod
    def forward(ctx, a, repeats, dim):
        ctx.in_shape, ctx.dim = a.shape, dim
        ctx.repeats = repeats
        if dim is None:
            return xp_of(a).repeat(a.reshape(-1), repeats)
        return xp_of(a).repeat(a, repeats, axis=dim)

    @staticmethod
    def backward(ctx, g):
        xp = xp_of(g._data)
        dim = 0 if ctx.dim is None else ctx.dim
        n = ctx.in_shape[dim] if ctx.dim is not None else int(np.prod(ctx.in_shape))
        reps = ctx.repeats
        owner = xp.repeat(xp.arange(n), reps if isinstance(reps, int) else reps)
        from .indexing import index_add
        zeros_shape = list(g.shape)
        zeros_shape[dim] = n
        base = Tensor._make(xp.zeros(zeros_shape, g._data.dtype))
        out = index_add(base, dim, Tensor._make(owner), g)
        return out.reshape(ctx.in_shape), None, None


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    if repeats is None:  # repeat_interleave(repeats_tensor): indices repeated
        reps = input._data
        return Tensor._make(np.repeat(np.arange(reps.shape[0]), reps))
    if isinstance(repeats, Tensor):
        repeats = repeats._data if repeats.dim() else int(repeats.item())
    if dim is not None:
        dim = wrap_dim(dim, input._data.ndim)
    return RepeatInterleave.apply(input, repeats, dim)


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


class Clone(Op):
    @staticmethod
    def forward(ctx, a):
        return a.copy()

    @staticmethod
    def backward(ctx, g):
        return g


def clone(input, *, memory_format=None):
    return Clone.apply(input)


def contiguous(input, memory_format=None):
    if input._data.flags.c_contiguous:
        return input
    return Clone.apply(input)


__all__ = [
    "view", "reshape", "view_as", "reshape_as", "flatten", "ravel", "unflatten", "squeeze", "unsqueeze",
    "permute", "transpose", "swapaxes", "swapdims", "t", "adjoint", "movedim", "moveaxis", "expand",
    "expand_as", "broadcast_to", "broadcast_shapes", "broadcast_tensors", "sum_to_size", "flip", "fliplr",
    "flipud", "roll", "narrow", "select", "unbind", "cat", "concat", "concatenate", "stack", "hstack",
    "vstack", "row_stack", "dstack", "column_stack", "atleast_1d", "atleast_2d", "atleast_3d", "split",
    "split_with_sizes", "chunk", "tensor_split", "hsplit", "vsplit", "dsplit", "repeat", "tile",
    "repeat_interleave", "diagonal", "clone", "contiguous",
]
NOT_FUNCTIONS = {"view", "view_as", "reshape_as", "expand", "expand_as", "sum_to_size", "repeat",
                 "contiguous"}
