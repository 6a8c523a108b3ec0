"""Matrix products: matmul and its special cases, fused multiply-adds, einsum, tensordot."""
from .. import _blas_direct
from .. import _dtype as dt
from .._backend import np
from .._tensor import Tensor
from ..autograd.function import Op
from ..autograd.grad_mode import state as grad_state
from ._common import promote, type_word, write_out, xp_of

ndarray = np.ndarray


def _check_same_dtype(a, b, what="m1 and m2"):
    if a.dtype is not b.dtype:
        raise RuntimeError(f"expected {what} to have the same dtype, but got: {a.dtype.name.replace('float32', 'float')}"
                           f" != {b.dtype.name.replace('float32', 'float')}")


def _mm_shapes_error(a, b):
    raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} and "
                       f"{b.shape[0]}x{b.shape[1]})")


def _matmul_arrays(a, b):
    if a.ndim == 2 and b.ndim == 2 and a.shape[1] == 1 and type(a) is ndarray \
            and (a.dtype == np.float32 or a.dtype == np.float64):
        # An outer product (inner size 1, e.g. a weight gradient at batch size 1). NumPy's
        # matmul takes a slow loop there, 3-9x slower than np.dot (512 x 784 float32: 0.43 vs
        # 0.09 ms); every entry is one product either way, so the result is the same.
        return np.dot(a, b)
    if a.dtype == dt.bfloat16.np_dtype or a.dtype == np.float16:
        return xp_of(a).matmul(a.astype(np.float32), b.astype(np.float32)).astype(a.dtype)
    if b.ndim > 2:
        b = right_operand_for_blas(a.shape[-2] if a.ndim > 1 else 1, b)
    return xp_of(a).matmul(a, b)


_SMALL_SUM = 32     # inner sizes up to this ...
_SMALL_SIDE = 128   # ... with both outer sizes up to this: see right_operand_for_blas


def right_operand_for_blas(rows, b):
    """``b``, or a row-major copy of it when it is a stack of small transposed matrices.

    OpenBLAS is slow to multiply small matrices by a transposed right operand (``q @
    k.transpose(-2, -1)`` in attention) when the summed axis is short: for stacks with an
    inner size up to 32 and outer sizes up to 128 (head sizes 8-32, 64-128 tokens), copying
    the operand row-major and multiplying takes 0.54-0.79 of the time. Outside that region it
    does not pay (at an inner size of 64 the copy doubles the time, at 256x256 outputs it adds
    20%, and single matrices gain nothing), so everything else is passed through as it is.
    ``rows`` is the left operand's row count."""
    if type(b) is not ndarray or b.ndim < 3 or rows > _SMALL_SIDE or b.shape[-2] > _SMALL_SUM \
            or b.shape[-1] > _SMALL_SIDE or (b.dtype != np.float32 and b.dtype != np.float64):
        return b
    if b.strides[-2] == b.itemsize and b.strides[-1] != b.itemsize:   # columns are contiguous
        return np.ascontiguousarray(b)
    return b


class Matmul(Op):
    """Batched matrix product of operands with at least 2 dims (batch dims broadcast)."""
    saves_inputs = (0, 1)

    @staticmethod
    def forward(ctx, a, b, column_major=False):
        if column_major:
            # (b^T a^T)^T: the same product laid out column-major, for a gradient whose input is
            # a transposed matrix (nn.Linear's weight.t()): transposed back by that input's
            # TBackward0 it is row-major like the weight, so .grad can take it without a copy.
            return _matmul_arrays(b.T, a.T).T
        return _matmul_arrays(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        if not grad_state.enabled:
            return _matmul_backward_arrays(ctx, g._data, a._data, b._data)
        # d(A B) = dA B + A dB  ->  gA = g B^T, gB = A^T g  (summed over broadcast batch dims by the engine)
        ga = Matmul.apply(g, b.mT) if ctx.needs_input_grad[0] else None
        gb = _matmul_grad_of_second(a, g, b) if ctx.needs_input_grad[1] else None
        return ga, gb


def _matmul_backward_arrays(ctx, g, a, b):
    """Matmul's backward when no graph is recorded: the same products on arrays, without
    the transpose nodes and per-op overhead of the Tensor rule."""
    ga = gb = None
    if ctx.needs_input_grad[0]:
        ga = Tensor._make(_matmul_arrays(g, b.swapaxes(-1, -2)))
    if ctx.needs_input_grad[1]:
        if b.ndim == 2 and g.ndim == 2 and b.flags.f_contiguous and not b.flags.c_contiguous:
            gb = Tensor._make(_matmul_arrays(g.T, a).T)  # laid out like b (see forward)
        else:
            gb = Tensor._make(_matmul_arrays(a.swapaxes(-1, -2), g))
    return ga, gb


def _is_transposed_matrix(t):
    d = t._data
    return d.ndim == 2 and d.flags.f_contiguous and not d.flags.c_contiguous


def _matmul_grad_of_second(a, g, b):
    """A^T g, laid out like ``b`` when ``b`` is a transposed matrix (see Matmul.forward)."""
    if _is_transposed_matrix(b) and g._data.ndim == 2:
        return Mm.apply(a.mT, g, True)
    return Matmul.apply(a.mT, g)


class Mm(Matmul):
    pass


class Bmm(Matmul):
    pass


def _check_tensor(x, name, pos, argname):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument '{argname}' (position {pos}) must be Tensor, not {type(x).__name__}")


def matmul(input, other, *, out=None):
    """Matrix product with NumPy/PyTorch semantics for 1-D and batched operands."""
    _check_tensor(input, "matmul", 1, "input")
    _check_tensor(other, "matmul", 2, "other")
    _check_same_dtype(input, other)
    na, nb = input._data.ndim, other._data.ndim
    if na == 0 or nb == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {na}D and {nb}D")
    if na == 1 and nb == 1:
        return write_out(out, dot(input, other))
    if na == 2 and nb == 2:
        return write_out(out, mm(input, other))
    if na == 2 and nb == 1:
        return write_out(out, mv(input, other))
    a = input.unsqueeze(0) if na == 1 else input
    b = other.unsqueeze(-1) if nb == 1 else other
    if a._data.shape[-1] != b._data.shape[-2]:
        if na == 1:
            raise RuntimeError(f"size mismatch, got input ({input.shape[0]}), mat ({'x'.join(map(str, other.shape))})")
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{a.shape[0] if a.dim() > 2 else 1}, {a.shape[-1]}] but got: "
                           f"[{b.shape[0] if b.dim() > 2 else 1}, {b.shape[-2]}].")
    try:
        np.broadcast_shapes(a._data.shape[:-2], b._data.shape[:-2])
    except ValueError:
        from .pointwise import raise_broadcast_error
        raise_broadcast_error(a._data.shape[:-2], b._data.shape[:-2])
    result = Matmul.apply(a, b)
    if na == 1:
        result = result.squeeze(-2)
    if nb == 1:
        result = result.squeeze(-1)
    return write_out(out, result)


def mm(input, mat2, *, out=None):
    _check_tensor(input, "mm", 1, "input")
    _check_tensor(mat2, "mm", 2, "mat2")
    if input._data.ndim != 2:
        raise RuntimeError(f"self must be a matrix")
    if mat2._data.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix")
    _check_same_dtype(input, mat2, "self and mat2")
    if input._data.shape[1] != mat2._data.shape[0]:
        _mm_shapes_error(input._data, mat2._data)
    return write_out(out, Mm.apply(input, mat2))


def bmm(input, mat2, *, out=None):
    if input._data.ndim != 3:
        raise RuntimeError(f"batch1 must be a 3D tensor")
    if mat2._data.ndim != 3:
        raise RuntimeError(f"batch2 must be a 3D tensor")
    _check_same_dtype(input, mat2, "batch1 and batch2")
    a, b = input._data.shape, mat2._data.shape
    if a[0] != b[0] or a[2] != b[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{a[0]}, {a[2]}] but "
                           f"got: [{b[0]}, {b[1]}].")
    return write_out(out, Bmm.apply(input, mat2))


class Mv(Op):
    saves_inputs = (0, 1)

    @staticmethod
    def forward(ctx, m, v):
        return _matmul_arrays(m, v)

    @staticmethod
    def backward(ctx, g):
        m, v = ctx.saved_tensors
        gm = outer(g, v) if ctx.needs_input_grad[0] else None
        gv = Mv.apply(m.mT, g) if ctx.needs_input_grad[1] else None
        return gm, gv


def mv(input, vec, *, out=None):
    if input._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {vec.dim()}, {input.dim()}, {vec.dim()}")
    _check_same_dtype(input, vec, "self and vec")
    if input._data.shape[1] != vec._data.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({input.shape[0]}), mat ({input.shape[0]}x{input.shape[1]}), "
                           f"vec ({vec.shape[0]})")
    return write_out(out, Mv.apply(input, vec))


class Dot(Op):
    saves_inputs = (0, 1)

    @staticmethod
    def forward(ctx, a, b):
        return _matmul_arrays(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g * b, g * a


def dot(input, other, *, out=None):
    if input._data.ndim != 1 or other._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.dim()}D and {other.dim()}D tensors")
    _check_same_dtype(input, other, "both vectors")
    if input._data.shape[0] != other._data.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{input.shape[0]}] and src "
                           f"[{other.shape[0]}] to have the same number of elements, but got {input.shape[0]} "
                           f"and {other.shape[0]} elements respectively")
    return write_out(out, Dot.apply(input, other))


inner_1d = dot
vdot = dot


def inner(input, other):
    if input.dim() == 0 or other.dim() == 0:
        return input * other
    return matmul(input, other.movedim(-1, 0) if other.dim() > 1 else other) if other.dim() <= 2 \
        else tensordot(input, other, dims=([-1], [-1]))


class Outer(Op):
    saves_inputs = (0, 1)

    @staticmethod
    def forward(ctx, a, b):
        a, b = promote(a, b)
        return xp_of(a).multiply.outer(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return Mv.apply(g, b.to(g.dtype)), Mv.apply(g.mT, a.to(g.dtype))


def outer(input, vec2, *, out=None):
    if input._data.ndim != 1 or vec2._data.ndim != 1:
        raise RuntimeError("outer: expected 1-D vectors")
    return write_out(out, Outer.apply(input, vec2))


ger = outer


class Addmm(Op):
    """beta * input + alpha * (mat1 @ mat2): the op behind nn.Linear."""
    saves_inputs = (1, 2)

    @staticmethod
    def forward(ctx, bias, m1, m2, beta, alpha):
        ctx.beta, ctx.alpha = beta, alpha
        ctx.bias_shape = getattr(bias, "shape", None)
        out = _matmul_arrays(m1, m2)
        if alpha != 1:
            out *= alpha
        if beta == 0:
            return out
        if beta != 1 or type(bias) is not ndarray or not _blas_direct.add_row_vector(out, bias):
            out += bias if beta == 1 else bias * beta
        return out

    @staticmethod
    def backward(ctx, g):
        m1, m2 = ctx.saved_tensors
        alpha, beta = ctx.alpha, ctx.beta
        if not grad_state.enabled and alpha == 1 and beta == 1:
            return _addmm_backward_arrays(ctx, g, m1, m2)
        gb = (g if beta == 1 else g * beta) if ctx.needs_input_grad[0] else None
        ga = gm = None
        if ctx.needs_input_grad[1]:
            ga = Mm.apply(g, m2.mT)
            if alpha != 1:
                ga = ga * alpha
        if ctx.needs_input_grad[2]:
            gm = _matmul_grad_of_second(m1, g, m2)
            if alpha != 1:
                gm = gm * alpha
        return gb, ga, gm, None, None


def _addmm_backward_arrays(ctx, g, m1, m2):
    """Addmm's backward when no graph is recorded (the usual ``loss.backward()``): the same
    products as the Tensor-op rule above, on arrays, without its transpose nodes."""
    need = ctx.needs_input_grad
    gd = g._data
    ga = gm = None
    if need[1]:
        ga = Tensor._make(_matmul_arrays(gd, m2._data.T))
    if need[2]:
        b = m2._data
        if b.flags.f_contiguous and not b.flags.c_contiguous:
            gm = Tensor._make(_matmul_arrays(gd.T, m1._data).T)  # laid out like m2 (see Matmul)
        else:
            gm = Tensor._make(_matmul_arrays(m1._data.T, gd))
    gb = None
    if need[0]:
        gb = g
        if ctx.bias_shape == gd.shape[1:] and gd.dtype in (np.float32, np.float64) and type(gd) is np.ndarray \
                and gd.shape[0] > 1:
            # the row sum nn.Linear's bias needs, as one matrix-vector product (faster than NumPy's sum)
            gb = Tensor._make(np.ones(gd.shape[0], gd.dtype) @ gd)
    return gb, ga, gm, None, None


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    if mat1._data.ndim != 2 or mat2._data.ndim != 2:
        raise RuntimeError(f"mat1 must be a matrix, got {mat1.dim()}-D tensor" if mat1._data.ndim != 2
                           else f"mat2 must be a matrix, got {mat2.dim()}-D tensor")
    _check_same_dtype(mat1, mat2, "mat1 and mat2")
    if mat1._data.shape[1] != mat2._data.shape[0]:
        _mm_shapes_error(mat1._data, mat2._data)
    target = (mat1._data.shape[0], mat2._data.shape[1])
    try:
        if np.broadcast_shapes(input._data.shape, target) != target:
            raise ValueError
    except ValueError:
        raise RuntimeError(f"The expanded size of the tensor ({target[1]}) must match the existing size "
                           f"({input.shape[-1]}) at non-singleton dimension 1.  Target sizes: "
                           f"[{target[0]}, {target[1]}].  Tensor sizes: {list(input.shape)}") from None
    return write_out(out, Addmm.apply(input, mat1, mat2, beta, alpha))


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    return write_out(out, input * beta + mv(mat, vec) * alpha if (beta, alpha) != (1, 1) else input + mv(mat, vec))


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    return write_out(out, input * beta + outer(vec1, vec2) * alpha)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    prod = bmm(batch1, batch2)
    if alpha != 1:
        prod = prod * alpha
    if beta == 0:
        return write_out(out, prod)
    return write_out(out, (input if beta == 1 else input * beta) + prod)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    prod = bmm(batch1, batch2).sum(0)
    if alpha != 1:
        prod = prod * alpha
    return write_out(out, (input if beta == 1 else input * beta) + prod)


def chain_matmul(*matrices):
    result = matrices[0]
    for m in matrices[1:]:
        result = mm(result, m)
    return result


def tensordot(a, b, dims=2, out=None):
    """Contract ``dims`` (an int, or two lists of dims) of ``a`` and ``b``; via permute + matmul."""
    na, nb = a.dim(), b.dim()
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        dims_a, dims_b = list(range(na - dims, na)), list(range(dims))
    else:
        dims_a, dims_b = dims
        dims_a = [dims_a] if isinstance(dims_a, int) else list(dims_a)
        dims_b = [dims_b] if isinstance(dims_b, int) else list(dims_b)
    dims_a = [d % na for d in dims_a]
    dims_b = [d % nb for d in dims_b]
    for da, db in zip(dims_a, dims_b):
        if a.shape[da] != b.shape[db]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {a.shape[da]} in dim "
                               f"{da} and second has size {b.shape[db]} in dim {db}")
    free_a = [d for d in range(na) if d not in dims_a]
    free_b = [d for d in range(nb) if d not in dims_b]
    k = 1
    for d in dims_a:
        k *= a.shape[d]
    am = a.permute(*(free_a + dims_a)).reshape(-1, k)
    bm = b.permute(*(dims_b + free_b)).reshape(k, -1)
    out_shape = [a.shape[d] for d in free_a] + [b.shape[d] for d in free_b]
    return write_out(out, mm(am, bm).reshape(out_shape))


# ----------------------------------------------------------------------------------------
# einsum
# ----------------------------------------------------------------------------------------
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


class Einsum(Op):
    """One explicit einsum (no ellipsis, every label one size) over any number of operands.

    Subclassed per operand count (``_einsum_op``) so every operand is a saved input and
    in-place changes to an operand are caught like any other saved tensor.
    """

    @staticmethod
    def forward(ctx, equation, *arrays):
        ctx.equation = equation
        dtype = arrays[0].dtype
        xp = xp_of(arrays[0])
        if dtype == dt.bfloat16.np_dtype or dtype == np.float16:
            arrays = [a.astype(np.float32) for a in arrays]
        # optimize=True lets NumPy route contractions through BLAS (tensordot).
        out = xp.einsum(equation, *arrays, optimize=len(arrays) > 1 and dtype.kind == "f")
        return xp.asarray(out).astype(dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        operands = ctx.saved_tensors
        lhs, out_sub = ctx.equation.split("->")
        subs = lhs.split(",")
        grads = [None]
        for i, (sub, x) in enumerate(zip(subs, operands)):
            if ctx.needs_input_grad[i + 1]:
                others = [(s, t) for j, (s, t) in enumerate(zip(subs, operands)) if j != i]
                grads.append(_einsum_operand_grad(g, out_sub, others, sub, x.shape))
            else:
                grads.append(None)
        return tuple(grads)


def _einsum_operand_grad(g, out_sub, others, sub, shape):
    """d/dX of einsum for operand X with subscripts ``sub``: an einsum of ``g`` with the others.

    d out[o] / d X[s] = prod(others); labels of X found nowhere else were summed inside X, so
    the gradient is constant along them (broadcast); repeated labels of X (a diagonal) get the
    gradient on the diagonal only, which multiplying by identity matrices expresses.
    """
    size = {c: n for c, n in zip(sub, shape)}
    unique = "".join(dict.fromkeys(sub))
    seen = set(out_sub).union(*[set(s) for s, _ in others])
    present = "".join(c for c in unique if c in seen)
    eq = ",".join([out_sub] + [s for s, _ in others]) + "->" + present
    grad = _einsum_op(len(others) + 1).apply(eq, g, *[t for _, t in others])
    if present != unique:  # broadcast along labels summed only inside X
        grad = grad.reshape([size[c] if c in present else 1 for c in unique]).expand([size[c] for c in unique])
    if unique == sub:
        return grad
    # X[s] with repeated labels: grad[unique] * delta(c, c') for each repeat c' of a label c.
    used = set(sub) | set(out_sub)
    fresh = iter(c for c in _LETTERS if c not in used)
    target, factors = "", []
    for k, c in enumerate(sub):
        if sub.index(c) == k:
            target += c
        else:
            f = next(fresh)
            target += f
            factors.append((c, f))
    xp = xp_of(g._data)
    eyes = [Tensor._make(xp.eye(size[c], dtype=g._data.dtype)) for c, _ in factors]
    eq = ",".join([unique] + [c + f for c, f in factors]) + "->" + target
    return _einsum_op(len(eyes) + 1).apply(eq, grad, *eyes)


_EINSUM_OPS = {}


def _einsum_op(n):
    """The Einsum subclass that saves all ``n`` operands (its grad_fn name stays EinsumBackward0)."""
    cls = _EINSUM_OPS.get(n)
    if cls is None:
        cls = _EINSUM_OPS[n] = type("Einsum", (Einsum,), {"__slots__": (), "saves_inputs": tuple(range(1, n + 1))})
    return cls


def _parse_equation(equation, operands):
    """An explicit equation (``->`` present, ellipses replaced by letters), checked like PyTorch."""
    eq = equation.replace(" ", "")
    lhs, arrow, out = eq.partition("->")
    for k, c in enumerate(eq):
        if c not in _LETTERS and c not in ",.->":
            raise RuntimeError(f"einsum(): invalid subscript given at index {k} in the equation string, "
                               "subscripts must be in [a-zA-Z]")
    subs = lhs.split(",")
    if len(subs) > len(operands):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(subs) < len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    if not arrow:
        letters = lhs.replace(",", "").replace("...", "")
        out = ("..." if "..." in lhs else "") + "".join(sorted(c for c in dict.fromkeys(letters)
                                                             if letters.count(c) == 1))
    pool = [c for c in _LETTERS if c not in eq]
    n_ell = 0
    for i, (s, op) in enumerate(zip(subs, operands)):
        n_labels = len(s) - 3 if "..." in s else len(s)
        if "..." in s:
            n_ell = max(n_ell, op.dim() - n_labels)
        if ("..." in s and op.dim() < n_labels) or ("..." not in s and op.dim() != n_labels):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({n_labels}) "
                               + ("is more than" if "..." in s else "does not match")
                               + f" the number of dimensions ({op.dim()}) for operand {i}"
                               + ("" if "..." in s else " and no ellipsis was given"))
    ell = "".join(pool[:n_ell])
    subs = [s.replace("...", ell[n_ell - (op.dim() - len(s) + 3):] if op.dim() - len(s) + 3 else "")
            for s, op in zip(subs, operands)]
    out = out.replace("...", ell)
    for c in out:
        if out.count(c) > 1:
            raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the output")
        if not any(c in s for s in subs):
            raise RuntimeError(f"einsum(): output subscript {c} does not appear in the equation for any input "
                               "operand")
    return subs, out


def einsum(equation, *operands):
    """Einstein summation over the operands' labelled dims, e.g. ``einsum('bij,bjk->bik', a, b)``.

    Repeated labels take diagonals, labels missing from the output are summed, ``...``
    stands for broadcast dims, and size-1 dims broadcast against the label's size.
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    for i, op in enumerate(operands):
        if not isinstance(op, Tensor):
            raise TypeError(f"einsum(): argument 'operands' must be tuple of Tensors, but found element of type "
                            f"{type(op).__name__} at pos {i}")
    subs, out = _parse_equation(equation, operands)
    if operands and any(o.dtype is not operands[0].dtype for o in operands):
        other = next(o.dtype for o in operands if o.dtype is not operands[0].dtype)
        raise RuntimeError(f"expected scalar type {type_word(operands[0].dtype)} but found "
                           f"{type_word(other)}")
    sizes = {}
    for i, (s, op) in enumerate(zip(subs, operands)):
        for c, n in zip(s, op.shape):
            first = s.index(c)
            if op.shape[first] != n:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {i} but the sizes don't "
                                   f"match, {op.shape[first]} != {n}")
            known = sizes.get(c)
            if known is None or known == 1:
                sizes[c] = n
            elif n != 1 and n != known:
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {i} which does not "
                                   f"broadcast with previously seen size {known}")
    # Size-1 dims broadcast against the label's size (expand is a differentiable view).
    operands = [op if all(op.shape[k] == sizes[c] for k, c in enumerate(s))
                else op.expand([sizes[c] for c in s]) for s, op in zip(subs, operands)]
    return _einsum_op(len(operands)).apply(",".join(subs) + "->" + out, *operands)


# ----------------------------------------------------------------------------------------
# trace
# ----------------------------------------------------------------------------------------
class Trace(Op):
    @staticmethod
    def forward(ctx, a):
        ctx.shape = a.shape
        out = xp_of(a).trace(a)
        if a.dtype.kind in "iub":  # integer traces accumulate in int64, as PyTorch's do
            return xp_of(a).asarray(out, dtype=np.int64)
        return xp_of(a).asarray(out, dtype=a.dtype)

    @staticmethod
    def backward(ctx, g):
        # d/dA sum_i A[i, i] = I (rectangular: ones on the main diagonal)
        n, m = ctx.shape
        eye = Tensor._make(xp_of(g._data).eye(n, m, dtype=g._data.dtype))
        return g * eye


def trace(input):
    """Sum of the main diagonal of a 2-D tensor."""
    _check_tensor(input, "trace", 1, "input")
    if input._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input._data.ndim}")
    if input._data.dtype == np.bool_:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    return Trace.apply(input)


__all__ = ["matmul", "mm", "bmm", "mv", "dot", "vdot", "inner", "outer", "ger", "addmm", "addmv", "addr",
           "baddbmm", "addbmm", "chain_matmul", "tensordot", "einsum", "trace"]
METHODS = ["matmul", "mm", "bmm", "mv", "dot", "vdot", "inner", "outer", "ger", "addmm", "addmv", "addr",
           "baddbmm", "addbmm", "trace"]
