"""skip_init: build a module without running its parameter initialization."""
import inspect

__all__ = ["skip_init"]


def skip_init(module_cls, *args, **kwargs):
    """Instantiate ``module_cls(*args, **kwargs)`` with uninitialized parameters and buffers.

    PyTorch builds the module on the ``meta`` device (no memory, no random draws) and then
    allocates empty tensors. ember has no meta device, so it builds the module normally,
    restores the random generator (the global RNG stream is left exactly as PyTorch leaves
    it) and replaces every tensor with uninitialized memory via ``to_empty``.
    """
    from ... import random as _random
    from ..modules.module import Module
    if not (isinstance(module_cls, type) and issubclass(module_cls, Module)):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    final_device = kwargs.pop("device", "cpu")
    state = _random.get_rng_state()
    try:
        module = module_cls(*args, **kwargs)
    finally:
        _random.set_rng_state(state)
    return module.to_empty(device=final_device)
