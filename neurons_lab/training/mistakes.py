"""A picture of a network's most confident mistakes (`neurons evaluate --mistakes OUT.png`),
drawn with matplotlib (the optional ``plot`` extra), imported only here."""

import io
import math
from pathlib import Path

import numpy as np

from .errors import UsageError
from .files import atomic_write
from .scoring import confident_mistakes

COLUMNS = 8


def pyplot():
    """matplotlib.pyplot on the file-only Agg backend, or a UsageError saying how to get it."""
    try:
        import matplotlib
    except ImportError:
        raise UsageError("--mistakes draws with matplotlib: pip install 'neurons-lab[plot]' "
                         "(or pip install matplotlib)") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_mistakes(images, true, outputs, out, count=24):
    """Draw the ``count`` wrongly classified images with the highest output for the class the
    network chose (training/scoring.py: confident_mistakes), each titled "true → predicted
    (output)". images: uint8 (N, H·W) with square images; true (N,); outputs (N, C)."""
    plt = pyplot()
    images, outputs = np.asarray(images), np.asarray(outputs)
    side = int(round(math.sqrt(images.shape[1])))
    if side * side != images.shape[1]:
        raise UsageError(f"--mistakes draws square images; these have {images.shape[1]} pixels")
    worst = confident_mistakes(outputs, true)[:count]
    rows = max(1, math.ceil(len(worst) / COLUMNS))
    fig, axes = plt.subplots(rows, COLUMNS, figsize=(1.4 * COLUMNS, 1.65 * rows),
                             squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, index in zip(axes.ravel(), worst):
        guess = int(np.argmax(outputs[index]))
        ax.imshow(images[index].reshape(side, side), cmap="gray_r", vmin=0, vmax=255)
        ax.set_title(f"{int(true[index])}→{guess} ({outputs[index, guess]:.2f})\n#{index}",
                     fontsize=8)
    if not len(worst):
        axes[0, 0].text(0, 0.5, "no mistakes", fontsize=10)
    fig.suptitle("most confident mistakes: true → predicted (output), test image #",
                 fontsize=9)
    fig.tight_layout()
    picture = io.BytesIO()  # drawn whole, then written atomically: never half a file
    fig.savefig(picture, dpi=100, format=Path(out).suffix.lstrip(".").lower() or "png")
    plt.close(fig)
    return atomic_write(out, picture.getvalue())
