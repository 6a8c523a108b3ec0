"""Generators and the default CPU generator: the same numbers as PyTorch for the same seed.

The engine (``ember._rng``) is PyTorch's mt19937 with its sampling recipes replayed bit
for bit; this module gives it PyTorch's public face.
"""
import contextlib

from ._backend import np
from ._device import CPU, to_device
from ._rng import MT19937, STATE_SIZE


class Generator:
    """A random-number generator; pass it as ``generator=`` to any sampling function."""

    def __init__(self, device="cpu"):
        self.device = to_device(device) if device is not None else CPU
        self._engine = MT19937()

    def manual_seed(self, seed):
        if not isinstance(seed, int):
            try:
                seed = int(seed)
            except (TypeError, ValueError):
                raise TypeError(f"manual_seed expected a long, but got {type(seed).__name__}") from None
        self._engine.manual_seed(seed)
        return self

    def seed(self):
        return self._engine.seed()

    def initial_seed(self):
        return self._engine.initial_seed()

    def get_state(self):
        from ._tensor import Tensor
        return Tensor._make(np.array(self._engine.get_state(), dtype=np.uint8))

    def set_state(self, new_state):
        from ._tensor import Tensor
        if not isinstance(new_state, Tensor):
            raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
        if new_state._data.dtype != np.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        if new_state._data.size != STATE_SIZE:
            # The engine also reads the older 5048-byte layout; PyTorch 2.13's generator does not.
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size {STATE_SIZE} but found the input "
                               f"RNG state size to be {new_state._data.size}")
        self._engine.set_state(np.asarray(new_state._data))
        return self

    def get_offset(self):
        raise RuntimeError("CPU Generator does not use offset")

    def set_offset(self, offset):
        raise RuntimeError("CPU Generator does not use offset")

    def graphsafe_get_state(self):
        raise NotImplementedError("graphsafe_get_state is not supported in this Generator")

    def graphsafe_set_state(self, state):
        raise NotImplementedError("graphsafe_set_state is not supported in this Generator")

    def clone_state(self):
        g = Generator(self.device)
        g._engine = self._engine.clone()
        return g

    def __repr__(self):
        return f"<torch._C.Generator object at {hex(id(self))}>"

    def __getstate__(self):
        return {"device": str(self.device), "state": bytes(self._engine.get_state())}

    def __setstate__(self, d):
        self.device = to_device(d["device"])
        self._engine = MT19937()
        self._engine.set_state(np.frombuffer(d["state"], dtype=np.uint8))


default_generator = Generator()


def engine_of(generator):
    """The mt19937 engine to draw from: ``generator``'s, or the default one."""
    if generator is None:
        return default_generator._engine
    if not isinstance(generator, Generator):
        raise TypeError(f"expected a Generator, but got {type(generator).__name__}")
    return generator._engine


def manual_seed(seed):
    """Seed the default generator (and so every sampling function that gets no generator)."""
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices", device_type="cuda"):
    """Run the block with a copy of the RNG state, restored afterwards."""
    if not enabled:
        yield
        return
    saved = default_generator.get_state()
    try:
        yield
    finally:
        default_generator.set_state(saved)


def thread_safe_generator():
    """The DataLoader thread worker's own generator; None (the default generator) elsewhere."""
    from .utils.data import get_worker_info
    info = get_worker_info()
    return getattr(info, "rng", None) if info is not None else None


__all__ = ["Generator", "default_generator", "manual_seed", "seed", "initial_seed", "get_rng_state",
           "set_rng_state", "fork_rng", "thread_safe_generator"]
