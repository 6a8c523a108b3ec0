"""Convolutions, transposed convolutions, unfold/fold and conv layers against PyTorch."""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_same_error, compare, gradcheck, randn

F32 = "float32"


def _conv(fn_name, **kw):
    return lambda lib, x, w, *b: getattr(lib.nn.functional, fn_name)(x, w, b[0] if b else None, **kw)


CONV2D_CASES = [
    dict(),
    dict(stride=2),
    dict(stride=(2, 1), padding=(1, 2)),
    dict(padding=1, dilation=2),
    dict(padding="same"),
    dict(padding="same", dilation=(1, 2)),
    dict(padding="valid"),
    dict(stride=(1, 3), padding=2, dilation=(2, 1)),
]


@pytest.mark.parametrize("kw", CONV2D_CASES)
def test_conv2d_matches_torch_float32(kw):
    compare(_conv("conv2d", **kw), randn(2, 3, 9, 8, dtype=np.float32), randn(4, 3, 3, 2, dtype=np.float32, seed=1),
            randn(4, dtype=np.float32, seed=2))


def test_conv2d_even_kernel_same_padding_is_asymmetric_like_torch():
    compare(_conv("conv2d", padding="same"), randn(2, 3, 7, 6), randn(4, 3, 4, 2, seed=1), randn(4, seed=2))


@pytest.mark.parametrize("groups", [2, 4])
def test_conv2d_groups(groups):
    compare(_conv("conv2d", groups=groups, padding=1), randn(2, 4, 6, 5), randn(8, 4 // groups, 3, 3, seed=1),
            randn(8, seed=2))


def test_conv2d_depthwise_with_stride_and_dilation():
    compare(_conv("conv2d", groups=3, stride=2, dilation=2, padding=2), randn(2, 3, 11, 10),
            randn(6, 1, 3, 3, seed=1))


def test_conv2d_without_bias_and_unbatched_input():
    compare(_conv("conv2d", padding=1), randn(3, 6, 5), randn(2, 3, 3, 3, seed=1))


def test_conv2d_non_contiguous_input():
    compare(_conv("conv2d"), randn(2, 3, 7, 6), randn(4, 3, 3, 3, seed=1), layouts=["transposed", "contiguous"])


@pytest.mark.parametrize("kw", [dict(), dict(stride=2, padding=1), dict(dilation=3, padding="same"),
                                dict(groups=2, padding=2)])
def test_conv1d_matches_torch(kw):
    g = kw.get("groups", 1)
    compare(_conv("conv1d", **kw), randn(2, 4, 11), randn(6, 4 // g, 3, seed=1), randn(6, seed=2))


@pytest.mark.parametrize("kw", [dict(), dict(stride=(1, 2, 1), padding=1), dict(dilation=2, groups=2)])
def test_conv3d_matches_torch(kw):
    g = kw.get("groups", 1)
    compare(_conv("conv3d", **kw), randn(2, 2, 5, 6, 5), randn(4, 2 // g, 2, 3, 2, seed=1), randn(4, seed=2))


TRANSPOSE_CASES = [
    dict(),
    dict(stride=2),
    dict(stride=2, padding=1, output_padding=1),
    dict(stride=(2, 3), padding=(0, 1), output_padding=(1, 2), dilation=(1, 2)),
    dict(groups=2, stride=2),
]


@pytest.mark.parametrize("kw", TRANSPOSE_CASES)
def test_conv_transpose2d_matches_torch(kw):
    g = kw.get("groups", 1)
    compare(_conv("conv_transpose2d", **kw), randn(2, 4, 5, 4, dtype=np.float32),
            randn(4, 6 // g, 3, 2, dtype=np.float32, seed=1), randn(6, dtype=np.float32, seed=2))


def test_conv_transpose1d_matches_torch():
    compare(_conv("conv_transpose1d", stride=3, padding=2, output_padding=2), randn(2, 4, 5), randn(4, 3, 3, seed=1),
            randn(3, seed=2))


def test_conv_transpose3d_matches_torch():
    compare(_conv("conv_transpose3d", stride=2, padding=1), randn(1, 2, 3, 4, 3), randn(2, 3, 2, 2, 3, seed=1))


def test_conv_grad_fn_names_match_torch():
    x = ember.randn(1, 2, 5, 5, requires_grad=True)
    assert type(ember.nn.functional.conv2d(x, ember.randn(3, 2, 3, 3))).__name__ == "Tensor"
    assert ember.nn.functional.conv2d(x, ember.randn(3, 2, 3, 3)).grad_fn.name() == "ConvolutionBackward0"
    assert ember.nn.functional.conv_transpose2d(x, ember.randn(2, 3, 3, 3)).grad_fn.name() == "ConvolutionBackward0"


def test_conv2d_gradcheck_float64():
    gradcheck(lambda lib, x, w, b: lib.nn.functional.conv2d(x, w, b, stride=(2, 1), padding=1, dilation=(1, 2)),
              randn(1, 2, 5, 4), randn(2, 2, 2, 2, seed=1), randn(2, seed=2))


def test_conv_transpose2d_gradcheck_float64():
    gradcheck(lambda lib, x, w: lib.nn.functional.conv_transpose2d(x, w, stride=2, output_padding=1, groups=2),
              randn(1, 2, 3, 3), randn(2, 1, 2, 2, seed=1))


def test_conv2d_double_backward_gradgradcheck():
    gradcheck(lambda lib, x, w: lib.nn.functional.conv2d(x, w, padding=1, stride=2), randn(1, 2, 4, 4),
              randn(2, 2, 3, 3, seed=1), gradgrad=True)


def test_conv2d_float64_matches_torch():
    compare(_conv("conv2d", padding=1), randn(2, 3, 6, 6), randn(4, 3, 3, 3, seed=1), randn(4, seed=2))


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=(2, 3), dilation=(2, 1), padding=1, stride=(2, 1))])
def test_unfold_matches_torch(kw):
    compare(lambda lib, x: lib.nn.functional.unfold(x, **kw), randn(2, 3, 7, 6))


def test_fold_matches_torch():
    compare(lambda lib, x: lib.nn.functional.fold(x, (7, 6), (2, 2), dilation=(2, 1), padding=1, stride=2),
            randn(2, 12, 16))


def test_fold_of_unfold_gradcheck():
    gradcheck(lambda lib, x: lib.nn.functional.fold(lib.nn.functional.unfold(x, 2, stride=1), (3, 3), 2),
              randn(1, 1, 3, 3), gradgrad=True)


# ---- errors -----------------------------------------------------------------------------

ERROR_CASES = [
    (lambda lib: lib.nn.functional.conv2d(lib.randn(3, 4), lib.randn(8, 3, 3, 3)),
     "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [3, 4]"),
    (lambda lib: lib.nn.functional.conv2d(lib.randn(2, 4, 8, 8), lib.randn(8, 3, 3, 3)),
     "Given groups=1, weight of size [8, 3, 3, 3], expected input[2, 4, 8, 8] to have 3 channels, but got 4 "
     "channels instead"),
    (lambda lib: lib.nn.functional.conv2d(lib.randn(2, 3, 2, 2), lib.randn(8, 3, 3, 3)),
     "Kernel size can't be greater than actual input size"),
    (lambda lib: lib.nn.functional.conv2d(lib.randn(2, 3, 8, 8), lib.randn(8, 3, 3, 3), lib.randn(7)),
     "expected bias to be 1-dimensional with 8 elements"),
    (lambda lib: lib.nn.functional.conv2d(lib.randn(2, 3, 8, 8), lib.randn(8, 3, 3, 3), stride=0),
     "non-positive stride is not supported"),
    (lambda lib: lib.nn.functional.conv2d(lib.randn(2, 3, 8, 8), lib.randn(8, 3, 3, 3), padding=-1),
     "negative padding is not supported"),
    (lambda lib: lib.nn.functional.conv2d(lib.randn(2, 3, 8, 8), lib.randn(8, 3, 3, 3), padding="same", stride=2),
     "padding='same' is not supported for strided convolutions"),
    (lambda lib: lib.nn.functional.conv2d(lib.randn(2, 3, 8, 8), lib.randn(8, 3, 3, 3), padding="foo"),
     "Invalid padding string: 'foo'"),
    (lambda lib: lib.nn.functional.conv2d(lib.randn(2, 3, 8, 8).double(), lib.randn(8, 3, 3, 3)),
     "expected scalar type Double but found Float"),
    (lambda lib: lib.nn.functional.conv_transpose2d(lib.randn(2, 3, 8, 8), lib.randn(4, 2, 3, 3)),
     "Given transposed=1, weight of size [4, 2, 3, 3], expected input[2, 3, 8, 8] to have 4 channels"),
    (lambda lib: lib.nn.functional.conv_transpose2d(lib.randn(2, 3, 8, 8), lib.randn(3, 2, 3, 3), output_padding=1),
     "output padding must be smaller than either stride or dilation"),
    (lambda lib: lib.nn.Conv2d(3, 4, 3)(lib.randn(1, 5, 8, 8)),
     "Given groups=1, weight of size [4, 3, 3, 3], expected input[1, 5, 8, 8] to have 3 channels, but got 5"),
    (lambda lib: lib.nn.Conv2d(3, 4, 3, groups=2), "in_channels must be divisible by groups"),
    (lambda lib: lib.nn.Conv2d(4, 3, 3, groups=2), "out_channels must be divisible by groups"),
    (lambda lib: lib.nn.Conv2d(4, 4, 3, groups=0), "groups must be a positive integer"),
    (lambda lib: lib.nn.Conv2d(4, 4, 3, padding_mode="foo"), "padding_mode must be one of"),
    (lambda lib: lib.nn.Conv2d(4, 4, 3, padding="same", stride=2),
     "padding='same' is not supported for strided convolutions"),
]


@pytest.mark.parametrize("fn,match", ERROR_CASES)
def test_conv_bad_input_raises_like_torch(fn, match):
    assert_same_error(fn, match)


# ---- modules ----------------------------------------------------------------------------

MODULES = [
    "Conv2d(3, 4, 3)",
    "Conv2d(4, 4, (3, 2), stride=2, padding=1, dilation=2, groups=2, bias=False, padding_mode='reflect')",
    "Conv2d(4, 6, 3, padding='same', padding_mode='circular')",
    "Conv2d(4, 6, (4, 3), padding='same', padding_mode='replicate')",
    "Conv1d(4, 2, 3, padding='same')",
    "ConvTranspose2d(4, 6, 3, stride=2, output_padding=1)",
    "Conv3d(4, 2, 3)",
    "ConvTranspose1d(4, 2, 3, stride=2, groups=2)",
]


def _shape_for(spec):
    if "Conv1d" in spec or "Transpose1d" in spec:
        return (2, 4, 9)
    if "Conv3d" in spec:
        return (1, 4, 5, 6, 5)
    return (2, 4 if "Conv2d(4" in spec or "Transpose2d" in spec else 3, 9, 8)


@pytest.mark.parametrize("spec", MODULES)
def test_conv_module_matches_torch(spec):
    torch.manual_seed(0)
    tm = eval("torch.nn." + spec)
    em = eval("ember.nn." + spec)
    with ember.no_grad():
        em.weight.copy_(ember.tensor(tm.weight.detach().numpy()))
        if tm.bias is not None:
            em.bias.copy_(ember.tensor(tm.bias.detach().numpy()))
    x = randn(*_shape_for(spec), dtype=np.float32)
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    ty, ey = tm(tx), em(ex)
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), rtol=1e-4, atol=1e-5)
    g = randn(*ty.shape, dtype=np.float32, seed=5)
    ty.backward(torch.tensor(g))
    ey.backward(ember.tensor(g))
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(em.weight.grad.numpy(), tm.weight.grad.numpy(), rtol=1e-4, atol=1e-4)
    if tm.bias is not None:
        np.testing.assert_allclose(em.bias.grad.numpy(), tm.bias.grad.numpy(), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("spec", MODULES + ["Conv2d(3, 3, 1, bias=False)"])
def test_conv_module_repr_matches_torch(spec):
    assert repr(eval("ember.nn." + spec)) == repr(eval("torch.nn." + spec))


def test_conv_default_init_is_bit_identical_to_torch():
    torch.manual_seed(3)
    tm = torch.nn.Conv2d(3, 8, 5)
    ember.manual_seed(3)
    em = ember.nn.Conv2d(3, 8, 5)
    np.testing.assert_array_equal(em.weight.detach().numpy(), tm.weight.detach().numpy())
    np.testing.assert_array_equal(em.bias.detach().numpy(), tm.bias.detach().numpy())


def test_conv_transpose_output_size_argument():
    tm = torch.nn.ConvTranspose2d(2, 3, 3, stride=2)
    em = ember.nn.ConvTranspose2d(2, 3, 3, stride=2)
    with ember.no_grad():
        em.weight.copy_(ember.tensor(tm.weight.detach().numpy()))
        em.bias.copy_(ember.tensor(tm.bias.detach().numpy()))
    x = randn(1, 2, 4, 4, dtype=np.float32)
    ty = tm(torch.tensor(x), output_size=(10, 10))
    ey = em(ember.tensor(x), output_size=(10, 10))
    assert tuple(ey.shape) == tuple(ty.shape) == (1, 3, 10, 10)
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), rtol=1e-4, atol=1e-5)
    assert_same_error(lambda lib: getattr(lib.nn, "ConvTranspose2d")(2, 3, 3, stride=2)(
        lib.randn(1, 2, 4, 4), output_size=(20, 20)), "requested an output size of")
