"""Pictures of training (matplotlib, the optional ``plot`` extra: pip install 'neurons-lab[plot]').

* :func:`plot_history`: loss and error-rate curves of a ``--history`` file (CSV or JSON),
  every train / validation / eval / test column found, read by name;
* :func:`plot_first_layer`: the first layer's weights of an MNIST network (a checkpoint) as
  28×28 images, one per hidden unit;
* :func:`plot_spiral`: the decision regions of a network trained on the spiral data set and,
  for ReLU, the share of hidden units that never fire on any training point ("dying ReLU").

matplotlib is imported only when a picture is drawn; without it these raise
:class:`MatplotlibMissing` with the command that installs it.
"""

import csv
import io
import math
from pathlib import Path

import numpy as np

from neurons_lab.training.files import MAX_JSON_BYTES, atomic_write, read_bytes, read_json

from .errors import ExplainError

LIMIT = 1e300  # beyond it matplotlib's axis limits overflow (1.7e308 and a margin is inf)
SPIRAL_MAX_HIDDEN = 1000  # 300 points in 2-D; the 200×200 grid costs 320 kB per unit


class MatplotlibMissing(ImportError):
    """matplotlib is not installed."""


def pyplot():
    """matplotlib.pyplot on the file-only Agg backend, or MatplotlibMissing."""
    try:
        import matplotlib
    except ImportError:
        raise MatplotlibMissing("pictures need matplotlib: pip install 'neurons-lab[plot]' "
                                "(or pip install matplotlib)") from None
    matplotlib.use("Agg")
    matplotlib.rcParams["text.parse_math"] = False  # a '$' in a column or file name is text
    import matplotlib.pyplot as plt

    return plt


# -- history curves -----------------------------------------------------------------------

def _number(value):
    if value is None or value == "":
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def read_history(path):
    """{column name: [float, …]} of a history file (.csv with a header row, or .json: a list
    of objects). Missing values become NaN; columns are taken by name, whatever they are.
    Read as every reader of the tools reads (training.files): a regular file of at most
    MAX_JSON_BYTES, JSON with its depth and integers bounded."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".json"):
        raise ExplainError(f"history file {path} must end in .csv or .json")
    if suffix == ".json":
        rows = read_json(path, ExplainError, "history file")
        if isinstance(rows, dict) and "history" in rows:
            rows = rows["history"]
    else:
        data = read_bytes(path, MAX_JSON_BYTES, ExplainError, "history file")
        try:
            rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
        except (UnicodeDecodeError, csv.Error) as exc:
            raise ExplainError(f"{path} is not a readable history file ({exc})") from None
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        raise ExplainError(f"{path} holds no epochs (expected one row per epoch)")
    names = list(dict.fromkeys(k for r in rows for k in r if k))
    return {name: [_number(r.get(name)) for r in rows] for name in names}


def _label(name):
    """train_loss → "train loss", eval_error_rate → "eval error rate"."""
    return name.replace("_", " ")


def _drawable(v):
    return math.isfinite(v) and abs(v) <= LIMIT


def history_series(columns):
    """(x, x label, [(loss column, values)], [(error column, values)]) of a history."""
    x = columns.get("epoch")
    if x is None or not all(map(_drawable, x)):  # the row number where epochs are unusable
        x = list(range(1, len(next(iter(columns.values()))) + 1))
    def keep(word):
        return [(n, v) for n, v in columns.items()
                if word in n.lower() and not all(math.isnan(u) for u in v)]
    losses, errors = keep("loss"), keep("error")
    if not losses and not errors:
        raise ExplainError(f"the history has no loss or error column (columns: "
                         f"{', '.join(columns)})")
    return x, "epoch", losses, errors


def plot_history(path, out):
    """Loss curves (left) and error-rate curves in percent (right) of a history file."""
    x, xlabel, losses, errors = history_series(read_history(path))
    plt = pyplot()
    panels = [(p, t) for p, t in ((losses, "loss"), (errors, "error rate (%)")) if p]
    fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 4), squeeze=False)
    for ax, (series, title) in zip(axes[0], panels):
        for name, values in series:
            scale = 100.0 if "error" in name.lower() else 1.0
            shown = [v * scale if _drawable(v * scale) else math.nan for v in values]
            gaps = sum(math.isnan(v) for v in shown)  # NaN/inf (a diverged run) or ~1e308
            label = _label(name) + (f" ({gaps} of {len(shown)} not drawn: not finite or "
                                    f"beyond ±{LIMIT:.0e})" if gaps else "")
            ax.plot(x, shown, marker="o", markersize=3, label=label)
        ax.set_xlabel(xlabel)
        ax.set_title(title)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(Path(path).name)
    fig.tight_layout()
    return _save(fig, plt, out)


WEIGHT_CMAP = "RdBu"  # matplotlib's red → white → blue: negative red, positive blue


def _save(fig, plt, out):
    """Write the figure atomically (training.files): the image is whole or not there."""
    out = Path(out)
    image = io.BytesIO()
    try:
        fig.savefig(image, format=out.suffix[1:].lower(), dpi=110)
    finally:
        plt.close(fig)
    atomic_write(out, image.getvalue())
    return out


# -- first-layer weights ------------------------------------------------------------------

def plot_first_layer(checkpoint, out, max_units=64):
    """The first layer's weights of a checkpointed network as images (blue +, red −, as in
    every drawing): a fully connected layer's rows as 28×28 images, a conv layer's filters
    (each input channel) as K×K images."""
    from neurons_lab.training.checkpoint import load_checkpoint

    ckpt = load_checkpoint(checkpoint)
    W = np.asarray(ckpt.parameters[0][0], dtype=float)
    if W.ndim == 4:  # conv (N, C, K, K): one image per filter and channel
        images = W.reshape(-1, W.shape[2], W.shape[3])
        what = f"first conv layer's filters ({W.shape[0]} filters × {W.shape[1]} channels, " \
               f"{W.shape[2]}×{W.shape[3]})"
    elif W.ndim == 2:
        side = math.isqrt(W.shape[1])
        if side * side != W.shape[1]:
            raise ExplainError(f"{checkpoint}: the first layer has {W.shape[1]} inputs, not a "
                               "square image (MNIST has 784 = 28×28)")
        images = W.reshape(-1, side, side)
        what = "first-layer weights"
    else:
        raise ExplainError(f"{checkpoint}: the first layer's weights have shape {W.shape}; "
                           "expected (out, in) or a conv layer's (N, C, K, K)")
    n = min(len(images), max_units)
    cols = math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    plt = pyplot()
    fig, axes = plt.subplots(rows, cols, figsize=(max(1.3 * cols, 7.0), 1.3 * rows + 0.4),
                             squeeze=False)  # wide enough for the title
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k < n:
            limit = float(np.abs(images[k]).max()) or 1.0  # one symmetric scale per image,
            # applied first: vmax − vmin would overflow for weights near ±1.8e308
            ax.imshow(images[k] / limit, cmap=WEIGHT_CMAP, vmin=-1.0, vmax=1.0)
    fig.suptitle(f"{what}, {n} of {len(images)} (blue +, red −), epoch {ckpt.epoch}")
    fig.tight_layout()
    return _save(fig, plt, out)


# -- spiral decision regions and dying ReLU -----------------------------------------------

def dead_share(net, points):
    """Share of each hidden layer's units that output 0 for every point (never fire), from
    ``layer.output`` of a vectorized network after ``predict`` of the whole batch."""
    net.predict(points)
    return [float((np.asarray(layer.output) <= 0).all(axis=0).mean())
            for layer in net.layers[:-1]]


def train_spiral(activation="relu", hidden=30, epochs=200, rate=0.5, seed=1, points=100):
    """A vectorized 2-hidden-3 softmax network trained on the spiral; returns (net, points,
    classes, [dead share per epoch of the first hidden layer])."""
    import vectorized
    from neurons_lab.training.data import encode_labels, spiral_dataset

    if hidden > SPIRAL_MAX_HIDDEN:
        raise ExplainError(f"--hidden {hidden}: the spiral plot draws at most "
                           f"{SPIRAL_MAX_HIDDEN:,} hidden units")
    try:
        net = vectorized.Network([2, hidden, 3], activation=activation, output="softmax",
                                 loss="cross_entropy", seed=seed,
                                 init="he" if "relu" in str(activation) else "xavier")
    except (TypeError, ValueError) as exc:  # an unknown --activation, a bad --seed
        raise ExplainError(str(exc)) from None
    x, classes = spiral_dataset(points, 3, seed=0)
    t = encode_labels(classes, 3)
    dead = []
    for _ in range(epochs):
        net.train(t, x, rate, 1, batch_size=10)
        dead.append(dead_share(net, x)[0])
    return net, x, classes, dead


def plot_spiral(out, activation="relu", hidden=30, epochs=200, rate=0.5, seed=1):
    """Decision regions on the spiral; with ReLU also the dead-unit share per epoch."""
    net, x, classes, dead = train_spiral(activation, hidden, epochs, rate, seed)
    plt = pyplot()
    relu = "relu" in activation
    fig, axes = plt.subplots(1, 2 if relu else 1, figsize=(11 if relu else 5.5, 5),
                             squeeze=False)
    ax = axes[0][0]
    grid = np.linspace(-1.2, 1.2, 200)
    gx, gy = np.meshgrid(grid, grid)
    predicted = net.predict(np.column_stack([gx.ravel(), gy.ravel()])).argmax(axis=1)
    from matplotlib.colors import ListedColormap

    colours = ListedColormap(["#e41a1c", "#377eb8", "#4daf4a"])  # one per class, both layers
    ax.contourf(gx, gy, predicted.reshape(gx.shape), levels=[-0.5, 0.5, 1.5, 2.5],
                cmap=colours, alpha=0.25)
    ax.scatter(x[:, 0], x[:, 1], c=classes, cmap=colours, vmin=0, vmax=2, s=12,
               edgecolors="k", linewidths=0.3)
    accuracy = float((net.predict(x).argmax(axis=1) == classes).mean())
    ax.set_title(f"2-{hidden}-3 {activation}: training accuracy {accuracy:.0%}")
    ax.set_aspect("equal")
    if relu:
        ax2 = axes[0][1]
        ax2.plot(range(1, len(dead) + 1), [100 * d for d in dead])
        ax2.set_xlabel("epoch")
        ax2.set_ylabel("hidden units that never fire (%)")
        ax2.set_title("dying ReLU: units with output 0 on every training point")
        ax2.set_ylim(0, 100)
        ax2.grid(alpha=0.3)
    fig.tight_layout()
    return _save(fig, plt, out)
