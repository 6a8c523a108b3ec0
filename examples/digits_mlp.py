"""An MLP on scikit-learn's 8x8 digits.

    python examples/digits_mlp.py [--epochs N]
"""
import argparse
import os
import sys
import time

import numpy as np
from sklearn.datasets import load_digits
from tqdm import tqdm

sys.path.insert(0, os.path.dirname(__file__))
import ember as torch  # noqa: E402
import ember.nn as nn  # noqa: E402
from ember.utils.data import DataLoader, TensorDataset  # noqa: E402
from _report import out_dir, save_loss_curve  # noqa: E402


def main(epochs=30, max_steps=None):
    torch.manual_seed(0)
    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(0).permutation(len(x))
    split = int(0.8 * len(x))
    train = TensorDataset(torch.from_numpy(x[order[:split]]), torch.from_numpy(y[order[:split]]))
    x_test, y_test = torch.from_numpy(x[order[split:]]), torch.from_numpy(y[order[split:]])
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    loader = DataLoader(train, batch_size=32, shuffle=True)
    losses, steps, start = [], 0, time.time()
    for epoch in range(epochs):
        bar = tqdm(loader, desc=f"epoch {epoch + 1}/{epochs}", leave=False)
        for xb, yb in bar:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            steps += 1
            bar.set_postfix(loss=f"{loss.item():.4f}", samples_per_s=f"{steps * 32 / (time.time() - start):.0f}")
            if max_steps is not None and steps >= max_steps:
                break
        if max_steps is not None and steps >= max_steps:
            break
    with torch.no_grad():
        accuracy = (model(x_test).argmax(1) == y_test).float().mean().item()
    out = out_dir("digits_mlp")
    torch.save(model.state_dict(), os.path.join(out, "digits_mlp.pt"))
    save_loss_curve(losses, os.path.join(out, "loss.png"), "digits MLP training loss")
    print(f"test accuracy: {accuracy:.4f} ({time.time() - start:.1f} s); checkpoint and loss curve in {out}")
    return accuracy


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--max-steps", type=int, default=None)
    args = ap.parse_args()
    main(args.epochs, args.max_steps)
