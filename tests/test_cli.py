"""The ember command: unmodified PyTorch scripts run on ember; missing modules fail clearly."""
import os
import subprocess
import sys
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _ember(*args, cwd=None):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "ember", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, env=env, timeout=120)


def test_run_resolves_torch_imports_to_ember(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent("""
        import sys
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        from torch.utils.data import DataLoader, TensorDataset
        print(torch.__name__, nn.__name__, F.__name__, DataLoader.__module__)
        print(sys.argv[1:])
        x = torch.tensor(2.0, requires_grad=True)
        (x ** 2 + 2 * x + 1).backward()
        print(x.grad)
    """))
    out = _ember("run", str(script), "--epochs", "3")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "ember ember.nn ember.nn.functional ember.utils.data.dataloader"
    assert lines[1] == "['--epochs', '3']"
    assert lines[2] == "tensor(6.)"


def test_missing_torch_submodule_fails_with_clear_import_error(tmp_path):
    script = tmp_path / "uses_missing.py"
    script.write_text("import torch.fancy_module_that_does_not_exist\n")
    out = _ember("run", str(script))
    assert out.returncode != 0
    assert "ModuleNotFoundError" in out.stderr
    assert "ember does not implement 'torch.fancy_module_that_does_not_exist'" in out.stderr


def test_run_never_falls_back_to_real_torch(tmp_path):
    script = tmp_path / "check.py"
    script.write_text("import torch, sys\nprint(type(torch.tensor([1])).__module__)\n"
                      "print(any(m.startswith('torch') and getattr(sys.modules[m], '__name__', '').startswith('torch')"
                      " for m in sys.modules))\n")
    out = _ember("run", str(script))
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["ember._tensor", "False"]


def test_version_and_info():
    import ember
    out = _ember("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"ember {ember.__version__}"
    info = _ember("info")
    assert info.returncode == 0
    assert "numpy" in info.stdout and "CUDA:" in info.stdout


def test_spawned_dataloader_workers_also_resolve_torch_to_ember(tmp_path):
    script = tmp_path / "spawn_workers.py"
    script.write_text(textwrap.dedent("""
        import sys
        import torch
        from torch.utils.data import DataLoader, Dataset

        class Which(Dataset):
            def __len__(self):
                return 4
            def __getitem__(self, i):
                import torch as t
                return t.tensor([i]), type(t.tensor(0)).__module__

        if __name__ == "__main__":
            loader = DataLoader(Which(), batch_size=2, num_workers=2, multiprocessing_context="spawn")
            print(sorted({m for _, mods in loader for m in mods}))
    """))
    out = _ember("run", str(script))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "['ember._tensor']"


def test_run_help_is_not_taken_for_a_script():
    out = _ember("run", "--help")
    assert out.returncode == 0 and "script" in out.stdout
