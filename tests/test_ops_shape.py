"""Shape ops against PyTorch: forward (values, shapes, views), backward, gradcheck, layouts."""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_same_error, compare, gradcheck, randn

X234 = randn(2, 3, 4)

SHAPE_OPS = {
    "view": (lambda lib, x: x.view(4, 6), X234),
    "view_varargs_neg": (lambda lib, x: x.view(-1, 2), X234),
    "view_dtype_same": (lambda lib, x: x.view(lib.float64), X234),
    "reshape": (lambda lib, x: lib.reshape(x, (3, -1)), X234),
    "reshape_method": (lambda lib, x: x.reshape(6, 4), X234),
    "reshape_as": (lambda lib, x: x.reshape_as(lib.zeros(4, 6, dtype=lib.float64)), X234),
    "flatten": (lambda lib, x: lib.flatten(x), X234),
    "flatten_range": (lambda lib, x: x.flatten(1, 2), X234),
    "flatten_neg": (lambda lib, x: x.flatten(start_dim=-2), X234),
    "unflatten": (lambda lib, x: x.unflatten(2, (2, 2)), X234),
    "unflatten_neg": (lambda lib, x: lib.unflatten(x, -1, (-1, 2)), X234),
    "squeeze": (lambda lib, x: x.squeeze(), randn(2, 1, 3, 1)),
    "squeeze_dim": (lambda lib, x: x.squeeze(1), randn(2, 1, 3, 1)),
    "squeeze_dims": (lambda lib, x: x.squeeze((1, 3)), randn(2, 1, 3, 1)),
    "squeeze_non1": (lambda lib, x: x.squeeze(0), randn(2, 1, 3, 1)),
    "unsqueeze": (lambda lib, x: x.unsqueeze(1), X234),
    "unsqueeze_neg": (lambda lib, x: lib.unsqueeze(x, -1), X234),
    "permute": (lambda lib, x: x.permute(2, 0, 1), X234),
    "permute_tuple": (lambda lib, x: lib.permute(x, (1, 2, 0)), X234),
    "transpose": (lambda lib, x: x.transpose(0, 2), X234),
    "t": (lambda lib, x: x.t(), randn(3, 4)),
    "T": (lambda lib, x: x.T, randn(3, 4)),
    "mT": (lambda lib, x: x.mT, X234),
    "movedim": (lambda lib, x: lib.movedim(x, 0, -1), X234),
    "movedim_multi": (lambda lib, x: x.movedim((0, 1), (2, 0)), X234),
    "expand": (lambda lib, x: x.expand(2, 3, 4), randn(3, 1)),
    "expand_neg": (lambda lib, x: x.expand(5, -1, 4), randn(3, 1)),
    "expand_as": (lambda lib, x: x.expand_as(lib.zeros(2, 3, 4)), randn(3, 1)),
    "broadcast_to": (lambda lib, x: lib.broadcast_to(x, (2, 3, 4)), randn(1, 4)),
    "repeat": (lambda lib, x: x.repeat(2, 1, 3), randn(3, 2)),
    "tile": (lambda lib, x: lib.tile(x, (2,)), randn(3, 2)),
    "tile_method": (lambda lib, x: x.tile(2, 2, 1), randn(3, 2)),
    "repeat_interleave": (lambda lib, x: x.repeat_interleave(2, dim=1), randn(3, 2)),
    "repeat_interleave_flat": (lambda lib, x: lib.repeat_interleave(x, 3), randn(3, 2)),
    "repeat_interleave_tensor": (lambda lib, x: x.repeat_interleave(lib.tensor([1, 0, 2]), dim=0), randn(3, 2)),
    "flip": (lambda lib, x: lib.flip(x, (0, 2)), X234),
    "flip_method": (lambda lib, x: x.flip(-1), X234),
    "roll": (lambda lib, x: lib.roll(x, 2, 1), X234),
    "roll_multi": (lambda lib, x: x.roll((1, -1), (0, 2)), X234),
    "roll_flat": (lambda lib, x: lib.roll(x, 5), X234),
    "narrow": (lambda lib, x: x.narrow(2, 1, 2), X234),
    "narrow_neg": (lambda lib, x: lib.narrow(x, -1, 0, 3), X234),
    "unbind": (lambda lib, x: x.unbind(1), X234),
    "split_size": (lambda lib, x: x.split(2, dim=2), randn(2, 3, 5)),
    "split_sizes": (lambda lib, x: lib.split(x, [1, 3, 1], dim=2), randn(2, 3, 5)),
    "chunk": (lambda lib, x: x.chunk(3, dim=-1), randn(2, 3, 5)),
    "chunk_uneven": (lambda lib, x: lib.chunk(x, 4, 1), randn(2, 7)),
    "tensor_split": (lambda lib, x: lib.tensor_split(x, 3, dim=1), randn(2, 7)),
    "tensor_split_indices": (lambda lib, x: x.tensor_split([1, 4], dim=1), randn(2, 7)),
    "diagonal": (lambda lib, x: x.diagonal(), randn(4, 3)),
    "diagonal_offset": (lambda lib, x: lib.diagonal(x, 1, 0, 2), X234),
    "diagonal_neg": (lambda lib, x: x.diagonal(offset=-1, dim1=-1, dim2=-2), X234),
    "select": (lambda lib, x: x.select(1, -1), X234),
    "swapaxes": (lambda lib, x: x.swapaxes(0, 1), X234),
    "contiguous": (lambda lib, x: x.transpose(0, 1).contiguous(), X234),
    "clone": (lambda lib, x: x.clone(), X234),
    "hstack": (lambda lib, x: lib.hstack([x, x * 2]), randn(2, 3)),
    "vstack": (lambda lib, x: lib.vstack([x, x[0]]), randn(2, 3)),
    "atleast_2d": (lambda lib, x: lib.atleast_2d(x), randn(3)),
}


@pytest.mark.parametrize("name", sorted(SHAPE_OPS))
def test_shape_op_matches_torch(name):
    fn, x = SHAPE_OPS[name]
    compare(fn, x)


@pytest.mark.parametrize("name", sorted(n for n in SHAPE_OPS if not n.startswith("view")))
@pytest.mark.parametrize("layout", ["transposed", "strided"])
def test_shape_op_noncontiguous_matches_torch(name, layout):
    fn, x = SHAPE_OPS[name]
    compare(fn, x, layouts=[layout])


@pytest.mark.parametrize("name", sorted(set(SHAPE_OPS) - {"view_dtype_same"}))  # dtype views leave autograd
def test_shape_op_gradcheck(name):
    fn, x = SHAPE_OPS[name]
    gradcheck(fn, x)


@pytest.mark.parametrize("name", ["view", "reshape", "flatten", "squeeze", "unsqueeze", "permute", "transpose",
                                  "t", "T", "mT", "movedim", "expand", "broadcast_to", "narrow", "unbind",
                                  "split_size", "chunk", "diagonal", "select", "swapaxes", "unflatten"])
def test_view_ops_share_memory_and_version(name):
    fn, x = SHAPE_OPS[name]
    base = ember.tensor(x)
    out = fn(ember, base)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    for o in outs:
        assert o._base is base
        before = o._version
        base.add_(1.0)
        assert o._version == before + 1
        assert np.shares_memory(o.numpy(), base.numpy())


@pytest.mark.parametrize("name", ["reshape", "flatten", "contiguous", "clone", "repeat", "flip", "roll"])
def test_copying_ops_match_torch_view_semantics(name):
    """reshape/flatten view when possible (like torch), copy otherwise; clone/flip/roll always copy."""
    fn, x = SHAPE_OPS[name]
    for layout in ("contiguous", "transposed"):
        results = {}
        for lib in (ember, torch):
            from oracle import make_tensor
            t = make_tensor(lib, x, layout)
            out = fn(lib, t)
            out = out[0] if isinstance(out, (tuple, list)) else out
            results[lib] = out.data_ptr() == t.data_ptr() or (out._base is t if lib is ember else out._base is t)
        assert results[ember] == results[torch], f"{name} {layout}: view-ness differs from torch"


def test_is_contiguous_and_stride_match_torch():
    for fn in [lambda lib, x: x, lambda lib, x: x.transpose(0, 1), lambda lib, x: x[:, ::2],
               lambda lib, x: x.expand(3, 2, 3, 4), lambda lib, x: x.unsqueeze(1), lambda lib, x: x[:, 1:2],
               lambda lib, x: x.permute(2, 0, 1).contiguous(), lambda lib, x: x[..., 0]]:
        e, t = fn(ember, ember.tensor(X234)), fn(torch, torch.tensor(X234))
        assert e.is_contiguous() == t.is_contiguous()
        assert e.stride() == t.stride()


# --- cat / stack ----------------------------------------------------------------------------

@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cat_matches_torch(dim):
    compare(lambda lib, a, b: lib.cat([a, b], dim=dim), randn(2, 3, 2), randn(2, 3, 2, seed=3))


def test_cat_different_sizes_and_empty_and_promotion():
    compare(lambda lib, a, b: lib.cat((a, b), 1), randn(2, 1), randn(2, 4, seed=3))
    compare(lambda lib, a, b: lib.cat([a, b, lib.tensor([])]), randn(3), randn(2, seed=3))
    compare(lambda lib, a, b: lib.cat([a, b]), randn(3, dtype=np.float32), randn(2, seed=3))
    compare(lambda lib, a: lib.cat([a, lib.tensor([1, 2])]), np.array([1, 2], np.int32), grad=False)
    compare(lambda lib, a, b: lib.concat([a, b], dim=0), randn(1, 2), randn(2, 2, seed=3),
            layouts=["transposed", "strided"])


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_stack_matches_torch(dim):
    compare(lambda lib, a, b: lib.stack([a, b], dim=dim), randn(2, 3), randn(2, 3, seed=3))


def test_cat_stack_gradcheck():
    gradcheck(lambda lib, a, b: lib.cat([a, b], 1), randn(2, 1), randn(2, 3, seed=3))
    gradcheck(lambda lib, a, b: lib.stack([a, b], -1), randn(2, 3), randn(2, 3, seed=3))


def test_shape_errors_match_torch():
    assert_same_error(lambda lib: lib.zeros(2, 3).view(4, 2), match="shape '[4, 2]' is invalid for input of size 6")
    assert_same_error(lambda lib: lib.zeros(2, 3).t().view(6), match="view size is not compatible")
    assert_same_error(lambda lib: lib.zeros(2, 3).reshape(-1, -1), match="only one dimension can be inferred")
    assert_same_error(lambda lib: lib.zeros(2, 3).permute(0, 0))
    assert_same_error(lambda lib: lib.zeros(2, 3).permute(0))
    assert_same_error(lambda lib: lib.zeros(2, 3).transpose(0, 2), match="Dimension out of range")
    assert_same_error(lambda lib: lib.zeros(2, 3).expand(3, 3), match="must match the existing size")
    assert_same_error(lambda lib: lib.zeros(2, 3).narrow(1, 2, 2))
    assert_same_error(lambda lib: lib.cat([lib.zeros(2, 3), lib.zeros(3, 2)]), match="Sizes of tensors must match")
    assert_same_error(lambda lib: lib.stack([lib.zeros(2, 3), lib.zeros(3, 2)]), match="stack expects each tensor")
    assert_same_error(lambda lib: lib.cat([]))
    assert_same_error(lambda lib: lib.zeros(2, 3).unflatten(1, (2, 2)))
    assert_same_error(lambda lib: lib.zeros(2, 3).split([1, 1], 1))
    assert_same_error(lambda lib: lib.zeros(2, 3).flatten(1, 0))
    assert_same_error(lambda lib: lib.zeros(2, 3).squeeze(3))
    assert_same_error(lambda lib: lib.zeros(2, 3).movedim(0, 5))
    assert_same_error(lambda lib: lib.zeros(2, 3).chunk(0))
