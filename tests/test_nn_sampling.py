"""pad, interpolate, grid_sample, affine_grid, pixel/channel shuffle and their layers against PyTorch."""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_same_error, compare, gradcheck, randn


def F(lib):
    return lib.nn.functional


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_pad_2d_modes_match_torch(mode):
    compare(lambda lib, x: F(lib).pad(x, (1, 2, 3, 1), mode=mode), randn(2, 3, 5, 4, dtype=np.float32))


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_pad_1d_and_3d_modes_match_torch(mode):
    compare(lambda lib, x: F(lib).pad(x, (2, 3), mode=mode), randn(2, 3, 5))
    compare(lambda lib, x: F(lib).pad(x, (1, 2, 1, 1, 2, 0), mode=mode), randn(1, 2, 4, 4, 3))


def test_constant_pad_value_negative_and_any_rank():
    compare(lambda lib, x: F(lib).pad(x, (1, -2, 3, 1), value=2.5), randn(2, 3, 5, 4))
    compare(lambda lib, x: F(lib).pad(x, (1, 1, 0, 2, 1, 0, 2, 2)), randn(2, 3, 2, 2))


def test_pad_gradcheck_and_double_backward():
    gradcheck(lambda lib, x: F(lib).pad(x, (2, 1, 1, 2), mode="reflect"), randn(1, 1, 3, 4), gradgrad=True)
    gradcheck(lambda lib, x: F(lib).pad(x, (1, -1), value=1.0), randn(2, 3), gradgrad=True)


def test_pad_grad_fn_names():
    x = ember.randn(1, 2, 4, 4, requires_grad=True)
    assert F(ember).pad(x, (1, 1)).grad_fn.name() == "ConstantPadNdBackward0"
    assert F(ember).pad(x, (1, 1, 1, 1), mode="reflect").grad_fn.name() == "ReflectionPad2DBackward0"
    assert F(ember).pad(x, (1, 1, 1, 1), mode="replicate").grad_fn.name() == "ReplicationPad2DBackward0"


PAD_ERRORS = [
    (lambda lib: F(lib).pad(lib.randn(1, 1, 3, 3), (3, 3), mode="reflect"), None),
    (lambda lib: F(lib).pad(lib.randn(2, 3, 4, 4), (1, 1), mode="reflect"), "Padding size 2 is not supported"),
    (lambda lib: F(lib).pad(lib.randn(2, 3), (1,)), "Padding length must be divisible by 2"),
]


@pytest.mark.parametrize("fn,match", PAD_ERRORS)
def test_pad_bad_input_raises_like_torch(fn, match):
    assert_same_error(fn, match)


INTERP = [
    ("nearest", (2, 3, 5, 4), dict(scale_factor=2.3)),
    ("nearest", (2, 3, 5, 4), dict(size=(3, 7))),
    ("nearest", (2, 3, 5), dict(scale_factor=2)),
    ("nearest-exact", (2, 3, 5, 4), dict(size=(7, 3))),
    ("bilinear", (2, 3, 5, 4), dict(scale_factor=2.3)),
    ("bilinear", (2, 3, 5, 4), dict(scale_factor=2.3, align_corners=True)),
    ("bilinear", (2, 3, 5, 4), dict(size=(3, 7))),
    ("bilinear", (2, 3, 5, 4), dict(scale_factor=0.5, recompute_scale_factor=True)),
    ("bicubic", (2, 3, 5, 4), dict(size=(7, 3))),
    ("bicubic", (2, 3, 5, 4), dict(scale_factor=1.7, align_corners=True)),
    ("linear", (2, 3, 5), dict(size=9)),
    ("trilinear", (1, 2, 3, 4, 5), dict(scale_factor=1.5)),
    ("area", (2, 3, 9, 8), dict(size=(4, 3))),
]


@pytest.mark.parametrize("mode,shape,kw", INTERP)
def test_interpolate_matches_torch(mode, shape, kw):
    compare(lambda lib, x: F(lib).interpolate(x, mode=mode, **kw), randn(*shape, dtype=np.float32))


def test_interpolate_gradcheck_and_double_backward():
    gradcheck(lambda lib, x: F(lib).interpolate(x, scale_factor=1.5, mode="bilinear"), randn(1, 1, 3, 3),
              gradgrad=True)
    gradcheck(lambda lib, x: F(lib).interpolate(x, size=(5, 2), mode="bicubic"), randn(1, 1, 3, 3))


INTERP_ERRORS = [
    (lambda lib: F(lib).interpolate(lib.randn(1, 1, 4, 4), scale_factor=2, align_corners=True),
     "align_corners option can only be set with the interpolating modes"),
    (lambda lib: F(lib).interpolate(lib.randn(1, 1, 4, 4), scale_factor=2, mode="linear"), None),
    (lambda lib: F(lib).interpolate(lib.randn(1, 1, 4, 4)), "either size or scale_factor should be defined"),
    (lambda lib: F(lib).interpolate(lib.randn(1, 1, 4, 4), size=2, scale_factor=2),
     "only one of size or scale_factor should be defined"),
]


@pytest.mark.parametrize("fn,match", INTERP_ERRORS)
def test_interpolate_bad_input_raises_like_torch(fn, match):
    assert_same_error(fn, match)


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_grid_sample_matches_torch(mode, padding_mode, align_corners):
    grid = randn(2, 3, 6, 2, seed=3) * 1.3
    compare(lambda lib, x, g: F(lib).grid_sample(x, g, mode=mode, padding_mode=padding_mode,
                                                 align_corners=align_corners), randn(2, 3, 5, 4), grid)


def test_grid_sample_gradcheck():
    gradcheck(lambda lib, x, g: F(lib).grid_sample(x, g, align_corners=False), randn(1, 2, 3, 4),
              randn(1, 2, 2, 2, seed=1) * 0.7)


@pytest.mark.parametrize("size,ac", [((2, 3, 4, 5), False), ((2, 3, 4, 5), True), ((2, 3, 4, 5, 3), False)])
def test_affine_grid_matches_torch(size, ac):
    theta = randn(2, 2, 3) if len(size) == 4 else randn(2, 3, 4)
    compare(lambda lib, t: F(lib).affine_grid(t, size, align_corners=ac), theta)


def test_affine_grid_then_grid_sample_matches_torch():
    def fn(lib, x, theta):
        return F(lib).grid_sample(x, F(lib).affine_grid(theta, (2, 3, 4, 4), align_corners=False),
                                  align_corners=False)
    compare(fn, randn(2, 3, 5, 5), randn(2, 2, 3, seed=1) * 0.5)


def test_pixel_shuffle_unshuffle_channel_shuffle_match_torch():
    compare(lambda lib, x: F(lib).pixel_shuffle(x, 2), randn(2, 8, 3, 2))
    compare(lambda lib, x: F(lib).pixel_unshuffle(x, 2), randn(2, 2, 4, 6))
    compare(lambda lib, x: F(lib).channel_shuffle(x, 3), randn(2, 6, 4, 3))
    x = ember.randn(1, 4, 2, 2, requires_grad=True)
    assert F(ember).pixel_shuffle(x, 2).grad_fn.name() == "PixelShuffleBackward0"


def test_shuffle_bad_input_raises_like_torch():
    assert_same_error(lambda lib: F(lib).pixel_shuffle(lib.randn(1, 3, 2, 2), 2), "divisible by the square")
    assert_same_error(lambda lib: F(lib).pixel_unshuffle(lib.randn(1, 3, 3, 2), 2), "divisible by downscale_factor")


MODULES = ["ZeroPad2d(2)", "ZeroPad1d((1, 2))", "ConstantPad1d(2, 3.5)", "ConstantPad2d((1, 2, 3, 4), 0.)",
           "ReflectionPad2d(1)", "ReplicationPad1d((1, 2))", "CircularPad2d(1)", "ConstantPad3d(1, 1)",
           "Upsample(scale_factor=2)", "Upsample(size=(3, 4), mode='bilinear', align_corners=True)",
           "UpsamplingNearest2d(scale_factor=2)", "UpsamplingBilinear2d(size=4)", "PixelShuffle(2)",
           "PixelUnshuffle(2)", "Fold((4, 5), 2)", "Unfold((2, 3), padding=1)", "ChannelShuffle(2)",
           "ReflectionPad1d(2)", "ReplicationPad2d((1, 0, 2, 1))"]


@pytest.mark.parametrize("spec", MODULES)
def test_sampling_module_repr_matches_torch(spec):
    assert repr(eval("ember.nn." + spec)) == repr(eval("torch.nn." + spec))


@pytest.mark.parametrize("spec", ["ZeroPad2d((1, 2, 0, 1))", "ReflectionPad2d(1)", "ReplicationPad2d(2)",
                                  "Upsample(scale_factor=2, mode='bilinear')", "UpsamplingNearest2d(size=(5, 7))",
                                  "UpsamplingBilinear2d(scale_factor=2)", "PixelUnshuffle(2)", "ChannelShuffle(2)",
                                  "Unfold(2)"])
def test_sampling_module_forward_backward_matches_torch(spec):
    compare(lambda lib, x: eval("lib.nn." + spec)(x), randn(2, 4, 4, 6, dtype=np.float32))
