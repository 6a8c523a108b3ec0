"""Every example runs a few steps, so the examples never rot."""
import importlib
import os
import sys

import pytest

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")


@pytest.fixture(autouse=True)
def _examples_on_path(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(EXAMPLES)
    monkeypatch.setenv("EMBER_EXAMPLES_OUT", str(tmp_path))
    yield
    for name in ["digits_cnn", "digits_mlp", "char_lstm", "gpt_char", "seed_regression", "_report", "_text"]:
        sys.modules.pop(name, None)


def _outputs(tmp_path, name):
    files = sorted(os.listdir(tmp_path / name))
    assert "loss.png" in files and any(f.endswith(".pt") for f in files)


def test_digits_cnn_runs(tmp_path, capsys):
    pytest.importorskip("sklearn")
    acc = importlib.import_module("digits_cnn").main(epochs=1, max_steps=3)
    assert 0.0 <= acc <= 1.0
    assert "test accuracy" in capsys.readouterr().out
    _outputs(tmp_path, "digits_cnn")


def test_digits_mlp_runs(tmp_path):
    pytest.importorskip("sklearn")
    acc = importlib.import_module("digits_mlp").main(epochs=1, max_steps=5)
    assert 0.0 <= acc <= 1.0
    _outputs(tmp_path, "digits_mlp")


def test_char_lstm_runs(tmp_path):
    loss = importlib.import_module("char_lstm").main(steps=2, batch_size=4, context=16)
    assert loss == loss  # finite, not NaN
    _outputs(tmp_path, "char_lstm")


def test_gpt_char_runs(tmp_path):
    loss = importlib.import_module("gpt_char").main(steps=2, batch_size=4, context=16, n_layers=1)
    assert loss == loss
    _outputs(tmp_path, "gpt_char")


def test_seed_regression_learns(tmp_path):
    first = importlib.import_module("seed_regression").main(epochs=1)
    last = importlib.import_module("seed_regression").main(epochs=60)
    assert last < first
    _outputs(tmp_path, "seed_regression")
