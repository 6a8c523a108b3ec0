"""autograd.functional: Jacobians, Hessians and vector products of whole functions."""
from .._backend import np


def _tuple(x):
    return (tuple(x), True) if isinstance(x, (list, tuple)) else ((x,), False)


def _prepare(inputs, create_graph):
    return tuple(t.detach().requires_grad_(True) if not (create_graph and t.requires_grad) else t
                 for t in inputs)


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T J)."""
    from . import grad as autograd_grad
    from .grad_mode import enable_grad
    ins, is_tuple = _tuple(inputs)
    with enable_grad():
        ins = _prepare(ins, create_graph)
        outs, out_tuple = _tuple(func(*ins))
        vs = _tuple(v)[0] if v is not None else (None,) * len(outs)
        grads = autograd_grad(outs, ins, vs, create_graph=create_graph, allow_unused=True)
    from ..ops.creation import zeros_like
    grads = tuple(zeros_like(i) if g is None else g for i, g in zip(ins, grads))
    outs = tuple(o if create_graph else o.detach() for o in outs)
    return (outs if out_tuple else outs[0]), (grads if is_tuple else grads[0])


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v), by the double-vjp trick."""
    from . import grad as autograd_grad
    from .grad_mode import enable_grad
    from ..ops.creation import zeros_like
    ins, is_tuple = _tuple(inputs)
    with enable_grad():
        ins = _prepare(ins, True)
        outs, out_tuple = _tuple(func(*ins))
        dummies = tuple(zeros_like(o).requires_grad_(True) for o in outs)
        grads = autograd_grad(outs, ins, dummies, create_graph=True, allow_unused=True)
        pairs = [(g, vv) for g, vv in zip(grads, _tuple(v)[0] if v is not None else
                                          tuple(zeros_like(i) + 1 for i in ins)) if g is not None]
        jv = autograd_grad([g for g, _ in pairs], dummies, [vv for _, vv in pairs],
                           create_graph=create_graph, allow_unused=True)
    jv = tuple(zeros_like(o) if j is None else j for o, j in zip(outs, jv))
    outs = tuple(o.detach() for o in outs) if not create_graph else outs
    return (outs if out_tuple else outs[0]), (jv if out_tuple else jv[0])


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """Jacobian of ``func`` at ``inputs``: shape output.shape + input.shape per pair."""
    from . import grad as autograd_grad
    from .grad_mode import enable_grad
    from .._tensor import Tensor
    from ..ops.creation import zeros_like
    ins, in_tuple = _tuple(inputs)
    with enable_grad():
        ins = _prepare(ins, create_graph)
        outs, out_tuple = _tuple(func(*ins))
        result = []
        for out in outs:
            rows = [[] for _ in ins]
            for k in range(out.numel()):
                seed = np.zeros(out._data.size, out._data.dtype)
                seed[k] = 1
                grads = autograd_grad(out, ins, Tensor._make(seed.reshape(out._data.shape)), retain_graph=True,
                                      create_graph=create_graph, allow_unused=True)
                for i, g in enumerate(grads):
                    rows[i].append(zeros_like(ins[i]) if g is None else g)
            per_input = []
            for i, inp in enumerate(ins):
                from ..ops.shape import stack
                if rows[i]:
                    j = stack(rows[i]).reshape(tuple(out.shape) + tuple(inp.shape))
                else:
                    j = Tensor._make(np.zeros(tuple(out.shape) + tuple(inp.shape), inp._data.dtype))
                per_input.append(j if create_graph else j.detach())
            result.append(tuple(per_input) if in_tuple else per_input[0])
    return tuple(result) if out_tuple else result[0]


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    """Hessian of a scalar function: the Jacobian of its gradient."""
    from . import grad as autograd_grad
    ins, in_tuple = _tuple(inputs)

    def gradient(*xs):
        out = func(*xs)
        grads = autograd_grad(out, xs, create_graph=True, allow_unused=True)
        from ..ops.creation import zeros_like
        grads = tuple(zeros_like(x) if g is None else g for x, g in zip(xs, grads))
        return grads if in_tuple else grads[0]

    return jacobian(gradient, ins if in_tuple else ins[0], create_graph=create_graph)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T H)."""
    from . import grad as autograd_grad
    from .grad_mode import enable_grad
    ins, is_tuple = _tuple(inputs)
    with enable_grad():
        ins = _prepare(ins, True)
        out = func(*ins)
        grads = autograd_grad(out, ins, create_graph=True, allow_unused=True)
        vs = _tuple(v)[0]
        pairs = [(g, vv) for g, vv in zip(grads, vs) if g is not None]
        res = autograd_grad([g for g, _ in pairs], ins, [vv for _, vv in pairs], create_graph=create_graph,
                            allow_unused=True)
    from ..ops.creation import zeros_like
    res = tuple(zeros_like(i) if r is None else r for i, r in zip(ins, res))
    return (out if create_graph else out.detach()), (res if is_tuple else res[0])


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H v); equal to vhp for the symmetric Hessians of twice-differentiable functions."""
    return vhp(func, inputs, v, create_graph, strict)
