"""ember vs PyTorch: convolution and pooling, forward + backward, side by side in one process.

Run: python benchmarks/bench_conv.py [--profile] [--single]
Times are the best of several repeats (the machine is shared); ratio = ember / torch.
--single: one thread each and CPU time (process_time), which other jobs on the machine disturb far less.
"""
import os
import sys
import time

SINGLE = "--single" in sys.argv
if SINGLE:
    os.environ["OPENBLAS_NUM_THREADS"] = "1"   # before numpy loads

import numpy as np
import torch

sys.path.insert(0, __import__("os").path.join(__import__("os").path.dirname(__file__), ".."))
import ember  # noqa: E402

torch.set_num_threads(1 if SINGLE else 2)
CLOCK = time.process_time if SINGLE else time.perf_counter


def best_time(fn, repeats=7):
    fn()
    best = float("inf")
    for _ in range(repeats):
        t = CLOCK()
        fn()
        best = min(best, CLOCK() - t)
    return best * 1e3


def conv_case(n, c, h, o, k, x_grad=True):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, c, h, h)).astype(np.float32)
    tconv = torch.nn.Conv2d(c, o, k)
    econv = ember.nn.Conv2d(c, o, k)
    with ember.no_grad():
        econv.weight.copy_(ember.tensor(tconv.weight.detach().numpy()))
        econv.bias.copy_(ember.tensor(tconv.bias.detach().numpy()))
    tx = torch.tensor(x, requires_grad=x_grad)
    ex = ember.tensor(x, requires_grad=x_grad)

    def run_torch():
        tconv.zero_grad()
        tconv(tx).sum().backward()

    def run_ember():
        econv.zero_grad()
        econv(ex).sum().backward()
    return run_torch, run_ember


def pool_case(n, c, h):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, c, h, h)).astype(np.float32)
    tx = torch.tensor(x, requires_grad=True)
    ex = ember.tensor(x, requires_grad=True)

    def run_torch():
        torch.nn.functional.max_pool2d(tx, 2).sum().backward()

    def run_ember():
        ember.nn.functional.max_pool2d(ex, 2).sum().backward()
    return run_torch, run_ember


CASES = [
    ("conv2d 64x3x32x32 3->64 k3 fwd+bwd", lambda: conv_case(64, 3, 32, 64, 3)),
    ("conv2d 64x64x56x56 64->64 k3 fwd+bwd", lambda: conv_case(64, 64, 56, 64, 3)),
    ("LeNet conv1 64x1x28x28 1->32 (no x grad)", lambda: conv_case(64, 1, 28, 32, 3, x_grad=False)),
    ("LeNet conv2 64x32x26x26 32->64", lambda: conv_case(64, 32, 26, 64, 3)),
    ("max_pool2d 64x64x24x24 k2 fwd+bwd", lambda: pool_case(64, 64, 24)),
]


def main():
    profile = "--profile" in sys.argv
    rows = []
    print(f"{'case':45s} {'torch ms':>9s} {'ember ms':>9s} {'ratio':>6s}")
    for name, make in CASES:
        run_torch, run_ember = make()
        tt = best_time(run_torch)
        te = best_time(run_ember)
        rows.append((name, te, tt))
        print(f"{name:45s} {tt:9.2f} {te:9.2f} {te / tt:6.2f}")
        if profile:
            import cProfile
            import pstats
            pr = cProfile.Profile()
            pr.enable()
            for _ in range(3):
                run_ember()
            pr.disable()
            pstats.Stats(pr).sort_stats("tottime").print_stats(8)
    if "--write" in sys.argv:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from _report import write_section
        from _timing import table
        write_section("conv", "Convolution and pooling, forward+backward (benchmarks/bench_conv.py)",
                      table(rows) + f"\n\nBest of repeated runs per case; load average {os.getloadavg()[0]:.1f}.")


if __name__ == "__main__":
    main()
