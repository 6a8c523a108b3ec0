"""affine_grid and grid_sample (2-D; bilinear / nearest; zeros / border / reflection padding).

grid_sample reads each output point from up to 4 input cells: a gather along the flattened
(H*W) plane. Its input gradient is the matching scatter-add (one ``bincount`` for all corners).
"""

from .._backend import np
from .._tensor import Tensor
from ..autograd.function import Op
from ._common import xp_of

# ----------------------------------------------------------------------------------------
# affine_grid
# ----------------------------------------------------------------------------------------


def _base_coords(n, align_corners):
    if align_corners:
        return np.linspace(-1.0, 1.0, n) if n > 1 else np.zeros(1)
    return (np.arange(n) * 2.0 + 1.0) / n - 1.0


def _base_grid(sizes, align_corners, dtype):
    """(prod(sizes), nd + 1): rows of (x, y[, z], 1), x varying fastest (last spatial dim)."""
    axes = [_base_coords(s, align_corners) for s in sizes]
    mesh = np.meshgrid(*axes, indexing="ij")
    cols = [m.ravel() for m in reversed(mesh)]  # x (last dim) first, like PyTorch
    cols.append(np.ones(cols[0].shape))
    return np.stack(cols, axis=1).astype(dtype)


class AffineGridGenerator(Op):
    """grid[n, p] = theta[n] @ base[p]."""

    @staticmethod
    def forward(ctx, theta, base, out_shape):
        xp = xp_of(theta)
        ctx.base, ctx.out_shape = base, out_shape
        return xp.matmul(xp.asarray(base), theta.transpose(0, 2, 1)).reshape(out_shape)

    @staticmethod
    def backward(ctx, g):
        n = g.shape[0]
        k = g.shape[-1]
        base = Tensor._make(xp_of(g._data).asarray(ctx.base))
        # d grid = base @ d theta^T  ->  g_theta = g^T @ base
        return g.reshape(n, -1, k).transpose(1, 2).matmul(base), None, None


def affine_grid(theta, size, align_corners=None):
    """Sampling grid (N, H, W, 2) (or (N, D, H, W, 3)) of the affine maps ``theta``."""
    if align_corners is None:
        align_corners = False
    if not theta.dtype.is_floating_point:
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = [int(v) for v in size]
    if len(size) == 4:
        if theta.dim() != 3 or tuple(theta.shape[-2:]) != (2, 3):
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. Got "
                             f"{list(theta.shape)}.")
        spatial = size[-2:]
    elif len(size) == 5:
        if theta.dim() != 3 or tuple(theta.shape[-2:]) != (3, 4):
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {size}. Got "
                             f"{list(theta.shape)}.")
        spatial = size[-3:]
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                                  f"respectively. Got size {size}.")
    if min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    base = _base_grid(spatial, align_corners, theta._data.dtype)
    nd = len(spatial)
    return AffineGridGenerator.apply(theta, base, (size[0],) + tuple(spatial) + (nd,))


# ----------------------------------------------------------------------------------------
# grid_sample
# ----------------------------------------------------------------------------------------


def _unnormalize(coord, size, align_corners):
    if align_corners:
        return (coord + 1) / 2 * (size - 1), (size - 1) / 2
    return ((coord + 1) * size - 1) / 2, size / 2


def _reflect(x, twice_low, twice_high):
    """Reflect x into [low, high]; returns (value, d value / d x)."""
    if twice_low == twice_high:
        return np.zeros_like(x), np.zeros_like(x)
    lo = twice_low / 2
    span = (twice_high - twice_low) / 2
    d = x - lo
    sign = np.where(d < 0, -1.0, 1.0)
    d = np.abs(d)
    extra = np.fmod(d, span)
    flips = np.floor(d / span)
    even = (flips % 2) == 0
    return np.where(even, extra + lo, span - extra + lo), np.where(even, sign, -sign)


def _source_coords(coord, size, padding_mode, align_corners):
    """Pixel coordinates and their derivative with respect to the normalized coordinate."""
    ix, slope = _unnormalize(coord, size, align_corners)
    dix = np.full(ix.shape, slope)
    if padding_mode == "border":
        inside = (ix > 0) & (ix < size - 1)
        ix = np.clip(ix, 0, size - 1)
        dix = np.where(inside, dix, 0.0)
    elif padding_mode == "reflection":
        if align_corners:
            ix, ds = _reflect(ix, 0, 2 * (size - 1))
        else:
            ix, ds = _reflect(ix, -1, 2 * size - 1)
        dix = dix * ds
        inside = (ix > 0) & (ix < size - 1)
        ix = np.clip(ix, 0, size - 1)
        dix = np.where(inside, dix, 0.0)
    return ix, dix


def _corners(grid, h, w, mode, padding_mode, align_corners):
    """[(flat index (N, P), weight (N, P), valid (N, P), dweight/dx, dweight/dy)], dix, diy."""
    gx = grid[..., 0].reshape(grid.shape[0], -1).astype(np.float64)
    gy = grid[..., 1].reshape(grid.shape[0], -1).astype(np.float64)
    ix, dix = _source_coords(gx, w, padding_mode, align_corners)
    iy, diy = _source_coords(gy, h, padding_mode, align_corners)
    out = []
    if mode == "nearest":
        xn, yn = np.rint(ix), np.rint(iy)
        valid = (xn >= 0) & (xn <= w - 1) & (yn >= 0) & (yn <= h - 1)
        idx = np.where(valid, yn * w + xn, 0).astype(np.int64)
        one = np.ones_like(ix)
        out.append((idx, one, valid, 0 * one, 0 * one))
        return out, dix, diy
    x0, y0 = np.floor(ix), np.floor(iy)
    x1, y1 = x0 + 1, y0 + 1
    tx1, tx0 = x1 - ix, ix - x0
    ty1, ty0 = y1 - iy, iy - y0
    for cx, cy, wgt, dwx, dwy in ((x0, y0, tx1 * ty1, -ty1, -tx1), (x1, y0, tx0 * ty1, ty1, -tx0),
                                  (x0, y1, tx1 * ty0, -ty0, tx1), (x1, y1, tx0 * ty0, ty0, tx0)):
        valid = (cx >= 0) & (cx <= w - 1) & (cy >= 0) & (cy <= h - 1)
        idx = np.where(valid, cy * w + cx, 0).astype(np.int64)
        out.append((idx, wgt, valid, dwx, dwy))
    return out, dix, diy


def _gather(x2, idx):
    """x2 (N, C, HW), idx (N, P) -> (N, C, P)."""
    return np.take_along_axis(x2, idx[:, None, :], axis=2)


class GridSampler2D(Op):
    saves_inputs = (0, 1)

    @staticmethod
    def forward(ctx, x, grid, mode, padding_mode, align_corners):
        n, c, h, w = x.shape
        ctx.args = (mode, padding_mode, align_corners)
        corners, _, _ = _corners(grid, h, w, mode, padding_mode, align_corners)
        x2 = x.reshape(n, c, h * w)
        out = np.zeros((n, c, grid.shape[1] * grid.shape[2]), x.dtype)
        for idx, wgt, valid, _, _ in corners:
            out += _gather(x2, idx) * (wgt * valid).astype(x.dtype)[:, None, :]
        return out.reshape(n, c, grid.shape[1], grid.shape[2])

    @staticmethod
    def backward(ctx, g):
        x, grid = ctx.saved_tensors
        gx, ggrid = GridSampler2DBackward.apply(g, x, grid, *ctx.args)
        return (gx if ctx.needs_input_grad[0] else None), (ggrid if ctx.needs_input_grad[1] else None), \
            None, None, None


class GridSampler2DBackward(Op):
    @staticmethod
    def forward(ctx, g, x, grid, mode, padding_mode, align_corners):
        n, c, h, w = x.shape
        corners, dix, diy = _corners(grid, h, w, mode, padding_mode, align_corners)
        x2 = x.reshape(n, c, h * w)
        g2 = g.reshape(n, c, -1).astype(np.float64)
        p = g2.shape[2]
        rows = (np.arange(n * c, dtype=np.int64) * (h * w)).reshape(n, c, 1)
        positions, weights = [], []
        gix = np.zeros((n, p))
        giy = np.zeros((n, p))
        for idx, wgt, valid, dwx, dwy in corners:
            positions.append((rows + idx[:, None, :]).ravel())
            weights.append((g2 * (wgt * valid)[:, None, :]).ravel())
            vals = _gather(x2, idx).astype(np.float64) * valid[:, None, :]
            gv = (g2 * vals).sum(axis=1)
            gix += gv * dwx
            giy += gv * dwy
        gx = np.bincount(np.concatenate(positions), weights=np.concatenate(weights), minlength=n * c * h * w)
        ggrid = np.stack([gix * dix, giy * diy], axis=-1).reshape(grid.shape)
        return gx.reshape(x.shape).astype(x.dtype), ggrid.astype(grid.dtype)

    @staticmethod
    def backward(ctx, *grads):
        raise RuntimeError("ember: double backward through grid_sample is not supported")


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Sample ``input`` (N, C, H, W) at the normalized points ``grid`` (N, H_out, W_out, 2)."""
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', "
                         f"but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        align_corners = False
    if input.dim() == 5:
        raise NotImplementedError("ember: grid_sample on 5-D (volumetric) input is not supported")
    if mode == "bicubic":
        raise NotImplementedError("ember: grid_sample(mode='bicubic') is not supported")
    if input.dim() != 4 or grid.dim() != 4:
        raise RuntimeError(f"grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, but "
                           f"got input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, but got input with "
                           f"sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    if grid.shape[-1] != 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size 2 in last dimension, but got grid with "
                           f"sizes {list(grid.shape)}")
    if input.dtype != grid.dtype:
        raise RuntimeError(f"grid_sampler(): expected input and grid to have same dtype, but input has "
                           f"{input.dtype} and grid has {grid.dtype}")
    return GridSampler2D.apply(input, grid, mode, padding_mode, align_corners)
