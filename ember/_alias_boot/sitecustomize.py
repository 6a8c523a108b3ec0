"""Started by child interpreters of ``ember run`` (spawn / forkserver workers).

``ember run`` puts this folder first on PYTHONPATH and sets EMBER_TORCH_ALIAS=1, so a worker
process re-importing the user's script resolves ``import torch`` to ember before any user
code runs, instead of reaching a real PyTorch install. Any other sitecustomize further down
the path is still loaded afterwards.
"""
import importlib.machinery
import importlib.util
import os
import sys

if os.environ.get("EMBER_TORCH_ALIAS") == "1":
    from ember._torch_alias import install

    install()

_here = os.path.dirname(os.path.abspath(__file__))
_rest = [p for p in sys.path if os.path.abspath(p or ".") != _here]
_spec = importlib.machinery.PathFinder.find_spec("sitecustomize", _rest)
if _spec is not None and _spec.origin and os.path.dirname(os.path.abspath(_spec.origin)) != _here:
    _module = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_module)
