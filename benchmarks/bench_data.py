"""DataLoader speed, ember vs PyTorch side by side in one run.

1. An epoch of 2,000 items whose __getitem__ costs 1 ms, with num_workers 0 and 2.
2. Collation overhead: a batch of 128 small tensors through default_collate.

    python benchmarks/bench_data.py [--write]
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))

import torch  # noqa: E402
import torch.utils.data as tdata  # noqa: E402

import ember  # noqa: E402
import ember.utils.data as edata  # noqa: E402
from _timing import median_ms, table  # noqa: E402


def slow_dataset(lib, base):
    class Slow(base):
        def __len__(self):
            return 2000

        def __getitem__(self, i):
            time.sleep(0.001)
            return lib.full((8,), float(i))
    return Slow()


def epoch_seconds(lib, data_mod, workers):
    loader = data_mod.DataLoader(slow_dataset(lib, data_mod.Dataset), batch_size=32, num_workers=workers)
    t0 = time.perf_counter()
    for _ in loader:
        pass
    return time.perf_counter() - t0


def collate_case(lib, data_mod):
    batch = [lib.ones(3, 8) for _ in range(128)]
    return lambda: data_mod.default_collate(batch)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    rows = []
    for workers in (0, 2):
        e = epoch_seconds(ember, edata, workers) * 1000
        t = epoch_seconds(torch, tdata, workers) * 1000
        rows.append((f"epoch of 2,000 items at 1 ms each, num_workers={workers}", e, t))
        print(rows[-1], flush=True)
    e = median_ms(collate_case(ember, edata), inner=50)
    t = median_ms(collate_case(torch, tdata), inner=50)
    rows.append(("default_collate of 128 tensors of shape (3, 8)", e, t))
    text = table(rows)
    print(text)
    if args.write:
        from _report import write_section
        write_section("data", "Data loading (benchmarks/bench_data.py)", text)


if __name__ == "__main__":
    main()
