"""Time recurrent and attention layers, forward + backward, ember vs PyTorch side by side.

Run: python benchmarks/bench_rnn_transformer.py [--repeats R] [--threads N]

Each row is the best of R runs of forward + backward on the same parameters and
inputs; ratio = ember time / torch time (lower is better). Both libraries use the
same thread count (NumPy's BLAS threads are set through the usual env variables).
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import torch

import os as _os
import sys as _sys
_sys.path.insert(0, _os.path.join(_os.path.dirname(_os.path.abspath(__file__)), ".."))
import ember  # noqa: E402


def best_time(function, repeats):
    function()  # warm-up
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def _pair(build):
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tm = build(torch.nn)
        em = build(ember.nn)
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    return tm, em


def _fwd_bwd(module, lib, x_array, call):
    x = lib.tensor(x_array, requires_grad=True)

    def run():
        module.zero_grad()
        out = call(module, x)
        out.sum().backward()
    return run


def cases():
    rng = np.random.default_rng(0)
    rows = []

    x = rng.standard_normal((50, 32, 64)).astype(np.float32)
    tm, em = _pair(lambda nn: nn.LSTM(64, 128))
    rows.append(("LSTM 64->128, T=50, B=32", _fwd_bwd(em, ember, x, lambda m, x: m(x)[0]),
                 _fwd_bwd(tm, torch, x, lambda m, x: m(x)[0])))

    tm, em = _pair(lambda nn: nn.LSTM(64, 128, num_layers=2, bidirectional=True))
    rows.append(("LSTM 2-layer bidir, T=50, B=32", _fwd_bwd(em, ember, x, lambda m, x: m(x)[0]),
                 _fwd_bwd(tm, torch, x, lambda m, x: m(x)[0])))

    tm, em = _pair(lambda nn: nn.GRU(64, 128))
    rows.append(("GRU 64->128, T=50, B=32", _fwd_bwd(em, ember, x, lambda m, x: m(x)[0]),
                 _fwd_bwd(tm, torch, x, lambda m, x: m(x)[0])))

    x = rng.standard_normal((32, 64, 256)).astype(np.float32)
    if hasattr(ember.nn, "LayerNorm") and hasattr(ember.nn, "Dropout"):
        tm, em = _pair(lambda nn: nn.TransformerEncoderLayer(256, 8, 1024, dropout=0.0, batch_first=True))
        rows.append(("EncoderLayer d=256 h=8, B=32, L=64", _fwd_bwd(em, ember, x, lambda m, x: m(x)),
                     _fwd_bwd(tm, torch, x, lambda m, x: m(x))))

    tm, em = _pair(lambda nn: nn.MultiheadAttention(256, 8, batch_first=True))
    rows.append(("MultiheadAttention d=256 h=8, B=32, L=64",
                 _fwd_bwd(em, ember, x, lambda m, x: m(x, x, x, need_weights=False)[0]),
                 _fwd_bwd(tm, torch, x, lambda m, x: m(x, x, x, need_weights=False)[0])))
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"{'case':44s} {'ember ms':>10s} {'torch ms':>10s} {'ratio':>7s}")
    rows = []
    for name, ember_fn, torch_fn in cases():
        te = best_time(ember_fn, args.repeats)
        tt = best_time(torch_fn, args.repeats)
        rows.append((name, te * 1e3, tt * 1e3))
        print(f"{name:44s} {te * 1e3:10.2f} {tt * 1e3:10.2f} {te / tt:7.2f}")
    if args.write:
        import os
        import sys
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from _report import write_section
        from _timing import table
        write_section("rnn", "Recurrent and transformer layers, forward+backward (benchmarks/bench_rnn_transformer.py)",
                      table(rows) + f"\n\nBest of {args.repeats}; load average {os.getloadavg()[0]:.1f}.")


if __name__ == "__main__":
    main()
