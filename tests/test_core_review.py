"""Conjugate-transpose properties and bfloat16 custom Functions, checked against torch."""
import numpy as np
import pytest
import torch

import ember


def test_H_and_mH_conjugate_complex():
    data = [[1 + 2j, 3j], [1, 2 - 1j]]
    a, b = ember.tensor(data), torch.tensor(data)
    np.testing.assert_array_equal(a.H.numpy(), b.H.resolve_conj().numpy())
    np.testing.assert_array_equal(a.mH.numpy(), b.mH.resolve_conj().numpy())


@pytest.mark.parametrize("shape", [(3,), (2, 3, 4)])
def test_H_rejects_non_matrices(shape):
    with pytest.raises(RuntimeError) as theirs:
        torch.ones(shape).H
    with pytest.raises(RuntimeError) as ours:
        ember.ones(shape).H
    assert str(ours.value) == str(theirs.value)


def test_mH_rejects_vectors():
    with pytest.raises(RuntimeError) as theirs:
        torch.ones(3).mH
    with pytest.raises(RuntimeError) as ours:
        ember.ones(3).mH
    assert str(ours.value) == str(theirs.value)


def test_custom_function_bfloat16_output_requires_grad():
    def make(lib):
        class Double(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g * 2
        return Double

    x = ember.ones(2, dtype=ember.bfloat16, requires_grad=True)
    tx = torch.ones(2, dtype=torch.bfloat16, requires_grad=True)
    y, ty = make(ember).apply(x), make(torch).apply(tx)
    assert y.requires_grad == ty.requires_grad
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_array_equal(x.grad.float().numpy(), tx.grad.float().numpy())
