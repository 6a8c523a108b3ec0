"""Indexing against PyTorch: getitem/setitem with every index kind, index_* ops, masks, nonzero."""
import numpy as np
import pytest

import ember
from oracle import assert_same_error, compare, gradcheck, randn

X = randn(4, 5, 3)

GETITEM = {
    "int": lambda lib, x: x[1],
    "neg_int": lambda lib, x: x[-1, 2],
    "all_ints": lambda lib, x: x[1, 2, 0],
    "slice": lambda lib, x: x[1:3],
    "slice_step": lambda lib, x: x[::2, 1::2],
    "slice_neg": lambda lib, x: x[-3:-1, :, -2:],
    "slice_oob": lambda lib, x: x[2:100, -100:2],
    "empty_slice": lambda lib, x: x[3:1],
    "none": lambda lib, x: x[None],
    "none_mid": lambda lib, x: x[:, None, 1],
    "ellipsis": lambda lib, x: x[..., 1],
    "ellipsis_none": lambda lib, x: x[None, ..., None, 0],
    "int_tensor": lambda lib, x: x[lib.tensor([0, 2, 2])],
    "int_tensor_neg": lambda lib, x: x[:, lib.tensor([-1, 0])],
    "int_tensor_2d": lambda lib, x: x[lib.tensor([[0, 1], [3, 3]])],
    "list": lambda lib, x: x[[0, 3]],
    "list_of_lists": lambda lib, x: x[[0, 1], [1, 2]],
    "two_tensors": lambda lib, x: x[lib.tensor([0, 1, 3]), lib.tensor([4, 0, 0])],
    "broadcast_tensors": lambda lib, x: x[lib.tensor([[0], [3]]), lib.tensor([1, 2, 4])],
    "separated_adv": lambda lib, x: x[lib.tensor([0, 1]), :, lib.tensor([2, 0])],
    "adv_slice_adv": lambda lib, x: x[1:3, lib.tensor([0, 4]), lib.tensor([1, 2])],
    "bool_mask_full": lambda lib, x: x[x > 0],
    "bool_mask_rows": lambda lib, x: x[lib.tensor([True, False, True, True])],
    "bool_mask_2d": lambda lib, x: x[x[..., 0] > 0],
    "bool_list": lambda lib, x: x[:, [True, False, False, True, True]],
    "bool_scalar_true": lambda lib, x: x[True],
    "bool_scalar_false": lambda lib, x: x[False],
    "mixture": lambda lib, x: x[None, 1:, lib.tensor([0, 2]), ..., 1],
    "mixture_ellipsis_adv": lambda lib, x: x[..., lib.tensor([1, 0, 1])],
    "zero_dim_index": lambda lib, x: x[lib.tensor(2)],
    "int_then_adv": lambda lib, x: x[1, [0, 1, 4]],
    "adv_then_int": lambda lib, x: x[lib.tensor([0, 3]), :, 1],
    "int_slice_adv": lambda lib, x: x[2, 1:, lib.tensor([[0], [2]])],
    "tuple_of_slice": lambda lib, x: x[(slice(None), slice(1, None, 2))],
    "repeat_adv_grad": lambda lib, x: x[lib.tensor([1, 1, 1, 0])],
}


@pytest.mark.parametrize("name", sorted(GETITEM))
def test_getitem_matches_torch(name):
    compare(GETITEM[name], X)


@pytest.mark.parametrize("name", sorted(GETITEM))
def test_getitem_noncontiguous_matches_torch(name):
    compare(GETITEM[name], X, layouts=["strided"])


@pytest.mark.parametrize("name", ["int", "slice_step", "none_mid", "ellipsis", "int_tensor", "two_tensors",
                                  "bool_mask_full", "mixture", "repeat_adv_grad"])
def test_getitem_gradcheck(name):
    gradcheck(GETITEM[name], randn(4, 5, 3))


@pytest.mark.parametrize("name", ["int", "slice", "slice_step", "none", "ellipsis", "neg_int"])
def test_basic_getitem_is_a_view(name):
    base = ember.tensor(X)
    out = GETITEM[name](ember, base)
    assert out._base is base and np.shares_memory(out.numpy(), base.numpy())


@pytest.mark.parametrize("name", ["int_tensor", "list", "bool_mask_full"])
def test_advanced_getitem_copies(name):
    base = ember.tensor(X)
    out = GETITEM[name](ember, base)
    assert not np.shares_memory(out.numpy(), base.numpy())


SETITEM = {
    "int_scalar": lambda lib, x, v: x.__setitem__(1, 2.5),
    "slice_tensor": lambda lib, x, v: x.__setitem__(slice(1, 3), v[:2]),
    "broadcast_value": lambda lib, x, v: x.__setitem__((slice(None), 0), v[0, 0]),
    "ellipsis": lambda lib, x, v: x.__setitem__((Ellipsis, 1), v[0, :, 0]),
    "none": lambda lib, x, v: x.__setitem__((None, 0), v[0]),
    "int_tensor": lambda lib, x, v: x.__setitem__(lib.tensor([0, 2]), v[:2]),
    "int_tensor_dup_scalar": lambda lib, x, v: x.__setitem__(lib.tensor([0, 0, 3]), -1.0),
    "bool_mask": lambda lib, x, v: x.__setitem__(x > 0.5, 0.0),
    "bool_mask_tensor": lambda lib, x, v: x.__setitem__(x > 0.5, v.flatten()[:int((x > 0.5).sum())] * 7),
    "int_separates_adv": lambda lib, x, v: x.__setitem__((lib.tensor([0, 2]), slice(None), 1), v[0, :, 0]),
    "int_after_ellipsis_adv": lambda lib, x, v: x.__setitem__((None, slice(1, None), lib.tensor([0, 2]), Ellipsis, 1),
                                                            v[0, :2, 0]),
    "list": lambda lib, x, v: x.__setitem__([1, 3], v[:2]),
    "two_tensors": lambda lib, x, v: x.__setitem__((lib.tensor([0, 1]), lib.tensor([2, 3])), v[0, :2]),
    "mixture": lambda lib, x, v: x.__setitem__((slice(1, None), lib.tensor([0, 4]), 1), 3.0),
    "step_slice": lambda lib, x, v: x.__setitem__((slice(None, None, 2), slice(1, None, 2)), v[:2, :2]),
    "zero_dim_tensor_value": lambda lib, x, v: x.__setitem__(0, v[1, 1, 1]),
    "int_value_in_int": lambda lib, x, v: x.__setitem__(2, 7),
}


@pytest.mark.parametrize("name", sorted(SETITEM))
def test_setitem_matches_torch(name):
    def run(lib, a, v):
        x = a * 1.0  # a non-leaf, so gradients flow through the write to both a and v
        SETITEM[name](lib, x, v)
        return x
    compare(run, X, randn(4, 5, 3, seed=9))


@pytest.mark.parametrize("name", sorted(SETITEM))
def test_setitem_without_grad_matches_torch(name):
    def run(lib, a, v):
        SETITEM[name](lib, a, v)
        return a
    compare(run, X, randn(4, 5, 3, seed=9), grad=False, layouts=["strided", "contiguous"])


def test_setitem_on_int_tensor_casts_value():
    def run(lib, a):
        a[0] = 3.7
        a[1:3] = lib.tensor([1.9, -2.9, 5.0])
        return a
    compare(run, np.arange(12).reshape(4, 3), grad=False)


def test_setitem_on_leaf_requiring_grad_raises_like_torch():
    def fn(lib):
        x = lib.zeros(3, requires_grad=True)
        x[0] = 1.0
    assert_same_error(fn, match="a leaf Variable that requires grad")


def test_setitem_on_view_of_nonleaf_updates_base_gradient():
    def run(lib, a, v):
        x = a * 2
        row = x[1]
        row[1:3] = v[0, :2] * 3
        return x * x
    compare(run, X, randn(4, 5, 3, seed=9))


# --- index_* and mask ops ------------------------------------------------------------------

INDEX_OPS = {
    "index_select": lambda lib, x, s: lib.index_select(x, 1, lib.tensor([4, 0, 0])),
    "index_select_method": lambda lib, x, s: x.index_select(-1, lib.tensor([2])),
    "index_add": lambda lib, x, s: x.index_add(1, lib.tensor([0, 4, 0]), s[:, :3]),
    "index_add_alpha": lambda lib, x, s: lib.index_add(x, 0, lib.tensor([3, 1]), s[:2], alpha=2.0),
    "index_put": lambda lib, x, s: x.index_put((lib.tensor([0, 2]), lib.tensor([1, 1])), s[0, :2]),
    "index_put_accumulate": lambda lib, x, s: lib.index_put(x, (lib.tensor([0, 0, 2]),), s[:3], accumulate=True),
    "index_copy": lambda lib, x, s: x.index_copy(0, lib.tensor([3, 0]), s[:2]),
    "index_fill": lambda lib, x, s: x.index_fill(2, lib.tensor([0, 2]), -1.5),
    "masked_select": lambda lib, x, s: lib.masked_select(x, s > 0),
    "masked_select_broadcast": lambda lib, x, s: x.masked_select(s[0, :, :1] > 0),
    "masked_fill_tensor_value": lambda lib, x, s: x.masked_fill(s > 0, lib.tensor(3.0)),
    "masked_scatter": lambda lib, x, s: x.masked_scatter(s > 0, s * 10),
    "take": lambda lib, x, s: lib.take(x, lib.tensor([[0, 59], [7, -1]])),
}


@pytest.mark.parametrize("name", sorted(INDEX_OPS))
def test_index_op_matches_torch(name):
    compare(INDEX_OPS[name], X, randn(4, 5, 3, seed=5))


@pytest.mark.parametrize("name", sorted(INDEX_OPS))
def test_index_op_noncontiguous_matches_torch(name):
    compare(INDEX_OPS[name], X, randn(4, 5, 3, seed=5), layouts=["strided", "transposed"])


@pytest.mark.parametrize("name", ["index_select", "index_add", "index_put", "index_put_accumulate", "masked_select",
                                  "index_copy", "index_fill", "masked_scatter", "take"])
def test_index_op_gradcheck(name):
    gradcheck(INDEX_OPS[name], randn(4, 5, 3), randn(4, 5, 3, seed=5))


@pytest.mark.parametrize("name", ["index_add_", "index_put_", "index_fill_", "index_copy_", "masked_fill_"])
def test_inplace_index_ops_match_torch(name):
    calls = {
        "index_add_": lambda lib, x, s: x.index_add_(0, lib.tensor([1, 1]), s[:2]),
        "index_put_": lambda lib, x, s: x.index_put_((lib.tensor([3]),), s[0], accumulate=True),
        "index_fill_": lambda lib, x, s: x.index_fill_(1, lib.tensor([2]), 0.5),
        "index_copy_": lambda lib, x, s: x.index_copy_(0, lib.tensor([2, 0]), s[:2]),
        "masked_fill_": lambda lib, x, s: x.masked_fill_(s > 0, 0.25),
    }

    def run(lib, a, s):
        x = a + 0
        calls[name](lib, x, s)
        return x
    compare(run, X, randn(4, 5, 3, seed=5))


def test_nonzero_matches_torch():
    x = np.array([[0, 1.5, 0], [2, 0, -1]])
    compare(lambda lib, t: lib.nonzero(t), x, grad=False)
    compare(lambda lib, t: t.nonzero(as_tuple=True), x, grad=False)
    compare(lambda lib, t: lib.nonzero(t[0, 0]), x, grad=False)
    compare(lambda lib, t: lib.argwhere(t), x, grad=False)


def test_index_errors_match_torch():
    assert_same_error(lambda lib: lib.zeros(2, 3)[2], match="index 2 is out of bounds for dimension 0 with size 2")
    assert_same_error(lambda lib: lib.zeros(2, 3)[:, -4])
    assert_same_error(lambda lib: lib.zeros(2, 3)[0, 0, 0], match="too many indices for tensor of dimension 2")
    assert_same_error(lambda lib: lib.zeros(2, 3)[lib.tensor([0, 5])])
    assert_same_error(lambda lib: lib.zeros(2, 3)[lib.tensor([True, False, True])])
    assert_same_error(lambda lib: lib.zeros(2, 3)[lib.tensor([0.0])])
    assert_same_error(lambda lib: lib.zeros(2, 3)["a"])
    assert_same_error(lambda lib: lib.zeros(2, 3).__setitem__(5, 1.0))
    assert_same_error(lambda lib: lib.zeros(2, 3).__setitem__(0, lib.zeros(4)))
    assert_same_error(lambda lib: lib.index_select(lib.zeros(2, 3), 1, lib.tensor([3])))
    assert_same_error(lambda lib: lib.index_select(lib.zeros(2, 3), 1, lib.tensor([0.0])))
    assert_same_error(lambda lib: lib.zeros(2, 3).masked_fill(lib.zeros(2, 3), 1.0))
    assert_same_error(lambda lib: lib.zeros(2, 3).index_add(0, lib.tensor([0]), lib.ones(2, 3)))
    assert_same_error(lambda lib: lib.zeros(2, 3).masked_select(lib.ones(2) > 0))
    assert_same_error(lambda lib: lib.zeros(2, 3).index_add(1, lib.tensor([3]), lib.ones(2, 1)))
    assert_same_error(lambda lib: lib.zeros(2, 3).index_add(0, lib.tensor([0]), lib.ones(1, 4)))
    assert_same_error(lambda lib: lib.zeros(2, 3).index_copy(1, lib.tensor([3]), lib.ones(2, 1)))
    assert_same_error(lambda lib: lib.zeros(2, 3).index_copy(0, lib.tensor([0]), lib.ones(2, 3)))
    assert_same_error(lambda lib: lib.zeros(2, 3).index_fill(1, lib.tensor([3]), 1.0))
