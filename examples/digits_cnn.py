"""A small CNN on scikit-learn's 8x8 digits — the main job. Written as a PyTorch user writes it.

    python examples/digits_cnn.py [--epochs N]
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
import ember.nn.functional as F  # noqa: E402
from ember.utils.data import DataLoader, TensorDataset  # noqa: E402
from _report import out_dir, save_loss_curve  # noqa: E402


class DigitsCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc1 = nn.Linear(32 * 4 * 4, 128)
        self.fc2 = nn.Linear(128, 10)
        self.dropout = nn.Dropout(0.25)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = self.dropout(torch.flatten(x, 1))
        return self.fc2(F.relu(self.fc1(x)))


def load_data():
    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[:, None, :, :]
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(0).permutation(len(x))
    split = int(0.8 * len(x))
    train, test = order[:split], order[split:]
    return (TensorDataset(torch.from_numpy(x[train]), torch.from_numpy(y[train])),
            TensorDataset(torch.from_numpy(x[test]), torch.from_numpy(y[test])))


def evaluate(model, loader):
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for x, y in loader:
            correct += (model(x).argmax(1) == y).sum().item()
            total += y.numel()
    model.train()
    return correct / total


def main(epochs=15, max_steps=None):
    torch.manual_seed(0)
    train_set, test_set = load_data()
    train_loader = DataLoader(train_set, batch_size=64, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=256)
    model = DigitsCNN()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    losses, steps, start = [], 0, time.time()
    for epoch in range(epochs):
        bar = tqdm(train_loader, desc=f"epoch {epoch + 1}/{epochs}", leave=False)
        for x, y in bar:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            steps += 1
            bar.set_postfix(loss=f"{loss.item():.4f}", samples_per_s=f"{steps * 64 / (time.time() - start):.0f}")
            if max_steps is not None and steps >= max_steps:
                break
        if max_steps is not None and steps >= max_steps:
            break
    accuracy = evaluate(model, test_loader)
    out = out_dir("digits_cnn")
    torch.save(model.state_dict(), os.path.join(out, "digits_cnn.pt"))
    save_loss_curve(losses, os.path.join(out, "loss.png"), "digits CNN training loss")
    print(f"test accuracy: {accuracy:.4f} ({time.time() - start:.1f} s, {steps} steps); "
          f"checkpoint and loss curve in {out}")
    return accuracy


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--max-steps", type=int, default=None)
    args = ap.parse_args()
    main(args.epochs, args.max_steps)
