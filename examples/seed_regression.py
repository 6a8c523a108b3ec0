"""The seed document's network (2 -> 5 -> 1 with ReLU) trained with SGD on a toy regression.

Written exactly as a PyTorch user writes it; run with ``python examples/seed_regression.py``
(ember) or ``ember run examples/seed_regression.py``.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import ember as torch  # noqa: E402
import ember.nn as nn  # noqa: E402
import ember.optim as optim  # noqa: E402
from _report import out_dir, save_loss_curve  # noqa: E402


class NeuralNetwork(nn.Module):
    def __init__(self):
        super(NeuralNetwork, self).__init__()
        self.hidden = nn.Linear(2, 5)
        self.relu = nn.ReLU()
        self.output = nn.Linear(5, 1)

    def forward(self, x):
        x = self.hidden(x)
        x = self.relu(x)
        x = self.output(x)
        return x


def main(epochs=100):
    torch.manual_seed(0)
    model = NeuralNetwork()
    criterion = nn.MSELoss()
    optimizer = optim.SGD(model.parameters(), lr=0.01)
    # y = x0 - 2*x1 + noise: a target the network can learn
    input_data = torch.randn(64, 2)
    target_data = (input_data[:, :1] - 2 * input_data[:, 1:]) + 0.1 * torch.randn(64, 1)
    losses = []
    for epoch in range(epochs):
        optimizer.zero_grad()
        output = model(input_data)
        loss = criterion(output, target_data)
        loss.backward()
        optimizer.step()
        print(f"Epoch: {epoch+1}, Loss: {loss.item()}")
        losses.append(loss.item())
    out = out_dir("seed_regression")
    torch.save(model.state_dict(), os.path.join(out, "seed_regression.pt"))
    save_loss_curve(losses, os.path.join(out, "loss.png"), "seed network training loss")
    return loss.item()


if __name__ == "__main__":
    main()
