"""Section 6: convolutional networks. CNN 1 of the CNN article (``["1x28x28", "conv20x5",
"pool2", 100, 10]``), CNN 2 (a second conv layer of 40 filters and pooling) and CNN 3 (CNN 2
with two fully connected layers of 1,000 and dropout 0.5, the article's 99.6 % network),
float32, sigmoid hidden layers for CNN 1, ReLU for CNN 2 and 3, softmax output with
cross-entropy, plain SGD, each in mini-batches of 10 (CNN 3's recipe) and of 64: the textbook
engine, ``vectorized.fast`` and PyTorch (when importable), one training epoch per call on the
same random data, all timed in alternation with a square ``np.matmul``. Useful FLOPs per
sample as in section 3: CNN 1 2,886,000, CNN 2 9,222,000, CNN 3 18,732,000. Section 6b
(:mod:`benchmarks.cnn_parts`) shares one fast step of each out over its parts.
"""

from functools import partial

import numpy as np

import vectorized.fast

from . import cnn_parts
from .environment import load_average
from .formatting import format_time, percent, ratio, table
from .minibatch import time_beside_matmul, useful_flops_per_sample
from .per_sample import ENGINES
from .pytorch import import_torch, torch_epoch, torch_model

# name: (layer_sizes, hidden activation, the batch its recipe trains with)
NETWORKS = {
    "CNN 1": (["1x28x28", "conv20x5", "pool2", 100, 10], "sigmoid", 64),
    "CNN 2": (["1x28x28", "conv20x5", "pool2", "conv40x5", "pool2", 100, 10], "relu", 64),
    "CNN 3": (["1x28x28", "conv20x5", "pool2", "conv40x5", "pool2", 1000, "drop0.5", 1000,
               "drop0.5", 10], "relu", 10),
}
BATCH_SIZES = (10, 64)
RATE = 0.1


def data(n, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 784), dtype=np.float32)
    t = np.eye(10, dtype=np.float32)[rng.integers(0, 10, n)]
    return t, x


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
        model = torch_model(torch, layer_sizes, activation, output="softmax")
        fns["torch"] = torch_epoch(torch, *model, labels, x, batch_size, loss="cross_entropy")
    flops = useful_flops_per_sample(layer_sizes)
    rows, peak = time_beside_matmul(fns, n, flops, dtype="float32", matmul_n=matmul_n,
                                    repeats=repeats, min_time=min_time)
    return {"network": name, "layer_sizes": layer_sizes, "activation": activation,
            "batch_size": batch_size, "flops_per_sample": flops, "samples_per_epoch": n,
            "repeats": repeats, "loadavg": load_average(), "peak_gflops": peak,
            "matmul_n": matmul_n,
            "rows": [dict(row, engine=engine) for engine, row in rows.items()]}


def run(quick=False, progress=print):
    torch = import_torch()
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
                          network=name, loadavg=load_average()))
    return {"dtype": "float32", "batch_sizes": list(BATCH_SIZES), "networks": sections,
            "parts": parts,
            "torch": None if torch is None else {"version": torch.__version__,
                                                 "threads": torch.get_num_threads()}}


def markdown(results):
    section, torch = results["cnn"], results["cnn"].get("torch")
    lines = ["", f"## 6. Convolutional networks: `train`, {section['dtype']}", "",
             "Every engine trains the same network on the same random data, one epoch per call, "
             "all timed in alternation with a square `np.matmul`; each figure is the median over "
             "the repeats, and engine ÷ fast is taken repeat by repeat (median, then the lowest "
             "and highest). " + (f"PyTorch {torch['version']} with `torch.set_num_threads("
                                 f"{torch['threads']})`." if torch else
                                 "PyTorch is not installed: its rows are missing.")]
    for net in section["networks"]:
        lines += ["", f"**{net['network']}** `{net['layer_sizes']}`, {net['activation']}, "
                      f"batch {net['batch_size']}: {net['flops_per_sample']:,} useful FLOPs per "
                      f"sample; matmul peak {net['peak_gflops']:.1f} GFLOP/s "
                      f"({net['matmul_n']}², median); load average {net.get('loadavg')}", ""]
        lines += table(["engine", "time per sample", "GFLOP/s", "of matmul peak", "engine ÷ fast"],
                       [[row["engine"], format_time(row["seconds_per_sample"]),
                         f"{row['gflops']:.1f}", percent(row["fraction_of_peak"]),
                         ratio(row["engine_over_fast"], row["spread"])] for row in net["rows"]])
    for parts in section.get("parts", []):
        lines += ["", f"### 6b. {parts['network']}: the parts of one `vectorized.fast` step "
                      f"(load average {parts['loadavg']})"]
        lines += cnn_parts.markdown(parts)
    return lines
