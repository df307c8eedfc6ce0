"""A step-through widget for notebooks (anywidget, the ``notebook`` extra): Back / Step / Play
through one training step of a live network, each formula with its numbers over the drawing,
as on the page ``neurons explain --html`` writes.

    from neurons_lab.explain.widget import StepThrough
    w = StepThrough(net, sample, label, rate=0.5)   # runs the step on ``net`` itself
    w                                                # in a notebook: the widget

Creating the widget runs the library's four phases on ``net`` (``predict``, ``calc_delta``,
``calc_gradient``, ``update_weight``, recorded as by ``neurons explain``): afterwards ``net``
is the network that took the step. Stepping only moves through the recorded numbers.
``index`` (0 … len(steps)) is synchronised with the browser; :meth:`step`, :meth:`back` and
:meth:`current` drive and read it from Python.
"""

import anywidget
import traitlets

from .drawing import graph_from_state, to_svg
from .i18n import text
from .names import ArticleNames
from .walkthrough import render_line

ESM = """
function short(v) {
  const a = Math.abs(v);
  return (a < 1e-3 && a > 0) ? v.toPrecision(3) : String(Number(v.toPrecision(4)));
}
function render({ model, el }) {
  el.innerHTML = `<div class="nl-controls"><button class="back">Back</button>
    <button class="step">Step</button><button class="play">Play</button>
    <span class="counter"></span></div>
    <div class="nl-panel"><div class="phase"></div><pre class="equation"></pre></div>
    <div class="drawing">${model.get('svg')}</div>`;
  const q = (s) => el.querySelector(s);
  let timer = null;
  const titles = new Map();
  el.querySelectorAll('.edge, .node').forEach(e => {
    const t = e.querySelector('title'); if (t) titles.set(e, t.textContent);
  });
  function apply(reveal) {
    for (const [id, v] of Object.entries(reveal)) {
      const e = el.querySelector('#' + CSS.escape(id)); if (!e) continue;
      if ('a' in v) e.querySelector('text.a').textContent = 'a=' + short(v.a);
      if ('d' in v) e.querySelector('text.d').textContent = 'δ=' + short(v.d);
      if ('w' in v) e.querySelector('title').textContent = 'w = ' + v.w + ' (updated)';
    }
  }
  function show() {
    const steps = model.get('steps'), k = model.get('index');
    el.querySelectorAll('.node text.a, .node text.d').forEach(t => { t.textContent = ''; });
    el.querySelectorAll('.active').forEach(e => e.classList.remove('active'));
    titles.forEach((t, e) => { e.querySelector('title').textContent = t; });
    apply(model.get('initial'));
    for (let i = 0; i < k; i++) apply(steps[i].reveal);
    const s = k ? steps[k - 1] : null;
    q('.phase').textContent = s ? s.heading : model.get('intro');
    q('.equation').textContent = s ? s.lines.join('\\n') : '';
    if (s) for (const id of s.nodes.concat(s.edges)) {
      const e = el.querySelector('#' + CSS.escape(id)); if (e) e.classList.add('active');
    }
    q('.counter').textContent = k + ' / ' + steps.length;
  }
  function go(k) {
    model.set('index', Math.max(0, Math.min(model.get('steps').length, k)));
    model.save_changes();
  }
  function stop() {
    if (timer) { clearInterval(timer); timer = null; }
    q('.play').textContent = 'Play';
  }
  q('.step').onclick = () => { stop(); go(model.get('index') + 1); };
  q('.back').onclick = () => { stop(); go(model.get('index') - 1); };
  q('.play').onclick = () => {
    if (timer) { stop(); return; }
    if (model.get('index') >= model.get('steps').length) go(0);
    q('.play').textContent = 'Pause';
    timer = setInterval(() => {
      if (model.get('index') >= model.get('steps').length) stop();
      else go(model.get('index') + 1);
    }, 700);
  };
  model.on('change:index', show);
  show();
}
export default { render };
"""

CSS = """
.nl-panel{background:#f6f7f9;border:1px solid #ddd;padding:.5em;margin:.5em 0;min-height:4em}
.nl-panel .phase{font-weight:bold}
.nl-panel .equation{white-space:pre-wrap;margin:.3em 0}
.drawing svg .node.active circle{stroke:#f59e0b;stroke-width:4}
.drawing svg .edge.active{stroke-opacity:1}
"""


class StepThrough(anywidget.AnyWidget):
    """One training step of ``net`` (either package), formula by formula."""

    _esm = ESM
    _css = CSS
    steps = traitlets.List().tag(sync=True)
    index = traitlets.Int(0).tag(sync=True)
    svg = traitlets.Unicode().tag(sync=True)
    initial = traitlets.Dict().tag(sync=True)
    intro = traitlets.Unicode().tag(sync=True)

    def __init__(self, net, sample, label, rate=0.5, lang="en", names=None):
        from .trace import node_id, record_neurons
        from .walkthrough import heading

        sizes = list(net.layer_sizes)
        names = names or ArticleNames(sizes)
        words = text(lang)
        if hasattr(net.layers[0], "nodes"):  # neurons: the node by node walkthrough
            trace = record_neurons(net, sample, label, rate, names)
            start = trace.snapshots["start"]

            def lines(step):
                return [render_line(t) for t in step.lines]
        else:
            from .drawing import _vectorized_state
            from .matrices import record_vectorized, render_tokens

            start = _vectorized_state(net)
            trace = record_vectorized(net, sample, label, rate)

            def lines(step):
                return [line for t in step.lines for line in render_tokens(t, "")]
        graph = graph_from_state(start, sizes, names, values=False, title=repr(net))
        steps = [{"heading": heading(words, s.phase, trace.kinds), "lines": lines(s),
                  "nodes": s.nodes, "edges": s.edges, "reveal": s.reveal}
                 for s in trace.steps]
        super().__init__(steps=steps, svg=to_svg(graph), index=0,
                         initial={node_id(0, i): {"a": float(x)}
                                  for i, x in enumerate(trace.sample)},
                         intro=f"{len(steps)} steps: Step / Back / Play")
        self.net, self.trace = net, trace

    def step(self, n=1):
        """Forward ``n`` formulas (stops at the last); returns the new index."""
        self.index = max(0, min(len(self.steps), self.index + n))
        return self.index

    def back(self, n=1):
        return self.step(-n)

    def current(self):
        """(heading, lines) of the formula shown now; (intro, []) before the first."""
        if self.index == 0:
            return self.intro, []
        s = self.steps[self.index - 1]
        return s["heading"], s["lines"]
