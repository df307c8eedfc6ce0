"""``check``: a candidate against the reference (``vectorized.Network``, float64), case by case.

For each drawn case the same weights go into both; then, in order, stopping at the first
difference: the output of one sample, its loss, each layer's δ, the gradient of one sample,
the gradient of a mini-batch, the parameters after each of three per-sample steps and of two
mini-batch steps. Quantities the candidate does not expose are left out.
"""

import warnings
from dataclasses import dataclass, field

import numpy as np

import vectorized

from . import diagnose
from .candidates import Candidate, Unsupported, arrays
from .cases import CASES, draw_cases
from .compare import STEPS, Difference, first_in_array, first_in_parameters
from .load import as_candidate

RATE = 0.1
SAMPLE_STEPS = 3  # per-sample steps in a row, then two mini-batch steps


@dataclass
class Report:
    """What check found: ``ok``, the lines it printed, the first difference and diagnosis."""

    candidate: str
    lines: list = field(default_factory=list)
    checked: int = 0
    skipped: list = field(default_factory=list)
    difference: str = None
    diagnosis: str = None

    @property
    def ok(self):
        return self.difference is None and self.checked > 0


class Found(Exception):
    """The first difference (where, in words) and its diagnosis."""

    def __init__(self, what, difference, diagnosis=None):
        super().__init__(what)
        self.what, self.difference, self.diagnosis = what, difference, diagnosis


def check(candidate, *, cases=CASES, seed=0, fixed=None, rate=RATE, out=None):
    """Compare ``candidate`` (a class with the project's API, an nn.Module, a (forward,
    backward) pair or a :class:`~.candidates.Candidate`) with the reference on ``cases``
    drawn networks. ``fixed`` holds settings every case keeps. ``out(line)`` receives each
    line as it is made. Returns a :class:`Report`."""
    candidate = as_candidate(candidate)
    fixed = dict(candidate.fixed or {}, **(fixed or {}))
    report = Report(candidate.name)

    def say(line):
        report.lines.append(line)
        if out:
            out(line)

    for case in draw_cases(seed, cases, fixed, cnn=candidate.cnn or "layer_sizes" in fixed):
        head = f"case {case.number}: {case.describe()}"
        try:
            candidate.prepare(case)
        except Unsupported as why:
            report.skipped.append(case.number)
            say(f"{head}: skipped ({why})")
            continue
        try:
            done = _compare(candidate, case, rate)
        except Found as found:
            report.difference = f"case {case.number} ({case.describe()}), {found.what}, " \
                                 f"{found.difference}"
            report.diagnosis = found.diagnosis
            say(f"{head}: DIFFERS")
            say(f"first difference: {report.difference}")
            say("diagnosis: " + (found.diagnosis or "none of the usual mistakes fits these "
                                 "numbers; compare the two at this place"))
            return report
        report.checked += 1
        say(f"{head}: agree ({', '.join(done)})")
    return report


def _call(what, f, *args):
    """A candidate's method; an exception it raises is a difference of its own."""
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            return f(*args)
    except Exception as error:
        text = str(error)
        hint = diagnose.SHAPES if any(w in text for w in ("shape", "matmul", "aligned")) else None
        raise Found(what, f"it raised {type(error).__name__}: {text}", hint) from None


def _compare(candidate, case, rate):
    params = case.parameters()
    X, T = case.samples()
    x, t = X[0], T[0]
    ref = vectorized.Network(**case.config())
    ref.set_parameters(params)
    simulate = diagnose.simulator(case, params, X[:1], T[:1])
    done = []

    def load():
        _call("set_parameters", candidate.set, arrays(params))

    load()
    got = _call("parameters()", candidate.parameters)
    if got is not None:
        _differs("parameters() right after set_parameters", params, got, grad=False)
    y = ref.predict(x)
    got_y = _call("predict (one sample)", candidate.output, x)
    found = first_in_array(y, got_y, lambda j: "output" if j is None else f"output y[{j[0]}]")
    if found:
        raise Found("predict (one sample)", found.line(), diagnose.output(case, y, got_y))
    done.append("output")

    e = ref.loss(y, t)
    got_e = _call("loss", candidate.loss, y, t)
    if got_e is not None:
        if first_in_array(e, got_e, lambda _: "E"):
            raise Found("loss of one sample", Difference("E", e, float(got_e)).line(),
                        diagnose.loss(case, e, got_e))
        done.append("loss")

    got_d = None if case.is_cnn else _call("calc_delta", candidate.deltas, x, t)
    if got_d is not None:  # fully connected layers: a conv layer's δ is laid out its own way
        ref.predict(x)
        ref.calc_delta(t)
        expected = [layer.delta.copy() for layer in ref.layers]
        got_d = [np.reshape(g, e.shape) if np.size(g) == e.size else g  # (1, n) for (n,)
                 for e, g in zip(expected, got_d)] + list(got_d[len(expected):])
        for k in range(len(expected), 0, -1):  # from the output layer down, as backprop
            word = f"layer {k}" + (" (output)" if k == len(expected) else "")
            found = first_in_array(expected[k - 1], got_d[k - 1] if k <= len(got_d) else None,
                                   lambda j, w=word: f"{w}, δ" + ("" if j is None
                                                                 else f"_{j[0]} at δ[{j[0]}]"))
            if found:
                raise Found("calc_delta (one sample)", found.line(),
                            diagnose.deltas(expected, got_d, simulate))
        done.append("δ")

    g = ref.get_gradient(t, x)
    got_g = _call("get_gradient (one sample)", candidate.gradient, t, x)
    _differs("get_gradient (one sample)", g, got_g,
             lambda: diagnose.gradient(case, params, g, got_g, 1, simulate))
    done.append("gradient")

    G = ref.get_gradient(T, X)
    got_G = _call(f"gradient of a batch of {len(X)}", candidate.batch_gradient, T, X)
    if got_G is not None:
        _differs(f"gradient of a batch of {len(X)} (their mean)", G, got_G,
                 lambda: diagnose.gradient(case, params, G, got_G, len(X)))
        done.append(f"batch gradient (N={len(X)})")

    if any(isinstance(v, str) and v.startswith("drop") for v in case.layer_sizes):
        return done + ["no steps: dropout masks are each implementation's own draws"]
    load()
    ref.set_parameters(params)
    if _steps(candidate, case, ref, params, [(T[k], X[k]) for k in range(SAMPLE_STEPS)], rate,
              "train_one_sample", candidate.step):
        done.append(f"{SAMPLE_STEPS} steps")
    load()
    ref.set_parameters(params)
    half = len(X) // 2
    if _steps(candidate, case, ref, params, [(T[:half], X[:half]), (T[half:], X[half:])], rate,
              f"train with batch_size={half}", candidate.batch_step):
        done.append(f"2 batch steps (N={half})")
    return done


def _steps(candidate, case, ref, params, batches, rate, what, step):
    """Steps on each (T, X) of ``batches`` in turn, the parameters compared after each; False
    when the candidate cannot step."""
    before = params
    for number, (T, X) in enumerate(batches, start=1):
        got = _call(what, step, T, X, rate)
        if got is None:
            return False
        if T.ndim == 1:
            ref.train_one_sample(T, X, rate)
        else:
            ref.train(T, X, rate, 1, batch_size=len(X))
        after = ref.parameters()
        n = 1 if T.ndim == 1 else len(X)
        _differs(f"parameters after {what} step {number} (rate {rate:g})", after, got,
                 lambda b=before, a=after, g=got, n=n: diagnose.step(case, b, a, g, rate, n),
                 bound=STEPS)
        before = after
    return True


def _differs(what, expected, got, diagnosis=None, grad=True, bound=None):
    kwargs = {} if bound is None else {"bound": bound}
    found = first_in_parameters(expected, got, grad=grad and bound is None, **kwargs)
    if found:
        raise Found(what, found.line(), diagnosis() if diagnosis else None)


__all__ = ["Candidate", "Report", "check"]
