"""Regenerate BENCHMARKS.md's training-step table: each workload measured in fresh processes,
alternating ember and PyTorch, several rounds; the table reports the median of the rounds.

    python benchmarks/run_all.py [--rounds 3] [--workloads mlp cnn gpt tiny]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from _report import write_section  # noqa: E402
from train_steps import WORKLOADS  # noqa: E402


def run_one(lib, workload):
    out = subprocess.run([sys.executable, os.path.join(HERE, "train_steps.py"), "--lib", lib,
                          "--workload", workload], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--workloads", nargs="*", default=["mlp", "cnn", "gpt", "tiny"])
    args = ap.parse_args()
    rows = []
    for w in args.workloads:
        samples = {"ember": [], "torch": []}
        peaks = {"ember": 0.0, "torch": 0.0}
        for _ in range(args.rounds):
            for lib in ("torch", "ember"):
                r = run_one(lib, w)
                samples[lib].append(r["median_ms"])
                peaks[lib] = max(peaks[lib], r["peak_mb"])
        e, t = statistics.median(samples["ember"]), statistics.median(samples["torch"])
        rows.append((WORKLOADS[w][0], e, t, peaks["ember"], peaks["torch"]))
        print(f"{w}: ember {e:.2f} ms, torch {t:.2f} ms, ratio {e / t:.2f}x, peak MB {peaks['ember']:.0f} / "
              f"{peaks['torch']:.0f}", flush=True)
    lines = ["| workload | ember ms/step | torch ms/step | ratio | ember peak MB | torch peak MB |",
             "|---|---|---|---|---|---|"]
    for name, e, t, pe, pt in rows:
        lines.append(f"| {name} | {e:.2f} | {t:.2f} | {e / t:.2f}x | {pe:.0f} | {pt:.0f} |")
    write_section("training", "Training steps (benchmarks/run_all.py)",
                  "\n".join(lines) + f"\n\n{_threads_note()} Median of {args.rounds} rounds, each a fresh process "
                  "per library, alternating; load average before the run: {load}.".format(load=_load()))


def _load():
    try:
        return open("/proc/loadavg").read().split()[0]
    except OSError:
        return "unknown"


def _threads_note():
    cores = os.cpu_count()
    return (f"Threads: PyTorch {cores} (torch.set_num_threads). ember {cores} (ember.get_num_threads, the "
            "default): NumPy's OpenBLAS runs each matrix product on all of them, with its idle threads told "
            "to sleep after 2**20 clock ticks instead of spinning ~0.1 s (ember/_blas_spin.py); ember's own "
            "pool (the caller + 1 thread) runs stride-1 convolutions as batch blocks with single-threaded "
            "BLAS (ember/ops/conv_blocked.py), and splits large elementwise work (ReLU, GELU, adds, im2col "
            "copies, pooling, attention per batch half) in two; optimizer steps under 4M elements and all "
            "smaller elementwise ops run on the calling thread.")


if __name__ == "__main__":
    main()
