"""Shared timing helpers: warm up, then the median of repeated runs, in milliseconds."""
import statistics
import time


def median_ms(fn, *, warmup=3, repeat=15, inner=1):
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - t0) * 1000 / inner)
    return statistics.median(samples)


def table(rows, headers=("benchmark", "ember ms", "torch ms", "ratio")):
    """A Markdown table; ratio = ember / torch (lower is better)."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for name, e, t in rows:
        lines.append(f"| {name} | {e:.4f} | {t:.4f} | {e / t:.2f}x |")
    return "\n".join(lines)
