"""Dense factorizations and solves (torch.linalg and the legacy top-level names): inverse,
determinants, solve, Cholesky, triangular solves, QR, symmetric eigendecomposition, SVD.

Forwards call NumPy's LAPACK wrappers on (batches of) matrices; backward rules are the
standard matrix-calculus identities written with ember ops, so they differentiate again.
Real dtypes (float32/float64) are the supported path.
"""
from .. import _dtype as dt
from .. import return_types
from .._backend import np
from .._tensor import Tensor
from ..autograd.function import Op
from .creation import diag_embed, tril, triu
from .linalg import matmul
from ._common import write_out


class LinAlgError(RuntimeError):
    """Raised when a factorization or solve cannot be completed (singular, not positive-definite)."""


LinAlgError.__module__ = "ember.linalg"


def _check_square(A, fn):
    if not isinstance(A, Tensor):
        raise TypeError(f"{fn}(): argument 'A' (position 1) must be Tensor, not {type(A).__name__}")
    if A.dim() < 2:
        raise RuntimeError(f"{fn}: The input tensor A must have at least 2 dimensions.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{fn}: A must be batches of square matrices, but they are {A.shape[-2]} by "
                           f"{A.shape[-1]} matrices")
    _check_float(A, fn)


def _check_float(A, fn):
    if A.dtype not in (dt.float32, dt.float64, dt.complex64, dt.complex128):
        raise RuntimeError(f"{fn}: Expected a floating point or complex tensor as input. Got {A.dtype.name.capitalize()}"
                           .replace("Int64", "Long").replace("Int32", "Int"))


def _mT(x):
    return x.transpose(-2, -1)


def _singular_pivot(a):
    """1-based index of the first zero pivot of a partially-pivoted LU (for the error message)."""
    from .linalg_lu import _lu_arrays
    lu, _ = _lu_arrays(a.reshape((-1,) + a.shape[-2:]).astype(np.float64))
    diag = np.abs(np.diagonal(lu, axis1=-2, axis2=-1))
    bad = np.argwhere(diag == 0)
    return (int(bad[0, 0]), int(bad[0, 1]) + 1) if bad.size else (0, a.shape[-1])


def _raise_singular(fn, a):
    batch, k = _singular_pivot(a)
    where = f"(Batch element {batch}): " if a.ndim > 2 else ""
    raise LinAlgError(f"{fn}: {where}The diagonal element {k} is zero, the {'inversion' if fn.endswith('inv') else 'solve'} "
                      f"could not be completed because the input matrix is singular.")


# ---- inverse ---------------------------------------------------------------------------------------
class LinalgInv(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, a):
        try:
            out = np.linalg.inv(a)
        except np.linalg.LinAlgError:
            _raise_singular("linalg.inv", a)
        if not np.isfinite(out).all() and np.isfinite(a).all():
            _raise_singular("linalg.inv", a)
        return out.astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (inv,) = ctx.saved_tensors
        # d(A^-1) = -A^-1 dA A^-1
        return -matmul(matmul(_mT(inv), g), _mT(inv))


def linalg_inv(A, *, out=None):
    """Inverse of (a batch of) square matrices; LinAlgError when singular."""
    _check_square(A, "linalg.inv")
    return write_out(out, LinalgInv.apply(A))


def inverse(input, *, out=None):
    return linalg_inv(input, out=out)


def linalg_inv_ex(A, *, check_errors=False, out=None):
    _check_square(A, "linalg.inv_ex")
    try:
        inv, info = LinalgInv.apply(A), 0
    except LinAlgError:
        if check_errors:
            raise
        inv, info = Tensor._make(np.full(A._data.shape, np.nan, A._data.dtype)), 1
    return return_types.linalg_inv_ex((inv, Tensor._make(np.full(A._data.shape[:-2], info, np.int32))))


# ---- determinants --------------------------------------------------------------------------------
class LinalgDet(Op):
    saves_inputs = (0,)
    saves_output = True

    @staticmethod
    def forward(ctx, a):
        return np.asarray(np.linalg.det(a)).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        a, det = ctx.saved_tensors
        # d det(A) = det(A) tr(A^-1 dA); singular A uses the adjugate from an SVD
        return (g * det).unsqueeze(-1).unsqueeze(-1) * _mT(_inverse_or_adjugate_ratio(a, det))


def _inverse_or_adjugate_ratio(a, det):
    """A^-1 where A is invertible; adj(A)/det(A) is what the rule needs, and det * it = adj(A).
    For singular matrices return adj(A) scaled so that det * result = adj(A) (det = 0 -> use adj)."""
    arr = a._data
    if np.all(np.abs(det._data) > 0) and np.isfinite(np.linalg.cond(arr)).all():
        return linalg_inv(a)
    # adj(A) = det(U) det(V) V diag(prod_{j != i} s_j) U^T; with det = 0 we return adj / 1 and
    # multiply by g only (handled by replacing det with 1 below).
    u, s, vh = np.linalg.svd(arr)
    prods = np.stack([np.prod(np.delete(s, i, axis=-1), axis=-1) for i in range(s.shape[-1])], -1)
    sign = np.linalg.det(u) * np.linalg.det(vh)
    adj = sign[..., None, None] * np.swapaxes(vh, -1, -2) @ (prods[..., :, None] * np.swapaxes(u, -1, -2))
    safe_det = np.where(det._data == 0, 1.0, det._data)
    return Tensor._make((adj / safe_det[..., None, None]).astype(arr.dtype))


def linalg_det(A, *, out=None):
    """Determinant of (a batch of) square matrices."""
    _check_square(A, "linalg.det")
    return write_out(out, LinalgDet.apply(A))


def det(input):
    return linalg_det(input)


class LinalgSlogdet(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        sign, logabs = np.linalg.slogdet(a)
        return np.asarray(sign).astype(a.dtype), np.asarray(logabs).astype(a.dtype)

    @staticmethod
    def backward(ctx, g_sign, g_logabs):
        (a,) = ctx.saved_tensors
        if g_logabs is None:
            return None
        # d log|det A| = tr(A^-1 dA)
        return g_logabs.unsqueeze(-1).unsqueeze(-1) * _mT(linalg_inv(a))


def linalg_slogdet(A, *, out=None):
    """(sign, log|det|) of square matrices."""
    _check_square(A, "linalg.slogdet")
    sign, logabs = LinalgSlogdet.apply(A)
    return return_types.linalg_slogdet((sign.detach(), logabs))


def slogdet(input):
    sign, logabs = linalg_slogdet(input)
    return return_types.slogdet((sign, logabs))


def logdet(input):
    """log det: NaN for a negative determinant, -inf for a singular matrix."""
    from .pointwise import where
    _check_square(input, "logdet")
    sign, logabs = linalg_slogdet(input)
    return where(sign < 0, float("nan"), logabs)


# ---- solves -------------------------------------------------------------------------------------------
class LinalgSolve(Op):
    saves_inputs = (0,)
    saves_output = True

    @staticmethod
    def forward(ctx, a, b):
        try:
            out = np.linalg.solve(a, b)
        except np.linalg.LinAlgError:
            _raise_singular("linalg.solve", a)
        return out.astype(np.result_type(a.dtype, b.dtype), copy=False)

    @staticmethod
    def backward(ctx, g):
        a, x = ctx.saved_tensors
        # X = A^-1 B: gB = A^-T g, gA = -gB X^T
        gb = LinalgSolve.apply(_mT(a), g)
        ga = -matmul(gb, _mT(x)) if ctx.needs_input_grad[0] else None
        return ga, gb


def linalg_solve(A, B, *, left=True, out=None):
    """Solve A X = B (or X A = B with left=False); B may be a (batch of) vector(s)."""
    _check_square(A, "linalg.solve")
    if A.dtype is not B.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
                           f"{A.dtype.name.capitalize()} and B of type {B.dtype.name.capitalize()} instead")
    if not left:
        return write_out(out, _mT(linalg_solve(_mT(A), _mT(B))))
    vector = B.dim() == 1 or (B.dim() == A.dim() - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    b = B.unsqueeze(-1) if vector else B
    if b.shape[-2] != A.shape[-1]:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
                           f"({A.shape[-2]}x{A.shape[-1]} and {b.shape[-2]}x{b.shape[-1]})")
    batch = np.broadcast_shapes(tuple(A.shape[:-2]), tuple(b.shape[:-2]))
    a_full = A.expand(batch + tuple(A.shape[-2:]))
    b_full = b.expand(batch + tuple(b.shape[-2:]))
    x = LinalgSolve.apply(a_full, b_full)
    return write_out(out, x.squeeze(-1) if vector else x)


def linalg_solve_ex(A, B, *, left=True, check_errors=False, out=None):
    x = linalg_solve(A, B, left=left)
    return return_types.linalg_solve_ex((x, Tensor._make(np.zeros(A._data.shape[:-2], np.int32))))


def _tri_solve_arrays(a, b, upper, unit):
    tri = np.triu(a) if upper else np.tril(a)
    if unit:
        n = a.shape[-1]
        tri = tri.copy()
        tri[..., np.arange(n), np.arange(n)] = 1
    with np.errstate(divide="ignore", invalid="ignore"):
        try:
            return np.linalg.solve(tri, b)
        except np.linalg.LinAlgError:
            # singular triangular systems give inf/nan like LAPACK's trtrs (no error)
            return np.full(np.broadcast_shapes(tri.shape[:-2], b.shape[:-2]) + b.shape[-2:], np.nan, b.dtype)


class SolveTriangular(Op):
    saves_inputs = (0,)
    saves_output = True

    @staticmethod
    def forward(ctx, a, b, upper, unit):
        ctx.flags = (upper, unit)
        return _tri_solve_arrays(a, b, upper, unit).astype(b.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        a, x = ctx.saved_tensors
        upper, unit = ctx.flags
        gb = SolveTriangular.apply(_mT(a), g, not upper, unit)
        ga = None
        if ctx.needs_input_grad[0]:
            ga = -matmul(gb, _mT(x))
            ga = triu(ga, 1 if unit else 0) if upper else tril(ga, -1 if unit else 0)
        return ga, gb, None, None


def linalg_solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """Solve a triangular system (only the triangle named by ``upper`` of A is read)."""
    if not left:
        return write_out(out, _mT(linalg_solve_triangular(_mT(A), _mT(B), upper=not upper,
                                                          unitriangular=unitriangular)))
    if A.dtype is not B.dtype:
        raise RuntimeError(f"linalg.solve_triangular: Expected A and B to have the same dtype, but found A of "
                           f"type {A.dtype.name.capitalize()} and B of type {B.dtype.name.capitalize()} instead")
    batch = np.broadcast_shapes(tuple(A.shape[:-2]), tuple(B.shape[:-2]))
    return write_out(out, SolveTriangular.apply(A.expand(batch + tuple(A.shape[-2:])),
                                                B.expand(batch + tuple(B.shape[-2:])), bool(upper),
                                                bool(unitriangular)))


def triangular_solve(b, A, upper=True, transpose=False, unitriangular=False):
    """Legacy form: returns (solution, cloned_coefficient)."""
    a = _mT(A) if transpose else A
    x = linalg_solve_triangular(a, b, upper=upper != transpose, unitriangular=unitriangular)
    return return_types.triangular_solve((x, A.clone()))


# ---- Cholesky -------------------------------------------------------------------------------------
def _not_pd_order(a):
    n = a.shape[-1]
    flat = a.reshape((-1, n, n))
    for bi, m in enumerate(flat):
        for k in range(1, n + 1):
            try:
                np.linalg.cholesky(m[:k, :k])
            except np.linalg.LinAlgError:
                return bi, k
    return 0, n


class LinalgCholesky(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, a):
        try:
            return np.linalg.cholesky(a).astype(a.dtype, copy=False)
        except np.linalg.LinAlgError:
            batch, k = _not_pd_order(a)
            where = f"(Batch element {batch}): " if a.ndim > 2 else ""
            raise LinAlgError(f"linalg.cholesky: {where}The factorization could not be completed because the input "
                              f"is not positive-definite (the leading minor of order {k} is not "
                              f"positive-definite).") from None

    @staticmethod
    def backward(ctx, g):
        (L,) = ctx.saved_tensors
        # gA = sym(L^-T Phi(L^T gL) L^-1), Phi = lower triangle with a halved diagonal
        phi = tril(matmul(_mT(L), g))
        phi = phi - 0.5 * diag_embed(phi.diagonal(0, -2, -1))
        s = SolveTriangular.apply(_mT(L), phi, True, False)
        s = _mT(SolveTriangular.apply(_mT(L), _mT(s), True, False))
        return 0.5 * (s + _mT(s))


def linalg_cholesky(A, *, upper=False, out=None):
    """Lower (or upper) Cholesky factor of symmetric positive-definite matrices (lower triangle read)."""
    _check_square(A, "linalg.cholesky")
    L = LinalgCholesky.apply(A)
    return write_out(out, _mT(L) if upper else L)


def linalg_cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    try:
        L, info = linalg_cholesky(A, upper=upper), 0
    except LinAlgError:
        if check_errors:
            raise
        L, info = Tensor._make(np.zeros(A._data.shape, A._data.dtype)), 1
    return return_types.linalg_cholesky_ex((L, Tensor._make(np.full(A._data.shape[:-2], info, np.int32))))


def cholesky(input, upper=False, *, out=None):
    L = linalg_cholesky(input)
    return write_out(out, _mT(L) if upper else L)


def cholesky_solve(B, L, upper=False, *, out=None):
    """Solve A X = B given A's Cholesky factor (A = L L^T, or U^T U with ``upper``).
    The factor is treated as a full matrix for gradients, like PyTorch."""
    a = matmul(_mT(L), L) if upper else matmul(L, _mT(L))
    return write_out(out, linalg_solve(a, B))


def cholesky_inverse(L, upper=False, *, out=None):
    """Inverse of A = L L^T (or U^T U) from its Cholesky factor."""
    a = matmul(_mT(L), L) if upper else matmul(L, _mT(L))
    return write_out(out, linalg_inv(a))


# ---- QR ---------------------------------------------------------------------------------------------
def _saved_outputs(ctx):
    """A multi-output op's results, kept by forward as arrays (constants in a double backward)."""
    return tuple(Tensor._make(o) for o in ctx.outs)


class LinalgQr(Op):

    @staticmethod
    def forward(ctx, a, mode):
        ctx.mode = mode
        q, r = np.linalg.qr(a, mode="complete" if mode == "complete" else "reduced")
        ctx.outs = (q.astype(a.dtype, copy=False), r.astype(a.dtype, copy=False))
        return ctx.outs

    @staticmethod
    def backward(ctx, gq, gr):
        q, r = _saved_outputs(ctx)
        m, n = q.shape[-2], r.shape[-1]
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                               "Please use linalg.qr(A, mode='reduced') if you are going to differentiate "
                               "through linalg.qr.")
        if m < n:
            raise NotImplementedError("ember: linalg.qr backward is implemented for m >= n only")
        gq = gq if gq is not None else q * 0
        gr = gr if gr is not None else r * 0
        # M = R gR^T - gQ^T Q; gA = (gQ + Q copyltu(M)) R^-T
        M = matmul(r, _mT(gr)) - matmul(_mT(gq), q)
        low = tril(M, -1)
        sym = low + _mT(low) + diag_embed(M.diagonal(0, -2, -1))
        b = gq + matmul(q, sym)
        return _mT(SolveTriangular.apply(r, _mT(b), True, False)), None


def linalg_qr(A, mode="reduced", *, out=None):
    """QR decomposition; mode 'reduced', 'complete' or 'r' (Q empty)."""
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', "
                           f"or 'complete'")
    if A.dim() < 2:
        raise RuntimeError(f"linalg.qr: The input tensor A must have at least 2 dimensions.")
    _check_float(A, "linalg.qr")
    q, r = LinalgQr.apply(A, mode)
    if mode == "r":
        q = Tensor._make(np.empty((0,), A._data.dtype))
    return return_types.linalg_qr((q, r))


def qr(input, some=True, *, out=None):
    q, r = linalg_qr(input, "reduced" if some else "complete")
    return return_types.qr((q, r))


# ---- symmetric eigendecomposition -------------------------------------------------------------------
class LinalgEigh(Op):

    @staticmethod
    def forward(ctx, a, uplo):
        w, v = np.linalg.eigh(a, UPLO=uplo)
        ctx.outs = (w.astype(a.dtype, copy=False), v.astype(a.dtype, copy=False))
        return ctx.outs

    @staticmethod
    def backward(ctx, gw, gv):
        w, v = _saved_outputs(ctx)
        # gA = V (diag(gw) + (V^T gV) / (w_j - w_i)) V^T, off-diagonal terms only from gV
        inner = diag_embed(gw) if gw is not None else 0
        if gv is not None:
            diff = w.unsqueeze(-2) - w.unsqueeze(-1)
            n = w.shape[-1]
            from .creation import eye
            eye_n = eye(n, dtype=w.dtype)
            f = (1 - eye_n) / (diff + eye_n)
            inner = inner + matmul(_mT(v), gv) * f
        ga = matmul(matmul(v, inner), _mT(v))
        return 0.5 * (ga + _mT(ga)), None  # symmetric, like PyTorch's


def linalg_eigh(A, UPLO="L", *, out=None):
    """Eigenvalues (ascending) and orthonormal eigenvectors of symmetric matrices."""
    _check_square(A, "linalg.eigh")
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    w, v = LinalgEigh.apply(A, UPLO)
    return return_types.linalg_eigh((w, v))


def linalg_eigvalsh(A, UPLO="L", *, out=None):
    return write_out(out, linalg_eigh(A, UPLO)[0])


# ---- SVD --------------------------------------------------------------------------------------------
class LinalgSvd(Op):

    @staticmethod
    def forward(ctx, a, full_matrices):
        ctx.full = full_matrices
        u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
        ctx.outs = (u.astype(a.dtype, copy=False), s.astype(a.dtype, copy=False), vh.astype(a.dtype, copy=False))
        return ctx.outs

    @staticmethod
    def backward(ctx, gu, gs, gvh):
        u, s, vh = _saved_outputs(ctx)
        m, n = u.shape[-2], vh.shape[-1]
        k = s.shape[-1]
        if ctx.full and (gu is not None or gvh is not None) and m != n:
            raise RuntimeError("linalg.svd_backward: The singular vectors in the complex case are specified up to "
                               "multiplication by e^{i phi}. ember: use full_matrices=False to differentiate "
                               "through U or Vh.")
        u, vh = u[..., :, :k], vh[..., :k, :]
        if gu is None and gvh is None:
            return matmul(u * gs.unsqueeze(-2), vh), None
        v = _mT(vh)
        gu = gu[..., :, :k] if gu is not None else None
        gv = _mT(gvh)[..., :, :k] if gvh is not None else None
        from .creation import eye
        eye_k = eye(k, dtype=s.dtype)
        s2 = s * s
        e = s2.unsqueeze(-2) - s2.unsqueeze(-1) + eye_k  # E_ij = s_j^2 - s_i^2 (1 on the diagonal)
        inner = 0
        uhgu = matmul(_mT(u), gu) if gu is not None else None
        vhgv = matmul(_mT(v), gv) if gv is not None else None
        if uhgu is not None:
            inner = inner + (uhgu - _mT(uhgu)) * s.unsqueeze(-2)
        if vhgv is not None:
            inner = inner + s.unsqueeze(-1) * (vhgv - _mT(vhgv))
        inner = inner / e * (1 - eye_k)
        if gs is not None:
            inner = inner + diag_embed(gs)
        ga = matmul(u, inner)
        if gu is not None and m > k:
            ga = ga + (gu - matmul(u, uhgu)) / s.unsqueeze(-2)
        ga = matmul(ga, vh)
        if gv is not None and n > k:
            ga = ga + matmul(u / s.unsqueeze(-2), _mT(gv - matmul(v, vhgv)))
        return ga, None


def linalg_svd(A, full_matrices=True, *, driver=None, out=None):
    """A = U diag(S) Vh, singular values descending."""
    if A.dim() < 2:
        raise RuntimeError("linalg.svd: The input tensor A must have at least 2 dimensions.")
    _check_float(A, "linalg.svd")
    u, s, vh = LinalgSvd.apply(A, bool(full_matrices))
    return return_types.linalg_svd((u, s, vh))


def linalg_svdvals(A, *, driver=None, out=None):
    return write_out(out, linalg_svd(A, full_matrices=False)[1])


def svd(input, some=True, compute_uv=True, *, out=None):
    """Legacy SVD: returns (U, S, V) with V (not V^T); zero-filled U, V when not compute_uv."""
    u, s, vh = linalg_svd(input, full_matrices=not some)
    if not compute_uv:
        u, vh = u.detach() * 0, vh.detach() * 0
    return return_types.svd((u, s, _mT(vh)))


__all__ = ["inverse", "det", "slogdet", "logdet", "triangular_solve", "cholesky", "cholesky_solve",
           "cholesky_inverse", "qr", "svd"]
METHODS = list(__all__)
