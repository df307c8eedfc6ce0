"""Part 4 of `neurons demo`: a small CNN trained both ways — Nodes whose Connections share their
filters' weights (neurons) and the im2col matrices (vectorized) — on a few hundred real digits
(MNIST from --data-dir, --download or the download cache an earlier --download filled), or on
a generated set of bar images when there is none; the two agree to 1e-9."""

import time

import numpy as np

from neurons_lab.training.data import encode_labels, scale_pixels
from neurons_lab.training.data_options import cached_mnist, mnist_directory
from neurons_lab.training.errors import DataError
from neurons_lab.training.mnist import load_mnist
from neurons_lab.training.networks import build, max_parameter_difference


def digits(data, n_train, n_test):
    """(title, shape, train x, train classes, test x, test classes): real digits if the user
    gave --data-dir or --download (errors are theirs to see), or the cache holds them."""
    chosen = data is not None and (data.data_dir or data.download)
    directory = mnist_directory(data, "demo") if chosen else \
        cached_mnist(getattr(data, "cache_dir", None))
    why = "no MNIST: give --data-dir DIR or --download"
    if directory is not None:
        try:
            mnist = load_mnist(directory)
        except DataError as error:
            if chosen:
                raise
            directory, why = None, f"the download cache is incomplete ({error})"
    if directory is None:
        return (f"generated bars ({why})", (1, 12, 12)) + bars(n_train, 0) + bars(n_test, 1)
    x, c = scale_pixels(mnist.train_images[:n_train]), mnist.train_labels[:n_train]
    tx, tc = scale_pixels(mnist.test_images[:n_test]), mnist.test_labels[:n_test]
    return f"MNIST digits from {directory}", (1, 28, 28), x, c, tx, tc


def bars(n, seed, size=12, classes=4):
    """``n`` noisy size×size images of one of ``classes`` strokes: a horizontal bar, a
    vertical bar, or a diagonal either way, at a random place (flat rows, classes)."""
    rng = np.random.default_rng(seed)
    images = rng.uniform(0.0, 0.2, (n, size, size))
    kinds = rng.integers(0, classes, n)
    for image, kind in zip(images, kinds):
        at = rng.integers(2, size - 2)
        line = np.arange(size)
        if kind == 0:
            image[at, :] = 1.0
        elif kind == 1:
            image[:, at] = 1.0
        else:
            image[line, line if kind == 2 else size - 1 - line] = 1.0
    return images.reshape(n, -1), kinds


def cnn_task(quick, data=None):
    """``data``: the parsed --data-dir/--download/--cache-dir (or None: the cache, else bars)."""
    n_train, n_test = (100, 100) if quick else (300, 300)
    title, (C, H, W), x, c, tx, tc = digits(data, n_train, n_test)
    n_classes = int(max(c.max(), tc.max())) + 1
    sizes = [f"{C}x{H}x{W}", "conv4x5s2" if H >= 20 else "conv4x3", "pool2", n_classes]
    config = {"layer_sizes": sizes, "activation": "relu", "output": "softmax",
              "loss": "cross_entropy", "init": "he", "seed": 0}
    epochs = 2 if quick else 4
    print(f"\n4. A small CNN {','.join(map(str, sizes))} on {len(x)} {title}")
    print(f"   relu, softmax + cross-entropy, rate 0.05, batches of 10, {epochs} epochs, seed 0")
    t = encode_labels(c, n_classes)
    nets, line = {}, []
    for impl in ("neurons", "vectorized"):
        net = build(impl, config)
        data, targets = (x.tolist(), t.tolist()) if impl == "neurons" else (x, t)
        start = time.perf_counter()
        net.train(targets, data, 0.05, epochs, batch_size=10)
        seconds = time.perf_counter() - start
        rows = tx.tolist() if impl == "neurons" else tx
        predicted = [int(np.argmax(net.predict(row))) for row in rows]
        nets[impl] = net
        line.append(f"{impl} {np.mean(np.asarray(predicted) == tc):.0%} in {seconds:.1f}s")
    neurons_net = nets["neurons"]
    diff = max_parameter_difference(neurons_net, nets["vectorized"])
    print(f"   accuracy on {len(tx)} held-out images: {', '.join(line)}")
    print(f"   neurons: {len(neurons_net.connections):,} Connections share "
          f"{len(neurons_net.shared_weights)} conv weights; parameters differ by {diff:.1e}")
    return diff
