"""Section 5: ``vectorized.fast`` against PyTorch's CPU build, same network, same step.

Skipped cleanly when torch is not importable (``pip install -e '.[compare]'``). Both train
784-300-10 (sigmoid hidden and output layers, E = ½Σ(t − y)² averaged over the batch, plain
SGD, float32) on the same data in batches, one epoch per call, timed in alternation, PyTorch
with ``torch.set_num_threads`` = NumPy's BLAS threads. :func:`torch_model` and
:func:`torch_epoch` also build and train section 6's CNNs.
"""

import importlib.util

import numpy as np

import vectorized.fast
from vectorized.spec import parse_layer_sizes

from .environment import blas_threads
from .formatting import format_time, percent, ratio, sizes_name, table
from .minibatch import time_beside_matmul, useful_flops_per_sample
from .per_sample import random_batch_data

SIZES = (784, 300, 10)
BATCH_SIZES = (64, 256)
RATE = 0.1


def available():
    return importlib.util.find_spec("torch") is not None


def import_torch():
    """torch with as many threads as NumPy's BLAS (both get the same cores), or None."""
    if not available():
        return None
    import torch

    torch.set_num_threads(blas_threads())
    return torch


def torch_model(torch, layer_sizes, activation="sigmoid", output="sigmoid", seed=0):
    """The network as a PyTorch ``Sequential`` on flat inputs, and its plain SGD optimizer;
    with ``output="softmax"`` the last activation is left to the loss."""
    torch.manual_seed(seed)
    act = {"sigmoid": torch.nn.Sigmoid, "relu": torch.nn.ReLU}[activation]
    specs = parse_layer_sizes(layer_sizes)
    layers = [torch.nn.Unflatten(1, specs[0].in_shape)] if specs[0].kind == "conv" else []
    for spec in specs:
        if spec.kind == "conv":
            layers += [torch.nn.Conv2d(spec.in_shape[0], spec.filters, spec.kernel,
                                       spec.stride, spec.padding), act()]
        elif spec.kind == "pool":
            layers.append(torch.nn.MaxPool2d(spec.kernel))
        elif spec.kind == "drop":
            layers.append(torch.nn.Dropout(spec.p))
        else:
            layers += [torch.nn.Flatten()] if len(spec.in_shape) > 1 else []
            layers += [torch.nn.Linear(spec.in_size, spec.out_size), act()]
    model = torch.nn.Sequential(*(layers[:-1] if output == "softmax" else layers))
    return model, torch.optim.SGD(model.parameters(), lr=RATE)


def torch_epoch(torch, model, optimizer, labels, data, batch_size, loss="mse"):
    """A function that trains ``model`` for one epoch over the data, in batches: the usual
    ``zero_grad``, forward, ``backward``, ``step``, E averaged over the batch."""
    X, T = torch.from_numpy(data), torch.from_numpy(labels)
    T = T.argmax(dim=1) if loss == "cross_entropy" else T
    batches = [(X[i:i + batch_size], T[i:i + batch_size]) for i in range(0, len(X), batch_size)]
    model.train()  # dropout on, as in the engines' train

    def epoch():
        for x, t in batches:
            optimizer.zero_grad(set_to_none=True)
            y = model(x)
            error = (0.5 * ((y - t) ** 2).sum(dim=1).mean() if loss == "mse"
                     else torch.nn.functional.cross_entropy(y, t))
            error.backward()
            optimizer.step()

    return epoch


def time_pair(torch, batch_size, *, n, repeats, min_time, matmul_n):
    """Seconds per sample of both, timed in alternation with a square matmul, the median
    ratio per repeat with its spread, and fast's share of the matmul's FLOP rate."""
    labels, data = random_batch_data(SIZES, n, 0, "float32")
    net = vectorized.fast.Network(list(SIZES), seed=0, dtype="float32")
    rows, _ = time_beside_matmul(
        {"fast": lambda: net.train(labels, data, RATE, 1, batch_size=batch_size),
         "torch": torch_epoch(torch, *torch_model(torch, SIZES), labels, data, batch_size)},
        n, useful_flops_per_sample(SIZES), dtype="float32", matmul_n=matmul_n,
        repeats=repeats, min_time=min_time)
    fast, torch_row = rows["fast"], rows["torch"]
    return {"batch_size": batch_size, "samples_per_epoch": n,
            "fast_seconds_per_sample": fast["seconds_per_sample"],
            "torch_seconds_per_sample": torch_row["seconds_per_sample"],
            "torch_over_fast": torch_row["engine_over_fast"], "spread": torch_row["spread"],
            "fast_fraction_of_peak": fast["fraction_of_peak"], "repeats": repeats}


def run(quick=False, progress=print):
    torch = import_torch()
    if torch is None:
        progress("pytorch: torch is not installed, skipped")
        return {"found": False}
    repeats, min_time = (3, 0.02) if quick else (15, 0.2)
    rows = []
    for batch_size in BATCH_SIZES:
        progress(f"pytorch: batch {batch_size}")
        n = 4 * batch_size if quick else 64 * batch_size  # as section 3: 64 batches
        rows.append(time_pair(torch, batch_size, n=n, repeats=repeats, min_time=min_time,
                              matmul_n=1024 if quick else 2048))
    return {"found": True, "version": torch.__version__,
            "same_step_difference": check_same_step(torch), "threads": torch.get_num_threads(),
            "numpy_blas_threads": blas_threads(), "dtype": "float32",
            "layer_sizes": list(SIZES), "rows": rows}


def check_same_step(torch):
    """Largest |difference| of the weights after one batch step of PyTorch's copy and of
    ``vectorized.fast``, from the same float64 parameters: shows the two time the same step."""
    labels, data = random_batch_data(SIZES, 8, 0, "float64")
    net = vectorized.fast.Network(list(SIZES), seed=0)
    model, optimizer = torch_model(torch, SIZES)
    model.double()
    linear = [m for m in model if isinstance(m, torch.nn.Linear)]
    with torch.no_grad():
        for layer, (W, b) in zip(linear, net.parameters()):
            layer.weight.copy_(torch.from_numpy(W))
            layer.bias.copy_(torch.from_numpy(b))
    net.train(labels, data, RATE, 1, batch_size=8)
    torch_epoch(torch, model, optimizer, labels, data, 8)()
    return max(float(np.abs(layer.weight.detach().numpy() - W).max())
               for layer, (W, _) in zip(linear, net.parameters()))


def markdown(results):
    section = results["pytorch"]
    lines = ["", "## 5. `vectorized.fast` and PyTorch (CPU), float32", ""]
    if not section.get("found"):
        return lines + ["PyTorch is not installed (`pip install -e '.[compare]'`): skipped."]
    rows = [[row["batch_size"], format_time(row["fast_seconds_per_sample"]),
             format_time(row["torch_seconds_per_sample"]),
             ratio(row["torch_over_fast"], row["spread"]), percent(row["fast_fraction_of_peak"])]
            for row in section["rows"]]
    return lines + table(["batch", "vectorized.fast, per sample", "PyTorch, per sample",
                          "PyTorch ÷ fast (spread)", "fast, of the matmul peak beside it"],
                         rows) + [
        "",
        f"PyTorch {section['version']} with `torch.set_num_threads({section['threads']})`, the "
        f"number of threads NumPy's BLAS uses ({section['numpy_blas_threads']}). Same network "
        f"({sizes_name(section['layer_sizes'])}, sigmoid, ½Σ(t − y)² averaged over the batch, "
        "plain SGD), same data, one epoch per call, the two timed in alternation; the ratio is "
        "the median of the repeats' ratios. From the same float64 parameters one batch step of "
        f"each differs by {section['same_step_difference']:.1e} at most: the same step.",
    ]
