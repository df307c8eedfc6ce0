"""The lab's engine: one ``neurons`` Network, stepped phase by phase, edited and trained.

This module runs inside the page (Pyodide) and in CPython alike. Every number it reports is
an attribute of the network's own objects, read after the library's own public phases ran
(``predict``, ``calc_delta``, ``calc_gradient``, ``update_weight``, ``train``); the formulas
with their numbers are ``neurons explain``'s own text (neurons_lab.explain.trace). The page
talks to it in JSON: :meth:`Lab.call` takes a command name and its arguments and returns the
new state.
"""

import json
import math

import neurons

from . import datasets
from .export import SNAPSHOT_OF, formulas, graph, read_state, restore, snapshot
from .sources import run_traced, sources

PHASES = ("predict", "calc_delta", "calc_gradient", "update_weight")
HISTORY = 200  # how many steps Back can undo
COMMON = {"activation": "sigmoid", "output": "sigmoid", "loss": "mse", "rate": 0.5,
          "batch_size": 1, "seed": 0, "dataset": None}
EXAMPLES = {
    "article": {"layer_sizes": [3, 4, 2]},
    "mazur": {"layer_sizes": [2, 2, 2]},
    "xor": {"layer_sizes": [2, 3, 1], "rate": 2.0, "seed": 1, "dataset": "xor"},
    "spiral": {"layer_sizes": [2, 8, 8, 3], "activation": "tanh", "output": "softmax",
               "loss": "cross_entropy", "rate": 0.1, "seed": 1, "dataset": "spiral"},
    "moons": {"layer_sizes": [2, 8, 2], "activation": "tanh", "output": "softmax",
              "loss": "cross_entropy", "rate": 0.1, "seed": 1, "dataset": "moons"},
    "cnn": {"layer_sizes": ["1x6x6", "conv2x3", "pool2", 2], "rate": 0.5, "seed": 0},
}
MAZUR = [([[0.15, 0.20], [0.25, 0.30]], [0.35, 0.35]),
         ([[0.40, 0.45], [0.50, 0.55]], [0.60, 0.60])]
MAX_NODES = 64  # a fully connected network the page can draw
MAX_IMAGE = 100  # C·H·W of a CNN's input


def settings_for(example="article", **given):
    """The full settings of ``example`` with ``given`` ones replacing its defaults."""
    if example not in EXAMPLES:
        raise ValueError(f"unknown example {example!r}; choose one of {', '.join(EXAMPLES)}")
    settings = dict(COMMON, example=example, **EXAMPLES[example])
    settings.update({k: v for k, v in given.items() if v is not None})
    return settings


def single_sample(settings, net):
    """The one-sample data set of an example without a 2-D data set: the article's
    (1, 0.5, 0.2) → (0.9, 0.1), Mazur's (.05, .10) → (.01, .99), or a fixed pattern."""
    n_in, n_out = net.input_size, net.output_size
    if settings["example"] == "mazur" and (n_in, n_out) == (2, 2):
        return [[0.05, 0.10]], [[0.01, 0.99]]
    if (n_in, n_out) == (3, 2):
        return [[1.0, 0.5, 0.2]], [[0.9, 0.1]]
    sample = [round(0.1 + 0.8 * ((7 * i) % 10) / 9, 3) for i in range(n_in)]
    return [sample], [[0.9 if k == 0 else 0.1 for k in range(n_out)]]


class Lab:
    """The network, its data, the next phase to run and what Back can restore."""

    def __init__(self, **settings):
        self.lang = "en"
        self.configure(**settings)

    # --- building ----------------------------------------------------------------------------
    def configure(self, example="article", **given):
        s = settings_for(example, **given)
        sizes = list(s["layer_sizes"])
        _check_size(sizes)
        net = neurons.Network(sizes, activation=s["activation"], output=s["output"],
                              loss=s["loss"], seed=int(s["seed"]))
        if example == "mazur" and sizes == [2, 2, 2]:
            net.set_parameters(MAZUR)
        if s["dataset"]:
            points, classes = datasets.DATASETS[s["dataset"]]()
            if net.input_size != 2 or net.output_size not in (1, max(classes) + 1):
                raise ValueError(f"the {s['dataset']} set needs 2 inputs and "
                                 f"{max(classes) + 1} outputs (or 1 for two classes); "
                                 f"got layer sizes {sizes}")
            data, labels = points, datasets.targets(classes, net.output_size)
        else:
            data, labels, classes = *single_sample(s, net), None
        self.rate = float(s["rate"])
        self.batch_size = int(s["batch_size"])
        if not (math.isfinite(self.rate) and self.rate > 0) or self.batch_size < 1:
            raise ValueError(f"rate must be > 0 and batch size ≥ 1, got {s['rate']}, "
                             f"{s['batch_size']}")
        self.settings, self.net = s, net
        self.data, self.labels, self.classes = [list(x) for x in data], labels, classes
        self.cursor, self.phase, self.trained = 0, 0, 0
        self.losses, self.history, self.done = [], [], None
        self.trace = None
        return self.state()

    # --- stepping ----------------------------------------------------------------------------
    def step(self):
        """Run the next phase of ``train_one_sample`` on the current sample."""
        self._remember()
        net, name = self.net, PHASES[self.phase]
        sample, label = self.data[self.cursor], self.labels[self.cursor]
        if self.phase == 0:
            self.trace = formulas(net, sample, label, self.rate, self.settings, self.lang)
        calls = {"predict": lambda: net.predict(sample),
                 "calc_delta": lambda: net.calc_delta(label),
                 "calc_gradient": net.calc_gradient,
                 "update_weight": lambda: net.update_weight(self.rate)}
        _, ran = run_traced(name, calls[name])
        snaps = self.trace.get("snapshots")
        if snaps and read_state(net) != snaps[SNAPSHOT_OF[name]]:  # never expected
            self.trace = {"error": "the walkthrough's copy and the network disagree"}
        if name == "predict":
            self.sample_loss = net.loss(net.layers[-1].outputs(), label)
        self.done = {"phase": name, "sources": sources(name, ran)}
        self.phase = (self.phase + 1) % len(PHASES)
        if self.phase == 0:  # a whole step: the next one takes the next sample
            self.losses.append([self.trained, self.sample_loss])
            self.trained += 1
            self.cursor = (self.cursor + 1) % len(self.data)
        return self.state()

    def back(self):
        """Undo the last Step, Train or edit."""
        if self.history:
            saved = self.history.pop()
            restore(self.net, saved["net"])
            for key in ("phase", "cursor", "trained", "done", "trace", "data", "labels"):
                setattr(self, key, saved[key])
            del self.losses[saved["losses"]:]
        return self.state()

    def _remember(self):
        self.history.append({"net": snapshot(self.net), "phase": self.phase,
                             "cursor": self.cursor, "trained": self.trained, "done": self.done,
                             "trace": self.trace, "losses": len(self.losses),
                             "data": [list(x) for x in self.data],
                             "labels": [list(t) for t in self.labels]})
        del self.history[:-HISTORY]

    # --- editing: a change starts the step again (the next Step runs predict) -----------------
    def edit(self, what, index, value):
        """Set ``what`` ("weight": index [k, j, i] with i "b" for a bias; "shared": [k, name]
        of a conv filter's weight; "input": [i]; "target": [i]) to ``value``."""
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"{what} must be a finite number, got {value}")
        if what == "weight":
            k, j, i = index
            found = [getattr(c, "shared", c) for c in self.net.layers[k].nodes[j].upstream
                     if ("b" if c.upstream_node.is_const else c.upstream_node.node_index) == i]
            where = (found[0], "weight") if found else None
        elif what == "shared":
            k, name = index
            found = [w for w in self.net.shared_weights if (w.layer_index, w.name()) == (k, name)]
            where = (found[0], "weight") if found else None
        elif what in ("input", "target"):
            row = (self.data if what == "input" else self.labels)[self.cursor]
            where = (row, index[0]) if 0 <= index[0] < len(row) else None
        else:
            raise ValueError(f"cannot edit {what!r}")
        if where is None:
            raise ValueError(f"no {what} {index}")
        self._remember()
        obj, key = where
        if isinstance(obj, list):
            obj[key] = value
        else:
            setattr(obj, key, value)
        self.phase, self.done, self.trace = 0, None, None
        return self.state()

    # --- training ------------------------------------------------------------------------------
    def train(self, steps, quiet=False, remember=True):
        """``steps`` steps of ``batch_size`` samples each, from the current sample on (the data
        repeat), through ``net.train``; the loss curve gets their mean loss. ``quiet``: return
        only {"trained"} (Play asks for the state between chunks, not after each);
        ``remember=False``: Back undoes the run this chunk continues, not the chunk."""
        steps = int(steps)
        if steps < 1:
            raise ValueError(f"steps must be ≥ 1, got {steps}")
        if remember:
            self._remember()
        n, size = len(self.data), steps * self.batch_size
        order = [(self.cursor + m) % n for m in range(size)]
        mean = self.net.train([self.labels[k] for k in order], [self.data[k] for k in order],
                              self.rate, 1, self.batch_size)
        self.cursor = (self.cursor + size) % n
        self.trained += steps
        self.losses.append([self.trained, mean])
        self.phase, self.done, self.trace = 0, None, None
        return {"trained": self.trained} if quiet else self.state()

    def regions(self, size=32):
        """The class the network predicts on a size×size grid over the data's box (2-D sets)."""
        if self.classes is None:
            return None
        xs, ys = [p[0] for p in self.data], [p[1] for p in self.data]
        pad = 0.1 * max(max(xs) - min(xs), max(ys) - min(ys))
        box = [min(xs) - pad, max(xs) + pad, min(ys) - pad, max(ys) + pad]
        cells = []
        for r in range(size):
            y = box[3] - (r + 0.5) * (box[3] - box[2]) / size
            for c in range(size):
                x = box[0] + (c + 0.5) * (box[1] - box[0]) / size
                out = self.net.predict([x, y])
                cells.append(int(out[0] > 0.5) if len(out) == 1 else out.index(max(out)))
        return {"box": box, "size": size, "cells": cells}

    # --- reporting -----------------------------------------------------------------------------
    def state(self):
        s = {k: v for k, v in self.settings.items()}
        phase_done = self.done["phase"] if self.done else None
        return {"settings": s, "next": PHASES[self.phase], "done": self.done,
                "cursor": self.cursor, "samples": len(self.data), "trained": self.trained,
                "sample": self.data[self.cursor], "label": self.labels[self.cursor],
                "graph": graph(self.net), "losses": self.losses, "back": len(self.history),
                "formulas": self.trace.get(phase_done) if self.trace and phase_done else None,
                "formula_error": self.trace.get("error") if self.trace else None,
                "points": self.data if self.classes is not None else None,
                "classes": self.classes, "parameters": self.net.parameters()}

    def call(self, request):
        """The page's one entry: {"cmd": name, "args": {...}} in JSON → the state in JSON
        (or {"error": message}); non-finite numbers as the strings "NaN", "Infinity"."""
        request = json.loads(request)
        cmd, args = request["cmd"], request.get("args") or {}
        self.lang = request.get("lang", self.lang)
        try:
            if cmd not in ("configure", "step", "back", "edit", "train", "regions", "state"):
                raise ValueError(f"unknown command {cmd!r}")
            result = getattr(self, cmd)(**args)
        except (ValueError, TypeError, IndexError, OverflowError) as exc:
            return json.dumps({"error": str(exc)})
        return json.dumps(_finite(result))


def _check_size(sizes):
    """The lab draws small networks: ≤ MAX_NODES nodes, or a CNN input of ≤ MAX_IMAGE values."""
    first = sizes[0] if sizes else None
    if isinstance(first, str):
        dims = first.split("x")
        if len(dims) == 3 and all(d.isdigit() for d in dims):
            c, h, w = map(int, dims)
            if c * h * w > MAX_IMAGE:
                raise ValueError(f"the lab draws CNN inputs of at most {MAX_IMAGE} values; "
                                 f"got {first}")
    elif sum(n for n in sizes if isinstance(n, int)) > MAX_NODES:
        raise ValueError(f"the lab draws at most {MAX_NODES} nodes; got layer sizes {sizes}")


def _finite(value):
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value
