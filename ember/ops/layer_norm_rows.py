"""LayerNorm forward and backward on C-contiguous float rows, a block of rows at a time.

LayerNorm makes ~8 NumPy passes over 3-5 arrays of the input's size. Taking ~64K elements of
rows at a time keeps a block's inputs, outputs and scratch in a core's L2 across its passes
instead of streaming whole arrays from L3: on the GPT workload's shapes (2048 rows of 128,
float32) backward goes from 0.65 to 0.52 ms and forward from 0.41 to 0.37 ms (the rest is
NumPy's per-row cost of broadcasting a row statistic). Row means, and the column sums
behind the weight and bias gradients, are matrix-vector products (BLAS): much faster than
NumPy's reductions (0.003 vs 0.011 ms a block). The weight and bias are tiled to a block's
shape once per call, so their products are same-shape ops instead of per-row broadcasts
(0.013 vs 0.020 ms a block). Every row is computed exactly as in one whole-array pass; the
weight and bias gradients (sums over rows) are added block by block.
"""
import math

from .._backend import np

_BLOCK_ELEMENTS = 1 << 16


def _rows_per_block(d):
    return max(1, _BLOCK_ELEMENTS // d)


def _tiled(v, rows, dtype):
    """``v`` (length d) repeated on ``rows`` rows, or None for None."""
    if v is None:
        return None
    out = np.empty((rows, v.shape[0]), dtype)
    out[...] = v
    return out


def forward(x, w, b, n_norm, eps):
    """(out, rstd, xhat) of LayerNorm over the trailing ``n_norm`` dims of ``x``; ``rstd`` has
    the normalized dims kept as size 1, ``xhat`` is the normalized input (kept for backward)."""
    k = x.ndim - n_norm
    d = math.prod(x.shape[k:])
    rows = x.reshape(-1, d)
    n = rows.shape[0]
    scalar = x.dtype.type
    avg = np.full((d, 1), 1.0 / d, x.dtype)
    xhat = np.empty(rows.shape, x.dtype)
    rstd = np.empty((n, 1), x.dtype)
    affine = w is not None or b is not None
    out = np.empty(rows.shape, x.dtype) if affine else None
    step = min(_rows_per_block(d), n)
    wt = None if w is None else _tiled(w.reshape(d), step, x.dtype)
    bt = None if b is None else _tiled(b.reshape(d), step, x.dtype)
    square = np.empty((step, d), x.dtype)
    for r0 in range(0, n, step):
        r1 = min(r0 + step, n)
        c = np.subtract(rows[r0:r1], rows[r0:r1] @ avg, out=xhat[r0:r1])
        sq = np.multiply(c, c, out=square[:r1 - r0])
        var = sq @ avg
        var += scalar(eps)
        np.sqrt(var, out=var)
        r = np.divide(scalar(1), var, out=rstd[r0:r1])
        c *= r
        if affine:
            o = out[r0:r1]
            if wt is not None:
                np.multiply(c, wt[:r1 - r0], out=o)
            else:
                o[...] = c
            if bt is not None:
                o += bt[:r1 - r0]
    if out is None:
        out = xhat.copy()   # xhat is kept for backward: the output must not alias it
    return out.reshape(x.shape), rstd.reshape(x.shape[:k] + (1,) * n_norm), xhat.reshape(x.shape)


def backward(g, xhat, rstd, w, need_x, need_w, need_b):
    """(gx, gw, gb) of ``xhat * w + b``; gx = rstd * (g w - mean(g w) - xhat * mean(g w xhat))."""
    d = xhat.size // rstd.size
    rows_x, rows_g = xhat.reshape(-1, d), g.reshape(-1, d)
    r_rows = rstd.reshape(-1, 1)
    n = rows_x.shape[0]
    dtype = g.dtype
    wv = None if w is None else w.reshape(d).astype(dtype, copy=False)
    # mean(g w) = g @ (w / d) and mean(g w xhat) = (g xhat) @ (w / d): matrix-vector products
    avg = np.full((d, 1), 1.0 / d, dtype) if wv is None else (wv * dtype.type(1.0 / d)).reshape(d, 1)
    gw = np.zeros(d, dtype) if need_w else None
    gb = np.zeros(d, dtype) if need_b else None
    gx = np.empty(rows_g.shape, dtype) if need_x else None
    step = min(_rows_per_block(d), n)
    ones = np.ones(step, dtype)
    wt = _tiled(wv, step, dtype) if need_x else None
    scratch = np.empty((step, d), dtype)
    for r0 in range(0, n, step):
        r1 = min(r0 + step, n)
        gr, xr = rows_g[r0:r1], rows_x[r0:r1]
        gxh = np.multiply(gr, xr, out=scratch[:r1 - r0])
        if need_w:
            gw += ones[:r1 - r0] @ gxh
        if need_b:
            gb += ones[:r1 - r0] @ gr
        if need_x:
            o = np.multiply(xr, gxh @ avg, out=gx[r0:r1])
            o += gr @ avg
            if wt is None:
                np.subtract(gr, o, out=o)
            else:
                np.subtract(np.multiply(gr, wt[:r1 - r0], out=gxh), o, out=o)
            o *= r_rows[r0:r1]
    return (None if gx is None else gx.reshape(g.shape)), gw, gb
