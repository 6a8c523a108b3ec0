"""The matrix products inside each training step, timed alone: NumPy's BLAS vs PyTorch's.

    python benchmarks/gemm_floor.py [--write]

Every product a training step of benchmarks/train_steps.py computes (forward and backward, as
ember lays them out: convolutions as im2col GEMMs, attention as batched products) is timed on
its own with NumPy's matmul and with torch.matmul, each library in its own process (in one
process, each library's idle threads spin on the cores the other one needs), alternating. The sum per
step is a floor: ember's step cannot be faster than its products, whatever the elementwise
work costs. Its ratio to PyTorch's whole step shows how close each goal can come on this BLAS.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def _linear(rows, n_in, n_out, need_dx=True):
    """A Linear layer's products: forward, weight gradient, input gradient."""
    out = [(1, rows, n_in, n_out), (1, n_out, rows, n_in)]
    if need_dx:
        out.append((1, rows, n_out, n_in))
    return out


def mlp():
    return _linear(128, 784, 512, need_dx=False) + _linear(128, 512, 512) + _linear(128, 512, 10)


def cnn():
    cols1, cols2 = 64 * 26 * 26, 64 * 24 * 24
    return [(1, 32, 9, cols1), (1, 32, cols1, 9),                              # conv1: forward, weight grad
            (1, 64, 288, cols2), (1, 64, cols2, 288), (1, 288, 64, cols2)] + \
        _linear(64, 9216, 128) + _linear(64, 128, 10)                         # conv2: + input grad


def gpt():
    rows, d, heads, ctx, batch = 32 * 64, 128, 4, 64, 32
    hd = d // heads
    layer = _linear(rows, d, 3 * d) + _linear(rows, d, d) + _linear(rows, d, 4 * d) + _linear(rows, 4 * d, d)
    bh = batch * heads
    attention = [(bh, ctx, hd, ctx), (bh, ctx, ctx, hd),                      # scores, weights @ V
                 (bh, ctx, ctx, hd), (bh, ctx, hd, ctx), (bh, ctx, ctx, hd), (bh, ctx, ctx, hd)]
    return 4 * (layer + attention) + _linear(rows, d, 96)


WORKLOADS = {"mlp": mlp, "cnn": cnn, "gpt": gpt}


def _time(fn, reps):
    for _ in range(3):
        fn()
    samples = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples) * 1e3


def measure(lib, products, reps=15):
    """Sum over ``products`` of the median time of each, with ``lib``'s matmul."""
    rng = np.random.default_rng(0)
    total = 0.0
    for batch, m, k, n in products:
        shape_a, shape_b = ((batch, m, k), (batch, k, n)) if batch > 1 else ((m, k), (k, n))
        a = rng.standard_normal(shape_a, dtype=np.float32)
        b = rng.standard_normal(shape_b, dtype=np.float32)
        if lib == "torch":
            import torch
            a, b = torch.from_numpy(a), torch.from_numpy(b)
            total += _time(lambda: torch.matmul(a, b), reps)
        else:
            total += _time(lambda: np.matmul(a, b), reps)
    return total


def _in_process(lib):
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--lib", lib], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--lib", choices=["numpy", "torch"], help="(internal) measure one library in this process")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    if args.lib:
        if args.lib == "torch":
            import torch
            torch.set_num_threads(os.cpu_count())
        print(json.dumps({name: measure(args.lib, build()) for name, build in WORKLOADS.items()}))
        return
    samples = {"numpy": [], "torch": []}
    for _ in range(args.rounds):
        for lib in ("torch", "numpy"):
            samples[lib].append(_in_process(lib))
    rows = []
    for name, build in WORKLOADS.items():
        e = statistics.median(s[name] for s in samples["numpy"])
        t = statistics.median(s[name] for s in samples["torch"])
        rows.append((name, len(build()), e, t))
        print(f"{name}: {len(build())} products, NumPy {e:.2f} ms, torch {t:.2f} ms, ratio {e / t:.2f}x",
              flush=True)
    if args.write:
        from _report import write_section
        lines = ["| workload | products per step | NumPy (OpenBLAS) ms | torch ms | ratio |", "|---|---|---|---|---|"]
        lines += [f"| {n} | {c} | {e:.2f} | {t:.2f} | {e / t:.2f}x |" for n, c, e, t in rows]
        write_section("gemm", "Matrix products of one training step, alone (benchmarks/gemm_floor.py)",
                      "\n".join(lines) + f"\n\nMedian of 15 runs per product, summed; median of "
                      f"{args.rounds} rounds, each library in a fresh process; both on {os.cpu_count()} threads. Compare the NumPy column with PyTorch's whole step "
                      "in the training table: that is the best ember's step could do on NumPy's BLAS. (PyTorch's "
                      "own convolutions do not use these im2col products: oneDNN convolves directly.)")


if __name__ == "__main__":
    main()
