"""ember._rng against PyTorch's CPU generator: same seed, same bits.

Every test seeds torch's default generator and an ember engine alike, draws
with both, and compares exactly: same shape, same dtype, same bits (so 0.0 and
-0.0 differ). These tests use only ember._rng, never ember.Tensor.
"""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import numpy as np
import pytest
import torch

from ember._rng import (
    BFLOAT16,
    DEFAULT_SEED,
    LEGACY_STATE_SIZE,
    STATE_SIZE,
    MT19937,
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
    uniform,
)
from ember._rng.float_ops import fma32, fma64

SEEDS = [0, 1, 42, 2**32 + 7]
# Sizes around the 16-element switch between PyTorch's normal paths.
SIZES = [1, 2, 15, 16, 17, 31, 32, 33, 100, 1001]
TORCH_DTYPE = {
    np.dtype(np.float16): torch.float16, np.dtype(np.float32): torch.float32,
    np.dtype(np.float64): torch.float64, np.dtype(np.int8): torch.int8,
    np.dtype(np.uint8): torch.uint8, np.dtype(np.int16): torch.int16,
    np.dtype(np.int32): torch.int32, np.dtype(np.int64): torch.int64,
    np.dtype(np.bool_): torch.bool,
}


def seeded(seed: int) -> MT19937:
    """Seed torch's default generator and return an ember engine seeded alike."""
    torch.manual_seed(seed)
    return MT19937(seed)


def as_numpy(tensor: torch.Tensor) -> np.ndarray:
    if tensor.dtype == torch.bfloat16:
        return tensor.float().numpy()
    return tensor.numpy()


def assert_same(ours: np.ndarray, theirs: torch.Tensor) -> None:
    theirs = as_numpy(theirs)
    ours = np.asarray(ours)
    if ours.dtype.name == "bfloat16":
        ours = ours.astype(np.float32)
    assert ours.shape == theirs.shape
    assert ours.dtype == theirs.dtype, (ours.dtype, theirs.dtype)
    np.testing.assert_array_equal(ours, theirs)
    if ours.dtype.kind in "fc":
        bits = f"u{ours.itemsize // (2 if ours.dtype.kind == 'c' else 1)}"
        np.testing.assert_array_equal(np.ascontiguousarray(ours).view(bits),
                                      np.ascontiguousarray(theirs).view(bits))


def assert_streams_in_step(engine: MT19937) -> None:
    """Both generators are at the same point: the next draws and the states agree."""
    np.testing.assert_array_equal(engine.get_state(), torch.get_rng_state().numpy())
    assert_same(uniform(engine, (3,)), torch.rand(3))


# ================================================================= engine/state

@pytest.mark.parametrize("seed", SEEDS + [-1, 2**63, 2**64 - 1])
def test_seeded_state_is_torch_byte_layout(seed):
    engine = seeded(seed)
    state = engine.get_state()
    assert state.dtype == np.uint8 and state.shape == (STATE_SIZE,)
    np.testing.assert_array_equal(state, torch.get_rng_state().numpy())
    assert engine.initial_seed() == torch.initial_seed()


def test_default_engine_matches_fresh_torch_generator():
    engine = MT19937()
    assert engine.initial_seed() == DEFAULT_SEED == torch.Generator().initial_seed()
    np.testing.assert_array_equal(engine.get_state(), torch.Generator().get_state().numpy())


def test_seed_out_of_range_raises_like_torch():
    for bad in (2**64, -(2**63) - 1):
        with pytest.raises(ValueError):
            MT19937(bad)
        with pytest.raises((ValueError, RuntimeError)):
            torch.manual_seed(bad)


def test_raw_words_are_textbook_mt19937():
    # std::mt19937 seeded with 5489 gives 3499211612 first and 4123659995 at
    # draw 10000 (the C++ standard's check value).
    engine = MT19937(5489)
    words = engine.random_uint32(10000)
    assert words[0] == 3499211612 and words[-1] == 4123659995


def test_random64_is_first_word_high():
    words = MT19937(3).random_uint32(6).astype(np.uint64)
    draws = MT19937(3).random_uint64(3)
    np.testing.assert_array_equal(draws, (words[0::2] << np.uint64(32)) | words[1::2])


@pytest.mark.parametrize("draws", [0, 1, 623, 624, 625, 1500])
def test_state_from_torch_continues_identically(draws):
    torch.manual_seed(11)
    torch.randint(0, 2**31, (draws,), dtype=torch.int64)      # one word each
    torch.randn(3, dtype=torch.float64)                        # leaves a cached normal
    engine = MT19937(0)
    engine.set_state(torch.get_rng_state().numpy())
    assert engine.next_double_normal_sample is not None
    np.testing.assert_array_equal(engine.get_state(), torch.get_rng_state().numpy())
    assert_same(normal(engine, (5,), np.float64), torch.randn(5, dtype=torch.float64))
    assert_same(uniform(engine, (700,)), torch.rand(700))
    assert_streams_in_step(engine)


@pytest.mark.parametrize("draws", [0, 5, 624, 1000])
def test_state_from_engine_loads_into_torch(draws):
    engine = MT19937(123)
    engine.random_uint32(draws)
    normal(engine, (1,), np.float64)                            # leaves a cached normal
    torch.set_rng_state(torch.from_numpy(engine.get_state()))
    assert_same(normal(engine, (3,), np.float64), torch.randn(3, dtype=torch.float64))
    assert_same(normal(engine, (40,)), torch.randn(40))
    assert_streams_in_step(engine)
    assert torch.initial_seed() == 123


def test_legacy_state_size_loads():
    torch.manual_seed(5)
    torch.rand(10)
    engine = MT19937()
    engine.set_state(torch.get_rng_state().numpy()[:LEGACY_STATE_SIZE])
    assert_streams_in_step(engine)


def test_invalid_states_raise():
    good = MT19937(1).get_state()
    with pytest.raises(RuntimeError, match="size"):
        MT19937().set_state(good[:100])
    broken = good.copy()
    broken[8:12] = np.frombuffer(np.int32(0).tobytes(), np.uint8)   # left = 0
    with pytest.raises(RuntimeError, match="Invalid mt19937 state"):
        MT19937().set_state(broken)


def test_state_accepts_bytes_and_tensors():
    torch.manual_seed(12)
    torch.rand(7)
    for state in (torch.get_rng_state().numpy().tobytes(), torch.get_rng_state().numpy(),
                  list(torch.get_rng_state().numpy())):
        engine = MT19937()
        engine.set_state(state)
        np.testing.assert_array_equal(engine.get_state(), torch.get_rng_state().numpy())


def test_uniform_and_normal_reject_integer_dtypes():
    with pytest.raises(TypeError, match="floating"):
        uniform(MT19937(), (3,), np.int64)
    with pytest.raises(TypeError, match="floating"):
        normal(MT19937(), (3,), np.int32)


def test_manual_seed_clears_cached_normal():
    engine = MT19937(2)
    normal(engine, (1,), np.float64)
    assert engine.next_double_normal_sample is not None
    engine.manual_seed(2)
    assert engine.next_double_normal_sample is None
    np.testing.assert_array_equal(engine.get_state(), MT19937(2).get_state())


def test_clone_is_independent():
    engine = MT19937(9)
    normal(engine, (3,), np.float64)
    twin = engine.clone()
    np.testing.assert_array_equal(twin.get_state(), engine.get_state())
    first = uniform(engine, (5,))
    np.testing.assert_array_equal(uniform(twin, (5,)), first)


def test_seed_is_nondeterministic_and_recorded():
    engine = MT19937()
    seeds = {engine.seed() for _ in range(3)}
    assert len(seeds) == 3
    assert engine.initial_seed() in seeds and all(0 <= s < 2**64 for s in seeds)


# ==================================================================== uniform

@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("bounds", [(0.0, 1.0), (-3.7, 2.9), (1e-3, 3e4), (2.0, 2.5)])
def test_uniform_matches_torch(dtype, bounds):
    torch_dtype = TORCH_DTYPE[np.dtype(dtype)]
    for seed in SEEDS[:2]:
        for size in (1, 17, 5000):
            engine = seeded(seed)
            assert_same(uniform(engine, (size,), dtype, *bounds),
                        torch.empty(size, dtype=torch_dtype).uniform_(*bounds))
    assert_streams_in_step(engine)


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_complex_rand_and_randn(dtype):
    torch_dtype = {np.complex64: torch.complex64, np.complex128: torch.complex128}[dtype]
    for size in (3, 8, 20):
        engine = seeded(size)
        assert_same(uniform(engine, (size,), dtype), torch.rand(size, dtype=torch_dtype))
        assert_same(normal(engine, (size,), dtype), torch.randn(size, dtype=torch_dtype))
        assert_same(normal(engine, (2, size), dtype, 0.5, 2.0),
                    torch.empty(2, size, dtype=torch_dtype).normal_(0.5, 2.0))
        assert_streams_in_step(engine)


def test_rand_shapes():
    engine = seeded(3)
    assert_same(uniform(engine, (2, 3, 4)), torch.rand(2, 3, 4))
    assert_same(uniform(engine, ()), torch.rand(()))
    assert_same(uniform(engine, (0, 5)), torch.rand(0, 5))


def test_uniform_never_returns_high():
    # Seed 2918's word 3237 has all 24 low bits set: u = 1 - 2**-24, and
    # 1 + u rounds to 2.0 in float32; PyTorch returns `low` instead.
    engine = seeded(2918)
    ours = uniform(engine, (3238,), np.float32, 1.0, 2.0)
    assert_same(ours, torch.empty(3238).uniform_(1.0, 2.0))
    assert ours[-1] == 1.0 and ours.max() < 2.0


def test_bfloat16_recipes_on_float32_storage():
    for size in (5, 37, 1000):
        engine = seeded(size)
        ours = uniform(engine, (size,), BFLOAT16)
        assert ours.dtype == np.float32
        assert_same(ours, torch.rand(size, dtype=torch.bfloat16))
        assert_same(normal(engine, (size,), BFLOAT16), torch.randn(size, dtype=torch.bfloat16))
        assert_same(normal(engine, (size,), BFLOAT16, 0.5, 3.0),
                    torch.empty(size, dtype=torch.bfloat16).normal_(0.5, 3.0))
        assert_same(random_(engine, (size,), BFLOAT16),
                    torch.empty(size, dtype=torch.bfloat16).random_())
        assert_same(exponential(engine, (size,), BFLOAT16),
                    torch.empty(size, dtype=torch.bfloat16).exponential_())
        assert_streams_in_step(engine)
    mean = torch.rand(40, generator=torch.Generator().manual_seed(0)).bfloat16()
    std = torch.rand(40, generator=torch.Generator().manual_seed(1)).bfloat16() + 1
    engine = seeded(3)
    assert_same(normal_from_tensors(engine, mean.float().numpy(), std.float().numpy(), BFLOAT16),
                torch.normal(mean, std))


def test_bfloat16_numpy_dtype():
    ml_dtypes = pytest.importorskip("ml_dtypes")
    bfloat16 = np.dtype(ml_dtypes.bfloat16)
    for size in (5, 37, 1000):
        engine = seeded(size)
        assert_same(uniform(engine, (size,), bfloat16), torch.rand(size, dtype=torch.bfloat16))
        assert_same(normal(engine, (size,), bfloat16), torch.randn(size, dtype=torch.bfloat16))
        assert_same(random_(engine, (size,), bfloat16),
                    torch.empty(size, dtype=torch.bfloat16).random_())
        assert_streams_in_step(engine)


# ===================================================================== normal

@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("size", SIZES)
def test_randn_matches_torch(dtype, size):
    torch_dtype = TORCH_DTYPE[np.dtype(dtype)]
    for seed in SEEDS:
        engine = seeded(seed)
        assert_same(normal(engine, (size,), dtype), torch.randn(size, dtype=torch_dtype))
    assert_streams_in_step(engine)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("size", [3, 16, 50])
@pytest.mark.parametrize("mean, std", [(0.5, 2.5), (-1.3, 0.7), (100.0, 1e-3)])
def test_normal_with_mean_and_std(dtype, size, mean, std):
    engine = seeded(size)
    torch_dtype = TORCH_DTYPE[np.dtype(dtype)]
    assert_same(normal(engine, (size,), dtype, mean, std),
                torch.empty(size, dtype=torch_dtype).normal_(mean, std))
    assert_streams_in_step(engine)


def test_randn_large_float32_is_bit_identical():
    engine = seeded(77)
    assert_same(normal(engine, (1_000_003,)), torch.randn(1_000_003))


def test_cached_normal_crosses_calls_and_dtypes():
    engine = seeded(4)
    assert_same(normal(engine, (3,), np.float64), torch.randn(3, dtype=torch.float64))
    assert_same(normal(engine, (1,)), torch.randn(1))               # the cached value
    assert_same(normal(engine, (5,), np.float16), torch.randn(5, dtype=torch.float16))
    assert_same(normal(engine, (20,)), torch.randn(20))              # block path skips the cache
    assert_same(normal(engine, (2,)), torch.randn(2))
    assert_streams_in_step(engine)


def test_non_contiguous_normal_takes_scalar_path():
    engine = seeded(6)
    target = torch.empty(8, 4).t()                 # 32 elements, not contiguous
    target.normal_()
    # Storage order: fill the untransposed (8, 4) buffer, then transpose.
    ours = normal(engine, (8, 4), contiguous=False).T
    assert_same(ours, target)
    assert_streams_in_step(engine)


@pytest.mark.parametrize("shape_mean, shape_std",
                         [((20,), (20,)), ((3, 1), (1, 17)), ((40,), None), (None, (40,))])
def test_normal_with_tensor_arguments(shape_mean, shape_std):
    generator = torch.Generator().manual_seed(1)
    mean = torch.rand(shape_mean, generator=generator) if shape_mean else 0.25
    std = torch.rand(shape_std, generator=generator) + 0.5 if shape_std else 1.7
    engine = seeded(8)
    ours = normal_from_tensors(
        engine, mean.numpy() if shape_mean else mean, std.numpy() if shape_std else std)
    assert_same(ours, torch.normal(mean, std))
    assert_streams_in_step(engine)


# =================================================================== integers

def _fits(dtype, low: int, high: int) -> bool:
    if np.dtype(dtype).kind == "f":
        return True
    info = np.iinfo(dtype)
    return info.min <= low and high - 1 <= info.max


RANDINT_CASES = [
    (low, high, dtype)
    for low, high in [(0, 10), (-5, 7), (0, 256), (3, 2**28 - 1), (0, 2**28), (3, 2**31),
                      (0, 2**32 + 1), (-2**40, 2**40)]
    for dtype in [np.int64, np.int32, np.float64, np.float32, np.int16, np.uint8]
    if _fits(dtype, low, high)
]


@pytest.mark.parametrize("low, high, dtype", RANDINT_CASES)
def test_randint_matches_torch(low, high, dtype):
    engine = seeded(4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # torch warns about ranges beyond 2**24 for float
        theirs = torch.randint(low, high, (300,), dtype=TORCH_DTYPE[np.dtype(dtype)])
    assert_same(randint(engine, (300,), low, high, dtype), theirs)
    assert_streams_in_step(engine)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int16, np.int8, np.uint8, np.bool_,
                                   np.float32, np.float64, np.float16])
def test_random_full_range_matches_torch(dtype):
    engine = seeded(5)
    torch_dtype = TORCH_DTYPE[np.dtype(dtype)]
    assert_same(random_(engine, (200,), dtype), torch.empty(200, dtype=torch_dtype).random_())
    assert_same(random_(engine, (50,), dtype, 0, 2), torch.empty(50, dtype=torch_dtype).random_(2))
    if dtype != np.bool_:
        assert_same(random_(engine, (50,), dtype, 1, None),
                    torch.empty(50, dtype=torch_dtype).random_(1, None))
    assert_streams_in_step(engine)


@pytest.mark.parametrize("dtype", [np.int64, np.float32, np.float64])
def test_random_full_64_bit_range(dtype):
    engine = seeded(6)
    assert_same(random_(engine, (100,), dtype, -2**63, None),
                torch.empty(100, dtype=TORCH_DTYPE[np.dtype(dtype)]).random_(-2**63, None))
    assert_streams_in_step(engine)


def test_randint_float_bounds_are_pulled_in_like_torch():
    engine = seeded(7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.randint(-2**25 - 5, 2**25, (100,), dtype=torch.float32)
    assert_same(randint(engine, (100,), -2**25 - 5, 2**25, np.float32), theirs)


def test_randint_rejects_empty_range():
    with pytest.raises(RuntimeError, match="from"):
        randint(MT19937(), (3,), 5, 5)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 16, 17, 100, 1000, 65537])
def test_randperm_matches_torch(n):
    for seed in SEEDS[:2]:
        engine = seeded(seed)
        assert_same(randperm(engine, n), torch.randperm(n))
    assert_streams_in_step(engine)


@pytest.mark.parametrize("dtype", [np.int32, np.float32, np.uint8])
def test_randperm_dtypes(dtype):
    engine = seeded(1)
    assert_same(randperm(engine, 200, dtype), torch.randperm(200, dtype=TORCH_DTYPE[np.dtype(dtype)]))


# =================================================================== discrete

@pytest.mark.parametrize("p", [0.0, 0.3, 0.5, 0.99, 1.0])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.bool_])
def test_bernoulli_scalar_p(p, dtype):
    engine = seeded(2)
    for size in (5, 2000):
        assert_same(bernoulli(engine, p, (size,), dtype),
                    torch.empty(size, dtype=TORCH_DTYPE[np.dtype(dtype)]).bernoulli_(p))
    assert_streams_in_step(engine)


@pytest.mark.parametrize("p_dtype", [np.float32, np.float64, np.float16])
def test_bernoulli_tensor_p(p_dtype):
    probabilities = torch.rand(3, 400, generator=torch.Generator().manual_seed(1))
    probabilities = probabilities.to(TORCH_DTYPE[np.dtype(p_dtype)])
    engine = seeded(2)
    assert_same(bernoulli(engine, probabilities.numpy()), torch.bernoulli(probabilities))
    # bernoulli_(p_tensor) on an output of another dtype, with broadcasting
    row = probabilities[0, :7]
    assert_same(bernoulli(engine, row.numpy(), (5, 7), np.int64),
                torch.empty(5, 7, dtype=torch.int64).bernoulli_(row))
    assert_streams_in_step(engine)


def test_dropout_mask_is_scalar_bernoulli():
    engine = seeded(3)
    ours = bernoulli(engine, 1 - 0.3, (1000,), np.float32) / np.float32(1 - 0.3)
    assert_same(ours, torch.nn.functional.dropout(torch.ones(1000), 0.3))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("num_samples, replacement", [(1, False), (1, True), (4, False), (9, False),
                                                      (25, True)])
def test_multinomial_matches_torch(dtype, num_samples, replacement):
    probabilities = torch.rand(4, 9, generator=torch.Generator().manual_seed(2))
    probabilities[1, 3] = 0
    probabilities = probabilities.to(TORCH_DTYPE[np.dtype(dtype)])
    engine = seeded(5)
    assert_same(multinomial(engine, probabilities.numpy(), num_samples, replacement),
                torch.multinomial(probabilities, num_samples, replacement))
    assert_same(multinomial(engine, probabilities[0].numpy(), num_samples, replacement),
                torch.multinomial(probabilities[0], num_samples, replacement))
    assert_streams_in_step(engine)


def test_multinomial_many_categories_accumulates_in_float32():
    probabilities = torch.rand(2, 5000, generator=torch.Generator().manual_seed(3)) ** 4
    engine = seeded(6)
    assert_same(multinomial(engine, probabilities.numpy(), 300, True),
                torch.multinomial(probabilities, 300, True))


def test_multinomial_rejects_bad_input():
    with pytest.raises(RuntimeError, match="without replacement"):
        multinomial(MT19937(), np.ones(3, np.float32), 4, False)
    with pytest.raises(RuntimeError, match="element < 0"):
        multinomial(MT19937(), np.array([0.5, -1.0], np.float32), 1, True)
    with pytest.raises(RuntimeError, match="sum of probabilities"):
        multinomial(MT19937(), np.zeros((2, 3), np.float32), 1, True)


# ================================================================ continuous

CONTINUOUS = [
    ("exponential", lambda e, n, d: exponential(e, (n,), d, 2.5), lambda t: t.exponential_(2.5)),
    ("geometric", lambda e, n, d: geometric(e, (n,), d, 0.3), lambda t: t.geometric_(0.3)),
    ("log_normal", lambda e, n, d: log_normal(e, (n,), d, 0.5, 0.25), lambda t: t.log_normal_(0.5, 0.25)),
    ("cauchy", lambda e, n, d: cauchy(e, (n,), d, 1.5, 0.3), lambda t: t.cauchy_(1.5, 0.3)),
]


@pytest.mark.parametrize("name, ours, theirs", CONTINUOUS, ids=[c[0] for c in CONTINUOUS])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_continuous_distributions_match_torch(name, ours, theirs, dtype):
    engine = seeded(8)
    for size in (1, 7, 3000):
        assert_same(ours(engine, size, dtype),
                    theirs(torch.empty(size, dtype=TORCH_DTYPE[np.dtype(dtype)])))
    assert_streams_in_step(engine)


def test_geometric_into_integers():
    engine = seeded(9)
    assert_same(geometric(engine, (100,), np.int64, 0.2),
                torch.empty(100, dtype=torch.int64).geometric_(0.2))


def test_log_normal_shares_the_normal_cache():
    engine = seeded(10)
    assert_same(log_normal(engine, (3,), np.float64, 0.0, 1.0),
                torch.empty(3, dtype=torch.float64).log_normal_(0.0, 1.0))
    assert_same(normal(engine, (1,), np.float64), torch.randn(1, dtype=torch.float64))
    assert_streams_in_step(engine)


# ============================================================ interleaving

def test_interleaved_calls_share_one_stream():
    engine = seeded(2024)
    probabilities = torch.tensor([0.1, 0.2, 0.3, 0.4])
    assert_same(uniform(engine, (3,)), torch.rand(3))
    assert_same(normal(engine, (20,)), torch.randn(20))
    assert_same(randint(engine, (5,), 0, 10), torch.randint(0, 10, (5,)))
    assert_same(normal(engine, (3,)), torch.randn(3))
    assert_same(bernoulli(engine, 0.5, (4,)), torch.empty(4).bernoulli_(0.5))
    assert_same(randperm(engine, 10), torch.randperm(10))
    assert_same(normal(engine, (1,)), torch.randn(1))
    assert_same(multinomial(engine, probabilities.numpy(), 2), torch.multinomial(probabilities, 2))
    assert_same(uniform(engine, (5,), np.float64), torch.rand(5, dtype=torch.float64))
    assert_same(normal(engine, (2, 9), np.float64, 1.0, 3.0),
                torch.empty(2, 9, dtype=torch.float64).normal_(1.0, 3.0))
    assert_same(exponential(engine, (6,)), torch.empty(6).exponential_())
    assert_streams_in_step(engine)


# ===================================================== exact multiply-add

def _exact_fma(a: float, b: float, c: float) -> float:
    return float(Fraction(a) * Fraction(b) + Fraction(c))


def test_fma64_is_correctly_rounded():
    rng = np.random.default_rng(0)
    a = rng.standard_normal(3000)
    b = rng.standard_normal(3000) * 10.0 ** rng.integers(-5, 5, 3000)
    c = rng.standard_normal(3000)
    # Near-ties: c cancels most of a * b, and products with a half-ulp tail.
    c[:1000] = -(a[:1000] * b[:1000])
    a[1000:1500] = 1.0 + 2.0 ** -52
    b[1000:1500] = 1.0 + np.arange(500) * 2.0 ** -30
    ours = fma64(a, b, c)
    expected = [_exact_fma(*triple) for triple in zip(a.tolist(), b.tolist(), c.tolist())]
    np.testing.assert_array_equal(ours, expected)


def test_fma32_is_correctly_rounded():
    rng = np.random.default_rng(1)
    a, b, c = (rng.standard_normal(3000).astype(np.float32) for _ in range(3))
    c[:1000] = -(a[:1000] * b[:1000])
    ours = fma32(a, b, c)
    expected = np.array([_exact_fma(*t) for t in zip(a.tolist(), b.tolist(), c.tolist())])
    # Round the exact value to float32 via Fraction to avoid a second rounding.
    expected32 = [np.float32(_round_fraction_to_float32(
        Fraction(x) * Fraction(y) + Fraction(z))) for x, y, z in zip(a.tolist(), b.tolist(), c.tolist())]
    assert expected.shape == ours.shape
    np.testing.assert_array_equal(ours, np.array(expected32, dtype=np.float32))


def _round_fraction_to_float32(value: Fraction) -> float:
    """Round an exact rational to the nearest float32 (ties to even)."""
    if value == 0:
        return 0.0
    exponent = math.floor(math.log2(abs(value)))
    if Fraction(2) ** exponent > abs(value):
        exponent -= 1
    elif Fraction(2) ** (exponent + 1) <= abs(value):
        exponent += 1
    quantum = Fraction(2) ** (max(exponent, -126) - 23)
    return float(round(value / quantum) * quantum)   # round() on Fraction is ties-to-even
