"""Random-number speed, ember's NumPy engine vs PyTorch's CPU generator, side by side in one run.

Each row draws 10M values (randperm: 1M) with the same recipe on both sides:
rand/randn in float32 first (the headline), then float64, randint, bernoulli_
and randperm. Times are the best of R runs, ember and torch alternating so
that load swings hit both alike; ratio = ember / torch (lower is better).
PyTorch's random kernels are single-threaded, so torch runs with one thread.

    python benchmarks/bench_rng.py [--size N] [--repeats R] [--write]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from ember._rng import MT19937, sampling  # noqa: E402


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
        (f"randperm({size // 10:,})", lambda: sampling.randperm(engine, size // 10),
         lambda: torch.randperm(size // 10)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args()
    torch.set_num_threads(1)
    lines = ["| draw | ember ms | torch ms | ratio |", "|---|---|---|---|"]
    print(f"{'case':<22}{'ember (ms)':>12}{'torch (ms)':>12}{'ratio':>8}   n={args.size:,}")
    for name, ember_call, torch_call in cases(args.size):
        ember_seconds, torch_seconds = best_times([ember_call, torch_call], args.repeats)
        ratio = ember_seconds / torch_seconds
        print(f"{name:<22}{ember_seconds * 1e3:>12.1f}{torch_seconds * 1e3:>12.1f}{ratio:>8.2f}")
        lines.append(f"| {name} | {ember_seconds * 1e3:.1f} | {torch_seconds * 1e3:.1f} | {ratio:.2f}x |")
    if args.write:
        from _report import write_section
        write_section("rng", "Random numbers (benchmarks/bench_rng.py)",
                      "\n".join(lines) + f"\n\n{args.size:,} values per draw; best of {args.repeats}, "
                      "alternating; both bit-identical for the same seed. torch runs one thread (its random "
                      "kernels are serial); ember's float32 randn transforms its Box-Muller blocks on two "
                      "threads above 2**20 values, so its ratio depends on a second core being free. "
                      f"Load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.")


if __name__ == "__main__":
    main()
