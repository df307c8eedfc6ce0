"""A ``neurons`` Network's numbers as JSON-ready lists, a copy to restore, and the formulas.

:func:`graph` reads every node (output, net, δ) and every connection (weight, gradient; a
conv connection names its shared weight, a pool connection's weight is its routing 1 or 0);
:func:`snapshot`/:func:`restore` copy those numbers out and back (Back); :func:`formulas` is
``neurons explain``'s walkthrough of the step about to run, computed on a copy of the network
by the library's own phases.
"""

import neurons
from neurons_lab.explain.trace import read_state

__all__ = ["graph", "snapshot", "restore", "formulas", "read_state"]

# the walkthrough's step kinds under the lab's phases (neurons_lab.explain.trace)
TRACE_PHASES = {"predict": ("forward", "loss"), "calc_delta": ("output_delta", "hidden_delta"),
                "calc_gradient": ("gradient",), "update_weight": ("update",)}
SNAPSHOT_OF = {"predict": "forward", "calc_delta": "delta", "calc_gradient": "gradient",
               "update_weight": "update"}


def _kind(k, layer):
    if k == 0:
        return "input"
    return {"ConvLayer": "conv", "PoolLayer": "pool", "DropoutLayer": "dropout"}.get(
        type(layer).__name__, "fc")


def graph(net):
    """{"layers": [{"kind", "shape", "activation", "nodes": [[y, net, δ], …]}],
    "edges": [[k, j, i, weight, gradient, shared]], "shared": [...]} (i = "b" for a bias)."""
    layers, edges, shared = [], [], []
    for k, layer in enumerate(net.layers):
        layers.append({"kind": _kind(k, layer), "shape": list(layer.shape),
                       "activation": layer.activation,
                       "nodes": [[n.output, n.net, n.delta] for n in layer.nodes]})
        for j, node in enumerate(layer.nodes if k else ()):
            for conn in node.upstream:
                up = conn.upstream_node
                sw = getattr(conn, "shared", None)
                edges.append([k, j, "b" if up.is_const else up.node_index, conn.weight,
                              getattr(conn, "gradient", None), sw.name() if sw else None])
    for sw in net.shared_weights:
        shared.append({"layer": sw.layer_index, "name": sw.name(), "weight": sw.weight,
                       "gradient": sw.gradient, "uses": len(sw.connections)})
    return {"layers": layers, "edges": edges, "shared": shared}


def snapshot(net):
    """Every changeable number of ``net`` (and each pool node's winner), to :func:`restore`."""
    nodes = [(n, n.output, n.net, n.delta, getattr(n, "winner", None))
             for layer in net.layers for n in layer.nodes]
    conns = [(c, c.weight, c.gradient, c.batch_sum) for c in net.weights]
    contributions = [(c, c.gradient) for c in net.connections if hasattr(c, "shared")]
    return nodes, conns, contributions


def restore(net, saved):
    nodes, conns, contributions = saved
    for n, output, net_j, delta, winner in nodes:
        n.output, n.net, n.delta = output, net_j, delta
        if winner is not None:
            n.winner = winner
    for c, weight, gradient, batch_sum in conns:
        c.weight, c.gradient, c.batch_sum = weight, gradient, batch_sum
    for c, gradient in contributions:
        c.gradient = gradient


def formulas(net, sample, label, rate, settings, lang):
    """``neurons explain``'s text of the step about to run, per lab phase:
    {phase: [{"heading", "equation", "lines", "nodes", "edges"}], "error": None | why not,
    "snapshots": the copy's numbers after each phase, to compare with the live network}."""
    try:
        from neurons_lab.explain.errors import ExplainError
        from neurons_lab.explain.i18n import text
        from neurons_lab.explain.names import ArticleNames, MazurNames
        from neurons_lab.explain.trace import record_neurons
        from neurons_lab.explain.walkthrough import heading, render_line
    except ImportError as exc:  # pragma: no cover - the page ships these files
        return {"error": f"the walkthrough is not available here ({exc})"}
    sizes = list(net.layer_sizes)
    if not all(isinstance(n, int) for n in sizes):
        return {"error": "explain's walkthrough covers fully connected networks; "
                         "the values are shown on the drawing"}
    copy = neurons.Network(**net.config())
    copy.set_parameters(net.parameters())
    mazur = settings.get("example") == "mazur" and sizes == [2, 2, 2]
    names = MazurNames(sizes) if mazur else ArticleNames(sizes)
    try:
        trace = record_neurons(copy, list(sample), list(label), rate, names)
    except ExplainError as exc:
        return {"error": str(exc)}
    words = text(lang)
    out = {"error": None, "snapshots": trace.snapshots}
    for phase, kinds in TRACE_PHASES.items():
        out[phase] = [{"heading": heading(words, step.phase, trace.kinds),
                       "equation": step.equation,
                       "lines": [render_line(tokens) for tokens in step.lines],
                       "nodes": step.nodes, "edges": step.edges}
                      for step in trace.steps if step.phase in kinds]
    return out
