"""The Python source of the methods a phase runs, with the lines that ran marked.

A phase is run under ``sys.settrace`` limited to the methods where its formulas live (the
homes of DESIGN's table), recording which of their lines executed and how often each method
was called. The source itself is read from the package's own files with ``inspect``: the code
a learner would step through in a debugger.
"""

import inspect
import sys

from neurons import Network
from neurons.connection import Connection
from neurons.layer import Layer
from neurons.node import Node
from neurons.shared import SharedConnection, SharedWeight

# Each phase: the Network method called, then the methods holding its formulas.
HOMES = {
    "predict": (Network.predict, Layer.calc_output, Node.calc_output, Node.calc_net),
    "calc_delta": (Network.calc_delta, Node.calc_output_layer_delta,
                   Node.calc_hidden_layer_delta),
    "calc_gradient": (Network.calc_gradient, SharedWeight.start_gradient,
                      SharedConnection.calc_gradient, Connection.calc_gradient),
    "update_weight": (Network.update_weight, SharedWeight.update_weight,
                      Connection.update_weight),
}


def _name(fn):
    return fn.__qualname__


def run_traced(phase, call):
    """Run ``call()`` recording, for each home of ``phase``, its calls and executed lines.

    Returns (call's result, {qualname: {"calls": n, "lines": sorted line numbers}}).
    """
    codes = {fn.__code__: _name(fn) for fn in HOMES[phase]}
    calls = {name: 0 for name in codes.values()}
    lines = {name: set() for name in codes.values()}

    def local(frame, event, arg):
        if event == "line":
            lines[codes[frame.f_code]].add(frame.f_lineno)
        return local

    def tracer(frame, event, arg):
        name = codes.get(frame.f_code)
        if name is None:
            return None
        calls[name] += 1
        return local

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        result = call()
    finally:
        sys.settrace(previous)
    return result, {name: {"calls": calls[name], "lines": sorted(lines[name])} for name in calls}


def sources(phase, ran):
    """[{"name", "file", "start", "lines": [text, …], "ran": [line numbers], "calls"}] for the
    homes of ``phase`` that ran: the methods holding the formulas first, then the Network
    method that called them."""
    out = []
    network_method, *homes = HOMES[phase]
    for fn in homes + [network_method]:
        name = _name(fn)
        if not ran[name]["calls"]:
            continue
        text, start = inspect.getsourcelines(fn)
        module = sys.modules[fn.__module__]
        out.append({"name": name, "file": module.__name__.replace(".", "/") + ".py",
                    "start": start, "lines": [line.rstrip("\n") for line in text],
                    "ran": ran[name]["lines"], "calls": ran[name]["calls"]})
    return out
