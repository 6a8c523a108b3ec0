"""gradcheck / gradgradcheck: compare autograd's gradients with central finite differences."""
from .._backend import np


class GradcheckError(RuntimeError):
    pass


def _as_tuple(x):
    return tuple(x) if isinstance(x, (list, tuple)) else (x,)


def _differentiable_inputs(inputs):
    from .._tensor import Tensor
    return [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]


def _flat_outputs(func, inputs):
    from .._tensor import Tensor
    outs = _as_tuple(func(*inputs))
    return [o for o in outs if isinstance(o, Tensor)]


def _numerical_jacobians(func, inputs, outputs, eps):
    """J[i][j]: d output_j / d input_i, as (input numel, output numel) float64 arrays."""
    jac = []
    for t in _differentiable_inputs(inputs):
        flat = t._data.reshape(-1)  # a view: we perturb the tensor's own memory
        cols = [np.zeros((t._data.size, o._data.size)) for o in outputs]
        for k in range(flat.size):
            orig = flat[k].item()
            # Grad mode stays as the caller set it: gradgradcheck's function calls autograd.grad.
            flat[k] = orig + eps
            plus = [o._data.astype(np.float64).reshape(-1).copy() for o in _flat_outputs(func, inputs)]
            flat[k] = orig - eps
            minus = [o._data.astype(np.float64).reshape(-1).copy() for o in _flat_outputs(func, inputs)]
            flat[k] = orig
            for j in range(len(outputs)):
                cols[j][k] = (plus[j] - minus[j]) / (2 * eps)
        jac.append(cols)
    return jac


def _analytical_jacobians(inputs, outputs):
    from . import grad as autograd_grad
    from .._tensor import Tensor
    diff_inputs = _differentiable_inputs(inputs)
    jac = [[np.zeros((t._data.size, o._data.size)) for o in outputs] for t in diff_inputs]
    for j, out in enumerate(outputs):
        if not out.requires_grad:
            continue
        for m in range(out._data.size):
            seed = np.zeros(out._data.size, out._data.dtype)
            seed[m] = 1
            grads = autograd_grad(out, diff_inputs, Tensor._make(seed.reshape(out._data.shape)),
                                  retain_graph=True, allow_unused=True)
            for i, g in enumerate(grads):
                if g is not None:
                    jac[i][j][:, m] = g._data.astype(np.float64).reshape(-1)
    return jac


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              check_batched_forward_grad=False, check_forward_ad=False, check_backward_ad=True,
              fast_mode=False, masked=None):
    """True when analytical and numerical Jacobians agree within ``atol + rtol * |numerical|``."""
    inputs = _as_tuple(inputs)
    for t in _differentiable_inputs(inputs):
        if t.dtype.name != "float64":
            import warnings
            warnings.warn(f"Input #{inputs.index(t)} requires gradient and is not a double precision floating "
                          "point. This check will likely fail if all the inputs are not of double precision "
                          "floating point. ")
    outputs = _flat_outputs(func, inputs)
    numerical = _numerical_jacobians(func, inputs, outputs, eps)
    analytical = _analytical_jacobians(inputs, outputs)
    for i, (num_cols, ana_cols) in enumerate(zip(numerical, analytical)):
        for j, (n, a) in enumerate(zip(num_cols, ana_cols)):
            if not np.allclose(a, n, rtol=rtol, atol=atol, equal_nan=True):
                if raise_exception:
                    raise GradcheckError(
                        f"Jacobian mismatch for output {j} with respect to input {i},\n"
                        f"numerical:{n}\nanalytical:{a}\n")
                return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False, masked=False):
    """gradcheck of the function (inputs, grad_outputs) -> gradients of ``func``."""
    from . import grad as autograd_grad
    from .._tensor import Tensor
    inputs = _as_tuple(inputs)
    outputs = _flat_outputs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(Tensor._make(rng.standard_normal(o._data.shape).astype(o._data.dtype))
                             .requires_grad_(True) for o in outputs)
    grad_outputs = _as_tuple(grad_outputs)
    n_in = len(inputs)

    def first_grads(*args):
        ins, gos = args[:n_in], args[n_in:]
        outs = _flat_outputs(func, ins)
        diff = _differentiable_inputs(ins)
        grads = autograd_grad(outs, diff, gos, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_grads, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
