"""The code blocks of the seed blog post run on ember with only the torch imports changed.

Blocks run in order in one namespace per run (the training block uses the model defined by the
block before it, as a reader running the post would). Deterministic blocks must print exactly
what PyTorch prints; blocks drawing random numbers are checked for PyTorch's output format.
"""
import contextlib
import io
import math
import re
from pathlib import Path

import pytest

import ember

SEED_FILE = Path("/work/shared/seed/000_6a4582e68639285c.txt")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)


def _blocks():
    if not SEED_FILE.exists():
        pytest.skip(f"{SEED_FILE} is not present")
    return [(lang, code) for lang, code in FENCE.findall(SEED_FILE.read_text())]


def _to_ember(code):
    """``import torch`` -> ``import ember as torch``; ``import torch.X as Y`` -> ``import ember.X as Y``."""
    code = re.sub(r"^import torch$", "import ember as torch", code, flags=re.M)
    return re.sub(r"^import torch\.(\w+) as (\w+)$", r"import ember.\1 as \2", code, flags=re.M)


def _run(code, namespace):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(SEED_FILE), "exec"), namespace)  # noqa: S102 - running the post's code is the test
    return out.getvalue()


def _python_blocks():
    return [code for lang, code in _blocks() if lang == "python"]


def test_seed_file_has_the_expected_blocks():
    langs = [lang for lang, _ in _blocks()]
    assert langs == ["shell", "python", "python", "python", "python"]


def test_shell_block_is_not_python_and_is_skipped():
    shell = [code for lang, code in _blocks() if lang == "shell"]
    assert shell == ["pip install torch\n"]


@pytest.mark.parametrize("index", [0, 1])
def test_deterministic_blocks_print_what_torch_prints(index):
    code = _python_blocks()[index]
    expected = _run(code, {"__name__": "__seed__"})
    got = _run(_to_ember(code), {"__name__": "__seed__"})
    assert got == expected


def _require_nn():
    for owner, name in ((ember.nn, "Linear"), (ember.nn, "ReLU"), (ember.nn, "MSELoss"), (ember.optim, "SGD")):
        if not hasattr(owner, name):
            pytest.skip(f"ember.{owner.__name__.split('.')[-1]}.{name} is not written yet")
    if not hasattr(ember, "randn"):
        pytest.skip("ember.randn is not written yet")


def test_network_block_prints_torch_format():
    _require_nn()
    namespace = {"__name__": "__seed__"}
    printed = _run(_to_ember(_python_blocks()[2]), namespace)
    assert re.fullmatch(r"tensor\(\[\[-?\d\.\d{4}\]\], grad_fn=<AddmmBackward0>\)\n", printed), printed


def test_training_block_prints_100_decreasing_losses():
    _require_nn()
    namespace = {"__name__": "__seed__"}
    _run(_to_ember(_python_blocks()[2]), namespace)
    printed = _run(_to_ember(_python_blocks()[3]), namespace)
    lines = printed.splitlines()
    assert len(lines) == 100
    losses = []
    for epoch, line in enumerate(lines, start=1):
        match = re.fullmatch(r"Epoch: (\d+), Loss: (\S+)", line)
        assert match, line
        assert int(match.group(1)) == epoch
        losses.append(float(match.group(2)))  # Python's repr of loss.item(), as torch prints it
        assert math.isfinite(losses[-1])
    assert losses[-1] < losses[0]  # full-batch gradient descent with a small step


def test_network_block_output_matches_torch_for_same_seed():
    """With the same seed, ember's generator reproduces torch's, so the printed value is identical."""
    _require_nn()
    if not hasattr(ember, "manual_seed"):
        pytest.skip("ember.manual_seed is not written yet")
    code = _python_blocks()[2]
    expected = _run("import torch\ntorch.manual_seed(0)\n" + code, {"__name__": "__seed__"})
    got = _run(_to_ember("import torch\ntorch.manual_seed(0)\n" + code), {"__name__": "__seed__"})
    assert got == expected
