"""Seeded training runs with dropout: ember and torch, same seed, same program, same losses.

Everything random -- initial weights, data, dropout masks, shuffling -- comes from the
generators, so the two runs stay in step only if every draw matches. Arithmetic may
differ in the last bits (different GEMM summation orders), so losses are compared at
1e-4 relative; the masks themselves must be identical (the generator states are compared
at the end).
"""
import numpy as np
import pytest
import torch

import ember

REL_TOL = 1e-4


def _losses(lib, build, make_data, steps, optimizer, batch_size=None):
    lib.manual_seed(0)
    model = build(lib)
    x, y = make_data(lib)
    opt = (lib.optim.SGD(model.parameters(), lr=0.05, momentum=0.9) if optimizer == "sgd"
           else lib.optim.Adam(model.parameters(), lr=1e-3))
    model.train()
    losses = []
    for _ in range(steps):
        if batch_size is None:
            batches = [(x, y)]
        else:
            order = lib.randperm(x.shape[0])
            batches = [(x[order[i:i + batch_size]], y[order[i:i + batch_size]])
                       for i in range(0, x.shape[0], batch_size)]
        for xb, yb in batches:
            opt.zero_grad()
            loss = lib.nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            losses.append(loss.item())
    return np.array(losses), lib.get_rng_state().numpy()


def _compare(build, make_data, steps, optimizer, batch_size=None):
    e, e_state = _losses(ember, build, make_data, steps, optimizer, batch_size)
    t, t_state = _losses(torch, build, make_data, steps, optimizer, batch_size)
    deviation = float(np.max(np.abs(e - t) / np.abs(t)))
    print(f"max relative loss deviation over {len(t)} steps: {deviation:.3g}")
    assert np.array_equal(e_state, t_state), "the runs drew different numbers of random values"
    assert deviation < REL_TOL
    return deviation


def _mlp(L):
    return L.nn.Sequential(L.nn.Linear(20, 64), L.nn.ReLU(), L.nn.Dropout(0.2), L.nn.Linear(64, 64),
                           L.nn.ReLU(), L.nn.Dropout(0.2), L.nn.Linear(64, 3))


def _mlp_data(L):
    x = L.randn(128, 20)
    y = L.randint(0, 3, (128,))
    return x, y


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_mlp_with_dropout_trains_in_step_for_50_steps(optimizer):
    _compare(_mlp, _mlp_data, 50, optimizer)


def test_mlp_minibatches_shuffled_by_randperm():
    _compare(_mlp, _mlp_data, 5, "sgd", batch_size=32)


class _Cnn:
    @staticmethod
    def build(L):
        return L.nn.Sequential(
            L.nn.Conv2d(3, 8, 3, padding=1), L.nn.ReLU(), L.nn.Dropout2d(0.25), L.nn.MaxPool2d(2),
            L.nn.Conv2d(8, 8, 3, padding=1), L.nn.ReLU(), L.nn.MaxPool2d(2), L.nn.Flatten(),
            L.nn.Dropout(0.3), L.nn.Linear(8 * 4 * 4, 5))

    @staticmethod
    def data(L):
        return L.randn(16, 3, 16, 16), L.randint(0, 5, (16,))


def test_cnn_with_dropout2d_trains_in_step_for_10_steps():
    _compare(_Cnn.build, _Cnn.data, 10, "sgd")


def _lstm(L):
    class Tagger(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = L.nn.Embedding(30, 12)
            self.lstm = L.nn.LSTM(12, 16, num_layers=2, dropout=0.3, batch_first=True)
            self.drop = L.nn.Dropout(0.2)
            self.head = L.nn.Linear(16, 4)

        def forward(self, tokens):
            out, _ = self.lstm(self.drop(self.embed(tokens)))
            return self.head(out[:, -1])
    return Tagger()


def _lstm_data(L):
    return L.randint(0, 30, (8, 7)), L.randint(0, 4, (8,))


def test_lstm_with_dropout_trains_in_step_for_10_steps():
    _compare(_lstm, _lstm_data, 10, "adam")
