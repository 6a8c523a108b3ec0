"""The autograd engine against PyTorch: accumulation, graph lifetime, grad modes, version counters,
views, hooks, higher-order gradients, custom Functions, autograd.functional."""
import gc
import weakref

import numpy as np
import pytest
import torch

import ember
from oracle import assert_results_match, assert_same_error, assert_tensors_match, compare, randn

A = randn(3, 4)
B = randn(3, 4, seed=7)


def _both(fn):
    """Run ``fn(lib)`` on ember and torch and compare the (nested) results."""
    assert_results_match(fn(ember), fn(torch))


# --- accumulation and graph lifetime --------------------------------------------------------

def test_gradients_accumulate_into_leaves():
    def fn(lib):
        x = lib.tensor(A, requires_grad=True)
        (x * 2).sum().backward()
        (x * x).sum().backward()
        return x.grad
    _both(fn)


def test_leaf_used_twice_sums_gradients():
    def fn(lib):
        x = lib.tensor(A, requires_grad=True)
        y = x * x.exp() + x.sin() * x
        y.sum().backward()
        return x.grad
    _both(fn)


def test_retain_graph_allows_second_backward():
    def fn(lib):
        x = lib.tensor(A, requires_grad=True)
        y = (x.exp() * x).sum()
        y.backward(retain_graph=True)
        y.backward()
        return x.grad
    _both(fn)


def test_second_backward_through_freed_graph_raises():
    def fn(lib):
        x = lib.tensor(A, requires_grad=True)
        y = (x.exp() * x).sum()
        y.backward()
        y.backward()
    assert_same_error(fn, match="Trying to backward through the graph a second time")


def test_deep_chain_backpropagates_without_recursion_error():
    x = ember.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad.item() == 1.0


def test_training_loop_leaves_no_reference_cycles():
    gc.collect()
    gc.disable()
    try:
        w = ember.tensor(randn(8, 4), requires_grad=True)
        data = ember.tensor(randn(16, 8))
        refs = []
        for _ in range(20):
            h = (data @ w).tanh()
            loss = (h * h).mean()
            loss.backward()
            refs.append(weakref.ref(loss.grad_fn))
            with ember.no_grad():
                w -= 0.1 * w.grad
            w.grad = None
            del h, loss
        collected = gc.collect()
    finally:
        gc.enable()
    assert collected == 0, f"{collected} objects were only freeable by the cycle collector"
    assert all(r() is None for r in refs), "graph nodes outlived their outputs"


def test_graph_is_freed_when_output_dies():
    x = ember.tensor(A, requires_grad=True)
    y = (x * 2).exp()
    node = weakref.ref(y.grad_fn)
    del y
    assert node() is None


# --- grad modes -------------------------------------------------------------------------------

def test_no_grad_builds_no_graph():
    def fn(lib):
        x = lib.tensor(A, requires_grad=True)
        with lib.no_grad():
            y = x * 2
        return y.requires_grad, y.grad_fn is None, lib.is_grad_enabled()
    _both(fn)


@pytest.mark.parametrize("mode", ["no_grad", "enable_grad", "set_grad_enabled_false", "inference_mode"])
def test_grad_mode_context_managers_and_decorators(mode):
    def fn(lib):
        make = {"no_grad": lambda: lib.no_grad(), "enable_grad": lambda: lib.enable_grad(),
                "set_grad_enabled_false": lambda: lib.set_grad_enabled(False),
                "inference_mode": lambda: lib.inference_mode()}[mode]
        x = lib.tensor(A, requires_grad=True)
        results = []
        with lib.no_grad():
            with make():
                results.append((x * 2).requires_grad)
        with make():
            results.append((x * 2).requires_grad)
        results.append(lib.is_grad_enabled())

        @make()
        def decorated(t):
            return (t * 2).requires_grad, lib.is_grad_enabled()
        results.append(decorated(x))
        results.append(lib.is_grad_enabled())
        return results
    _both(fn)


def test_set_grad_enabled_as_function_call():
    def fn(lib):
        lib.set_grad_enabled(False)
        try:
            x = lib.tensor(A, requires_grad=True)
            off = (x * 2).requires_grad
        finally:
            lib.set_grad_enabled(True)
        return off, (x * 2).requires_grad
    _both(fn)


def test_inference_mode_flags():
    def fn(lib):
        with lib.inference_mode():
            inside = lib.is_inference_mode_enabled()
        return inside, lib.is_inference_mode_enabled()
    _both(fn)


# --- version counters and in-place ------------------------------------------------------------

def test_modifying_saved_tensor_raises_with_torch_message():
    def fn(lib):
        a = lib.tensor(A, requires_grad=True)
        b = a * 1
        c = b * b
        b.add_(1)
        c.sum().backward()
    err = assert_same_error(fn, match="one of the variables needed for gradient computation has been modified "
                                      "by an inplace operation: [torch.DoubleTensor [3, 4]], which is output 0 "
                                      "of Add, is at version 1; expected version 0 instead. Hint: enable anomaly "
                                      "detection")
    assert "is at version 1" in str(err)


def test_modifying_saved_leaf_input_raises_with_torch_message():
    def fn(lib):
        a = lib.tensor(A, requires_grad=True)
        w = lib.tensor(B)
        c = a * w
        w.add_(1)
        c.sum().backward()
    assert_same_error(fn, match="[torch.DoubleTensor [3, 4]] is at version 1; expected version 0 instead.")


def test_modifying_saved_output_raises():
    def fn(lib):
        a = lib.tensor(A, requires_grad=True)
        b = a.exp()
        b.mul_(2)
        b.sum().backward()
    assert_same_error(fn, match="[torch.DoubleTensor [3, 4]], which is output 0 of Exp, is at version 1; expected "
                                "version 0 instead.")


def test_inplace_on_view_of_saved_output_raises():
    def fn(lib):
        x = lib.tensor(A, requires_grad=True).exp()
        x[:, 1:3].mul_(2)
        x.sum().backward()
    assert_same_error(fn, match="modified by an inplace operation")


def test_inplace_on_leaf_requiring_grad_raises():
    assert_same_error(lambda lib: lib.tensor(A, requires_grad=True).add_(1),
                      match="a leaf Variable that requires grad is being used in an in-place operation.")


def test_inplace_on_view_of_leaf_requiring_grad_raises():
    assert_same_error(lambda lib: lib.tensor(A, requires_grad=True)[0].mul_(2),
                      match="a view of a leaf Variable that requires grad is being used in an in-place operation.")


def test_inplace_under_no_grad_on_leaf_is_allowed():
    def fn(lib):
        x = lib.tensor(A, requires_grad=True)
        with lib.no_grad():
            x.mul_(2)
        return x.detach(), x.requires_grad, x.is_leaf
    _both(fn)


def test_views_share_memory_and_version_counter():
    def fn(lib):
        x = lib.tensor(A)
        v = x[1:, ::2]
        t = x.t()
        v.mul_(0)
        return x, t._version, v._version, x._version, v._base is x, t._base is x
    _both(fn)


def test_inplace_through_view_of_nonleaf_updates_base_gradient():
    def run(lib, a, y):
        x = a * 1
        x[0] = y[0]
        return x
    compare(run, A, B)


def test_inplace_op_on_view_then_use_base():
    def run(lib, a, y):
        x = a * 2
        v = x[:, 1:3]
        v.mul_(y[:, :2])
        v.add_(1)
        return x.sin(), v
    compare(run, A, B)


def test_inplace_on_view_of_view():
    def run(lib, a, y):
        x = a * 2
        v = x.t()[1:3]
        v[0].sub_(y[0, :3])
        return x
    compare(run, A, B)


def test_inplace_chain_grad_fn_names():
    def fn(lib):
        x = lib.tensor(A, requires_grad=True) * 1
        x.add_(1)
        y = x.exp_()
        return x.grad_fn.name(), y is x
    _both(fn)


def test_version_counter_increments_like_torch():
    def fn(lib):
        x = lib.tensor(A)
        versions = [x._version]
        x.add_(1)
        versions.append(x._version)
        x[0] = 3.0
        versions.append(x._version)
        x.zero_()
        versions.append(x._version)
        return versions
    _both(fn)


# --- higher order, grad(), inputs= ------------------------------------------------------------

def test_create_graph_second_derivative():
    def fn(lib):
        x = lib.tensor(A, requires_grad=True)
        y = (x ** 3 * x.sin()).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x)
        return g.detach(), gg
    _both(fn)


def test_backward_create_graph_then_grad_of_grad():
    def fn(lib):
        x = lib.tensor(A, requires_grad=True)
        (x.tanh() * x).sum().backward(create_graph=True)
        g = x.grad
        x.grad = None
        (g * g).sum().backward()
        return g.requires_grad, x.grad
    _both(fn)


def test_autograd_grad_allow_unused_and_grad_outputs():
    def fn(lib):
        x = lib.tensor(A, requires_grad=True)
        z = lib.tensor(B, requires_grad=True)
        y = x * 3
        gx, gz = lib.autograd.grad(y, (x, z), grad_outputs=lib.tensor(B), allow_unused=True)
        return gx, gz, x.grad
    _both(fn)


def test_autograd_grad_unused_without_allow_unused_raises():
    def fn(lib):
        x = lib.tensor(A, requires_grad=True)
        z = lib.tensor(B, requires_grad=True)
        lib.autograd.grad((x * 2).sum(), (x, z))
    assert_same_error(fn, match="appears to not have been used in the graph")


def test_autograd_grad_materialize_grads():
    def fn(lib):
        x = lib.tensor(A, requires_grad=True)
        z = lib.tensor(B, requires_grad=True)
        return lib.autograd.grad((x * 2).sum(), (x, z), materialize_grads=True)
    _both(fn)


def test_backward_inputs_limits_accumulation():
    def fn(lib):
        x = lib.tensor(A, requires_grad=True)
        z = lib.tensor(B, requires_grad=True)
        (x * z).sum().backward(inputs=[z])
        return x.grad, z.grad
    _both(fn)


def test_backward_with_gradient_argument():
    def fn(lib):
        x = lib.tensor(A, requires_grad=True)
        (x * 2).backward(lib.tensor(B))
        return x.grad
    _both(fn)


def test_retain_grad_on_nonleaf():
    def fn(lib):
        x = lib.tensor(A, requires_grad=True)
        y = x * 2
        y.retain_grad()
        z = y.exp()
        z.sum().backward()
        return y.grad, y.retains_grad, z.grad, x.grad
    with pytest.warns(UserWarning):  # torch warns on .grad of a non-leaf without retain_grad
        fn(torch)
    assert_tensors_match(fn(ember)[0], fn(torch)[0])
    e, t = fn(ember), fn(torch)
    assert e[1] == t[1] and e[2] is None and t[2] is None
    assert_tensors_match(e[3], t[3])


# --- hooks ------------------------------------------------------------------------------------

def test_register_hook_on_leaf_and_nonleaf_and_remove():
    def fn(lib):
        seen = []
        x = lib.tensor(A, requires_grad=True)
        y = x * 2
        h1 = x.register_hook(lambda g: g * 10)
        h2 = y.register_hook(lambda g: seen.append(g.clone()))
        h3 = y.register_hook(lambda g: g + 1)
        y.sum().backward(retain_graph=True)
        first = x.grad.clone()
        h1.remove()
        h2.remove()
        h3.remove()
        x.grad = None
        y.sum().backward()
        return first, x.grad, seen
    _both(fn)


def test_hook_on_tensor_without_grad_raises():
    assert_same_error(lambda lib: lib.tensor(A).register_hook(lambda g: g),
                      match="cannot register a hook on a tensor that doesn't require gradient")


def test_post_accumulate_grad_hook():
    def fn(lib):
        calls = []
        x = lib.tensor(A, requires_grad=True)
        x.register_post_accumulate_grad_hook(lambda t: calls.append(t.grad.clone()))
        (x * 3).sum().backward()
        return calls
    _both(fn)


def test_grad_fn_hooks_and_prehooks():
    def fn(lib):
        seen = []
        x = lib.tensor(A, requires_grad=True)
        y = x.exp()
        y.grad_fn.register_prehook(lambda grad_outputs: seen.append(grad_outputs[0].clone()))
        y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: seen.append(grad_inputs[0].clone()))
        y.sum().backward()
        return seen
    _both(fn)


# --- detach, grad_fn structure ----------------------------------------------------------------

def test_detach_and_detach_():
    def fn(lib):
        x = lib.tensor(A, requires_grad=True)
        y = x * 2
        d = y.detach()
        d2 = (x * 3).detach_()
        d[0, 0] = 100.0  # detach shares memory with y
        return y.detach(), d.requires_grad, d2.requires_grad, d2.is_leaf, d._version == y._version
    _both(fn)


def test_grad_fn_name_and_next_functions():
    def fn(lib):
        x = lib.tensor(A, requires_grad=True)
        w = lib.tensor(B[:, :2].copy(), requires_grad=True)
        y = (x.t() @ w).relu().sum()
        names = []
        node = y.grad_fn
        while node is not None:
            names.append(node.name())
            nexts = [n for n, _ in node.next_functions if n is not None]
            node = nexts[0] if nexts else None
        acc = (x * 2).grad_fn.next_functions[0][0]
        return names, acc.name(), acc.variable is x, len((x * w[:, :1]).grad_fn.next_functions)
    _both(fn)


def test_requires_grad_propagation_and_is_leaf():
    def fn(lib):
        x = lib.tensor(A, requires_grad=True)
        c = lib.tensor(B)
        y = x + c
        return y.requires_grad, y.is_leaf, c.is_leaf, (c * 2).requires_grad, (x > 0).requires_grad
    _both(fn)


# --- custom Function --------------------------------------------------------------------------

def _make_custom(lib):
    class ScaledExp(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, scale, flag):
            y = (x * scale).exp()
            ctx.save_for_backward(x, y)
            ctx.scale = scale
            return y, (x > 0)

        @staticmethod
        def backward(ctx, gy, gmask):
            x, y = ctx.saved_tensors
            return gy * y * ctx.scale, None, None

    return ScaledExp


def test_custom_function_forward_backward():
    def fn(lib):
        x = lib.tensor(A, requires_grad=True)
        y, mask = _make_custom(lib).apply(x, 0.5, True)
        (y * y).sum().backward()
        return y.detach(), mask, x.grad, y.grad_fn.name(), mask.requires_grad
    _both(fn)


def test_custom_function_needs_input_grad_and_non_differentiable():
    def fn(lib):
        seen = {}

        class F(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a, b):
                out = a * b
                idx = (a > 0).to(a.dtype)
                ctx.mark_non_differentiable(idx)
                ctx.save_for_backward(a, b)
                return out, idx

            @staticmethod
            def backward(ctx, g, gidx):
                seen["needs"] = ctx.needs_input_grad
                a, b = ctx.saved_tensors
                return g * b if ctx.needs_input_grad[0] else None, g * a if ctx.needs_input_grad[1] else None

        a = lib.tensor(A, requires_grad=True)
        b = lib.tensor(B)
        out, idx = F.apply(a, b)
        out.sum().backward()
        return a.grad, idx.requires_grad, seen["needs"]
    _both(fn)


def test_custom_function_set_materialize_grads():
    def fn(lib):
        got = []

        class Two(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.set_materialize_grads(False)
                return x * 2, x * 3

            @staticmethod
            def backward(ctx, g1, g2):
                got.append(g2 is None)
                return g1 * 2

        x = lib.tensor(A, requires_grad=True)
        a, _ = Two.apply(x)
        a.sum().backward()
        return got, x.grad
    _both(fn)


def test_custom_function_once_differentiable():
    def fn(lib):
        class Sq(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            @lib.autograd.function.once_differentiable
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return 2 * x * g

        x = lib.tensor(A, requires_grad=True)
        (g,) = lib.autograd.grad(Sq.apply(x).sum(), x, create_graph=True)
        return g.detach(), g.requires_grad
    _both(fn)


def test_custom_function_wrong_number_of_grads_raises():
    def fn(lib):
        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                return x * y

            @staticmethod
            def backward(ctx, g):
                return (g,)

        x = lib.tensor(A, requires_grad=True)
        Bad.apply(x, x).sum().backward()
    assert_same_error(fn, match="returned an incorrect number of gradients")


def test_custom_function_setup_context_style():
    def fn(lib):
        class Mul(lib.autograd.Function):
            @staticmethod
            def forward(x, y):
                return x * y

            @staticmethod
            def setup_context(ctx, inputs, output):
                ctx.save_for_backward(*inputs)

            @staticmethod
            def backward(ctx, g):
                x, y = ctx.saved_tensors
                return g * y, g * x

        x = lib.tensor(A, requires_grad=True)
        y = lib.tensor(B, requires_grad=True)
        Mul.apply(x, y).sum().backward()
        return x.grad, y.grad
    _both(fn)


# --- gradcheck and autograd.functional -------------------------------------------------------

def test_gradcheck_signatures():
    x = ember.tensor(randn(2, 3), requires_grad=True)
    assert ember.autograd.gradcheck(lambda t: (t * t).sin(), (x,), eps=1e-6, atol=1e-5, rtol=1e-3)
    assert ember.autograd.gradcheck(lambda t: t.exp(), x)
    assert ember.autograd.gradgradcheck(lambda t: (t * t).sin(), (x,))
    assert ember.autograd.gradcheck(lambda t: t.exp(), (x,), raise_exception=False, fast_mode=False)


def test_gradcheck_detects_wrong_gradient():
    class Wrong(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 3

    x = ember.tensor(randn(3), requires_grad=True)
    assert ember.autograd.gradcheck(Wrong.apply, (x,), raise_exception=False) is False
    with pytest.raises(RuntimeError):
        ember.autograd.gradcheck(Wrong.apply, (x,))


@pytest.mark.parametrize("what", ["jacobian", "hessian", "vjp", "jvp", "hvp", "vhp", "jacobian_multi"])
def test_autograd_functional_matches_torch(what):
    def fn(lib):
        F = lib.autograd.functional
        x = lib.tensor(randn(3))
        y = lib.tensor(randn(3, seed=2))
        v = lib.tensor(randn(3, seed=3))
        f_vec = lambda a: a.sin() * a.exp()  # noqa: E731
        f_scalar = lambda a: (a.sin() * a * a).sum()  # noqa: E731
        if what == "jacobian":
            return F.jacobian(f_vec, x)
        if what == "jacobian_multi":
            return F.jacobian(lambda a, b: a * b.exp(), (x, y))
        if what == "hessian":
            return F.hessian(f_scalar, x)
        if what == "vjp":
            return F.vjp(f_vec, x, v)
        if what == "jvp":
            return F.jvp(f_vec, x, v)
        if what == "hvp":
            return F.hvp(f_scalar, x, v)
        return F.vhp(f_scalar, x, v)
    _both(fn)


def test_backward_on_int_output_and_no_grad_errors():
    assert_same_error(lambda lib: lib.tensor(A).sum().backward(),
                      match="element 0 of tensors does not require grad and does not have a grad_fn")
    assert_same_error(lambda lib: (lib.tensor(A, requires_grad=True) * 2).backward(),
                      match="grad can be implicitly created only for scalar outputs")
    assert_same_error(lambda lib: lib.autograd.grad((lib.tensor(A, requires_grad=True) * 2).sum(), lib.tensor(A)),
                      match="One of the differentiated Tensors does not require grad")
    assert_same_error(lambda lib: (lib.tensor(A, requires_grad=True) * 2).backward(lib.ones(2)),
                      match="Mismatch in shape")


def test_grad_attribute_assignment_checks():
    def wrong_shape(lib):
        x = lib.tensor(A, requires_grad=True)
        x.grad = lib.zeros(2, dtype=lib.float64)

    def wrong_dtype(lib):
        x = lib.tensor(A, requires_grad=True)
        x.grad = lib.zeros(3, 4)
    assert_same_error(wrong_shape, match="attempting to assign a gradient of size '[2]' to a tensor of size '[3, 4]'")
    assert_same_error(wrong_dtype, match="attempting to assign a gradient with dtype 'float' to a tensor with "
                                         "grad_dtype 'Double'")
    assert_same_error(lambda lib: setattr(lib.zeros(2, requires_grad=True), "grad", 3),
                      match="assigned grad expected to be a Tensor or None but got grad of type int")


def test_zero_grad_patterns():
    def fn(lib):
        x = lib.tensor(A, requires_grad=True)
        (x * 2).sum().backward()
        x.grad.zero_()
        (x * 3).sum().backward()
        return x.grad
    _both(fn)


def test_gradient_accumulation_does_not_alias_user_tensors():
    def fn(lib):
        x = lib.tensor(A, requires_grad=True)
        g = lib.tensor(B)
        (x * 1).backward(g)
        (x * 1).backward(g)
        return x.grad, g
    _both(fn)


def test_numpy_shares_memory_and_refuses_requires_grad():
    x = ember.tensor(A)
    arr = x.numpy()
    arr[0, 0] = 42.0
    assert x[0, 0].item() == 42.0
    assert_same_error(lambda lib: lib.tensor(A, requires_grad=True).numpy(), match="Can't call numpy()")
    np.testing.assert_array_equal(ember.tensor(A, requires_grad=True).detach().numpy(), A)
