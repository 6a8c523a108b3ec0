"""ember.linalg: the torch.linalg namespace (norms so far)."""
from .ops.norms import linalg_norm as norm
from .ops.norms import matrix_norm, vector_norm

from .ops import linalg_lu as _lu
from .ops import linalg_ops as _la
from .ops.linalg import matmul  # noqa: F401
from .ops.misc_math import linalg_cross as cross  # noqa: F401
from .ops.misc_math import vander as _vander

LinAlgError = _la.LinAlgError
inv, inv_ex, det, slogdet = _la.linalg_inv, _la.linalg_inv_ex, _la.linalg_det, _la.linalg_slogdet
solve, solve_ex, solve_triangular = _la.linalg_solve, _la.linalg_solve_ex, _la.linalg_solve_triangular
cholesky, cholesky_ex, qr = _la.linalg_cholesky, _la.linalg_cholesky_ex, _la.linalg_qr
eigh, eigvalsh, svd, svdvals = _la.linalg_eigh, _la.linalg_eigvalsh, _la.linalg_svd, _la.linalg_svdvals
lu, lu_factor, lu_factor_ex, lu_solve = _lu.linalg_lu, _lu.linalg_lu_factor, _lu.linalg_lu_factor_ex, \
    _lu.linalg_lu_solve
matrix_power, matrix_exp, matrix_rank = _lu.linalg_matrix_power, _lu.linalg_matrix_exp, _lu.linalg_matrix_rank
pinv, lstsq, cond, multi_dot, vecdot = _lu.linalg_pinv, _lu.linalg_lstsq, _lu.linalg_cond, \
    _lu.linalg_multi_dot, _lu.linalg_vecdot
eig, eigvals = _lu.linalg_eig, _lu.linalg_eigvals


def vander(x, *, N=None):
    """Columns x^0, x^1, ... (increasing powers) along the last dim."""
    return _vander(x, N, increasing=True) if x.dim() == 1 else \
        _vander(x.reshape(-1), N if N is not None else x.shape[-1], increasing=True).reshape(
            tuple(x.shape) + (N if N is not None else x.shape[-1],))


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    return A.diagonal(offset, dim1, dim2)


__all__ = ["norm", "vector_norm", "matrix_norm", "LinAlgError", "inv", "inv_ex", "det", "slogdet", "solve",
           "solve_ex", "solve_triangular", "cholesky", "cholesky_ex", "qr", "eigh", "eigvalsh", "svd", "svdvals",
           "lu", "lu_factor", "lu_factor_ex", "lu_solve", "matrix_power", "matrix_exp", "matrix_rank", "pinv",
           "lstsq", "cond", "multi_dot", "vecdot", "eig", "eigvals", "cross", "vander", "diagonal", "matmul"]
