"""Section 5: ``vectorized.fast`` against PyTorch's CPU build, same network, same step.

Skipped cleanly when torch is not importable (``pip install -e '.[compare]'``). Both train
784-300-10 (sigmoid hidden and output layers, E = ½Σ(t − y)² averaged over the batch, plain
SGD, float32) on the same data in batches, one epoch per call. PyTorch's step is the usual
``zero_grad``, forward, ``backward``, ``optimizer.step()``. Its intra-op threads are set with
``torch.set_num_threads`` to the number of threads NumPy's BLAS uses, so that both get the
same cores. The two epochs are timed in alternation (``timing.measure_interleaved``), so that a
slow moment of the machine slows both alike.
"""

import importlib.util
import statistics

import numpy as np

import vectorized.fast

from .minibatch import _square_matmul, useful_flops_per_sample
from .per_sample import random_batch_data
from .timing import measure_interleaved

SIZES = (784, 300, 10)
BATCH_SIZES = (64, 256)
RATE = 0.1


def available():
    return importlib.util.find_spec("torch") is not None


def torch_model(torch, seed=0):
    """The network as a PyTorch ``Sequential`` (float32) and its plain SGD optimizer."""
    torch.manual_seed(seed)
    layers = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:]):
        layers += [torch.nn.Linear(n_in, n_out), torch.nn.Sigmoid()]
    model = torch.nn.Sequential(*layers)
    return model, torch.optim.SGD(model.parameters(), lr=RATE)


def torch_epoch(torch, model, optimizer, labels, data, batch_size):
    """A function that trains ``model`` for one epoch over the data, in batches."""
    X, T = torch.from_numpy(data), torch.from_numpy(labels)
    batches = [(X[i:i + batch_size], T[i:i + batch_size]) for i in range(0, len(X), batch_size)]

    def epoch():
        for x, t in batches:
            optimizer.zero_grad(set_to_none=True)
            loss = 0.5 * ((model(x) - t) ** 2).sum(dim=1).mean()  # mean over the batch of E
            loss.backward()
            optimizer.step()

    return epoch


def time_pair(torch, batch_size, *, n, repeats, min_time, matmul_n=2048):
    """Seconds per sample of both, timed in alternation with a square matmul, the median
    ratio per repeat with its spread, and fast's share of the matmul's FLOP rate."""
    labels, data = random_batch_data(SIZES, n, 0, "float32")
    net = vectorized.fast.Network(list(SIZES), seed=0, dtype="float32")
    timings = measure_interleaved(
        {"fast": lambda: net.train(labels, data, RATE, 1, batch_size=batch_size),
         "torch": torch_epoch(torch, *torch_model(torch), labels, data, batch_size),
         "matmul": _square_matmul("float32", matmul_n)},
        repeats=repeats, min_time=min_time)
    fast, matmul = timings["fast"]["times"], timings["matmul"]["times"]
    ratios = sorted(t / f for f, t in zip(fast, timings["torch"]["times"]))
    flops = useful_flops_per_sample(SIZES) * n
    return {"batch_size": batch_size, "samples_per_epoch": n,
            "fast_seconds_per_sample": timings["fast"]["median"] / n,
            "torch_seconds_per_sample": timings["torch"]["median"] / n,
            "torch_over_fast": statistics.median(ratios), "spread": [ratios[0], ratios[-1]],
            "fast_fraction_of_peak": statistics.median(
                (flops / f) / (2.0 * matmul_n ** 3 / p) for f, p in zip(fast, matmul)),
            "repeats": repeats}


def run(quick=False, progress=print, blas_threads=None):
    if not available():
        progress("pytorch: torch is not installed, skipped")
        return {"found": False}
    import torch

    if blas_threads:
        torch.set_num_threads(int(blas_threads))
    repeats, min_time = (3, 0.02) if quick else (15, 0.2)
    rows = []
    for batch_size in BATCH_SIZES:
        progress(f"pytorch: batch {batch_size}")
        n = 4 * batch_size if quick else 64 * batch_size  # as section 3: 64 batches
        rows.append(time_pair(torch, batch_size, n=n, repeats=repeats, min_time=min_time,
                              matmul_n=1024 if quick else 2048))
    return {"found": True, "version": torch.__version__,
            "same_step_difference": check_same_step(torch), "threads": torch.get_num_threads(),
            "numpy_blas_threads": blas_threads, "dtype": "float32",
            "layer_sizes": list(SIZES), "rows": rows,
            "note": "torch.set_num_threads = NumPy's BLAS threads"}


def check_same_step(torch):
    """Largest |difference| of the weights after one batch step of PyTorch's copy and of
    ``vectorized.fast``, from the same float64 parameters: shows the two time the same step."""
    labels, data = random_batch_data(SIZES, 8, 0, "float64")
    net = vectorized.fast.Network(list(SIZES), seed=0)
    model, optimizer = torch_model(torch)
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
