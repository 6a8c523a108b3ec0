"""Indexing: ``tensor[index]`` and ``tensor[index] = value``, index_put/index_add/index_select,
masked_fill/masked_select, nonzero, and the scatter-into-zeros rule that indexing's
backward uses."""
import numbers

from .. import _dtype as dt
from .._backend import np
from .._tensor import Tensor
from ..autograd.function import Op
from ._common import apply_inplace, promote, wrap_dim, write_out, xp_of

ndarray = np.ndarray


def _shape_str(shape):
    return "[" + ", ".join(str(d) for d in shape) + "]"


def _is_basic(index):
    for item in index:
        if not (item is None or item is Ellipsis or isinstance(item, slice)
                or (isinstance(item, (int, np.integer)) and not isinstance(item, bool))):
            return False
    return True


def normalize_index(index, shape):
    """Turn a user index into a NumPy index tuple; check bounds with PyTorch's messages.

    Tensors and lists become integer or boolean arrays; ints are checked against the
    dimension they address.
    """
    if not isinstance(index, tuple):
        index = (index,)
    out = []
    for item in index:
        if isinstance(item, Tensor):
            arr = item._data
            if arr.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            if arr.dtype == np.uint8:
                arr = arr.astype(bool)
            out.append(arr)
        elif isinstance(item, (list, ndarray)) and not isinstance(item, tuple):
            arr = np.asarray([x.item() if isinstance(x, Tensor) else x for x in item]
                             if isinstance(item, list) else item)
            if arr.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            if arr.dtype == object:
                raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                                 "Variables are valid indices")
            out.append(arr)
        elif isinstance(item, slice):
            for part in (item.start, item.stop, item.step):
                if part is not None and not isinstance(part, (int, np.integer, Tensor)):
                    raise TypeError("slice indices must be integers or None or have an __index__ method")
            if isinstance(item.step, int) and item.step <= 0:
                raise ValueError("step must be greater than zero")
            if any(isinstance(p, Tensor) for p in (item.start, item.stop, item.step)):
                item = slice(*(int(p) if isinstance(p, Tensor) else p for p in (item.start, item.stop, item.step)))
            out.append(item)
        elif item is None or item is Ellipsis or isinstance(item, (bool, np.bool_)):
            out.append(item)
        elif isinstance(item, (int, np.integer)):
            out.append(int(item))
        elif isinstance(item, str):  # PyTorch tries to build a tensor from it
            raise TypeError("new(): invalid data type 'str'")
        else:
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
                             "are valid indices (got " + type(item).__name__ + ")")
    _check_bounds(out, shape)
    return tuple(out)


def _check_bounds(index, shape):
    consumed = sum(1 if not (i is None or i is Ellipsis or isinstance(i, (bool, np.bool_)))
                   else 0 for i in index)
    consumed += sum(i.ndim - 1 for i in index if isinstance(i, ndarray) and i.dtype == bool)
    if consumed > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    dim = 0
    for pos, item in enumerate(index):
        if item is Ellipsis:
            dim = len(shape) - sum(1 if not (i is None or i is Ellipsis or isinstance(i, (bool, np.bool_)))
                                   else 0 for i in index[pos + 1:]) \
                - sum(i.ndim - 1 for i in index[pos + 1:] if isinstance(i, ndarray) and i.dtype == bool)
            continue
        if item is None or isinstance(item, (bool, np.bool_)):
            continue
        if isinstance(item, int):
            size = shape[dim]
            if not -size <= item < size:
                raise IndexError(f"index {item} is out of bounds for dimension {dim} with size {size}")
        elif isinstance(item, ndarray):
            if item.dtype == bool:
                mshape = item.shape
                for k, n in enumerate(mshape):
                    if dim + k < len(shape) and shape[dim + k] != n:
                        raise IndexError(f"The shape of the mask {_shape_str(mshape)} at index {k} does not "
                                         f"match the shape of the indexed tensor {_shape_str(shape)} at index "
                                         f"{dim + k}")
                dim += item.ndim
                continue
            if item.size:
                size = shape[dim]
                hi, lo = int(item.max()), int(item.min())
                bad = hi if hi >= size else lo if lo < -size else None
                if bad is not None:
                    raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size {size}")
        dim += 1


class BasicIndex(Op):
    """``a[index]`` with only ints, slices, None and Ellipsis: a view."""
    is_view = True

    @staticmethod
    def forward(ctx, a, index):
        ctx.in_shape, ctx.index = a.shape, index
        ctx._grad_fn_name = _basic_index_node_name(index, a.shape)
        return a[index]

    @staticmethod
    def backward(ctx, g):
        return scatter_into_zeros(g, ctx.in_shape, ctx.index), None


def _basic_index_node_name(index, shape):
    """PyTorch applies a basic index as select/slice/unsqueeze ops in order; the last
    non-trivial one names the node (AliasBackward0 when all are trivial)."""
    name, dim = "AliasBackward0", 0
    n_real = sum(1 for i in index if i is not None and i is not Ellipsis)
    for item in index:
        if item is Ellipsis:
            dim += len(shape) - n_real
        elif item is None:
            name = "UnsqueezeBackward0"
        elif isinstance(item, int):
            name, dim = "SelectBackward0", dim + 1
        else:
            if item.indices(shape[dim]) != (0, shape[dim], 1) and not (item.step in (None, 1) and shape[dim] == len(
                    range(*item.indices(shape[dim])))):
                name = "SliceBackward0"
            dim += 1
    return name


class AdvancedIndex(Op):
    """``a[index]`` with integer or boolean arrays: a copy."""

    @staticmethod
    def forward(ctx, a, index):
        ctx.in_shape, ctx.index = a.shape, index
        return a[index]

    @staticmethod
    def backward(ctx, g):
        return scatter_into_zeros(g, ctx.in_shape, ctx.index, accumulate=True), None

    def name(self):
        return "IndexBackward0"


class IndexSelect(AdvancedIndex):
    def name(self):
        return "IndexSelectBackward0"


class ScatterIntoZeros(Op):
    """zeros(shape) with ``out[index] (+)= g``: the gradient of indexing."""

    @staticmethod
    def forward(ctx, g, shape, index, accumulate):
        ctx.index = index
        out = xp_of(g).zeros(shape, g.dtype)
        if accumulate:
            xp_of(g).add.at(out, index, g)
        else:
            out[index] = g
        return out

    @staticmethod
    def backward(ctx, gg):
        return gg[ctx.index] if not isinstance(ctx.index, tuple) else _getitem_array_index(gg, ctx.index), \
            None, None, None


def _getitem_array_index(t, index):
    if _is_basic(index):
        return BasicIndex.apply(t, _with_ellipsis(index))
    return AdvancedIndex.apply(t, index)


def scatter_into_zeros(g, shape, index, accumulate=False):
    return ScatterIntoZeros.apply(g, shape, index, accumulate)


def _with_ellipsis(index):
    # NumPy returns a scalar (not a view) when every dimension gets an int; an Ellipsis keeps a 0-d view.
    if Ellipsis in index:
        return index
    return index + (Ellipsis,)


def getitem(self, index):
    if type(index) is int and self._data.ndim:
        size = self._data.shape[0]
        if not -size <= index < size:
            raise IndexError(f"index {index} is out of bounds for dimension 0 with size {size}")
        return BasicIndex.apply(self, (index, Ellipsis))
    if self._data.ndim == 0 and not isinstance(index, tuple) and index is not None and index is not Ellipsis \
            and not isinstance(index, (bool, Tensor)) and not isinstance(index, slice):
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                         "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
    idx = normalize_index(index, self._data.shape)
    if _is_basic(idx):
        return BasicIndex.apply(self, _with_ellipsis(idx))
    split = _split_ints(idx)
    if split is not None:
        return AdvancedIndex.apply(BasicIndex.apply(self, split[0]), split[1])
    return AdvancedIndex.apply(self, idx)


def _split_ints(idx):
    """PyTorch applies integer indices as selects before advanced indexing (NumPy instead treats
    them as advanced indices, which moves the result dims). Return (basic part, advanced part)
    doing it PyTorch's way, or None when no int mixes with an array index."""
    has_int = any(isinstance(i, int) and not isinstance(i, bool) for i in idx)
    if not has_int or any(isinstance(i, (bool, np.bool_)) for i in idx):
        return None
    basic, advanced = [], []
    for item in idx:
        if isinstance(item, ndarray):
            basic.extend([slice(None)] * (item.ndim if item.dtype == bool else 1))
            advanced.append(item)
        elif isinstance(item, int):
            basic.append(item)
        elif item is None:
            basic.append(None)
            advanced.append(slice(None))
        else:  # slice or Ellipsis
            basic.append(item)
            advanced.append(slice(None) if isinstance(item, slice) else item)
    return _with_ellipsis(tuple(basic)), tuple(advanced)


class IndexPut(Op):
    """out = a with out[index] = values (or += with accumulate)."""

    @staticmethod
    def forward(ctx, a, index, values, accumulate=False):
        ctx.index, ctx.accumulate = index, accumulate
        ctx.values_shape = getattr(values, "shape", ())
        out = a.copy()
        _put(out, index, values, accumulate)
        return out

    @staticmethod
    def forward_inplace(x, index, values, accumulate=False):
        _put(x, index, values, accumulate)
        return True

    @staticmethod
    def backward(ctx, g):
        index = ctx.index
        ga = g if ctx.accumulate else IndexPut.apply(g, index, 0.0)
        gv = None
        if ctx.needs_input_grad[2]:
            gv = _getitem_array_index(g, index if _is_basic(index) is False else _with_ellipsis(index))
            if tuple(gv.shape) != tuple(ctx.values_shape):
                gv = gv.sum_to_size(ctx.values_shape) if len(ctx.values_shape) else gv.sum()
        return ga, None, gv, None


class CopySlices(IndexPut):
    """``t[basic index] = value`` on a tensor in a graph: PyTorch's node for it is CopySlices."""

    def name(self):
        return "CopySlices"


def _put(out, index, values, accumulate):
    if isinstance(values, ndarray) and values.dtype != out.dtype:
        values = values.astype(out.dtype)
    try:
        if accumulate:
            xp_of(out).add.at(out, index, values)
        else:
            out[index] = values
    except ValueError as exc:
        target = out[index].shape
        vshape = getattr(values, "shape", ())
        raise RuntimeError(f"shape mismatch: value tensor of shape {_shape_str(vshape)} cannot be broadcast to "
                           f"indexing result of shape {_shape_str(target)}") from exc


def setitem(self, index, value):
    idx = normalize_index(index, self._data.shape)
    op = IndexPut
    if _is_basic(idx):
        idx = _with_ellipsis(idx)
        op = CopySlices
    else:
        split = _split_ints(idx)
        if split is not None:  # write through the view that the ints select
            return setitem(BasicIndex.apply(self, split[0]), split[1], value)
    if isinstance(value, Tensor):
        if value.dtype.category > self.dtype.category and not isinstance(value, Tensor):
            pass
    elif isinstance(value, (list, tuple)):
        from .creation import tensor
        value = tensor(value, dtype=self.dtype)
    elif not isinstance(value, numbers.Number):
        raise TypeError(f"can't assign a {type(value).__name__} to a {self.type()}")
    apply_inplace(op, self, idx, value)


def index_put(input, indices, values, accumulate=False):
    idx = normalize_index(tuple(indices), input._data.shape)
    return IndexPut.apply(input, idx, values, accumulate)


def index_put_(input, indices, values, accumulate=False):
    idx = normalize_index(tuple(indices), input._data.shape)
    return apply_inplace(IndexPut, input, idx, values, accumulate)


def _index_along(dim, nd, idx):
    return (slice(None),) * dim + (idx,)


def _check_index_vector(index, name):
    if not isinstance(index, Tensor):
        raise TypeError(f"{name}(): argument 'index' must be Tensor, not {type(index).__name__}")
    if index._data.dtype.kind not in "iu":
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
    if index._data.ndim > 1:
        raise IndexError(f"{name}(): Index is supposed to be a vector")


def index_select(input, dim, index, *, out=None):
    _check_index_vector(index, "index_select")
    nd = input._data.ndim
    d = wrap_dim(dim, nd)
    idx = index._data.reshape(-1)
    size = input._data.shape[d] if nd else 1
    if idx.size and (idx.max() >= size or idx.min() < -size):
        bad = int(idx.max()) if idx.max() >= size else int(idx.min())
        raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad} axis_dim={size}")
    if nd == 0:
        return write_out(out, IndexSelect.apply(input.reshape(1), (idx,)).reshape(()))
    return write_out(out, IndexSelect.apply(input, _index_along(d, nd, idx)))


def _check_index_source(input, d, index, source, name):
    """Bounds of ``index`` along dim ``d`` and the shape of ``source``, with PyTorch's messages."""
    idx = index._data.reshape(-1)
    size = input._data.shape[d] if input._data.ndim else 1
    if idx.size and (idx.max() >= size or idx.min() < -size):
        bad = int(idx.max()) if idx.max() >= size else int(idx.min())
        msg = f"index {bad} is out of bounds for dimension {d} with size {size}"
        if name == "index_add":
            raise RuntimeError(msg)
        raise IndexError(("index_copy_(): " if name == "index_copy" else "") + msg)
    if source is None or not isinstance(source, Tensor):
        return
    n_src = source._data.shape[d] if source._data.ndim else 1
    if source._data.ndim and idx.size != n_src:
        if name == "index_add":
            raise RuntimeError(f"index_add_(): Number of indices ({idx.size}) should be equal to source.size(dim): "
                               f"({n_src}), for dim: {d}")
        raise IndexError(f"index_copy_(): Number of indices ({idx.size}) should be equal to source.size(dim) "
                         f"({n_src})")
    rest_in = input._data.shape[:d] + input._data.shape[d + 1:]
    rest_src = source._data.shape[:d] + source._data.shape[d + 1:]
    if source._data.ndim and rest_in != rest_src:
        if name == "index_add":
            raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the specified "
                               f"dimension. Got self.shape = {_shape_str(input.shape)} source.shape = "
                               f"{_shape_str(source.shape)}")
        raise RuntimeError("index_copy_(): Source/destination tensor must have same slice shapes. Destination "
                           f"slice shape: {_shape_str(rest_in)[1:-1]} at dimension {d} and source slice shape: "
                           f"{_shape_str(rest_src)[1:-1]} at dimension {d}.")


def index_add(input, dim, index, source, *, alpha=1):
    _check_index_vector(index, "index_add")
    nd = input._data.ndim
    d = wrap_dim(dim, nd)
    _check_index_source(input, d, index, source, "index_add")
    src = source if alpha == 1 else source * alpha
    return IndexPut.apply(input, _index_along(d, nd, index._data.reshape(-1)), src, True)


def index_add_(input, dim, index, source, *, alpha=1):
    _check_index_vector(index, "index_add_")
    nd = input._data.ndim
    d = wrap_dim(dim, nd)
    _check_index_source(input, d, index, source, "index_add")
    src = source if alpha == 1 else source * alpha
    return apply_inplace(IndexPut, input, _index_along(d, nd, index._data.reshape(-1)), src, True)


def index_fill(input, dim, index, value):
    nd = input._data.ndim
    d = wrap_dim(dim, nd)
    _check_index_vector(index, "index_fill")
    _check_index_source(input, d, index, None, "index_fill")
    return IndexPut.apply(input, _index_along(d, nd, index._data.reshape(-1)), value, False)


def index_fill_(input, dim, index, value):
    nd = input._data.ndim
    d = wrap_dim(dim, nd)
    _check_index_vector(index, "index_fill_")
    _check_index_source(input, d, index, None, "index_fill")
    return apply_inplace(IndexPut, input, _index_along(d, nd, index._data.reshape(-1)), value, False)


def index_copy(input, dim, index, source):
    nd = input._data.ndim
    d = wrap_dim(dim, nd)
    _check_index_vector(index, "index_copy")
    _check_index_source(input, d, index, source, "index_copy")
    return IndexPut.apply(input, _index_along(d, nd, index._data.reshape(-1)), source, False)


def index_copy_(input, dim, index, source):
    nd = input._data.ndim
    d = wrap_dim(dim, nd)
    _check_index_vector(index, "index_copy_")
    _check_index_source(input, d, index, source, "index_copy")
    return apply_inplace(IndexPut, input, _index_along(d, nd, index._data.reshape(-1)), source, False)


class MaskedFill(Op):
    saves_inputs = (1,)

    @staticmethod
    def forward(ctx, a, mask, value):
        if mask.dtype != np.bool_:
            raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                               f"{dt._BY_NP[mask.dtype].name}")
        if isinstance(value, ndarray) and value.ndim:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value.ndim} dimension(s).")
        xp = xp_of(a)
        shape = np.broadcast_shapes(a.shape, mask.shape)
        v = value.astype(a.dtype) if isinstance(value, ndarray) else value
        return xp.where(mask, v, a).astype(a.dtype, copy=False).reshape(shape)

    @staticmethod
    def forward_inplace(x, mask, value):
        if mask.dtype != np.bool_ or (isinstance(value, ndarray) and value.ndim):
            return False
        if np.broadcast_shapes(x.shape, mask.shape) != x.shape:
            return False
        xp_of(x).copyto(x, value, where=mask, casting="unsafe")
        return True

    @staticmethod
    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        gv = None
        if ctx.needs_input_grad[2]:
            gv = where(mask, g, 0.0).sum()
        return where(mask, 0.0, g), None, gv


def where(c, a, b):
    from .pointwise import where as _where
    return _where(c, a, b)


def masked_fill(input, mask, value):
    return MaskedFill.apply(input, mask, value)


def masked_fill_(input, mask, value):
    return apply_inplace(MaskedFill, input, mask, value)


def masked_select(input, mask):
    if mask.dtype is not dt.bool:
        raise RuntimeError(f"masked_select: expected BoolTensor for mask")
    try:
        shape = np.broadcast_shapes(input._data.shape, mask._data.shape)
    except ValueError:
        from .pointwise import _raise_broadcast
        _raise_broadcast(input._data.shape, mask._data.shape)
    a = input.expand(shape) if input._data.shape != shape else input
    m = mask._data if mask._data.shape == shape else np.broadcast_to(mask._data, shape)
    return AdvancedIndex.apply(a, (m,))


def masked_scatter(input, mask, source):
    m = np.broadcast_to(mask._data, input._data.shape)
    n = int(m.sum())
    return IndexPut.apply(input, (m,), source.reshape(-1)[:n], False)


def nonzero(input, *, as_tuple=False, out=None):
    arr = input._data
    if as_tuple:
        if arr.ndim == 0:
            return (Tensor._make(np.zeros(int(bool(arr)), np.int64)),)
        return tuple(Tensor._make(ix.astype(np.int64)) for ix in xp_of(arr).nonzero(arr))
    if arr.ndim == 0:
        return Tensor._make(np.zeros((int(bool(arr)), 0), np.int64))
    return write_out(out, Tensor._make(xp_of(arr).argwhere(arr).astype(np.int64)))


def argwhere(input):
    return nonzero(input)


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    nd = input._data.ndim
    d1, d2 = wrap_dim(dim1, nd), wrap_dim(dim2, nd)
    n1, n2 = input._data.shape[d1], input._data.shape[d2]
    if offset >= 0:
        k = max(0, min(n1, n2 - offset))
        rows, cols = np.arange(k), np.arange(k) + offset
    else:
        k = max(0, min(n1 + offset, n2))
        rows, cols = np.arange(k) - offset, np.arange(k)
    # Move the two diagonal dims last: src's diagonal dim is its last one.
    moved = input.movedim((d1, d2), (-2, -1))
    put = IndexPut.apply(moved, (Ellipsis, rows, cols), src, False)
    return put.movedim((-2, -1), (d1, d2))


def select_scatter(input, src, dim, index):
    nd = input._data.ndim
    d = wrap_dim(dim, nd)
    return IndexPut.apply(input, (slice(None),) * d + (index, Ellipsis), src, False)


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    nd = input._data.ndim
    d = wrap_dim(dim, nd)
    return IndexPut.apply(input, (slice(None),) * d + (slice(start, end, step), Ellipsis), src, False)


def take(input, index):
    flat = input.reshape(-1)
    return AdvancedIndex.apply(flat, (index._data,))


def put_(input, index, source, accumulate=False):
    flat_positions = np.unravel_index(index._data.reshape(-1) % max(input.numel(), 1), input._data.shape)
    return apply_inplace(IndexPut, input, flat_positions, source.reshape(-1), accumulate)


__all__ = [
    "index_put", "index_put_", "index_select", "index_add", "index_fill", "index_copy", "masked_fill",
    "masked_select", "masked_scatter", "nonzero", "argwhere", "diagonal_scatter", "select_scatter",
    "slice_scatter", "take",
]
METHODS = __all__ + ["index_add_", "index_fill_", "index_copy_", "masked_fill_", "put_"]
