"""`neurons demo`: both implementations side by side on built-in data, in well under a minute.

1. The tutorial's 8-3-8 task, trained identically by both: same numbers, different speed.
2. A 2-D spiral: a linear model fails, one hidden layer solves it — in both implementations.
3. Speed on an MNIST-sized network (784-100-10): per sample, and in mini-batches.
4. A small CNN on a few hundred real digits (or generated images), trained both ways, agreeing
   (demo_cnn.py).
"""

import random
import time

import numpy as np

from neurons_lab.training.data import encode_bits, encode_labels, spiral_dataset
from neurons_lab.training.data_options import add_data_options
from neurons_lab.training.networks import build, flat_parameters, max_parameter_difference

from .demo_cnn import cnn_task


def _timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def bits_task(quick):
    print("1. The tutorial's 8-3-8 task: reproduce the 8-bit numbers 1, 2, 4, …, 128 "
          "(bits coded 0.9/0.1)")
    data = encode_bits([1 << k for k in range(8)]).tolist()
    epochs = 600 if quick else 3000
    config = {"layer_sizes": [8, 3, 8], "seed": 0}
    print(f"   sigmoid, ½Σ(t−y)², rate 1.0, one sample per step, {epochs} epochs, seed 0")
    nets, rows = {}, []
    for impl in ("neurons", "vectorized"):
        net = build(impl, config)
        loss, seconds = _timed(lambda net=net: net.train(data, data, 1.0, epochs))
        bits = [(y > 0.5) == (t > 0.5) for x in data for y, t in zip(net.predict(x), x)]
        nets[impl] = net
        rows.append((impl, seconds, loss, sum(bits) / len(bits)))
    print(f"   {'implementation':<15}{'time':>8}{'last loss':>12}{'bits right':>12}")
    for impl, seconds, loss, acc in rows:
        print(f"   {impl:<15}{seconds:>7.2f}s{loss:>12.5f}{acc:>11.0%}")
    if rows[1][1] > rows[0][1]:
        print("   (on a network this small the matrices lose: every NumPy call costs a few µs,"
              " more than 59 multiplications in plain Python)")
    diff = max_parameter_difference(nets["neurons"], nets["vectorized"])
    count = len(flat_parameters(nets["neurons"]))
    print(f"   largest difference between their {count} parameters after {epochs * 8} steps: "
          f"{diff:.1e}")
    return diff


def spiral_task(quick):
    print("\n2. A spiral of 3 arms in 2-D: a linear model fails, one hidden layer solves it")
    points, classes = spiral_dataset(60, 3, seed=0)
    x, t = points.tolist(), encode_labels(classes, 3).tolist()
    epochs = 60 if quick else 300
    worst = 0.0
    for title, sizes in (("softmax regression 2-3", [2, 3]), ("one hidden layer 2-30-3",
                                                             [2, 30, 3])):
        config = {"layer_sizes": sizes, "activation": "tanh", "output": "softmax",
                  "loss": "cross_entropy", "init": "xavier", "seed": 1}
        nets, line = {}, []
        for impl in ("neurons", "vectorized"):
            net = build(impl, config)
            _, seconds = _timed(lambda net=net: net.train(t, x, 0.1, epochs, batch_size=10))
            predicted = [max(range(3), key=net.predict(p).__getitem__) for p in x]
            acc = np.mean(np.asarray(predicted) == classes)
            nets[impl] = net
            line.append(f"{impl} {acc:.0%} in {seconds:.2f}s")
        diff = max_parameter_difference(nets["neurons"], nets["vectorized"])
        worst = max(worst, diff)
        print(f"   {title:<25} accuracy: {', '.join(line)}; parameters differ by {diff:.1e}")
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
    X = np.asarray(xs * 64)
    T = np.asarray(ts * 64)
    batched = build("vectorized", config)
    _, t_batch = _timed(lambda: batched.train(T, X, 0.1, 1, batch_size=64))
    per = {"neurons, one sample per step": t_neurons / n,
           "vectorized, one sample per step": t_vec / (reps * n),
           "vectorized, batches of 64": t_batch / len(X)}
    base = per["neurons, one sample per step"]
    for name, seconds in per.items():
        print(f"   {name:<34}{seconds * 1e6:>10.1f} µs per sample   {base / seconds:>7.0f}×")


def run_demo(quick=False, data=None):
    started = time.perf_counter()
    diff_bits = bits_task(quick)
    diff_spiral = spiral_task(quick)
    speed_task(quick)
    worst = max(diff_bits, diff_spiral, cnn_task(quick, data))
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
