"""`neurons demo`: both implementations side by side on built-in data, in well under a minute:
the tutorial's 8-3-8 task, a 2-D spiral, speed on 784-100-10, and a small CNN on a few hundred
real digits (MNIST from --data-dir, --download or the cache an earlier --download filled) or,
when there is none, on generated bar images. The two must agree to 1e-9."""

import random
import time

import numpy as np

from neurons_lab.training.data import encode_bits, encode_labels, scale_pixels, spiral_dataset
from neurons_lab.training.download import add_data_options, cached_mnist, mnist_directory
from neurons_lab.training.errors import DataError
from neurons_lab.training.mnist import load_mnist
from neurons_lab.training.networks import build, flat_parameters, max_parameter_difference


def _timed(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - start


def _both(config, fit, accuracy):
    """A network of each package built from ``config``, trained by ``fit(net, impl)`` and
    scored by ``accuracy(net, impl)``: ({impl: net}, [(impl, seconds, fit's result,
    accuracy)], the largest parameter difference)."""
    nets, rows = {}, []
    for impl in ("neurons", "vectorized"):
        net = nets[impl] = build(impl, config)
        result, seconds = _timed(fit, net, impl)
        rows.append((impl, seconds, result, accuracy(net, impl)))
    return nets, rows, max_parameter_difference(nets["neurons"], nets["vectorized"])


def bits_task(quick):
    print("1. The tutorial's 8-3-8 task: reproduce the 8-bit numbers 1, 2, 4, …, 128 "
          "(bits coded 0.9/0.1)")
    data = encode_bits([1 << k for k in range(8)]).tolist()
    epochs = 600 if quick else 3000
    print(f"   sigmoid, ½Σ(t−y)², rate 1.0, one sample per step, {epochs} epochs, seed 0")
    nets, rows, diff = _both(
        {"layer_sizes": [8, 3, 8], "seed": 0},
        lambda net, _: net.train(data, data, 1.0, epochs),
        lambda net, _: np.mean([(y > 0.5) == (t > 0.5) for x in data
                                for y, t in zip(net.predict(x), x)]))
    print(f"   {'implementation':<15}{'time':>8}{'last loss':>12}{'bits right':>12}")
    for impl, seconds, loss, acc in rows:
        print(f"   {impl:<15}{seconds:>7.2f}s{loss:>12.5f}{acc:>11.0%}")
    if rows[1][1] > rows[0][1]:
        print("   (on a network this small the matrices lose: every NumPy call costs a few µs,"
              " more than 59 multiplications in plain Python)")
    print(f"   largest difference between their {len(flat_parameters(nets['neurons']))} "
          f"parameters after {epochs * 8} steps: {diff:.1e}")
    return diff


def spiral_task(quick):
    print("\n2. A spiral of 3 arms in 2-D: a linear model fails, one hidden layer solves it")
    points, classes = spiral_dataset(60, 3, seed=0)
    x, t = points.tolist(), encode_labels(classes, 3).tolist()
    epochs = 60 if quick else 300
    worst = 0.0
    for title, sizes in (("softmax regression 2-3", [2, 3]),
                         ("one hidden layer 2-30-3", [2, 30, 3])):
        _, rows, diff = _both(
            {"layer_sizes": sizes, "activation": "tanh", "output": "softmax",
             "loss": "cross_entropy", "init": "xavier", "seed": 1},
            lambda net, _: net.train(t, x, 0.1, epochs, batch_size=10),
            lambda net, _: np.mean([np.argmax(net.predict(p)) for p in x] == classes))
        worst = max(worst, diff)
        line = ", ".join(f"{impl} {acc:.0%} in {seconds:.2f}s" for impl, seconds, _, acc in rows)
        print(f"   {title:<25} accuracy: {line}; parameters differ by {diff:.1e}")
    return worst


def speed_task(quick):
    print("\n3. Speed on 784-100-10 (sigmoid, ½Σ(t−y)², random inputs)")
    rng = random.Random(0)
    n = 6 if quick else 20
    xs = [[rng.random() for _ in range(784)] for _ in range(n)]
    ts = [[0.9 if k == i % 10 else 0.1 for k in range(10)] for i in range(n)]
    config = {"layer_sizes": [784, 100, 10], "seed": 0}
    slow = build("neurons", config)
    _, t_neurons = _timed(lambda: [slow.train_one_sample(t, x, 0.1) for t, x in zip(ts, xs)])
    fast = build("vectorized", config)
    arrays = [(np.asarray(t), np.asarray(x)) for t, x in zip(ts, xs)]  # converted once, as usual
    fast.train_one_sample(*arrays[0], 0.1)  # the first step loads SciPy's BLAS: not timed
    reps = 20
    _, t_vec = _timed(lambda: [fast.train_one_sample(t, x, 0.1)
                               for _ in range(reps) for t, x in arrays])
    X, T = np.asarray(xs * 64), np.asarray(ts * 64)
    batched = build("vectorized", config)
    _, t_batch = _timed(lambda: batched.train(T, X, 0.1, 1, batch_size=64))
    per = {"neurons, one sample per step": t_neurons / n,
           "vectorized, one sample per step": t_vec / (reps * n),
           "vectorized, batches of 64": t_batch / (64 * n)}
    for name, seconds in per.items():
        print(f"   {name:<34}{seconds * 1e6:>10.1f} µs per sample   "
              f"{per['neurons, one sample per step'] / seconds:>7.0f}×")


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


def bars(n, seed, size=12):
    """``n`` noisy size×size images of one of 4 strokes: a horizontal bar, a vertical bar, or
    a diagonal either way, at a random place (flat rows, classes)."""
    rng = np.random.default_rng(seed)
    images = rng.uniform(0.0, 0.2, (n, size, size))
    kinds = rng.integers(0, 4, n)
    line = np.arange(size)
    for image, kind in zip(images, kinds):
        at = rng.integers(2, size - 2)
        if kind == 0:
            image[at, :] = 1.0
        elif kind == 1:
            image[:, at] = 1.0
        else:
            image[line, line if kind == 2 else size - 1 - line] = 1.0
    return images.reshape(n, -1), kinds


def cnn_task(quick, data=None):
    """``data``: the parsed --data-dir/--download/--cache-dir (or None: the cache, else bars)."""
    title, (C, H, W), x, c, tx, tc = digits(data, *((100, 100) if quick else (300, 300)))
    n_classes = int(max(c.max(), tc.max())) + 1
    sizes = [f"{C}x{H}x{W}", "conv4x5s2" if H >= 20 else "conv4x3", "pool2", n_classes]
    epochs = 2 if quick else 4
    print(f"\n4. A small CNN {','.join(map(str, sizes))} on {len(x)} {title}")
    print(f"   relu, softmax + cross-entropy, rate 0.05, batches of 10, {epochs} epochs, seed 0")
    t = encode_labels(c, n_classes)
    plain = {"neurons": lambda a: a.tolist(), "vectorized": lambda a: a}  # lists for neurons
    nets, rows, diff = _both(
        {"layer_sizes": sizes, "activation": "relu", "output": "softmax",
         "loss": "cross_entropy", "init": "he", "seed": 0},
        lambda net, impl: net.train(plain[impl](t), plain[impl](x), 0.05, epochs,
                                    batch_size=10),
        lambda net, impl: np.mean([np.argmax(net.predict(row)) for row in plain[impl](tx)]
                                  == tc))
    line = ", ".join(f"{impl} {acc:.0%} in {seconds:.1f}s" for impl, seconds, _, acc in rows)
    print(f"   accuracy on {len(tx)} held-out images: {line}")
    print(f"   neurons: {len(nets['neurons'].connections):,} Connections share "
          f"{len(nets['neurons'].shared_weights)} conv weights; parameters differ by {diff:.1e}")
    return diff


def run_demo(quick=False, data=None):
    started = time.perf_counter()
    differences = [bits_task(quick), spiral_task(quick)]
    speed_task(quick)
    worst = max(differences + [cnn_task(quick, data)])
    agree = worst < 1e-9
    print(f"\nThe two implementations {'agree' if agree else 'DISAGREE'} "
          f"(largest parameter difference {worst:.1e}, "
          f"tolerance 1e-9). Demo took {time.perf_counter() - started:.0f} s.")
    print("Next: see every number of one training step with `neurons explain` (--help).")
    return 0 if agree else 1


def add_subcommands(subparsers):
    demo = subparsers.add_parser(
        "demo", help="train both implementations side by side (under a minute)",
        description="Train both implementations on built-in data sets, show that they agree, "
                    "and how much faster the matrices are.")
    demo.add_argument("--quick", action="store_true", help="fewer epochs, for smoke tests")
    add_data_options(demo, note="The demo's CNN part trains on it; without --data-dir or "
                                "--download it reads the cache if an earlier --download filled "
                                "it, else it generates images.")
    demo.set_defaults(handler=lambda args: run_demo(quick=args.quick, data=args))
