"""ember/_blas_spin.py: OpenBLAS's idle-spin timeout, set on import (fresh interpreters)."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# After the imports, a multi-threaded product must still give the right answer (the pool
# may have been restarted), and the environment shows what ember decided.
_PROBE = """
import os, sys
sys.path.insert(0, {root!r})
{imports}
import numpy as np
a = np.arange(512 * 512, dtype=np.float64).reshape(512, 512) % 7
b = a.T.copy()
assert np.array_equal(a @ b, np.einsum("ij,jk->ik", a, b))
from ember import _blas_spin
print(os.environ.get("OPENBLAS_THREAD_TIMEOUT"), _blas_spin.applied, _blas_spin.short())
"""


def _run(imports, **env):
    full = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_THREAD_TIMEOUT", "GOTO_THREAD_TIMEOUT",
                                                               "EMBER_BLAS_SPIN_TUNING")}
    full.update(env)
    out = subprocess.run([sys.executable, "-c", _PROBE.format(root=ROOT, imports=imports)], env=full,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


def test_set_before_numpy_loads():
    assert _run("import ember") == ["20", "True", "True"]


def test_applied_when_numpy_was_loaded_first():
    assert _run("import numpy\nimport ember") == ["20", "True", "True"]


def test_user_setting_is_kept():
    # short() tells the blocked convolution whether it pays: not with a long spin
    assert _run("import ember", OPENBLAS_THREAD_TIMEOUT="25") == ["25", "False", "False"]
    assert _run("import ember", OPENBLAS_THREAD_TIMEOUT="16") == ["16", "False", "True"]


def test_can_be_turned_off():
    assert _run("import ember", EMBER_BLAS_SPIN_TUNING="0") == ["None", "False", "False"]


def test_not_applied_while_other_threads_run_after_numpy():
    # Another thread could be inside OpenBLAS: the loaded pool is not touched. The variable
    # stays set (it only matters to OpenBLAS when it starts), so children get it.
    imports = ("import numpy, threading, time\n"
               "t = threading.Thread(target=time.sleep, args=(0.5,)); t.start()\n"
               "import ember")
    assert _run(imports) == ["20", "False", "False"]
