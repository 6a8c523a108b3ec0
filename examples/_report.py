"""Helpers the examples share: a loss-curve PNG and an output folder."""
import os


def out_dir(name):
    path = os.path.join(os.environ.get("EMBER_EXAMPLES_OUT", os.path.join(os.path.dirname(__file__), "out")), name)
    os.makedirs(path, exist_ok=True)
    return path


def save_loss_curve(losses, path, title):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(range(1, len(losses) + 1), losses)
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
