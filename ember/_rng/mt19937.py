"""The 32-bit Mersenne Twister behind PyTorch's CPU generator.

PyTorch's CPU generator is the textbook mt19937: seeded with Matsumoto and
Nishimura's ``init_genrand`` (only the low 32 bits of the 64-bit seed reach the
state), twisted every 624 draws and tempered on the way out. Its 64-bit draw
(``random64``) is two 32-bit draws, the *first* one becoming the high word.

NumPy ships the same algorithm as ``numpy.random.MT19937``, written in C; it
differs from PyTorch only in how it *seeds*. So this engine computes PyTorch's
seeded state itself and hands it to NumPy's bit generator, which then draws at C
speed (10M words in ~30 ms); a twist written as NumPy slices runs a dozen array
calls per 227 words and is ~10x slower.

The engine also carries what PyTorch's generator carries besides the twister:
the seed it was given and the cached second output of the scalar Box-Muller
path (see ``sampling.normal``), so that :meth:`get_state` / :meth:`set_state`
round-trip byte for byte with ``torch.get_rng_state()`` / ``torch.set_rng_state``.
"""

from __future__ import annotations

import os
import struct

import numpy as np

NUM_WORDS = 624
DEFAULT_SEED = 67280421310721  # what torch.initial_seed() says before any seeding
_UINT64_MASK = (1 << 64) - 1

# PyTorch's serialized generator state, a C struct in native (little-endian)
# order with natural alignment:
#
#   offset  size  field
#        0     8  uint64  seed the generator was last seeded with
#        8     4  int32   left: draws until the next twist, plus one (1..624)
#       12     4  int32   seeded (always 1)
#       16     8  uint64  next: index of the state word the next draw tempers
#       24  4992  uint64[624] the twister's words, zero-extended
#     5016     8  double  normal_x (unused, 0)
#     5024     8  double  normal_y: cached second Box-Muller output (double path)
#     5032     8  double  normal_rho (unused, 0)
#     5040     4  int32   normal_y is valid
#     5044     4  padding
#     5048     4  float   cached Box-Muller output of the float path
#     5052     1  bool    that float is valid
#     5053     3  padding
#
# The first 5048 bytes are the legacy TH layout, which torch.set_rng_state also
# accepts; it has no float cache.
STATE_SIZE = 5056
LEGACY_STATE_SIZE = 5048
_HEADER = struct.Struct("<QiiQ")
_WORDS_OFFSET = _HEADER.size
_NORMALS = struct.Struct("<dddi")
_NORMALS_OFFSET = _WORDS_OFFSET + 8 * NUM_WORDS
_FLOAT_NORMAL = struct.Struct("<f?")
_FLOAT_NORMAL_OFFSET = LEGACY_STATE_SIZE


def seeded_words(seed: int) -> np.ndarray:
    """The 624 state words ``init_genrand`` derives from the low 32 bits of ``seed``."""
    words = np.empty(NUM_WORDS, dtype=np.uint32)
    word = seed & 0xFFFFFFFF
    words[0] = word
    for i in range(1, NUM_WORDS):
        word = (1812433253 * (word ^ (word >> 30)) + i) & 0xFFFFFFFF
        words[i] = word
    return words


def normalize_seed(seed) -> int:
    """Map a seed to the uint64 PyTorch stores, as ``torch.manual_seed`` does.

    Negative seeds down to -2**63 wrap around (``-1`` becomes ``2**64 - 1``);
    anything outside [-2**63, 2**64) overflows in PyTorch, so it raises here too.
    """
    seed = int(seed)
    if not -(1 << 63) <= seed <= _UINT64_MASK:
        raise ValueError("Overflow when unpacking long long")
    return seed & _UINT64_MASK


class MT19937:
    """PyTorch's CPU random engine: mt19937 plus the generator's cached normals.

    Args:
        seed (int): initial seed (``67280421310721``, PyTorch's default).

    Like PyTorch's generator it is stateful; unlike it, it has no lock, so
    threads sharing one engine must serialize their draws.

    Attributes:
        next_double_normal_sample: the second output of the last double-precision
            scalar Box-Muller pair, returned by the next scalar normal draw
            (``None`` when empty).
        next_float_normal_sample: the float equivalent; PyTorch's CPU kernels
            never fill it, but it is part of the state, so it is kept.
    """

    def __init__(self, seed: int = DEFAULT_SEED):
        self._bit_generator = np.random.MT19937()
        self._numpy_generator = np.random.Generator(self._bit_generator)
        self.manual_seed(seed)

    # ------------------------------------------------------------------ seeding

    def manual_seed(self, seed: int) -> None:
        """Seed like ``torch.manual_seed``: reset the twister and drop cached normals."""
        self._initial_seed = normalize_seed(seed)
        self._load_words(seeded_words(self._initial_seed), position=NUM_WORDS)
        # PyTorch stores a freshly seeded twister as next=0 (not 624); remember
        # that until the first draw so that get_state() matches byte for byte.
        self._fresh = True
        self.next_double_normal_sample: float | None = None
        self.next_float_normal_sample: float | None = None

    def seed(self) -> int:
        """Seed from the operating system's entropy, like ``torch.seed``; return the seed."""
        new_seed = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(new_seed)
        return new_seed

    def initial_seed(self) -> int:
        """The seed last given to :meth:`manual_seed` (as an unsigned 64-bit int)."""
        return self._initial_seed

    # ------------------------------------------------------------------- draws

    def random_uint32(self, count: int) -> np.ndarray:
        """The next ``count`` 32-bit outputs (PyTorch's ``random()``), as uint32."""
        if count > 0:
            self._fresh = False
        # A full-range uint32 request makes NumPy return the raw twister output,
        # one word per value, in order (no rejection, no buffering).
        return self._numpy_generator.integers(0, 1 << 32, size=count, dtype=np.uint32)

    def random_uint64(self, count: int) -> np.ndarray:
        """The next ``count`` 64-bit outputs (PyTorch's ``random64()``), as uint64.

        Each is two consecutive 32-bit outputs, the first one in the high half.
        """
        # Viewing word pairs as little-endian uint64 puts the first word low;
        # rotating by 32 bits puts it high.
        pairs = self.random_uint32(2 * count).view(np.uint64)
        high = pairs << np.uint64(32)
        pairs >>= np.uint64(32)
        pairs |= high
        return pairs

    # ------------------------------------------------------------------- state

    def get_state(self) -> np.ndarray:
        """The state as the 5056 uint8 values ``torch.get_rng_state()`` returns."""
        words, position = self._words_and_position()
        if self._fresh:
            left, next_index = 1, 0
        else:
            # PyTorch decrements `left` before each draw and twists when it
            # reaches zero, so after k draws into a block left = 625 - k, next = k.
            left, next_index = NUM_WORDS + 1 - position, position
        state = bytearray(STATE_SIZE)
        _HEADER.pack_into(state, 0, self._initial_seed, left, 1, next_index)
        state[_WORDS_OFFSET:_NORMALS_OFFSET] = words.astype("<u8").tobytes()
        double_cache = self.next_double_normal_sample
        _NORMALS.pack_into(state, _NORMALS_OFFSET, 0.0,
                           0.0 if double_cache is None else double_cache,
                           0.0, double_cache is not None)
        float_cache = self.next_float_normal_sample
        _FLOAT_NORMAL.pack_into(state, _FLOAT_NORMAL_OFFSET,
                                0.0 if float_cache is None else float_cache,
                                float_cache is not None)
        return np.frombuffer(bytes(state), dtype=np.uint8).copy()

    def set_state(self, state) -> None:
        """Load a state from :meth:`get_state` or ``torch.get_rng_state()`` (5056 or 5048 bytes)."""
        if isinstance(state, (bytes, bytearray, memoryview)):
            raw = bytes(state)
        else:
            raw = np.ascontiguousarray(np.asarray(state, dtype=np.uint8)).tobytes()
        if len(raw) not in (STATE_SIZE, LEGACY_STATE_SIZE):
            raise RuntimeError(
                f"Expected either a THGeneratorState of size {LEGACY_STATE_SIZE} or a "
                f"CPUGeneratorImplState of size {STATE_SIZE} but found the input RNG "
                f"state size to be {len(raw)}")
        initial_seed, left, seeded, next_index = _HEADER.unpack_from(raw, 0)
        if not (seeded and 1 <= left <= NUM_WORDS and next_index <= NUM_WORDS):
            raise RuntimeError("Invalid mt19937 state")
        fresh = left == 1 and next_index == 0
        if not fresh and next_index != NUM_WORDS + 1 - left:
            # PyTorch itself never writes such a state (its `next` always
            # trails `left` this way); NumPy's twister cannot represent it.
            raise RuntimeError("Invalid mt19937 state: 'left' and 'next' disagree")
        words = np.frombuffer(raw, dtype="<u8", count=NUM_WORDS, offset=_WORDS_OFFSET)
        self._load_words(words.astype(np.uint32), position=NUM_WORDS if fresh else next_index)
        self._fresh = fresh
        self._initial_seed = initial_seed
        _, normal_y, _, normal_valid = _NORMALS.unpack_from(raw, _NORMALS_OFFSET)
        self.next_double_normal_sample = normal_y if normal_valid else None
        self.next_float_normal_sample = None
        if len(raw) == STATE_SIZE:
            float_normal, float_valid = _FLOAT_NORMAL.unpack_from(raw, _FLOAT_NORMAL_OFFSET)
            self.next_float_normal_sample = float_normal if float_valid else None

    def clone(self) -> MT19937:
        """An independent engine in the same state."""
        twin = MT19937.__new__(MT19937)
        twin._bit_generator = np.random.MT19937()
        twin._numpy_generator = np.random.Generator(twin._bit_generator)
        twin._bit_generator.state = self._bit_generator.state
        twin._initial_seed = self._initial_seed
        twin._fresh = self._fresh
        twin.next_double_normal_sample = self.next_double_normal_sample
        twin.next_float_normal_sample = self.next_float_normal_sample
        return twin

    # ----------------------------------------------------------------- helpers

    def _load_words(self, words: np.ndarray, position: int) -> None:
        # NumPy's `pos` is the index of the next word to temper; 624 means
        # "twist first", exactly PyTorch's left == 1.
        self._bit_generator.state = {
            "bit_generator": "MT19937",
            "state": {"key": np.asarray(words, dtype=np.uint32), "pos": int(position)},
        }

    def _words_and_position(self) -> tuple[np.ndarray, int]:
        state = self._bit_generator.state["state"]
        return np.asarray(state["key"], dtype=np.uint32), int(state["pos"])

    def __repr__(self) -> str:
        return f"MT19937(initial_seed={self._initial_seed})"
