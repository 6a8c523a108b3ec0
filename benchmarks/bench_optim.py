"""Optimizer step time, ember vs PyTorch, side by side.

100 parameter tensors totalling 10M float32 elements, gradients set once; we time
``optimizer.step()`` alone (median of interleaved repeats after warm-up) for Adam and SGD with
momentum, and print each ratio ember / torch (below 1 means ember is faster).

    python benchmarks/bench_optim.py [--numel 10000000] [--tensors 100] [--repeats 15] [--torch-threads N]
"""
import argparse
import statistics
import time

import numpy as np
import torch

import os as _os
import sys as _sys
_sys.path.insert(0, _os.path.join(_os.path.dirname(_os.path.abspath(__file__)), ".."))
import ember  # noqa: E402


def make_params(lib, arrays):
    params = []
    for w, g in arrays:
        p = lib.tensor(w.copy(), requires_grad=True)
        p.grad = lib.tensor(g.copy())
        params.append(p)
    return params


def time_pair(opt_torch, opt_ember, repeats):
    """Median step times, alternating the two libraries so machine load hits both alike."""
    for _ in range(3):
        opt_torch.step()
        opt_ember.step()
    times = ([], [])
    for _ in range(repeats):
        for opt, out in ((opt_torch, times[0]), (opt_ember, times[1])):
            t0 = time.perf_counter()
            opt.step()
            out.append(time.perf_counter() - t0)
    return statistics.median(times[0]), statistics.median(times[1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numel", type=int, default=10_000_000)
    parser.add_argument("--tensors", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--torch-threads", type=int, default=None,
                        help="torch.set_num_threads (default: torch's own choice)")
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args()
    if args.torch_threads:
        torch.set_num_threads(args.torch_threads)

    rng = np.random.default_rng(0)
    sizes = [args.numel // args.tensors] * args.tensors
    sizes[-1] += args.numel - sum(sizes)
    arrays = [(rng.standard_normal(n, dtype=np.float32), rng.standard_normal(n, dtype=np.float32))
              for n in sizes]
    cases = [
        ("Adam", lambda lib, ps: lib.optim.Adam(ps, lr=1e-3)),
        ("AdamW", lambda lib, ps: lib.optim.AdamW(ps, lr=1e-3)),
        ("SGD momentum", lambda lib, ps: lib.optim.SGD(ps, lr=1e-3, momentum=0.9)),
    ]
    print(f"{args.tensors} tensors, {args.numel:,} float32 elements; torch threads={torch.get_num_threads()}")
    print(f"{'optimizer':<14}{'torch ms':>10}{'ember ms':>10}{'ember/torch':>13}")
    rows = []
    for name, make in cases:
        t_torch, t_ember = time_pair(make(torch, make_params(torch, arrays)),
                                     make(ember, make_params(ember, arrays)), args.repeats)
        rows.append((f"{name} step, {args.tensors} tensors / {args.numel:,} floats", t_ember * 1e3, t_torch * 1e3))
        print(f"{name:<14}{t_torch * 1e3:>10.2f}{t_ember * 1e3:>10.2f}{t_ember / t_torch:>13.2f}")
    if args.write:
        import os
        import sys
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from _report import write_section
        from _timing import table
        write_section("optim", "Optimizer step (benchmarks/bench_optim.py)",
                      table(rows) + f"\n\ntorch threads: {torch.get_num_threads()}; load average "
                      f"{os.getloadavg()[0]:.1f}.")


if __name__ == "__main__":
    main()
