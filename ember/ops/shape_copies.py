"""Shape ops that copy: flip, roll, repeat/tile, repeat_interleave, clone, contiguous."""
from .._backend import np
from .._tensor import Tensor
from ..autograd.function import Op
from ._common import dim_tuple, wrap_dim, xp_of
from .shape_views import _shape_args


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
    "flip", "fliplr", "flipud", "roll", "repeat", "tile", "repeat_interleave", "clone", "contiguous"
]
