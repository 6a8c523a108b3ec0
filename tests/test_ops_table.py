"""Creation functions, dtype inference and conversion, tensor attributes and repr, against PyTorch.
(The op tables for pointwise, shape, indexing and linalg ops live in test_ops_<family>.py.)"""
import copy

import numpy as np
import pytest
import torch

import ember
from oracle import assert_results_match, assert_same_error, compare, randn

CREATION = {
    "tensor_float_list": lambda lib: lib.tensor([[1.0, 2.5], [3.0, -4.0]]),
    "tensor_int_list": lambda lib: lib.tensor([1, 2, 3]),
    "tensor_bool_list": lambda lib: lib.tensor([True, False]),
    "tensor_mixed_list": lambda lib: lib.tensor([1, 2.5, True]),
    "tensor_scalar": lambda lib: lib.tensor(3.5),
    "tensor_int_scalar": lambda lib: lib.tensor(7),
    "tensor_empty": lambda lib: lib.tensor([]),
    "tensor_nested_empty": lambda lib: lib.tensor([[], []]),
    "tensor_dtype": lambda lib: lib.tensor([1, 2], dtype=lib.float16),
    "tensor_from_tensors": lambda lib: lib.tensor([lib.tensor(1.5), lib.tensor(2.0)]),
    "tensor_np_float32": lambda lib: lib.tensor(np.array([1.5, 2.5], np.float32)),
    "tensor_np_int32": lambda lib: lib.tensor(np.array([1, 2], np.int32)),
    "tensor_np_scalar": lambda lib: lib.tensor(np.float64(2.5)),
    "tensor_big_int": lambda lib: lib.tensor([2 ** 40, -3]),
    "as_tensor": lambda lib: lib.as_tensor([1.0, 2.0], dtype=lib.float64),
    "zeros": lambda lib: lib.zeros(2, 3),
    "zeros_tuple": lambda lib: lib.zeros((2, 3), dtype=lib.int32),
    "zeros_size": lambda lib: lib.zeros(lib.Size([2, 1])),
    "ones": lambda lib: lib.ones(3, dtype=lib.bool),
    "full_float": lambda lib: lib.full((2, 2), 1.5),
    "full_int": lambda lib: lib.full((2, 2), 7),
    "full_bool": lambda lib: lib.full((2,), True),
    "empty_shape": lambda lib: lib.empty(2, 0, 3).shape,
    "zeros_like": lambda lib: lib.zeros_like(lib.ones(2, 3, dtype=lib.int16)),
    "ones_like_dtype": lambda lib: lib.ones_like(lib.ones(2, 3), dtype=lib.float64),
    "full_like": lambda lib: lib.full_like(lib.ones(2, dtype=lib.int64), 2.7),
    "empty_like_shape": lambda lib: (lib.empty_like(lib.ones(4, 1)).shape, str(lib.empty_like(lib.ones(4, 1)).dtype)),
    "arange_int": lambda lib: lib.arange(5),
    "arange_start_stop_step": lambda lib: lib.arange(1, 10, 3),
    "arange_float": lambda lib: lib.arange(0, 1, 0.1),
    "arange_neg_step": lambda lib: lib.arange(5, -3, -2.5),
    "arange_dtype": lambda lib: lib.arange(4, dtype=lib.float64),
    "linspace": lambda lib: lib.linspace(-1, 1, 7),
    "linspace_one": lambda lib: lib.linspace(2, 5, 1),
    "linspace_int_dtype": lambda lib: lib.linspace(0, 10, 4, dtype=lib.int64),
    "logspace": lambda lib: lib.logspace(0, 3, 4),
    "logspace_base2": lambda lib: lib.logspace(0, 4, 5, base=2.0),
    "eye": lambda lib: lib.eye(3),
    "eye_rect": lambda lib: lib.eye(2, 4, dtype=lib.int64),
    "tril": lambda lib: lib.tril(lib.arange(12).reshape(3, 4)),
    "tril_k": lambda lib: lib.arange(12.0).reshape(3, 4).tril(-1),
    "triu": lambda lib: lib.triu(lib.arange(12).reshape(3, 4), 1),
    "triu_batched": lambda lib: lib.arange(24.0).reshape(2, 3, 4).triu(),
    "diag_vec": lambda lib: lib.diag(lib.tensor([1.0, 2.0, 3.0])),
    "diag_vec_offset": lambda lib: lib.diag(lib.tensor([1, 2]), -1),
    "diag_mat": lambda lib: lib.diag(lib.arange(12.0).reshape(3, 4), 1),
    "meshgrid_ij": lambda lib: lib.meshgrid(lib.arange(3.0), lib.arange(2.0), indexing="ij"),
    "meshgrid_three": lambda lib: lib.meshgrid(lib.arange(3), lib.arange(2), lib.arange(4), indexing="xy"),
    "meshgrid_xy": lambda lib: lib.meshgrid(lib.arange(3), lib.arange(2), indexing="xy"),
    "scalar_tensor": lambda lib: lib.scalar_tensor(3),
}


@pytest.mark.parametrize("name", sorted(CREATION))
def test_creation_matches_torch(name):
    assert_results_match(CREATION[name](ember), CREATION[name](torch))


ALL_DTYPES = ["float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool"]


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_creation_with_every_dtype(dtype):
    for fn in (lambda lib: lib.zeros(2, dtype=getattr(lib, dtype)),
               lambda lib: lib.ones(2, 2, dtype=getattr(lib, dtype)),
               lambda lib: lib.tensor([1, 0, 1], dtype=getattr(lib, dtype)),
               lambda lib: lib.arange(3, dtype=getattr(lib, dtype)) if dtype != "bool" else lib.zeros(1),
               lambda lib: lib.full((2,), 1, dtype=getattr(lib, dtype)),
               lambda lib: lib.eye(2, dtype=getattr(lib, dtype))):
        assert_results_match(fn(ember), fn(torch))


def test_requires_grad_creation_and_leafness():
    for fn in (lambda lib: lib.zeros(2, requires_grad=True), lambda lib: lib.tensor([1.0], requires_grad=True),
               lambda lib: lib.ones_like(lib.ones(2), requires_grad=True),
               lambda lib: lib.linspace(0, 1, 3, requires_grad=True)):
        e, t = fn(ember), fn(torch)
        assert (e.requires_grad, e.is_leaf, e.grad_fn) == (t.requires_grad, t.is_leaf, None)


def test_default_dtype_changes_inference():
    try:
        for lib in (ember, torch):
            lib.set_default_dtype(lib.float64)
        assert_results_match(ember.tensor([1.5]), torch.tensor([1.5]))
        assert_results_match(ember.zeros(2), torch.zeros(2))
        assert_results_match(ember.arange(0, 1, 0.5), torch.arange(0, 1, 0.5))
        assert_results_match(ember.tensor([1]) / 2, torch.tensor([1]) / 2)
    finally:
        for lib in (ember, torch):
            lib.set_default_dtype(lib.float32)


def test_from_numpy_shares_memory_and_keeps_dtype():
    arr = np.arange(6, dtype=np.int32).reshape(2, 3)
    t = ember.from_numpy(arr)
    assert t.dtype == ember.int32
    arr[0, 0] = 100
    assert t[0, 0].item() == 100
    t[1, 1] = -5
    assert arr[1, 1] == -5
    assert np.shares_memory(t.numpy(), arr)
    assert ember.as_tensor(arr).data_ptr() == t.data_ptr()


def test_numpy_and_array_protocol():
    t = ember.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert np.shares_memory(t.numpy(), t.numpy())
    np.testing.assert_array_equal(np.asarray(t), [[1, 2], [3, 4]])
    assert np.asarray(t, dtype=np.float64).dtype == np.float64
    np.testing.assert_array_equal(np.array(t.T), np.array(torch.tensor([[1.0, 2.0], [3.0, 4.0]]).T))


def test_dlpack_round_trip_shares_memory():
    t = ember.arange(6.0).reshape(2, 3)
    back = ember.from_dlpack(t)
    back[0, 0] = 42.0
    assert t[0, 0].item() == 42.0
    as_np = np.from_dlpack(t)
    assert np.shares_memory(as_np, t.numpy())
    from_torch = ember.from_dlpack(torch.arange(4.0))
    assert from_torch.tolist() == [0.0, 1.0, 2.0, 3.0]
    to_torch = torch.from_dlpack(t)
    assert to_torch.tolist() == t.tolist()
    assert t.__dlpack_device__() == (1, 0)


# --- conversions ---------------------------------------------------------------------------------
CONVERSIONS = {
    "float": lambda lib, x: x.float(), "double": lambda lib, x: x.double(), "half": lambda lib, x: x.half(),
    "bfloat16": lambda lib, x: x.bfloat16(), "long": lambda lib, x: x.long(), "int": lambda lib, x: x.int(),
    "short": lambda lib, x: x.short(), "char": lambda lib, x: x.char(), "byte": lambda lib, x: x.byte(),
    "bool": lambda lib, x: x.bool(), "to_dtype": lambda lib, x: x.to(lib.float16),
    "to_kw": lambda lib, x: x.to(dtype=lib.int32), "to_tensor": lambda lib, x: x.to(lib.zeros(1, dtype=lib.int64)),
    "to_device_dtype": lambda lib, x: x.to("cpu", lib.float64), "type_str": lambda lib, x: x.type("torch.IntTensor"),
    "type_dtype": lambda lib, x: x.type(lib.float64), "type_query": lambda lib, x: x.type(),
    "type_as": lambda lib, x: x.type_as(lib.zeros(1, dtype=lib.int16)),
}


@pytest.mark.parametrize("name", sorted(CONVERSIONS))
def test_conversions_match_torch(name):
    x = np.array([[-2.7, 0.0, 1.5], [3.9, -0.4, 300.0]])
    compare(CONVERSIONS[name], x, grad=False)


def test_conversion_backward_casts_gradient():
    compare(lambda lib, x: (x.float() * 2).double() * x, randn(3))
    compare(lambda lib, x: x.to(lib.float32).exp(), randn(3))


def test_to_same_dtype_returns_self_and_copy_flag():
    for lib in (ember, torch):
        x = lib.ones(2)
        assert x.to(lib.float32) is x
        assert x.to(lib.float32, copy=True) is not x
        assert x.float() is x


# --- attributes ----------------------------------------------------------------------------------

def test_size_shape_and_stride():
    for lib in (ember, torch):
        x = lib.zeros(2, 3, 4)
        assert isinstance(x.shape, lib.Size) and isinstance(x.size(), lib.Size)
    e, t = ember.zeros(2, 3, 4), torch.zeros(2, 3, 4)
    assert e.size(1) == t.size(1) and e.size(-1) == t.size(-1)
    assert e.stride() == t.stride() and e.stride(0) == t.stride(0)
    assert e.transpose(0, 2).stride() == t.transpose(0, 2).stride()
    assert repr(e.shape) == repr(t.shape) and str(e.size()) == str(t.size())
    assert e.shape == (2, 3, 4) and e.shape.numel() == t.shape.numel()
    assert (e.dim(), e.ndim, e.numel(), e.nelement(), e.element_size()) == \
           (t.dim(), t.ndim, t.numel(), t.nelement(), t.element_size())
    assert_results_match(e.shape[1:], t.shape[1:])


def test_item_tolist_len_iter_bool():
    x = np.array([[1.5, -2.0], [3.25, 4.0]])
    compare(lambda lib, t: (t[0, 1].item(), t.tolist(), len(t), [r for r in t], bool(t[0, 0]),
                            float(t[1, 0]), int(t[1, 1]), t.int().tolist(), t.bool().tolist()), x, grad=False)
    compare(lambda lib, t: lib.tensor(5).item(), x, grad=False)
    assert_same_error(lambda lib: lib.zeros(2).item(), match="a Tensor with 2 elements cannot be converted to Scalar")
    assert_same_error(lambda lib: bool(lib.zeros(2)),
                      match="Boolean value of Tensor with more than one value is ambiguous")
    assert_same_error(lambda lib: len(lib.tensor(1.0)), match="len() of a 0-d tensor")
    assert_same_error(lambda lib: iter(lib.tensor(1.0)), match="iteration over a 0-d tensor")


def test_index_protocol():
    for lib in (ember, torch):
        assert [10, 20, 30][lib.tensor(1)] == 20
        assert list(range(5))[lib.tensor(1):lib.tensor(3)] == [1, 2]
    assert_same_error(lambda lib: [1, 2][lib.tensor(1.0)])
    assert_same_error(lambda lib: [1, 2][lib.tensor([0, 1])])


@pytest.mark.parametrize("spec", ["", ".3f", "8.2f", ".2e", "", ">10"])
def test_format_matches_torch(spec):
    for make in (lambda lib: lib.tensor(3.14159), lambda lib: lib.tensor(7), lambda lib: lib.tensor([2.5])):
        e, t = make(ember), make(torch)
        try:
            expected = format(t, spec)
        except Exception:  # noqa: BLE001
            assert_same_error(lambda lib: format(make(lib), spec))
            continue
        assert format(e, spec) == expected
    assert f"{ember.tensor([1.0, 2.0])}" == f"{torch.tensor([1.0, 2.0])}"


def test_contiguous_clone_copy_and_data():
    def fn(lib, x):
        t = x.t()
        c = t.contiguous()
        d = x.clone()
        d.copy_(lib.ones(2) * 5)
        e = x.data
        return t.is_contiguous(), c.is_contiguous(), c, d, e.requires_grad, x.clone().requires_grad, \
            x.clone().grad_fn is not None, x.T, x.mT
    compare(fn, randn(2, 3).reshape(3, 2).T.copy().T)


def test_copy_between_dtypes_and_broadcast():
    def run(lib, a, b):
        x = a * 1
        x.copy_(b)
        y = lib.zeros(3, 2, dtype=lib.int64)
        y.copy_(lib.tensor([1.7, -2.7]))
        return x, y
    compare(run, randn(3, 2), randn(2, seed=4))


def test_data_assignment_and_detached_version():
    def fn(lib):
        x = lib.ones(3, requires_grad=True)
        x.data = lib.zeros(3)
        d = x.data
        d.add_(1)
        return x.detach(), x.requires_grad, x._version
    assert_results_match(fn(ember), fn(torch))


def test_deepcopy_of_leaf():
    for lib in (ember, torch):
        x = lib.ones(2, requires_grad=True)
        x.grad = lib.full((2,), 3.0)
        y = copy.deepcopy(x)
        assert y.requires_grad and y.grad.tolist() == [3.0, 3.0] and y.data_ptr() != x.data_ptr()


# --- repr ----------------------------------------------------------------------------------------
REPRS = {
    "float_vec": lambda lib: lib.tensor([1.0, 2.5, -3.0]),
    "int_mat": lambda lib: lib.arange(6).reshape(2, 3),
    "bool": lambda lib: lib.tensor([True, False]),
    "scalar": lambda lib: lib.tensor(3.14159),
    "empty": lambda lib: lib.zeros(0, 3),
    "float64": lambda lib: lib.tensor([1.0, 2.0], dtype=lib.float64),
    "float16": lambda lib: lib.tensor([1.0, 2.5], dtype=lib.float16),
    "bfloat16": lambda lib: lib.tensor([1.0, 2.5], dtype=lib.bfloat16),
    "int32": lambda lib: lib.tensor([1, 2], dtype=lib.int32),
    "sci": lambda lib: lib.tensor([1e-8, 1.0, 1e8]),
    "large": lambda lib: lib.arange(2000.0),
    "nan_inf": lambda lib: lib.tensor([float("nan"), float("inf"), -1.5]),
    "requires_grad": lambda lib: lib.ones(2, requires_grad=True),
    "grad_fn_add": lambda lib: lib.ones(2, requires_grad=True) + 1,
    "grad_fn_mul": lambda lib: lib.ones(2, 2, requires_grad=True) * 2,
    "grad_fn_mm": lambda lib: lib.ones(2, 2, requires_grad=True) @ lib.ones(2, 2),
    "grad_fn_addmm": lambda lib: lib.addmm(lib.ones(2), lib.ones(1, 3, requires_grad=True), lib.ones(3, 2)),
    "grad_fn_view": lambda lib: lib.ones(4, requires_grad=True).view(2, 2),
    "grad_fn_select": lambda lib: lib.ones(4, requires_grad=True)[1],
    "grad_fn_slice": lambda lib: lib.ones(4, requires_grad=True)[1:],
    "grad_fn_index": lambda lib: lib.ones(4, requires_grad=True)[lib.tensor([0, 0])],
    "grad_fn_t": lambda lib: lib.ones(2, 3, requires_grad=True).t(),
    "grad_fn_permute": lambda lib: lib.ones(2, 3, requires_grad=True).permute(1, 0),
    "grad_fn_expand": lambda lib: lib.ones(1, 3, requires_grad=True).expand(2, 3),
    "grad_fn_cat": lambda lib: lib.cat([lib.ones(1, requires_grad=True), lib.ones(1)]),
    "grad_fn_stack": lambda lib: lib.stack([lib.ones(1, requires_grad=True), lib.ones(1)]),
    "grad_fn_exp": lambda lib: lib.ones(1, requires_grad=True).exp(),
    "grad_fn_pow": lambda lib: lib.ones(1, requires_grad=True) ** 2,
    "grad_fn_div": lambda lib: lib.ones(1, requires_grad=True) / 2,
    "grad_fn_neg": lambda lib: -lib.ones(1, requires_grad=True),
    "grad_fn_sub": lambda lib: lib.ones(1, requires_grad=True) - 1,
    "grad_fn_rsub": lambda lib: 1 - lib.ones(1, requires_grad=True),
    "grad_fn_where": lambda lib: lib.where(lib.tensor([True]), lib.ones(1, requires_grad=True), 0.0),
    "grad_fn_clamp": lambda lib: lib.ones(1, requires_grad=True).clamp(0, 1),
    "grad_fn_relu": lambda lib: lib.ones(1, requires_grad=True).relu(),
    "grad_fn_sigmoid": lambda lib: lib.ones(1, requires_grad=True).sigmoid(),
    "grad_fn_tanh": lambda lib: lib.ones(1, requires_grad=True).tanh(),
    "grad_fn_unsqueeze": lambda lib: lib.ones(1, requires_grad=True).unsqueeze(0),
    "grad_fn_squeeze": lambda lib: lib.ones(1, 1, requires_grad=True).squeeze(),
    "grad_fn_transpose": lambda lib: lib.ones(1, 2, requires_grad=True).transpose(0, 1),
    "grad_fn_clone": lambda lib: lib.ones(1, requires_grad=True).clone(),
    "grad_fn_to": lambda lib: lib.ones(1, requires_grad=True).double(),
    # (einsum is left out: PyTorch decomposes it into bmm/view nodes, ember has one EinsumBackward0)
    "grad_fn_trace": lambda lib: lib.trace(lib.ones(2, 2, requires_grad=True)),
    "grad_fn_dot": lambda lib: lib.dot(lib.ones(2, requires_grad=True), lib.ones(2)),
    "grad_fn_mv": lambda lib: lib.mv(lib.ones(2, 2, requires_grad=True), lib.ones(2)),
    "grad_fn_bmm": lambda lib: lib.bmm(lib.ones(1, 1, 2, requires_grad=True), lib.ones(1, 2, 1)),
    "grad_fn_flip": lambda lib: lib.ones(2, requires_grad=True).flip(0),
    "grad_fn_masked_fill": lambda lib: lib.ones(2, requires_grad=True).masked_fill(lib.tensor([True, False]), 0.0),
    "grad_fn_index_select": lambda lib: lib.ones(2, requires_grad=True).index_select(0, lib.tensor([1])),
    "grad_fn_inplace": lambda lib: (lib.ones(2, requires_grad=True) * 1).add_(1),
    "grad_fn_copy_slices": lambda lib: _setitem_result(lib),
    "grad_fn_abs": lambda lib: lib.ones(1, requires_grad=True).abs(),
    "grad_fn_repeat": lambda lib: lib.ones(1, requires_grad=True).repeat(2),
    "grad_fn_split": lambda lib: lib.ones(4, requires_grad=True).split(2)[1],
    "grad_fn_unbind": lambda lib: lib.ones(2, requires_grad=True).unbind()[0],
    "grad_fn_diagonal": lambda lib: lib.ones(2, 2, requires_grad=True).diagonal(),
}


def _setitem_result(lib):
    x = lib.zeros(3) * lib.ones(1, requires_grad=True)
    x[0] = 5.0
    return x


@pytest.mark.parametrize("name", sorted(REPRS))
def test_repr_matches_torch(name):
    assert repr(REPRS[name](ember)) == repr(REPRS[name](torch))
    assert str(REPRS[name](ember)) == str(REPRS[name](torch))
