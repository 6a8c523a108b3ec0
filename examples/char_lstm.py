"""A character-level LSTM language model on Python's own help text (pydoc_data.topics).

    python examples/char_lstm.py [--steps N]
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
from _report import out_dir, save_loss_curve  # noqa: E402
from _text import batches, encode, load_text  # noqa: E402


class CharLSTM(nn.Module):
    def __init__(self, vocab, hidden=128, layers=2):
        super().__init__()
        self.embed = nn.Embedding(vocab, 64)
        self.lstm = nn.LSTM(64, hidden, num_layers=layers, batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, x):
        out, _ = self.lstm(self.embed(x))
        return self.head(out)


def sample(model, vocab, prompt, n=120):
    index = {c: i for i, c in enumerate(vocab)}
    ids = [index[c] for c in prompt if c in index]
    model.eval()
    with torch.no_grad():
        for _ in range(n):
            logits = model(torch.tensor([ids[-64:]]))[0, -1]
            ids.append(int(torch.multinomial(torch.softmax(logits, -1), 1).item()))
    model.train()
    return "".join(vocab[i] for i in ids)


def main(steps=300, batch_size=32, context=64):
    torch.manual_seed(0)
    data, vocab = encode(load_text())
    split = int(0.9 * len(data))
    train, val = data[:split], data[split:]
    rng = np.random.default_rng(0)
    model = CharLSTM(len(vocab))
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    criterion = nn.CrossEntropyLoss()
    losses, start = [], time.time()
    bar = tqdm(range(steps), desc="char-LSTM", leave=False)
    for step in bar:
        x, y = batches(train, batch_size, context, rng)
        logits = model(torch.from_numpy(x))
        loss = criterion(logits.reshape(-1, len(vocab)), torch.from_numpy(y).reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        losses.append(loss.item())
        bar.set_postfix(loss=f"{loss.item():.3f}",
                        chars_per_s=f"{(step + 1) * batch_size * context / (time.time() - start):.0f}")
    with torch.no_grad():
        x, y = batches(val, 64, context, np.random.default_rng(1))
        val_loss = criterion(model(torch.from_numpy(x)).reshape(-1, len(vocab)), torch.from_numpy(y).reshape(-1))
    out = out_dir("char_lstm")
    torch.save(model.state_dict(), os.path.join(out, "char_lstm.pt"))
    save_loss_curve(losses, os.path.join(out, "loss.png"), "char-LSTM training loss")
    print(f"validation loss: {val_loss.item():.4f} (perplexity {math.exp(val_loss.item()):.2f}); "
          f"{time.time() - start:.1f} s; checkpoint and loss curve in {out}")
    print("sample:", sample(model, vocab, "The "))
    return val_loss.item()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=300)
    args = ap.parse_args()
    main(args.steps)
