"""Core op speed, ember vs PyTorch side by side in one process.

python benchmarks/bench_core.py [--write]   (--write updates the core section of BENCHMARKS.md)
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))

import torch  # noqa: E402

import ember  # noqa: E402
from _timing import median_ms, table  # noqa: E402


def op_overhead(lib, requires_grad):
    a = lib.tensor([1.0], requires_grad=requires_grad)
    b = lib.tensor([2.0])
    return lambda: a + b


def elementwise(lib, op, n=4_000_000):
    x = lib.tensor(np.random.default_rng(0).standard_normal(n).astype(np.float32))
    y = lib.tensor(np.random.default_rng(1).standard_normal(n).astype(np.float32))
    return {"add": lambda: x + y, "mul": lambda: x * y, "exp": lambda: x.exp()}[op]


def matmul(lib, n):
    rng = np.random.default_rng(0)
    a = lib.tensor(rng.standard_normal((n, n)).astype(np.float32))
    b = lib.tensor(rng.standard_normal((n, n)).astype(np.float32))
    return lambda: a @ b


def seed_network(lib):
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(2, 5), lib.nn.ReLU(), lib.nn.Linear(5, 1))
    x, y = lib.randn(10, 2), lib.randn(10, 1)
    loss_fn = lib.nn.MSELoss()

    def step():
        model.zero_grad()
        loss_fn(model(x), y).backward()
    return step


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(os.cpu_count())
    cases = [
        ("1-element add (per-op overhead)", lambda lib: op_overhead(lib, False), 2000),
        ("1-element add, requires_grad (recorded op)", lambda lib: op_overhead(lib, True), 2000),
        ("add, 4M float32", lambda lib: elementwise(lib, "add"), 1),
        ("mul, 4M float32", lambda lib: elementwise(lib, "mul"), 1),
        ("exp, 4M float32", lambda lib: elementwise(lib, "exp"), 1),
        ("matmul 1024x1024 float32", lambda lib: matmul(lib, 1024), 1),
        ("matmul 2048x2048 float32", lambda lib: matmul(lib, 2048), 1),
        ("seed network 2-5-1 forward+backward, batch 10", seed_network, 20),
    ]
    rows = []
    for name, make, inner in cases:
        e = median_ms(make(ember), inner=inner)
        t = median_ms(make(torch), inner=inner)
        rows.append((name, e, t))
        print(f"{name}: ember {e:.4f} ms, torch {t:.4f} ms, ratio {e / t:.2f}x", flush=True)
    text = table(rows) + (
        f"\n\nMedians of 15 runs per row, ember and torch back to back in one process. Load average while "
        f"measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores. torch uses {torch.get_num_threads()} "
        "threads; ember splits elementwise ops on arrays of 2**20+ elements over the same number of threads "
        "(ember/ops/_parallel.py), and its matmuls are NumPy's OpenBLAS GEMM.")
    print(text)
    if args.write:
        from _report import write_section
        write_section("core", "Core ops (benchmarks/bench_core.py)", text)


if __name__ == "__main__":
    main()
