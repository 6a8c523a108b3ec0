"""Training-step speed of four workloads, written once against the PyTorch API.

    python benchmarks/train_steps.py --lib ember --workload mlp      # one measurement (JSON line)
    python benchmarks/run_all.py                                     # both libraries, alternating

Each measurement runs in its own process: warm-up steps, then the median of timed steps,
and the process's peak resident memory.
"""
import argparse
import importlib
import json
import os
import resource
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))


def mlp(torch, nn):
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    rng = np.random.default_rng(0)
    x = torch.tensor(rng.standard_normal((128, 784)).astype(np.float32))
    y = torch.tensor(rng.integers(0, 10, 128))
    return model, opt, x, y


def cnn(torch, nn):
    model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)
    x = torch.tensor(rng.standard_normal((64, 1, 28, 28)).astype(np.float32))
    y = torch.tensor(rng.integers(0, 10, 64))
    return model, opt, x, y


def gpt(torch, nn):
    vocab, ctx, d = 96, 64, 128

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok = nn.Embedding(vocab, d)
            self.pos = nn.Embedding(ctx, d)
            layer = nn.TransformerEncoderLayer(d, 4, 4 * d, dropout=0.0, activation="gelu", batch_first=True,
                                               norm_first=True)
            self.blocks = nn.TransformerEncoder(layer, 4, enable_nested_tensor=False)
            self.ln = nn.LayerNorm(d)
            self.head = nn.Linear(d, vocab)
            self.register_buffer("mask", torch.triu(torch.full((ctx, ctx), float("-inf")), diagonal=1))

        def forward(self, idx):
            x = self.tok(idx) + self.pos(torch.arange(idx.shape[1]))
            x = self.blocks(x, mask=self.mask, is_causal=True)
            return self.head(self.ln(x)).reshape(-1, vocab)

    model = GPT()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)
    x = torch.tensor(rng.integers(0, vocab, (32, ctx)))
    y = torch.tensor(rng.integers(0, vocab, 32 * ctx))
    return model, opt, x, y


def tiny(torch, nn):
    model = nn.Sequential(nn.Linear(2, 5), nn.ReLU(), nn.Linear(5, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    rng = np.random.default_rng(0)
    x = torch.tensor(rng.standard_normal((10, 2)).astype(np.float32))
    y = torch.tensor(rng.standard_normal((10, 1)).astype(np.float32))
    return model, opt, x, y


WORKLOADS = {
    "mlp": ("MLP 784-512-512-10, batch 128, SGD momentum", mlp, "ce", 20, 100),
    "cnn": ("LeNet-style CNN, batch 64, Adam", cnn, "ce", 3, 15),
    "gpt": ("GPT char model (4 layers, d 128, 4 heads, ctx 64), batch 32, AdamW", gpt, "ce", 2, 10),
    "tiny": ("seed network 2-5-1, batch 10, SGD", tiny, "mse", 200, 2000),
}


def measure(lib, workload):
    torch = importlib.import_module(lib)
    nn = torch.nn
    if lib == "torch":
        torch.set_num_threads(os.cpu_count())
    _, build, loss_kind, warmup, steps = WORKLOADS[workload]
    torch.manual_seed(0)
    model, opt, x, y = build(torch, nn)
    loss_fn = nn.CrossEntropyLoss() if loss_kind == "ce" else nn.MSELoss()

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"lib": lib, "workload": workload, "median_ms": statistics.median(times), "peak_mb": peak_mb}


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", choices=["ember", "torch"], required=True)
    ap.add_argument("--workload", choices=sorted(WORKLOADS), required=True)
    args = ap.parse_args()
    print(json.dumps(measure(args.lib, args.workload)))
