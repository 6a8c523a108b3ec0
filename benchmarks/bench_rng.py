"""Time ember's NumPy random engine against PyTorch's CPU generator, side by side.

Run: python benchmarks/bench_rng.py [--size N] [--repeats R]

Each row is the best of R runs, ember and torch alternating; ratio = ember time /
torch time (lower is better).
torch runs single-threaded here because its random kernels are serial anyway.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from ember._rng import MT19937, sampling


def best_times(functions, repeats: int) -> list[float]:
    """Best wall time of each function, running them in turn so load swings hit both alike."""
    best = [float("inf")] * len(functions)
    for _ in range(repeats):
        for index, function in enumerate(functions):
            start = time.perf_counter()
            function()
            best[index] = min(best[index], time.perf_counter() - start)
    return best


def cases(size: int):
    engine = MT19937(0)
    torch.manual_seed(0)
    return [
        ("rand float32", lambda: sampling.uniform(engine, (size,), np.float32),
         lambda: torch.rand(size)),
        ("randn float32", lambda: sampling.normal(engine, (size,), np.float32),
         lambda: torch.randn(size)),
        ("rand float64", lambda: sampling.uniform(engine, (size,), np.float64),
         lambda: torch.rand(size, dtype=torch.float64)),
        ("randn float64", lambda: sampling.normal(engine, (size,), np.float64),
         lambda: torch.randn(size, dtype=torch.float64)),
        ("randint int64", lambda: sampling.randint(engine, (size,), 0, 1000),
         lambda: torch.randint(0, 1000, (size,))),
        ("bernoulli_(0.5)", lambda: sampling.bernoulli(engine, 0.5, (size,), np.float32),
         lambda: torch.empty(size).bernoulli_(0.5)),
        ("randperm", lambda: sampling.randperm(engine, size // 10),
         lambda: torch.randperm(size // 10)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"{'case':<18}{'ember (ms)':>12}{'torch (ms)':>12}{'ratio':>8}   n={args.size:,}")
    for name, ember_call, torch_call in cases(args.size):
        ember_seconds, torch_seconds = best_times([ember_call, torch_call], args.repeats)
        print(f"{name:<18}{ember_seconds * 1e3:>12.1f}{torch_seconds * 1e3:>12.1f}"
              f"{ember_seconds / torch_seconds:>8.2f}")


if __name__ == "__main__":
    main()
