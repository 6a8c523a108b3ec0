"""Training text that ships with every Python: the help topics of ``pydoc_data``."""
import numpy as np


def load_text(max_chars=200_000):
    from pydoc_data.topics import topics
    text = "\n".join(topics[k] for k in sorted(topics))
    text = "".join(c for c in text if 32 <= ord(c) < 127 or c == "\n")
    return text[:max_chars]


def encode(text):
    vocab = sorted(set(text))
    index = {c: i for i, c in enumerate(vocab)}
    return np.array([index[c] for c in text], dtype=np.int64), vocab


def batches(data, batch_size, context, rng):
    """Random windows: inputs and the next-character targets."""
    starts = rng.integers(0, len(data) - context - 1, batch_size)
    x = np.stack([data[s:s + context] for s in starts])
    y = np.stack([data[s + 1:s + context + 1] for s in starts])
    return x, y
