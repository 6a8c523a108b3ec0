"""Make ``import torch`` (and every ``torch.x.y``) resolve to ember, for ``ember run``.

A meta-path finder placed first answers for the name ``torch`` and everything under it,
so a real PyTorch install is never consulted: a submodule ember lacks fails with an
ImportError that names it, instead of silently mixing two libraries.
"""
import importlib
import importlib.abc
import importlib.util
import sys


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target):
        self.target = target

    def create_module(self, spec):
        return importlib.import_module(self.target)

    def exec_module(self, module):
        pass


class TorchToEmber(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname != "torch" and not fullname.startswith("torch."):
            return None
        ember_name = "ember" + fullname[len("torch"):]
        try:
            importlib.import_module(ember_name)
        except ModuleNotFoundError as exc:
            if exc.name and (exc.name == ember_name or ember_name.startswith(exc.name + ".")):
                raise ModuleNotFoundError(
                    f"No module named '{fullname}': ember does not implement '{fullname}' yet "
                    f"(it looked for '{ember_name}'). ember never falls back to a real PyTorch install.",
                    name=fullname) from None
            raise
        return importlib.util.spec_from_loader(fullname, _AliasLoader(ember_name))


def install():
    """Route ``torch`` imports to ember from now on in this process."""
    if not any(isinstance(f, TorchToEmber) for f in sys.meta_path):
        sys.meta_path.insert(0, TorchToEmber())
    for name in [n for n in sys.modules if n == "torch" or n.startswith("torch.")]:
        del sys.modules[name]  # a real torch imported earlier must not leak through
    import ember
    sys.modules["torch"] = ember
