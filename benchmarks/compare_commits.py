"""What each change bought: the training-step workloads measured at several commits in one run.

    python benchmarks/compare_commits.py f9735a3 ece3bd0 HEAD [--rounds 3] [--workloads mlp cnn gpt]
    python benchmarks/compare_commits.py f9735a3 f9735a3:OPENBLAS_THREAD_TIMEOUT=20 HEAD --write

Each commit is checked out into a temporary git worktree (the working tree is not touched);
``COMMIT:VAR=VALUE[,VAR=VALUE]`` runs that commit with extra environment variables (to isolate
one setting). Every round measures PyTorch once per workload and then each commit, each in a
fresh process (benchmarks/train_steps.py of the commit being measured, importing that commit's
ember); the table shows medians over rounds. ``--write`` stores it in BENCHMARKS.md.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)


def _parse(spec):
    commit, _, env = spec.partition(":")
    pairs = dict(item.split("=", 1) for item in env.split(",") if item)
    return commit, pairs


def _measure(tree, lib, workload, env):
    full = dict(os.environ)
    full.update(env)
    out = subprocess.run([sys.executable, os.path.join(tree, "benchmarks", "train_steps.py"), "--lib", lib,
                          "--workload", workload], capture_output=True, text=True, env=full, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])["median_ms"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("specs", nargs="+", help="COMMIT or COMMIT:VAR=VALUE[,VAR=VALUE]")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--workloads", nargs="*", default=["mlp", "cnn", "gpt"])
    ap.add_argument("--write", action="store_true", help="store the table in BENCHMARKS.md")
    args = ap.parse_args()
    base = tempfile.mkdtemp(prefix="ember-commits-")
    trees = {}
    try:
        for spec in args.specs:
            commit, env = _parse(spec)
            if commit not in trees:
                sha = subprocess.run(["git", "rev-parse", "--short", commit], cwd=ROOT, capture_output=True,
                                     text=True, check=True).stdout.strip()
                tree = os.path.join(base, sha)
                subprocess.run(["git", "worktree", "add", "--detach", tree, sha], cwd=ROOT, check=True,
                               capture_output=True)
                subject = subprocess.run(["git", "log", "-1", "--format=%s", sha], cwd=ROOT, capture_output=True,
                                         text=True, check=True).stdout.strip()
                trees[commit] = (sha, tree, subject[:70] + ("..." if len(subject) > 70 else ""))
        samples = {}
        for r in range(args.rounds):
            for w in args.workloads:
                samples.setdefault(("torch", w), []).append(_measure(trees[_parse(args.specs[-1])[0]][1],
                                                                     "torch", w, {}))
                for spec in args.specs:
                    commit, env = _parse(spec)
                    samples.setdefault((spec, w), []).append(_measure(trees[commit][1], "ember", w, env))
            print(f"round {r + 1}/{args.rounds} done", flush=True)
    finally:
        for _, tree, _ in trees.values():
            subprocess.run(["git", "worktree", "remove", "--force", tree], cwd=ROOT, capture_output=True)
        shutil.rmtree(base, ignore_errors=True)
    head = "| ember at | change | " + " | ".join(f"{w} ms (ratio)" for w in args.workloads) + " |"
    lines = [head, "|---" * (len(args.workloads) + 2) + "|"]
    torch_ms = {w: statistics.median(samples[("torch", w)]) for w in args.workloads}
    lines.append("| PyTorch 2.13 | | " + " | ".join(f"{torch_ms[w]:.2f}" for w in args.workloads) + " |")
    for spec in args.specs:
        commit, env = _parse(spec)
        sha, _, subject = trees[commit]
        label = sha + (" with " + ", ".join(f"{k}={v}" for k, v in env.items()) if env else "")
        cells = []
        for w in args.workloads:
            e = statistics.median(samples[(spec, w)])
            cells.append(f"{e:.2f} ({e / torch_ms[w]:.2f}x)")
        lines.append(f"| {label} | {subject.replace('|', '/')} | " + " | ".join(cells) + " |")
    table = "\n".join(lines)
    print(table)
    if args.write:
        from _report import write_section
        write_section("commits", "Training steps across commits (benchmarks/compare_commits.py)",
                      table + f"\n\nMedian of {args.rounds} rounds; each round measures PyTorch once per "
                      "workload, then every commit, each in a fresh process.")


if __name__ == "__main__":
    main()
