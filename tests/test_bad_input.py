"""Bad input gets PyTorch's exception type, with a message naming what is wrong."""
import pytest

from oracle import assert_same_error

CASES = {
    "broadcast_mismatch": (lambda lib: lib.zeros(2, 3) + lib.zeros(4), "The size of tensor a (3) must match the size "
                                                                      "of tensor b (4) at non-singleton dimension 1"),
    "broadcast_mismatch_mul": (lambda lib: lib.zeros(5, 2) * lib.zeros(3, 1), "The size of tensor a (5) must match"),
    "broadcast_inplace": (lambda lib: lib.zeros(3).mul_(lib.zeros(2, 3)), "doesn't match the broadcast shape"),
    "mm_shapes": (lambda lib: lib.zeros(1, 3) @ lib.zeros(2, 5),
                  "mat1 and mat2 shapes cannot be multiplied (1x3 and 2x5)"),
    "mm_fn": (lambda lib: lib.mm(lib.zeros(4, 2), lib.zeros(3, 1)),
              "mat1 and mat2 shapes cannot be multiplied (4x2 and 3x1)"),
    "matmul_1d": (lambda lib: lib.matmul(lib.zeros(3), lib.zeros(4)), None),
    "matmul_dtype": (lambda lib: lib.zeros(2, 2) @ lib.zeros(2, 2, dtype=lib.float64), None),
    "cat_mismatch": (lambda lib: lib.cat([lib.zeros(2, 3), lib.zeros(2, 4)]),
                     "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 for tensor "
                     "number 1 in the list."),
    "cat_dims": (lambda lib: lib.cat([lib.zeros(2, 3), lib.zeros(3)]), None),
    "cat_not_tensor": (lambda lib: lib.cat([lib.zeros(2), [1.0]]), None),
    "stack_mismatch": (lambda lib: lib.stack([lib.zeros(2), lib.zeros(3)]),
                       "stack expects each tensor to be equal size"),
    "requires_grad_int": (lambda lib: lib.tensor([1, 2], requires_grad=True),
                          "Only Tensors of floating point and complex dtype can require gradients"),
    "requires_grad_int_setter": (lambda lib: lib.tensor([1, 2]).requires_grad_(),
                                 "only Tensors of floating point dtype can require gradients"),
    "index_out_of_range": (lambda lib: lib.zeros(3)[3], "index 3 is out of bounds for dimension 0 with size 3"),
    "index_out_of_range_neg": (lambda lib: lib.zeros(2, 3)[:, -4],
                               "index -4 is out of bounds for dimension 1 with size 3"),
    "index_tensor_out_of_range": (lambda lib: lib.zeros(3)[lib.tensor([0, 3])], None),
    "too_many_indices": (lambda lib: lib.zeros(3)[0, 0], "too many indices for tensor of dimension 1"),
    "zero_dim_index": (lambda lib: lib.tensor(1.0)[0], "invalid index of a 0-dim tensor"),
    "float_index": (lambda lib: lib.zeros(3)[lib.tensor([1.0])],
                    "tensors used as indices must be long, int, byte or bool tensors"),
    "backward_non_scalar": (lambda lib: (lib.zeros(3, requires_grad=True) * 2).backward(),
                            "grad can be implicitly created only for scalar outputs"),
    "backward_no_grad": (lambda lib: lib.zeros(3).sum().backward(),
                         "element 0 of tensors does not require grad and does not have a grad_fn"),
    "grad_no_grad_input": (lambda lib: lib.autograd.grad(lib.zeros(1, requires_grad=True).sum(), lib.zeros(1)),
                           "One of the differentiated Tensors does not require grad"),
    "dim_out_of_range": (lambda lib: lib.zeros(2, 3).unsqueeze(4),
                         "Dimension out of range (expected to be in range of [-3, 2], but got 4)"),
    "transpose_dim": (lambda lib: lib.zeros(2, 3).transpose(0, -3), "Dimension out of range"),
    "view_invalid": (lambda lib: lib.zeros(2, 3).view(5), "shape '[5]' is invalid for input of size 6"),
    "reshape_invalid": (lambda lib: lib.zeros(2, 3).reshape(4, -1), "shape '[4, -1]' is invalid for input of size 6"),
    "expand_invalid": (lambda lib: lib.zeros(2, 3).expand(2, 4), None),
    "add_type_str": (lambda lib: lib.zeros(2) + "a", None),
    "add_fn_type": (lambda lib: lib.add(lib.zeros(2), "a"), None),
    "exp_type": (lambda lib: lib.exp([1.0, 2.0]), None),
    "matmul_type": (lambda lib: lib.matmul(lib.zeros(2, 2), [[1.0]]), None),
    "zeros_type": (lambda lib: lib.zeros("a"), None),
    "tensor_bad_data": (lambda lib: lib.tensor([1, "a"]), None),
    "tensor_ragged": (lambda lib: lib.tensor([[1, 2], [3]]), None),
    "reshape_type": (lambda lib: lib.zeros(4).reshape("a"), None),
    "where_cond_dtype": (lambda lib: lib.where(lib.zeros(2), lib.zeros(2), lib.ones(2)), None),
    "item_many": (lambda lib: lib.zeros(2).item(), "a Tensor with 2 elements cannot be converted to Scalar"),
    "leaf_inplace": (lambda lib: lib.zeros(2, requires_grad=True).add_(1),
                     "a leaf Variable that requires grad is being used in an in-place operation."),
    "int_inplace_float": (lambda lib: lib.zeros(2, dtype=lib.int64).mul_(1.5),
                          "result type Float can't be cast to the desired output type Long"),
    "bool_sub": (lambda lib: lib.tensor([True]) - lib.tensor([False]), "Subtraction, the `-` operator, with two bool"),
    "bool_neg": (lambda lib: -lib.tensor([True]), "Negation, the `-` operator, on a bool tensor is not supported."),
    "clamp_no_bounds": (lambda lib: lib.clamp(lib.zeros(2)), "At least one of 'min' or 'max' must not be None"),
    "einsum_operands": (lambda lib: lib.einsum("ij,jk->ik", lib.zeros(2, 2)), "fewer operands were provided"),
    "permute_len": (lambda lib: lib.zeros(2, 3).permute(1), None),
    "squeeze_dim": (lambda lib: lib.zeros(2).squeeze(1), None),
    "narrow_range": (lambda lib: lib.zeros(3).narrow(0, 2, 2), None),
    "numpy_requires_grad": (lambda lib: lib.zeros(2, requires_grad=True).numpy(), "Can't call numpy() on Tensor that "
                                                                                "requires grad"),
    "float_of_many": (lambda lib: float(lib.zeros(2)), None),
    "setitem_shape": (lambda lib: lib.zeros(2, 3).__setitem__(0, lib.ones(2)), None),
    "masked_fill_mask_dtype": (lambda lib: lib.zeros(2).masked_fill(lib.zeros(2), 1.0), None),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_raises_like_torch(name):
    fn, fragment = CASES[name]
    assert_same_error(fn, match=fragment)
