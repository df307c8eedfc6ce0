"""Section 6: convolutional networks. CNN 1 of the CNN article (``["1x28x28", "conv20x5",
"pool2", 100, 10]``), CNN 2 (a second conv layer of 40 filters and pooling) and CNN 3 (CNN 2
with two fully connected layers of 1,000 and dropout 0.5, the article's 99.6 % network),
float32, each in mini-batches of 10 (CNN 3's recipe) and of 64: the textbook engine,
``vectorized.fast`` and PyTorch's CPU build (when torch is importable;
``torch.set_num_threads`` = NumPy's BLAS threads), one training epoch per call, all timed
in alternation with a square ``np.matmul`` (``timing.measure_interleaved``):
each repeat compares the engines and the machine's peak under the same conditions, and every
figure is a median over repeats (the machine is shared: the ranges are wide).

Useful work per sample, as for dense layers (section 3): for every layer with parameters the
forward product and the weight gradient, and for every one but the first the input gradient,
each 2 multiply-adds per weight use: a conv layer's ``2·F·C·K²·OH·OW``, a fully connected
layer's ``2·in·out``. CNN 1: 2,886,000 FLOPs per sample; CNN 2: 9,222,000; CNN 3: 18,732,000.
Activations, pooling, dropout, im2col/col2im and the updates are not counted.

Every engine trains the same network (sigmoid hidden layers for CNN 1, ReLU for CNN 2 and 3,
softmax output with cross-entropy, plain SGD) on the same random data. Section 6b
(:mod:`benchmarks.cnn_parts`) shares one fast step of each network at its recipe's batch out
over its parts.
"""

import importlib.util
import statistics
from functools import partial

import numpy as np

import vectorized
import vectorized.fast
from vectorized.spec import parse_layer_sizes

from . import cnn_parts
from .minibatch import _square_matmul
from .timing import measure_interleaved

# name: (layer_sizes, hidden activation, the batch its recipe trains with)
NETWORKS = {
    "CNN 1": (["1x28x28", "conv20x5", "pool2", 100, 10], "sigmoid", 64),
    "CNN 2": (["1x28x28", "conv20x5", "pool2", "conv40x5", "pool2", 100, 10], "relu", 64),
    "CNN 3": (["1x28x28", "conv20x5", "pool2", "conv40x5", "pool2", 1000, "drop0.5", 1000,
               "drop0.5", 10], "relu", 10),
}
BATCH_SIZES = (10, 64)
RATE = 0.1
ENGINES = {"textbook": vectorized, "fast": vectorized.fast}


def useful_flops_per_sample(layer_sizes):
    """Forward and weight gradient of every layer with parameters, input gradient of all but
    the first: conv ``2·F·C·K²·OH·OW`` each, fully connected ``2·in·out``."""
    total, first = 0, True
    for spec in parse_layer_sizes(layer_sizes):
        if spec.kind == "conv":
            F, OH, OW = spec.out_shape
            uses = 2 * F * spec.in_shape[0] * spec.kernel ** 2 * OH * OW
        elif spec.kind == "full":
            uses = 2 * spec.in_size * spec.out_size
        else:
            continue
        total += uses * (2 if first else 3)
        first = False
    return total


def data(n, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 784), dtype=np.float32)
    t = np.eye(10, dtype=np.float32)[rng.integers(0, 10, n)]
    return t, x


def torch_model(torch, layer_sizes, activation):
    """The same network as a PyTorch ``Sequential`` (float32) and its SGD optimizer."""
    act = {"sigmoid": torch.nn.Sigmoid, "relu": torch.nn.ReLU}[activation]
    layers, flat = [], False
    for spec in parse_layer_sizes(layer_sizes):
        if spec.kind == "conv":
            layers += [torch.nn.Conv2d(spec.in_shape[0], spec.filters, spec.kernel,
                                       spec.stride, spec.padding), act()]
        elif spec.kind == "pool":
            layers.append(torch.nn.MaxPool2d(spec.kernel))
        elif spec.kind == "drop":
            layers.append(torch.nn.Dropout(spec.p))
        else:
            if not flat:
                layers.append(torch.nn.Flatten())
                flat = True
            layers.append(torch.nn.Linear(spec.in_size, spec.out_size))
            layers.append(act())
    model = torch.nn.Sequential(*layers[:-1])  # the output: softmax inside the loss
    return model, torch.optim.SGD(model.parameters(), lr=RATE)


def torch_epoch(torch, model, optimizer, labels, x, batch_size):
    X = torch.from_numpy(x).reshape(-1, 1, 28, 28)
    c = torch.from_numpy(labels.argmax(axis=1))
    batches = [(X[i:i + batch_size], c[i:i + batch_size]) for i in range(0, len(X), batch_size)]
    model.train()  # dropout on, as in the engines' train

    def epoch():
        for xb, cb in batches:
            optimizer.zero_grad(set_to_none=True)
            torch.nn.functional.cross_entropy(model(xb), cb).backward()  # mean over the batch
            optimizer.step()

    return epoch


def make_net(module, name):
    layer_sizes, activation, _ = NETWORKS[name]
    return module.Network(layer_sizes, activation=activation, output="softmax",
                          loss="cross_entropy", init="he", seed=0, dtype="float32")


def time_network(name, batch_size, *, n, matmul_n, repeats, min_time, torch=None):
    layer_sizes, activation, _ = NETWORKS[name]
    labels, x = data(n)
    fns = {}
    for engine, module in ENGINES.items():
        net = make_net(module, name)
        fns[engine] = (lambda net=net: net.train(labels, x, RATE, 1, batch_size=batch_size))
    if torch is not None:
        fns["torch"] = torch_epoch(torch, *torch_model(torch, layer_sizes, activation), labels, x,
                                   batch_size)
    fns["matmul"] = _square_matmul("float32", matmul_n)
    timings = measure_interleaved(fns, repeats=repeats, min_time=min_time)
    flops = useful_flops_per_sample(layer_sizes)
    matmul = timings.pop("matmul")
    rows = []
    for engine, timing in timings.items():
        shares = [(flops * n / t) / (2.0 * matmul_n ** 3 / p)
                  for t, p in zip(timing["times"], matmul["times"])]
        ratios = sorted(t / f for f, t in zip(timings["fast"]["times"], timing["times"]))
        per_sample = timing["median"] / n
        rows.append({"engine": engine, "seconds_per_sample": per_sample,
                     "gflops": flops / per_sample / 1e9,
                     "fraction_of_peak": statistics.median(shares),
                     "engine_over_fast": statistics.median(ratios),  # repeat by repeat
                     "spread": [ratios[0], ratios[-1]]})
    return {"network": name, "layer_sizes": layer_sizes, "activation": activation,
            "batch_size": batch_size, "flops_per_sample": flops, "samples_per_epoch": n,
            "repeats": repeats, "loadavg": loadavg(),
            "peak_gflops": 2.0 * matmul_n ** 3 / matmul["median"] / 1e9, "matmul_n": matmul_n,
            "rows": rows}


def loadavg():
    """The 1-minute load average (None where /proc/loadavg is missing): with how busy the
    machine was, a reader can judge the figures."""
    try:
        with open("/proc/loadavg", encoding="ascii") as file:
            return float(file.read().split()[0])
    except OSError:
        return None


def run(quick=False, progress=print, blas_threads=None):
    torch = None
    if importlib.util.find_spec("torch") is not None:
        import torch
        if blas_threads:
            torch.set_num_threads(int(blas_threads))
    repeats, min_time = (3, 0.02) if quick else (11, 0.2)
    sections, parts = [], []
    for name, (_, _, recipe) in NETWORKS.items():
        for batch_size in BATCH_SIZES:
            progress(f"cnn: {name}, batch {batch_size}")
            n = (1 if quick else 8) * batch_size
            sections.append(time_network(name, batch_size, n=n, matmul_n=1024 if quick else 2048,
                                         repeats=repeats, min_time=min_time, torch=torch))
        if quick and name != "CNN 2":
            continue
        progress(f"cnn: {name}, the parts of a fast step")
        labels, x = data((1 if quick else 8) * recipe)
        parts.append(dict(cnn_parts.breakdown(partial(make_net, vectorized.fast, name), labels, x,
                                              recipe, repeats=repeats, min_time=min_time),
                          network=name, loadavg=loadavg()))
    return {"dtype": "float32", "batch_sizes": list(BATCH_SIZES), "networks": sections,
            "parts": parts,
            "torch": None if torch is None else {"version": torch.__version__,
                                                 "threads": torch.get_num_threads()}}
