"""PyTorch as the test oracle (in the style of tinygrad's helper_test_op).

One function ``fn(lib, *tensors)`` runs on both libraries (``lib`` is ``ember`` or ``torch``)
with tensors built from the same NumPy inputs. ``compare`` asserts shape and dtype first,
then values (tolerance chosen by dtype), then gradients separately: both sides backpropagate
the same random upstream gradient and every input's ``.grad`` is compared.
``assert_same_error`` checks both libraries raise the same exception type.
"""
import numpy as np
import torch

import ember

# Tolerances (rtol, atol) by result dtype. Float results may differ in the last bits
# (different summation orders, libm implementations), never more.
TOLERANCES = {
    "float64": (1e-9, 1e-11),
    "float32": (2e-5, 2e-6),
    "float16": (2e-3, 2e-3),
    "bfloat16": (1.6e-2, 1e-2),
}
GRAD_TOLERANCES = {
    "float64": (1e-8, 1e-10),
    "float32": (1e-4, 1e-5),
    "float16": (1e-2, 1e-2),
    "bfloat16": (5e-2, 5e-2),
}

LAYOUTS = ("contiguous", "transposed", "strided")


def seeded(seed=0):
    return np.random.default_rng(seed)


def randn(*shape, dtype=np.float64, seed=0, low=None, high=None):
    """Random NumPy input; ``low``/``high`` draw uniformly instead (for restricted domains)."""
    rng = seeded(seed)
    if low is not None:
        arr = rng.uniform(low, high, size=shape)
    else:
        arr = rng.standard_normal(size=shape)
    return np.asarray(arr).astype(dtype)


def _dtype_name(d):
    return str(d).replace("torch.", "")


def make_tensor(lib, arr, layout="contiguous", requires_grad=False, dtype=None):
    """A ``lib`` tensor holding ``arr``'s values with the given memory layout.

    ``transposed``: a transposed view of a contiguous tensor (ndim >= 2);
    ``strided``: every other element of a tensor twice as long in the last dim (ndim >= 1).
    The result is a leaf (it requires grad itself when asked), so ``.grad`` is comparable.
    """
    arr = np.asarray(arr)
    to_dtype = None if dtype is None else getattr(lib, dtype)
    if layout == "transposed" and arr.ndim >= 2:
        t = lib.tensor(np.ascontiguousarray(np.swapaxes(arr, -1, -2)), dtype=to_dtype).transpose(-1, -2)
    elif layout in ("strided", "transposed") and arr.ndim >= 1:
        big = np.zeros(arr.shape[:-1] + (arr.shape[-1] * 2,), arr.dtype)
        big[..., ::2] = arr
        t = lib.tensor(big, dtype=to_dtype)[..., ::2]
    else:
        t = lib.tensor(arr, dtype=to_dtype)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _is_float_dtype_name(name):
    return name in TOLERANCES


def to_numpy(t):
    """Values of an ember or torch tensor as a NumPy array (bfloat16 widened to float32)."""
    if isinstance(t, torch.Tensor):
        t = t.detach()
        if t.dtype == torch.bfloat16:
            t = t.float()
        return t.numpy()
    t = t.detach()
    if t.dtype == ember.bfloat16:
        t = t.float()
    return np.asarray(t.numpy())


def assert_tensors_match(e, t, rtol=None, atol=None, what="value", grad=False):
    """Same type, shape, dtype, then values (NaN positions must match too)."""
    assert isinstance(e, ember.Tensor), f"{what}: ember returned {type(e).__name__}, torch returned a Tensor"
    assert tuple(e.shape) == tuple(t.shape), f"{what}: shape {tuple(e.shape)} != torch's {tuple(t.shape)}"
    ename, tname = _dtype_name(e.dtype), _dtype_name(t.dtype)
    assert ename == tname, f"{what}: dtype {ename} != torch's {tname}"
    ev, tv = to_numpy(e), to_numpy(t)
    if _is_float_dtype_name(tname):
        table = GRAD_TOLERANCES if grad else TOLERANCES
        r, a = table[tname]
        np.testing.assert_allclose(ev, tv, rtol=r if rtol is None else rtol, atol=a if atol is None else atol,
                                   equal_nan=True, err_msg=what)
    else:
        np.testing.assert_array_equal(ev, tv, err_msg=what)


def assert_results_match(e, t, rtol=None, atol=None, what="output"):
    """Compare nested results: tensors, tuples/lists of them, Size, Python scalars."""
    if isinstance(t, torch.Tensor):
        assert_tensors_match(e, t, rtol, atol, what)
    elif isinstance(t, torch.Size):
        assert isinstance(e, ember.Size), f"{what}: expected ember.Size, got {type(e).__name__}"
        assert tuple(e) == tuple(t), f"{what}: {tuple(e)} != {tuple(t)}"
    elif isinstance(t, (tuple, list)):
        assert isinstance(e, (tuple, list)), f"{what}: expected a sequence, got {type(e).__name__}"
        assert len(e) == len(t), f"{what}: {len(e)} results, torch gave {len(t)}"
        for i, (ei, ti) in enumerate(zip(e, t)):
            assert_results_match(ei, ti, rtol, atol, f"{what}[{i}]")
    elif isinstance(t, float):
        assert isinstance(e, float), f"{what}: expected float, got {type(e).__name__}"
        np.testing.assert_allclose(e, t, rtol=1e-12, equal_nan=True, err_msg=what)
    else:
        assert type(e) is type(t), f"{what}: {type(e).__name__} != torch's {type(t).__name__}"
        assert e == t, f"{what}: {e!r} != {t!r}"


def _flat_tensors(result, lib):
    if isinstance(result, lib.Tensor):
        return [result]
    if isinstance(result, (tuple, list)):
        out = []
        for r in result:
            out.extend(_flat_tensors(r, lib))
        return out
    return []


def compare(fn, *inputs, grad=True, layouts=None, dtypes=None, rtol=None, atol=None, grad_rtol=None,
            grad_atol=None, seed=1234):
    """Run ``fn(lib, *tensors)`` on ember and torch from the same NumPy ``inputs`` and compare.

    Non-array inputs (Python scalars, None, tuples) are passed through unchanged.
    ``layouts``: one layout name per input (see ``make_tensor``), default contiguous.
    ``dtypes``: one dtype name (or None) per input, to build e.g. bfloat16 tensors.
    With ``grad``, floating inputs require grad and gradients are compared.
    Returns the (ember, torch) results.
    """
    layouts = layouts or ["contiguous"] * len(inputs)
    dtypes = dtypes or [None] * len(inputs)
    built = {}
    for lib in (ember, torch):
        args, leaves = [], []
        for arr, layout, dtype in zip(inputs, layouts, dtypes):
            if isinstance(arr, np.ndarray):
                is_float = arr.dtype.kind == "f" and dtype in (None, "float16", "bfloat16", "float32", "float64")
                t = make_tensor(lib, arr, layout, requires_grad=grad and is_float, dtype=dtype)
                args.append(t)
                if grad and is_float:
                    leaves.append(t)
            else:
                args.append(arr)
        built[lib] = (args, leaves, fn(lib, *args))
    e_out, t_out = built[ember][2], built[torch][2]
    assert_results_match(e_out, t_out, rtol, atol)
    if not grad:
        return e_out, t_out
    e_outs = _flat_tensors(e_out, ember)
    t_outs = _flat_tensors(t_out, torch)
    pairs = [(e, t) for e, t in zip(e_outs, t_outs) if t.requires_grad]
    assert len(pairs) == sum(1 for e in e_outs if e.requires_grad), "requires_grad of outputs differs"
    if not pairs:
        return e_out, t_out
    rng = seeded(seed)
    upstream = [rng.standard_normal(size=tuple(t.shape)) for _, t in pairs]
    torch.autograd.backward([t for _, t in pairs],
                            [torch.tensor(u, dtype=t.dtype) for u, (_, t) in zip(upstream, pairs)])
    ember.autograd.backward([e for e, _ in pairs],
                            [ember.tensor(u, dtype=e.dtype) for u, (e, _) in zip(upstream, pairs)])
    for i, (el, tl) in enumerate(zip(built[ember][1], built[torch][1])):
        if tl.grad is None:
            assert el.grad is None, f"grad of input {i}: ember has a gradient, torch has None"
            continue
        assert el.grad is not None, f"grad of input {i}: ember has None"
        assert_tensors_match(el.grad, tl.grad, grad_rtol, grad_atol, what=f"grad of input {i}", grad=True)
    return e_out, t_out


def compare_or_error(fn, *inputs, **kwargs):
    """``compare`` when torch accepts the call; when torch raises, ember must raise the same type."""
    try:
        args = [make_tensor(torch, a) if isinstance(a, np.ndarray) else a for a in inputs]
        dtypes = kwargs.get("dtypes") or [None] * len(inputs)
        args = [a.to(getattr(torch, d)) if d is not None else a for a, d in zip(args, dtypes)]
        fn(torch, *args)
    except Exception:  # noqa: BLE001 - torch refusing is the expected behaviour to match
        def build_and_call(lib):
            built = [make_tensor(lib, a, dtype=d) if isinstance(a, np.ndarray) else a
                     for a, d in zip(inputs, kwargs.get("dtypes") or [None] * len(inputs))]
            return fn(lib, *built)
        return assert_same_error(build_and_call)
    return compare(fn, *inputs, **kwargs)


def gradcheck(fn, *inputs, gradgrad=False, **kwargs):
    """Finite differences in float64 against ember's autograd for ``fn(ember, *tensors)``."""
    tensors = [ember.tensor(np.asarray(a, np.float64), requires_grad=True) if isinstance(a, np.ndarray)
               and a.dtype.kind == "f" else (ember.tensor(a) if isinstance(a, np.ndarray) else a) for a in inputs]
    assert ember.autograd.gradcheck(lambda *ts: fn(ember, *ts), tuple(tensors), **kwargs)
    if gradgrad:
        assert ember.autograd.gradgradcheck(lambda *ts: fn(ember, *ts), tuple(tensors), **kwargs)


def _builtin_base(exc_type):
    for cls in exc_type.__mro__:
        if cls.__module__ == "builtins":
            return cls
    return Exception


def assert_same_error(fn, match=None, torch_match=None):
    """``fn(lib)`` raises on torch and on ember, with the same exception type.

    ``match``: a fragment both messages must contain (``torch_match`` if torch's differs).
    Returns ember's exception for further checks.
    """
    try:
        fn(torch)
    except Exception as exc:  # noqa: BLE001 - any exception is the oracle
        torch_exc = exc
    else:
        raise AssertionError("torch did not raise; the test is wrong")
    try:
        fn(ember)
    except Exception as exc:  # noqa: BLE001
        ember_exc = exc
    else:
        raise AssertionError(f"ember did not raise; torch raised {type(torch_exc).__name__}: {torch_exc}")
    expected = _builtin_base(type(torch_exc))
    assert isinstance(ember_exc, expected), (
        f"ember raised {type(ember_exc).__name__}({ember_exc}), torch raised "
        f"{type(torch_exc).__name__}({torch_exc})")
    if match is not None:
        assert (torch_match or match) in str(torch_exc), f"torch's message changed: {torch_exc}"
        assert match in str(ember_exc), f"ember's message {str(ember_exc)!r} lacks {match!r}"
    return ember_exc


def broadcast_pairs():
    """Pairs of shapes that broadcast together (scalars, size-1 dims, rank differences)."""
    return [((3,), (3,)), ((2, 3), (3,)), ((2, 1), (1, 4)), ((), (2, 3)), ((4, 1, 3), (2, 1)),
            ((1,), (2, 2)), ((2, 3, 1), (3, 5))]
