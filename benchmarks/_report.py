"""Write one named section of BENCHMARKS.md, keeping the others."""
import os
import platform
import re
import subprocess

PATH = os.path.join(os.path.dirname(__file__), "..", "BENCHMARKS.md")


def _machine():
    try:
        import numpy
        from threadpoolctl import threadpool_info
        blas = ", ".join(f"{i['internal_api']} {i.get('version')} ({i['num_threads']} threads)"
                         for i in threadpool_info() if i.get("user_api") == "blas")
    except Exception:
        blas = "unknown BLAS"
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=os.path.dirname(PATH)).stdout.strip()
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, {blas}; commit {commit}"


def write_section(key, title, body):
    text = open(PATH).read() if os.path.exists(PATH) else "# Benchmarks\n\nember vs PyTorch 2.13 (CPU), " \
        "measured side by side in one run. Ratio = ember time / PyTorch time (lower is better).\n"
    block = f"<!-- {key} -->\n## {title}\n\nMachine: {_machine()}\n\n{body}\n<!-- /{key} -->"
    pattern = re.compile(rf"<!-- {key} -->.*?<!-- /{key} -->", re.S)
    text = pattern.sub(lambda m: block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block + "\n"
    open(PATH, "w").write(text)
