"""gather / scatter along a dimension, and the scatter reductions. Re-exported by sorting.py.

All of them address elements the same way: an ``index`` array with the input's number of
dimensions names, for each of its elements, a position along ``dim``; every other
coordinate is the element's own. Writes go through one flat (C-order) position array and
one ``ufunc.at`` / fancy assignment, never a Python loop.
"""
import numbers

from .. import _dtype as dt
from .._backend import np
from .._tensor import Tensor
from ..autograd.function import Op
from ._common import apply_inplace, type_word, wrap_dim, write_out, xp_of

ndarray = np.ndarray


def _shape_list(shape):
    return "[" + ", ".join(str(n) for n in shape) + "]"


def check_index(fn, index):
    if not isinstance(index, Tensor):
        raise TypeError(f"{fn}(): argument 'index' must be Tensor, not {type(index).__name__}")
    if index._data.dtype.kind not in "iu":
        raise RuntimeError(f"{fn}(): Expected dtype int32/int64 for index")


def _check_bounds(index, dim_size, dim):
    if index.size:
        lo, hi = int(index.min()), int(index.max())
        if lo < 0 or hi >= dim_size:
            bad = lo if lo < 0 else hi
            raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {dim_size}")


def _region(shape, index_shape, dim):
    """Slices that cut ``shape`` down to ``index_shape`` in every dimension but ``dim``."""
    return tuple(slice(None) if d == dim else slice(0, n) for d, n in enumerate(index_shape)) \
        if len(shape) else ()


def linear_positions(index, shape, dim):
    """Flat C-order position in an array of ``shape`` for each element of ``index`` (along ``dim``)."""
    xp = xp_of(index)
    nd = len(shape)
    if nd == 0:
        return xp.zeros(index.shape, np.int64)
    strides = [1] * nd
    for d in range(nd - 2, -1, -1):
        strides[d] = strides[d + 1] * shape[d + 1]
    pos = index.astype(np.int64) * strides[dim]
    for d, n in enumerate(index.shape):
        if d != dim and n > 1:
            view = [1] * nd
            view[d] = n
            pos = pos + (xp.arange(n, dtype=np.int64) * strides[d]).reshape(view)
    return xp.broadcast_to(pos, index.shape)


def ufunc_at(name, out, positions, values):
    """out.flat[positions] <op>= values, accumulating repeated positions (numpy or cupy)."""
    flat = out.reshape(-1)
    if type(out) is ndarray:
        getattr(np, name).at(flat, positions.reshape(-1), values.reshape(-1) if hasattr(values, "reshape")
                             else values)
        return
    import cupyx  # noqa: F401  (only on GPU)
    fn = {"add": cupyx.scatter_add, "maximum": cupyx.scatter_max, "minimum": cupyx.scatter_min}[name]
    fn(flat, positions.reshape(-1), values)


# ---------------------------------------------------------------------------------------
# gather
# ---------------------------------------------------------------------------------------

def _check_gather(a, dim, index):
    if index.ndim != max(a.ndim, 1) and not (index.ndim == 0 and a.ndim <= 1) and not (a.ndim == 0):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for d in range(min(index.ndim, a.ndim)):
        if d != dim and index.shape[d] > a.shape[d]:
            raise RuntimeError(f"Size does not match at dimension {d} expected index {_shape_list(index.shape)} "
                               f"to be no larger than self {_shape_list(a.shape)} apart from dimension {dim}")
    _check_bounds(index, a.shape[dim] if a.ndim else 1, dim)


class Gather(Op):
    @staticmethod
    def forward(ctx, a, dim, index):
        _check_gather(a, dim, index)
        ctx.dim, ctx.index, ctx.in_shape = dim, index, a.shape
        if a.ndim == 0:
            return a.reshape((1,) * index.ndim)[(0,) * index.ndim].reshape(()) if index.ndim == 0 else \
                xp_of(a).broadcast_to(a, index.shape).copy()
        part = a[_region(a.shape, index.shape, dim)]
        return xp_of(a).take_along_axis(part, index.astype(np.int64, copy=False), axis=dim)

    @staticmethod
    def backward(ctx, g):
        # d gather / d a: add each gradient back where its value came from
        zeros = Tensor._make(xp_of(g._data).zeros(ctx.in_shape, g._data.dtype))
        return ScatterAdd.apply(zeros, ctx.dim, ctx.index, g), None, None


def gather(input, dim, index, *, sparse_grad=False, out=None):
    """Values of ``input`` at ``index`` along ``dim`` (out[i][j] = input[index[i][j]][j] for dim 0)."""
    check_index("gather", index)
    dim = wrap_dim(dim, input._data.ndim)
    res = Gather.apply(input, dim, index._data)
    if out is not None:
        return write_out(out, res)
    return res


def take_along_dim(input, indices, dim=None, *, out=None):
    """Like ``numpy.take_along_axis``: indices broadcast against ``input`` except along ``dim``."""
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    dim = wrap_dim(dim, input._data.ndim)
    a_shape, i_shape = list(input._data.shape), list(indices._data.shape)
    if len(a_shape) != len(i_shape):
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number of "
                           f"dimensions, but got {len(a_shape)} dimensions for input, and {len(i_shape)} "
                           f"dimensions for indices")
    a_b, i_b = list(a_shape), list(i_shape)
    a_b[dim], i_b[dim] = 1, 1
    common = np.broadcast_shapes(tuple(a_b), tuple(i_b))
    a_target, i_target = list(common), list(common)
    a_target[dim], i_target[dim] = a_shape[dim], i_shape[dim]
    idx = indices._data
    idx = idx + (idx < 0) * a_shape[dim]  # negative indices count from the end, as in numpy
    res = gather(input.expand(*a_target), dim, Tensor._make(xp_of(idx).broadcast_to(idx, tuple(i_target))))
    return res if out is None else out.copy_(res)


# ---------------------------------------------------------------------------------------
# scatter
# ---------------------------------------------------------------------------------------

def _check_scatter(fn, a, dim, index, src):
    if index.ndim != a.ndim and a.ndim > 0:
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    is_src = isinstance(src, (ndarray,)) or hasattr(src, "__cuda_array_interface__")
    if is_src and src.ndim != index.ndim and index.ndim > 0:
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    for d in range(index.ndim):
        too_big = d != dim and index.shape[d] > a.shape[d]
        if too_big or (is_src and index.shape[d] > src.shape[d]):
            msg = (f"Expected index {_shape_list(index.shape)} to be no larger than self {_shape_list(a.shape)} "
                   f"apart from dimension {dim}")
            if is_src:
                msg += f" and to be no larger size than src {_shape_list(src.shape)}"
            raise RuntimeError(msg)
    _check_bounds(index, a.shape[dim] if a.ndim else 1, dim)
    if is_src and src.dtype != a.dtype:
        raise RuntimeError(f"{fn}(): Expected self.dtype to be equal to src.dtype")


def _src_values(src, index_shape, dtype):
    """The part of ``src`` that ``index`` addresses (a scalar stays a scalar)."""
    if isinstance(src, numbers.Number):
        return np.asarray(src).astype(dtype)
    return src[tuple(slice(0, n) for n in index_shape)] if src.ndim else src


class Scatter(Op):
    """out = a, with out[index[i][j]][j] = src[i][j] (dim 0). ``reduce``: None, 'add', 'multiply'."""

    @staticmethod
    def forward(ctx, a, dim, index, src, reduce=None):
        _check_scatter("scatter", a, dim, index, src)
        ctx.dim, ctx.index, ctx.reduce = dim, index, reduce
        ctx.src_shape = getattr(src, "shape", None)
        out = a.copy()
        pos = linear_positions(index, a.shape, dim)
        vals = _src_values(src, index.shape, a.dtype)
        flat = out.reshape(-1)
        if reduce is None:
            vals = xp_of(out).broadcast_to(vals, index.shape)
            flat[pos.reshape(-1)] = vals.reshape(-1)
        elif reduce == "add":
            ufunc_at("add", out, pos, xp_of(out).broadcast_to(vals, index.shape))
        elif reduce == "multiply":
            ufunc_at("multiply", out, pos, xp_of(out).broadcast_to(vals, index.shape))
        else:
            raise RuntimeError("reduce argument must be either add or multiply.")
        return out

    @staticmethod
    def backward(ctx, g):
        if ctx.reduce == "multiply":
            raise NotImplementedError("the derivative for 'scatter' with reduce='multiply' is not implemented.")
        # overwritten positions of a get no gradient; each src element gets the gradient of its target
        ga = g if ctx.reduce == "add" else Scatter.apply(g, ctx.dim, ctx.index, 0)
        gs = None
        if ctx.needs_input_grad[3]:
            gs = _pad_to(Gather.apply(g, ctx.dim, ctx.index), ctx.src_shape)
        return ga, None, None, gs, None


def _pad_to(t, shape):
    """Embed ``t`` in zeros of ``shape`` (gradient of src when src is larger than index)."""
    if tuple(t._data.shape) == tuple(shape):
        return t
    return _ZeroPad.apply(t, tuple(shape))


class _ZeroPad(Op):
    @staticmethod
    def forward(ctx, a, shape):
        ctx.region = tuple(slice(0, n) for n in a.shape)
        out = xp_of(a).zeros(shape, a.dtype)
        out[ctx.region] = a
        return out

    @staticmethod
    def backward(ctx, g):
        return g[ctx.region], None


class ScatterAdd(Op):
    @staticmethod
    def forward(ctx, a, dim, index, src):
        _check_scatter("scatter_add", a, dim, index, src)
        ctx.dim, ctx.index, ctx.src_shape = dim, index, src.shape
        out = a.copy()
        ufunc_at("add", out, linear_positions(index, a.shape, dim), _src_values(src, index.shape, a.dtype))
        return out

    @staticmethod
    def backward(ctx, g):
        # d/da = identity; d/dsrc = gradient read back from each element's target
        gs = _pad_to(Gather.apply(g, ctx.dim, ctx.index), ctx.src_shape) if ctx.needs_input_grad[3] else None
        return g, None, None, gs


_REDUCE_UFUNC = {"sum": "add", "prod": "multiply", "mean": "add", "amax": "maximum", "amin": "minimum"}


class ScatterReduce(Op):
    saves_inputs = (0, 3)
    saves_output = True

    @staticmethod
    def forward(ctx, a, dim, index, src, reduce, include_self):
        _check_scatter("scatter_reduce", a, dim, index, src)
        xp = xp_of(a)
        ctx.dim, ctx.index, ctx.reduce, ctx.include_self, ctx.src_shape = dim, index, reduce, include_self, src.shape
        pos = linear_positions(index, a.shape, dim)
        vals = _src_values(src, index.shape, a.dtype)
        out = a.copy()
        hit = xp.zeros(a.shape, bool)
        hit.reshape(-1)[pos.reshape(-1)] = True
        ctx.hit = hit
        if not include_self:
            # start the scattered positions from the reduction's identity so only src counts
            fill = {"sum": 0, "mean": 0, "prod": 1}.get(reduce)
            if fill is None:
                fill = _lowest(a.dtype) if reduce == "amax" else _highest(a.dtype)
            out[hit] = fill
        ufunc_at(_REDUCE_UFUNC[reduce], out, pos, vals)
        if reduce == "mean":
            count = xp.ones(a.shape, a.dtype) if include_self else xp.zeros(a.shape, a.dtype)
            ufunc_at("add", count, pos, xp.ones(index.shape, a.dtype))
            count[count == 0] = 1
            ctx.count = count
            if a.dtype.kind in "iub":
                out = xp.floor_divide(out, count).astype(a.dtype)
            else:
                out = (out / count).astype(a.dtype)
        return out

    @staticmethod
    def backward(ctx, g):
        from .pointwise import where
        dim, index, reduce = ctx.dim, ctx.index, ctx.reduce
        keep_self = Tensor._make(~ctx.hit) if not ctx.include_self else None
        if reduce == "sum":
            ga = g if keep_self is None else g * keep_self
            gs = Gather.apply(g, dim, index)
        elif reduce == "mean":
            gd = g / Tensor._make(ctx.count)
            ga = gd if keep_self is None else gd * keep_self
            gs = Gather.apply(gd, dim, index)
        elif reduce in ("amax", "amin"):
            self_t, src_t, out = ctx.saved_tensors
            self_is = (self_t == out)
            if keep_self is not None:
                self_is = self_is & keep_self
            src_is = (src_t == Gather.apply(out, dim, index))
            n = ScatterAdd.apply(self_is.to(g.dtype), dim, index, src_is.to(g.dtype))
            gd = g / n
            ga = where(self_is, gd, 0.0)
            gs = where(src_is, Gather.apply(gd, dim, index), 0.0)
        else:  # prod: grad * (product of the others); assumes no zeros among the reduced values
            self_t, src_t, out = ctx.saved_tensors
            go = g * out
            ga = go / self_t if keep_self is None else where(keep_self, go / self_t, 0.0)
            gs = Gather.apply(go, dim, index) / src_t
        return ga, None, None, _pad_to(gs, ctx.src_shape), None, None


def _lowest(d):
    return -np.inf if d.kind == "f" or d == dt.bfloat16.np_dtype else (False if d.kind == "b" else np.iinfo(d).min)


def _highest(d):
    return np.inf if d.kind == "f" or d == dt.bfloat16.np_dtype else (True if d.kind == "b" else np.iinfo(d).max)


def _scatter_src(fn, src, value):
    if src is None:
        src = value
    if src is None:
        raise TypeError(f"{fn}() missing required argument 'src' or 'value'")
    return src


def scatter(input, dim, index, src=None, value=None, *, reduce=None):
    """Out-of-place scatter: a copy of ``input`` with ``src`` (tensor or scalar) written at ``index``."""
    check_index("scatter", index)
    src = _scatter_src("scatter", src, value)
    dim = wrap_dim(dim, input._data.ndim)
    if isinstance(src, Tensor):
        wrap_dim(dim, src._data.ndim)
    return Scatter.apply(input, dim, index._data, src, reduce)


def scatter_(self, dim, index, src=None, value=None, *, reduce=None):
    check_index("scatter_", index)
    src = _scatter_src("scatter_", src, value)
    dim = wrap_dim(dim, self._data.ndim)
    return apply_inplace(Scatter, self, dim, index._data, src, reduce)


def scatter_add(input, dim, index, src):
    """A copy of ``input`` with ``src`` added at ``index`` along ``dim`` (repeated indices accumulate)."""
    check_index("scatter_add", index)
    dim = wrap_dim(dim, input._data.ndim)
    return ScatterAdd.apply(input, dim, index._data, src)


def scatter_add_(self, dim, index, src):
    check_index("scatter_add_", index)
    dim = wrap_dim(dim, self._data.ndim)
    return apply_inplace(ScatterAdd, self, dim, index._data, src)


def _check_reduce(reduce):
    if reduce not in _REDUCE_UFUNC:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")


def _scatter_reduce_apply(input, dim, index, src, reduce, include_self):
    return ScatterReduce.apply(input, dim, index._data, src, reduce, include_self)


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """Reduce ``src`` into a copy of ``input`` at ``index``: 'sum', 'prod', 'mean', 'amax' or 'amin'."""
    check_index("scatter_reduce", index)
    _check_reduce(reduce)
    dim = wrap_dim(dim, input._data.ndim)
    return _scatter_reduce_apply(input, dim, index, src, reduce, include_self)


def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
    check_index("scatter_reduce_", index)
    _check_reduce(reduce)
    dim = wrap_dim(dim, self._data.ndim)
    return apply_inplace(ScatterReduce, self, dim, index._data, src, reduce, include_self)


def _index_as_scatter(input, dim, index, source):
    """index_reduce's 1-D index, expanded to scatter's full-rank index."""
    if index._data.ndim > 1:
        raise IndexError("index_reduce_(): Index is supposed to be a vector")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"index_reduce_(): self ({type_word(input.dtype)}) and source "
                           f"({type_word(source.dtype)}) must have the same scalar type")
    nd = source._data.ndim
    view = [1] * nd
    view[dim] = -1
    idx = index._data.astype(np.int64).reshape(view) if nd else index._data.astype(np.int64).reshape(())
    idx = xp_of(idx).broadcast_to(idx, source._data.shape)
    return Tensor._make(idx)


def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    """Reduce slices of ``source`` into ``input`` at the positions a 1-D ``index`` names along ``dim``."""
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got "
                           f"{reduce}.")
    dim = wrap_dim(dim, input._data.ndim)
    return _scatter_reduce_apply(input, dim, _index_as_scatter(input, dim, index, source), source, reduce,
                                 include_self)


def index_reduce_(self, dim, index, source, reduce, *, include_self=True):
    res = index_reduce(self, dim, index, source, reduce, include_self=include_self)
    return self.copy_(res)


__all__ = ["gather", "take_along_dim", "scatter", "scatter_add", "scatter_reduce", "index_reduce"]
METHODS = __all__ + ["scatter_", "scatter_add_", "scatter_reduce_", "index_reduce_"]
