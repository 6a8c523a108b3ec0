"""Embedding and EmbeddingBag against PyTorch: lookups, gradients, padding, max_norm, modules."""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_same_error, compare, gradcheck, randn

W = randn(10, 4, seed=1)
IDX = np.array([[1, 2, 4, 5, 4], [3, 2, 9, 2, 2]])


def F(lib):
    return lib.nn.functional


@pytest.mark.parametrize("kw", [{}, {"padding_idx": 2}, {"padding_idx": -8}, {"scale_grad_by_freq": True}])
def test_embedding_values_and_weight_grad(kw):
    compare(lambda lib, w, i: F(lib).embedding(i, w, **kw), W, IDX)
    compare(lambda lib, w, i: F(lib).embedding(i, w, **kw), W, IDX[0])


def test_embedding_sparse_flag_gives_the_dense_form_of_torchs_sparse_grad():
    we, wt = ember.tensor(W, requires_grad=True), torch.tensor(W, requires_grad=True)
    F(ember).embedding(ember.tensor(IDX), we, sparse=True).sum().backward()
    F(torch).embedding(torch.tensor(IDX), wt, sparse=True).sum().backward()
    np.testing.assert_allclose(we.grad.numpy(), wt.grad.to_dense().numpy(), rtol=1e-12)


def test_embedding_int32_and_scalar_indices():
    compare(lambda lib, w, i: F(lib).embedding(i, w), W, IDX.astype(np.int32))
    compare(lambda lib, w, i: F(lib).embedding(i, w), W, np.array(3))


@pytest.mark.parametrize("max_norm,norm_type", [(1.0, 2.0), (0.5, 1.0), (1.2, 3.0)])
def test_embedding_max_norm_renormalises_rows_in_place(max_norm, norm_type):
    we, wt = ember.tensor(W.copy()), torch.tensor(W.copy())
    oe = F(ember).embedding(ember.tensor(IDX), we, max_norm=max_norm, norm_type=norm_type)
    ot = F(torch).embedding(torch.tensor(IDX), wt, max_norm=max_norm, norm_type=norm_type)
    np.testing.assert_allclose(oe.numpy(), ot.numpy(), rtol=1e-12)
    np.testing.assert_allclose(we.numpy(), wt.numpy(), rtol=1e-12)


def test_embedding_gradcheck_and_double_backward():
    gradcheck(lambda lib, w: F(lib).embedding(lib.tensor(IDX), w) ** 2, W, gradgrad=True)
    gradcheck(lambda lib, w: F(lib).embedding_bag(lib.tensor(IDX), w, mode="mean") ** 2, W, gradgrad=True)


def test_embedding_grad_fn_name():
    w = ember.randn(4, 2, requires_grad=True)
    assert F(ember).embedding(ember.tensor([1]), w).grad_fn.name() == "EmbeddingBackward0"


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("kw", [{}, {"padding_idx": 2}, {"max_norm": 1.0}])
def test_embedding_bag_with_offsets(mode, kw):
    flat = IDX.reshape(-1)
    compare(lambda lib, w, i, o: F(lib).embedding_bag(i, w, o, mode=mode, **kw), W, flat, np.array([0, 3, 3, 7]))
    compare(lambda lib, w, i, o: F(lib).embedding_bag(i, w, o, mode=mode, include_last_offset=True, **kw), W, flat,
            np.array([0, 3, 3, 7, 10]))


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_2d_input(mode):
    compare(lambda lib, w, i: F(lib).embedding_bag(i, w, mode=mode), W, IDX)


def test_embedding_bag_scale_grad_by_freq_matches_embedding_then_bag_sum():
    # NOTE: torch 2.13's CPU embedding_bag divides by the wrong rows' counts here (its result differs from
    # embedding + sum with the same flag); ember follows the documented math, checked through torch's embedding.
    def fn(lib, w, i):
        if lib is ember:
            return F(lib).embedding_bag(i, w, lib.tensor([0, 2, 4]), mode="sum", scale_grad_by_freq=True)
        rows = F(lib).embedding(i, w, scale_grad_by_freq=True)
        return lib.stack([rows[0:2].sum(0), rows[2:4].sum(0), rows[4:].sum(0)])
    compare(fn, W, np.array([1, 2, 2, 3, 2, 1]))


def test_embedding_bag_per_sample_weights():
    compare(lambda lib, w, i, o, p: F(lib).embedding_bag(i, w, o, mode="sum", per_sample_weights=p), W,
            IDX.reshape(-1), np.array([0, 3, 3, 7]), randn(10, seed=4))
    compare(lambda lib, w, i, p: F(lib).embedding_bag(i, w, mode="sum", per_sample_weights=p, padding_idx=4), W, IDX,
            randn(2, 5, seed=4))


def test_embedding_bag_grad_fn_name():
    w = ember.randn(4, 2, requires_grad=True)
    assert F(ember).embedding_bag(ember.tensor([[1, 2]]), w).grad_fn.name() == "EmbeddingBagBackward0"


@pytest.mark.parametrize("fn,match", [
    (lambda lib: F(lib).embedding(lib.tensor([5]), lib.randn(4, 3)), "index out of range in self"),
    (lambda lib: F(lib).embedding(lib.tensor([1.0]), lib.randn(4, 3)), "Expected tensor for argument #1 'indices'"),
    (lambda lib: F(lib).embedding(lib.tensor([1]), lib.randn(4, 3), padding_idx=4), "Padding_idx must be within"),
    (lambda lib: F(lib).embedding_bag(lib.tensor([1, 2]), lib.randn(4, 3)), "offsets has to be a 1D Tensor"),
    (lambda lib: F(lib).embedding_bag(lib.tensor([[1, 2]]), lib.randn(4, 3), lib.tensor([0])), "if input is 2D"),
    (lambda lib: F(lib).embedding_bag(lib.tensor([[1, 2]]), lib.randn(4, 3), mode="foo"), "mode has to be one of"),
    (lambda lib: F(lib).embedding_bag(lib.tensor([[1, 2]]), lib.randn(4, 3), per_sample_weights=lib.ones(1, 2)),
     "per_sample_weights is only supported for mode='sum'"),
    (lambda lib: F(lib).embedding_bag(lib.tensor([[1, 2]]), lib.randn(4, 3), mode="max", scale_grad_by_freq=True),
     "max mode does not support scaling"),
    (lambda lib: lib.nn.Embedding(3, 2, padding_idx=5), "Padding_idx must be within num_embeddings"),
])
def test_bad_inputs_raise_torch_errors(fn, match):
    assert_same_error(fn, match=match)


@pytest.mark.parametrize("args,kw", [((5, 3), {}), ((5, 3), {"padding_idx": 1}), ((5, 3), {"max_norm": 1.0}),
                                     ((5, 3), {"norm_type": 1.0, "scale_grad_by_freq": True, "sparse": True})])
def test_embedding_module_repr_state_dict_and_init(args, kw):
    ember.manual_seed(3)
    torch.manual_seed(3)
    e, t = ember.nn.Embedding(*args, **kw), torch.nn.Embedding(*args, **kw)
    assert repr(e) == repr(t)
    assert list(e.state_dict()) == list(t.state_dict())
    np.testing.assert_array_equal(e.weight.detach().numpy(), t.weight.detach().numpy())


@pytest.mark.parametrize("kw", [{"mode": "sum"}, {"padding_idx": 2, "max_norm": 2.0}, {"norm_type": 3.0}])
def test_embedding_bag_module_repr_and_init(kw):
    ember.manual_seed(4)
    torch.manual_seed(4)
    e, t = ember.nn.EmbeddingBag(6, 3, **kw), torch.nn.EmbeddingBag(6, 3, **kw)
    assert repr(e) == repr(t)
    np.testing.assert_array_equal(e.weight.detach().numpy(), t.weight.detach().numpy())


def test_from_pretrained_freezes_and_shares():
    w = ember.tensor(W)
    emb = ember.nn.Embedding.from_pretrained(w, padding_idx=0)
    assert not emb.weight.requires_grad
    assert emb.weight.data_ptr() == w.data_ptr()
    assert ember.nn.Embedding.from_pretrained(w, freeze=False).weight.requires_grad
    bag = ember.nn.EmbeddingBag.from_pretrained(w, mode="max")
    assert not bag.weight.requires_grad and bag.mode == "max"


def test_module_training_step_matches_torch():
    mods = {}
    for lib in (ember, torch):
        m = lib.nn.Embedding(10, 4, padding_idx=2, max_norm=1.5).double()
        with lib.no_grad():
            m.weight.copy_(lib.tensor(W))
        mods[lib] = m
    compare(lambda lib, i: mods[lib](i), IDX, grad=False)
    for lib, m in mods.items():
        m(lib.tensor(IDX)).pow(2).sum().backward()
    np.testing.assert_allclose(mods[ember].weight.grad.numpy(), mods[torch].weight.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(mods[ember].weight.detach().numpy(), mods[torch].weight.detach().numpy(), rtol=1e-12)
