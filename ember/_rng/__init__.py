"""Random numbers bit-identical to PyTorch's CPU generator, on NumPy alone.

``MT19937`` (mt19937.py) is the engine: seeding, raw 32/64-bit draws, the
5056-byte state of ``torch.get_rng_state()``. ``sampling`` (with ``integers``)
turns its words into samples exactly as PyTorch's CPU kernels do; ``float_ops``
holds the exact arithmetic that needs (fused multiply-add, glibc's libm, the
AVX Box-Muller), ``dtypes`` the casting rules. Nothing here imports the rest of
ember, only NumPy and the standard library.

Example:
    >>> from ember._rng import MT19937, sampling
    >>> engine = MT19937(0)
    >>> sampling.uniform(engine, (3,))            # == torch.manual_seed(0); torch.rand(3)
    array([0.4962566 , 0.7682218 , 0.08847743], dtype=float32)
"""

from . import sampling
from .mt19937 import DEFAULT_SEED, LEGACY_STATE_SIZE, STATE_SIZE, MT19937
from .sampling import (
    BFLOAT16,
    bernoulli,
    cauchy,
    exponential,
    geometric,
    log_normal,
    multinomial,
    normal,
    normal_from_tensors,
    randint,
    random_,
    randperm,
    scalar_standard_normals,
    uniform,
    uniform_double53,
    uniform_float24,
)

__all__ = [
    "BFLOAT16", "DEFAULT_SEED", "LEGACY_STATE_SIZE", "MT19937", "STATE_SIZE",
    "bernoulli", "cauchy", "exponential", "geometric", "log_normal", "multinomial",
    "normal", "normal_from_tensors", "randint", "random_", "randperm", "sampling",
    "scalar_standard_normals", "uniform", "uniform_double53", "uniform_float24",
]
