"""A small GPT-style transformer (causal self-attention) on Python's help text.

    python examples/gpt_char.py [--steps N]
"""
import argparse
import math
import os
import sys
import time

import numpy as np
from tqdm import tqdm

sys.path.insert(0, os.path.dirname(__file__))
import ember as torch  # noqa: E402
import ember.nn as nn  # noqa: E402
import ember.nn.functional as F  # noqa: E402
from _report import out_dir, save_loss_curve  # noqa: E402
from _text import batches, encode, load_text  # noqa: E402


class Block(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.ln1 = nn.LayerNorm(d_model)
        self.attn = nn.MultiheadAttention(d_model, n_heads, batch_first=True)
        self.ln2 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(nn.Linear(d_model, 4 * d_model), nn.GELU(), nn.Linear(4 * d_model, d_model))

    def forward(self, x, mask):
        h = self.ln1(x)
        x = x + self.attn(h, h, h, attn_mask=mask, need_weights=False)[0]
        return x + self.mlp(self.ln2(x))


class GPT(nn.Module):
    def __init__(self, vocab, context=64, d_model=128, n_heads=4, n_layers=4):
        super().__init__()
        self.tok = nn.Embedding(vocab, d_model)
        self.pos = nn.Embedding(context, d_model)
        self.blocks = nn.ModuleList(Block(d_model, n_heads) for _ in range(n_layers))
        self.ln = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab)

    def forward(self, idx):
        t = idx.shape[1]
        x = self.tok(idx) + self.pos(torch.arange(t))
        mask = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
        for block in self.blocks:
            x = block(x, mask)
        return self.head(self.ln(x))


def main(steps=200, batch_size=32, context=64, n_layers=4):
    torch.manual_seed(0)
    data, vocab = encode(load_text())
    split = int(0.9 * len(data))
    rng = np.random.default_rng(0)
    model = GPT(len(vocab), context, n_layers=n_layers)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    losses, start = [], time.time()
    bar = tqdm(range(steps), desc="GPT", leave=False)
    for step in bar:
        x, y = batches(data[:split], batch_size, context, rng)
        logits = model(torch.from_numpy(x))
        loss = F.cross_entropy(logits.reshape(-1, len(vocab)), torch.from_numpy(y).reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        bar.set_postfix(loss=f"{loss.item():.3f}",
                        tokens_per_s=f"{(step + 1) * batch_size * context / (time.time() - start):.0f}")
    model.eval()
    with torch.no_grad():
        x, y = batches(data[split:], 64, context, np.random.default_rng(1))
        val = F.cross_entropy(model(torch.from_numpy(x)).reshape(-1, len(vocab)), torch.from_numpy(y).reshape(-1))
    out = out_dir("gpt_char")
    torch.save(model.state_dict(), os.path.join(out, "gpt_char.pt"))
    save_loss_curve(losses, os.path.join(out, "loss.png"), "GPT training loss")
    print(f"validation loss: {val.item():.4f} (perplexity {math.exp(val.item()):.2f}); {time.time() - start:.1f} s; "
          f"checkpoint and loss curve in {out}")
    return val.item()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=200)
    args = ap.parse_args()
    main(args.steps)
