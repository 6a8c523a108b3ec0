"""LU factorization family, matrix functions (power, exponential), pseudo-inverse, least squares
and rank. NumPy has no LU routine, so partial-pivoting LU runs here column by column, each step
vectorised over the batch."""
from .. import _dtype as dt
from .. import return_types
from .._backend import np
from .._tensor import Tensor
from ..autograd.function import Op
from .creation import eye, tril, triu
from .linalg import matmul
from .linalg_ops import LinAlgError, SolveTriangular, _check_float, _check_square, _mT, linalg_inv, linalg_svd
from ._common import write_out


def _lu_arrays(a):
    """Partial-pivoting LU of a (batch, m, n) array: (packed LU, 0-based row swaps per step)."""
    lu = np.array(a, dtype=a.dtype, copy=True)
    batch, m, n = lu.shape
    k = min(m, n)
    swaps = np.zeros((batch, k), np.int64)
    rows = np.arange(batch)
    for j in range(k):
        p = j + np.argmax(np.abs(lu[:, j:, j]), axis=1)
        swaps[:, j] = p
        top = lu[rows, j].copy()
        lu[rows, j] = lu[rows, p]
        lu[rows, p] = top
        pivot = lu[:, j, j]
        safe = np.where(pivot == 0, 1, pivot)
        lu[:, j + 1:, j] = np.where(pivot[:, None] == 0, 0, lu[:, j + 1:, j] / safe[:, None])
        lu[:, j + 1:, j + 1:] -= lu[:, j + 1:, j, None] * lu[:, j, None, j + 1:]
    return lu, swaps


def _perm_from_swaps(swaps, m):
    """Row permutation (as index arrays) equivalent to applying the swaps in order."""
    batch = swaps.shape[0]
    perm = np.tile(np.arange(m), (batch, 1))
    rows = np.arange(batch)
    for j in range(swaps.shape[1]):
        p = swaps[:, j]
        top = perm[rows, j].copy()
        perm[rows, j] = perm[rows, p]
        perm[rows, p] = top
    return perm  # A[perm] = L U, i.e. P^T A = L U


def _p_matrix(perm, m, dtype):
    """P with A = P L U from the permuted row order."""
    batch = perm.shape[0]
    p = np.zeros((batch, m, m), dtype)
    p[np.arange(batch)[:, None], perm, np.arange(m)[None, :]] = 1
    return p


class LinalgLuFactor(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, a):
        shape = a.shape
        lu, swaps = _lu_arrays(a.reshape((-1,) + shape[-2:]))
        ctx.perm = _perm_from_swaps(swaps, shape[-2]).reshape(shape[:-2] + (shape[-2],))
        ctx.pivots = (swaps + 1).astype(np.int32).reshape(shape[:-2] + (swaps.shape[-1],))
        return lu.reshape(shape).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (lu,) = ctx.saved_tensors
        m, n = lu.shape[-2], lu.shape[-1]
        if m != n:
            raise NotImplementedError("ember: lu_factor backward is implemented for square matrices only")
        L = tril(lu, -1) + eye(n, dtype=lu.dtype)
        U = triu(lu)
        return _lu_backward(ctx.perm, L, U, tril(g, -1), triu(g))


def _lu_backward(perm, L, U, gL, gU):
    # A = P L U; X = L^-1 P^T dA U^-1 splits into dL = L tril(X, -1), dU = triu(X) U, hence
    # gA = P L^-T (tril(L^T gL, -1) + triu(gU U^T)) U^-T
    n = L.shape[-1]
    inner = 0
    if gL is not None:
        inner = inner + tril(matmul(_mT(L), gL), -1)
    if gU is not None:
        inner = inner + triu(matmul(gU, _mT(U)))
    x = SolveTriangular.apply(_mT(L), inner, True, True)
    x = _mT(SolveTriangular.apply(U, _mT(x), True, False))
    p = Tensor._make(_p_matrix(perm.reshape(-1, n), n, L._data.dtype).reshape(perm.shape + (n,)))
    return matmul(p, x)


def linalg_lu_factor(A, *, pivot=True, out=None):
    """Packed LU (unit-lower L below the diagonal, U on and above) and 1-based pivots (int32)."""
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    if A.dim() < 2:
        raise RuntimeError("linalg.lu_factor: The input tensor A must have at least 2 dimensions.")
    _check_float(A, "linalg.lu_factor")
    lu = LinalgLuFactor.apply(A)
    pivots = Tensor._make(lu.grad_fn.pivots if lu.grad_fn is not None else _pivots_of(A))
    return return_types.linalg_lu_factor((lu, pivots))


def _pivots_of(A):
    shape = A._data.shape
    _, swaps = _lu_arrays(A._data.reshape((-1,) + shape[-2:]))
    return (swaps + 1).astype(np.int32).reshape(shape[:-2] + (swaps.shape[-1],))


def linalg_lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    lu, piv = linalg_lu_factor(A, pivot=pivot)
    info = Tensor._make(np.zeros(A._data.shape[:-2], np.int32))
    return return_types.linalg_lu_factor_ex((lu, piv, info))


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True):
    """(P, L, U) from a packed LU and its 1-based pivots."""
    m, n = LU_data.shape[-2], LU_data.shape[-1]
    k = min(m, n)
    P = L = U = None
    if unpack_data:
        L = tril(LU_data, -1)[..., :, :k] + eye(m, k, dtype=LU_data.dtype)
        U = triu(LU_data)[..., :k, :]
    else:
        L = U = Tensor._make(np.empty(0, LU_data._data.dtype))
    if unpack_pivots:
        piv = LU_pivots._data.astype(np.int64).reshape(-1, LU_pivots.shape[-1]) - 1
        if piv.size and ((piv < 0) | (piv >= m)).any():
            raise RuntimeError("lu_unpack: pivots must be in range [1, m]")
        perm = _perm_from_swaps(piv, m)
        P = Tensor._make(_p_matrix(perm, m, LU_data._data.dtype).reshape(tuple(LU_data.shape[:-2]) + (m, m)))
    else:
        P = Tensor._make(np.empty(0, LU_data._data.dtype))
    return return_types.lu_unpack((P, L, U))


def linalg_lu(A, *, pivot=True, out=None):
    """A = P L U with partial pivoting."""
    lu, piv = linalg_lu_factor(A, pivot=pivot)
    P, L, U = lu_unpack(lu, piv)
    return return_types.linalg_lu((P, L, U))


def lu(A, pivot=True, get_infos=False):
    """Legacy torch.lu: (LU, pivots[, infos])."""
    lu_, piv = linalg_lu_factor(A, pivot=pivot)
    if get_infos:
        return lu_, piv, Tensor._make(np.zeros(A._data.shape[:-2], np.int32))
    return lu_, piv


def linalg_lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """Solve A X = B from A's packed LU."""
    P, L, U = lu_unpack(LU, pivots)
    if not left:
        return write_out(out, _mT(linalg_lu_solve(LU, pivots, _mT(B), left=True, adjoint=not adjoint)))
    if adjoint:
        # A^T X = B: U^T L^T P^T X = B
        y = SolveTriangular.apply(_mT(U), B, False, False)
        y = SolveTriangular.apply(_mT(L), y, True, True)
        return write_out(out, matmul(P, y))
    y = SolveTriangular.apply(L, matmul(_mT(P), B), False, True)
    return write_out(out, SolveTriangular.apply(U, y, True, False))


def lu_solve(b, LU_data, LU_pivots, *, out=None):
    return linalg_lu_solve(LU_data, LU_pivots, b, out=out)


# ---- matrix functions -------------------------------------------------------------------------------
def linalg_matrix_power(A, n, *, out=None):
    """A^n by repeated squaring (n < 0 inverts first; n = 0 gives the identity)."""
    if A.dim() < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but they are "
                           f"{A.shape[-2] if A.dim() > 1 else 1} by {A.shape[-1] if A.dim() else 1} matrices")
    if not isinstance(n, int):
        raise TypeError(f"matrix_power(): argument 'n' must be int, not {type(n).__name__}")
    if n == 0:
        # the identity, still attached to A's graph (with a zero gradient) like PyTorch's
        return write_out(out, eye(A.shape[-1], dtype=A.dtype).expand(tuple(A.shape)) + (A - A.detach()) * 0)
    base = linalg_inv(A) if n < 0 else A
    n = abs(n)
    result = None
    while n:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    return write_out(out, result if result is not A else A.clone())


_PADE13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0,
           129060195264000.0, 10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0, 40840800.0,
           960960.0, 16380.0, 182.0, 1.0)
_THETA13 = 5.371920351148152


def _expm_arrays(a):
    """Scaling and squaring with the degree-13 Pade approximant (Higham 2005), in float64."""
    a64 = a.astype(np.float64 if a.dtype.kind == "f" else np.complex128)
    norm = np.abs(a64).sum(-2).max(-1) if a64.size else np.zeros(a64.shape[:-2])
    s = np.maximum(0, np.ceil(np.log2(np.maximum(norm, 1e-300) / _THETA13))).astype(np.int64)
    scaled = a64 / (2.0 ** s)[..., None, None]
    n = a.shape[-1]
    ident = np.broadcast_to(np.eye(n), a64.shape)
    b = _PADE13
    a2 = scaled @ scaled
    a4 = a2 @ a2
    a6 = a4 @ a2
    u = scaled @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 + b[3] * a2 + b[1] * ident)
    v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 + b[0] * ident
    r = np.linalg.solve(v - u, v + u)
    for _ in range(int(s.max()) if s.size else 0):  # square back up, each matrix its own number of times
        squared = r @ r
        r = np.where((s > 0)[..., None, None], squared, r)
        s = s - 1
    return r.astype(a.dtype, copy=False)


class LinalgMatrixExp(Op):
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        return _expm_arrays(a)

    @staticmethod
    def backward(ctx, g):
        from .shape import cat
        (a,) = ctx.saved_tensors
        # The Frechet derivative's adjoint: upper-right block of exp([[A^T, g], [0, A^T]])
        n = a.shape[-1]
        at = _mT(a)
        top = cat([at, g], -1)
        bottom = cat([g * 0, at], -1)
        big = LinalgMatrixExp.apply(cat([top, bottom], -2))
        return big[..., :n, n:]


def linalg_matrix_exp(A):
    """Matrix exponential of (a batch of) square matrices."""
    _check_square(A, "linalg.matrix_exp")
    return LinalgMatrixExp.apply(A)


matrix_exp = linalg_matrix_exp


def matrix_power(input, n):
    return linalg_matrix_power(input, n)


# ---- pseudo-inverse, least squares, rank ------------------------------------------------------------
def _default_rtol(A):
    return np.finfo(A._data.dtype).eps * max(A.shape[-2], A.shape[-1])


class LinalgPinv(Op):
    saves_inputs = (0,)
    saves_output = True

    @staticmethod
    def forward(ctx, a, atol, rtol, hermitian):
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        smax = s.max(-1, keepdims=True) if s.size else np.zeros(s.shape[:-1] + (1,))
        tol = np.maximum(atol, rtol * smax)
        keep = s > tol
        inv_s = np.where(keep, 1.0 / np.where(keep, s, 1.0), 0.0)
        return (np.swapaxes(vh, -1, -2) * inv_s[..., None, :]) @ np.swapaxes(u, -1, -2)

    @staticmethod
    def backward(ctx, g):
        a, p = ctx.saved_tensors
        # constant-rank derivative of the pseudo-inverse, adjoint form:
        # gA = -P^T g P^T + (I - A P) g^T P P^T + P^T P g^T (I - P A)
        pt, gt = _mT(p), _mT(g)
        m, n = a.shape[-2], a.shape[-1]
        eye_m, eye_n = eye(m, dtype=a.dtype), eye(n, dtype=a.dtype)
        ga = -matmul(matmul(pt, g), pt)
        ga = ga + matmul(matmul(eye_m - matmul(a, p), gt), matmul(p, pt))
        ga = ga + matmul(matmul(pt, p), matmul(gt, eye_n - matmul(p, a)))
        return ga, None, None, None


def linalg_pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """Moore-Penrose pseudo-inverse (singular values below max(atol, rtol * s_max) dropped)."""
    if A.dim() < 2:
        raise RuntimeError("linalg.pinv(A): The input tensor A must have at least 2 dimensions.")
    _check_float(A, "linalg.pinv")
    if rtol is None:
        rtol = 0.0 if atol is not None and atol > 0 else _default_rtol(A)
    return write_out(out, LinalgPinv.apply(A, 0.0 if atol is None else float(atol), float(rtol), hermitian))


def pinverse(input, rcond=1e-15):
    return linalg_pinv(input, rtol=rcond)


def linalg_lstsq(A, B, rcond=None, *, driver=None):
    """Least-squares solution of A X = B: (solution, residuals, rank, singular_values) as with the
    default 'gelsy' driver (residuals and singular values empty)."""
    if A.dtype is not B.dtype:
        raise RuntimeError(f"torch.linalg.lstsq: Expected input and other to have the same dtype, but got "
                           f"input's dtype {A.dtype.name.capitalize()} and other's dtype "
                           f"{B.dtype.name.capitalize()}")
    vector = B.dim() == A.dim() - 1
    b = B.unsqueeze(-1) if vector else B
    if A.shape[-2] != b.shape[-2]:
        raise RuntimeError(f"torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    rtol = _default_rtol(A) if rcond is None else rcond
    x = matmul(linalg_pinv(A, rtol=rtol), b)
    x = x.squeeze(-1) if vector else x
    rank = linalg_matrix_rank(A, rtol=rtol)
    empty = Tensor._make(np.empty(0, A._data.dtype))
    return return_types.linalg_lstsq((x, empty, rank, Tensor._make(np.empty(0, A._data.dtype))))


def linalg_matrix_rank(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """Number of singular values above max(atol, rtol * s_max)."""
    if A.dim() < 2:
        raise RuntimeError("linalg.matrix_rank: The input tensor input must have at least 2 dimensions.")
    s = np.linalg.svd(A._data, compute_uv=False)
    if rtol is None:
        rtol = 0.0 if atol is not None and atol > 0 else _default_rtol(A)
    smax = s.max(-1, keepdims=True) if s.size else np.zeros(s.shape[:-1] + (1,))
    tol = np.maximum(0.0 if atol is None else atol, rtol * smax)
    return write_out(out, Tensor._make(np.asarray((s > tol).sum(-1), dtype=np.int64)))


def linalg_cond(A, p=None, *, out=None):
    """Condition number; p=None/2 uses the singular values."""
    from .norms import matrix_norm
    if p in (None, 2, -2):
        s = linalg_svd(A, full_matrices=False)[1]
        res = s[..., 0] / s[..., -1] if p != -2 else s[..., -1] / s[..., 0]
    else:
        res = matrix_norm(A, p) * matrix_norm(linalg_inv(A), p)
    return write_out(out, res)


def linalg_multi_dot(tensors, *, out=None):
    """Chained matrix product (first may be 1-D, last may be 1-D)."""
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    res = tensors[0]
    for t in tensors[1:]:
        res = matmul(res, t)
    return write_out(out, res)


def linalg_vecdot(x, y, *, dim=-1, out=None):
    return write_out(out, (x.conj() * y).sum(dim) if x.is_complex() else (x * y).sum(dim))


class _Eig(Op):
    differentiable = False

    @staticmethod
    def forward(ctx, a, vectors):
        cplx = np.complex128 if a.dtype == np.float64 else np.complex64
        if vectors:
            w, v = np.linalg.eig(a)
            return w.astype(cplx), v.astype(cplx)
        return np.linalg.eigvals(a).astype(cplx)


def linalg_eig(A, *, out=None):
    """Eigenvalues and eigenvectors of general square matrices (complex results; not differentiable)."""
    _check_square(A, "linalg.eig")
    w, v = _Eig.apply(A, True)
    return return_types.linalg_eig((w, v))


def linalg_eigvals(A, *, out=None):
    _check_square(A, "linalg.eigvals")
    return _Eig.apply(A, False)


def cond(pred, true_fn, false_fn, operands=()):
    """Control-flow op: ``true_fn(*operands)`` if ``pred`` else ``false_fn(*operands)``."""
    take = bool(pred.item()) if isinstance(pred, Tensor) else bool(pred)
    return (true_fn if take else false_fn)(*operands)


__all__ = ["lu", "lu_unpack", "lu_solve", "matrix_power", "matrix_exp", "pinverse", "cond"]
METHODS = ["lu_solve", "matrix_power", "matrix_exp", "pinverse", "lu"]
_ = (LinAlgError, dt)
