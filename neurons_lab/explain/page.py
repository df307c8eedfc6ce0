"""``neurons explain --html page.html``: one self-contained HTML file to step through a trace.

The page holds the drawing (inline SVG), the recorded steps as JSON and a few lines of
JavaScript and CSS: Step / Back / Play walk through the forward pass, the δ and the updates,
show the current equation with the objects' numbers, and highlight the nodes and connections
it uses. No network access, no build step: it opens from disk in any browser.
"""

import html
import json

from .drawing import graph_from_state, to_svg
from .i18n import text
from .trace import node_id
from .walkthrough import fmt, given_lines, render_line
from .walkthrough import heading as phase_heading

BUTTONS = {"en": ("Back", "Step", "Play", "Pause"), "zh": ("后退", "下一步", "播放", "暂停")}
INTRO = {
    "en": "Press Step to run the recorded training step one formula at a time. Every number is "
          "the value the network's objects held right after the library's own phase.",
    "zh": "按“下一步”逐个公式地查看这次训练。每个数都是库自己的阶段执行之后网络对象中保存的值。",
}

CSS = """
body{font-family:sans-serif;margin:1.5em;color:#222;max-width:1100px}
h1{font-size:1.3em}
#controls button{font-size:1em;padding:.4em 1.1em;margin-right:.4em}
#counter{margin-left:1em;color:#555}
#panel{background:#f6f7f9;border:1px solid #ddd;border-radius:6px;padding:.8em 1em;
  margin:1em 0;min-height:4.5em}
#phase{font-weight:bold;margin-bottom:.5em}
#equation .line{font-family:monospace;white-space:pre-wrap;margin:.15em 0}
#given{font-family:monospace;color:#444}
svg.stepping .edge{stroke-opacity:.15}
svg .edge.active{stroke-opacity:1}
svg .node.active circle{stroke:#f59e0b;stroke-width:4;fill:#fff7e6}
svg .edge.updated{stroke-dasharray:6 3}
"""

JS = """
const steps = JSON.parse(document.getElementById('steps').textContent);
const initial = JSON.parse(document.getElementById('initial').textContent);
const words = JSON.parse(document.getElementById('words').textContent);
const svg = document.querySelector('svg.network');
const tooltips = new Map();  // each element's first tooltip, restored when stepping back
svg.querySelectorAll('.edge, .node').forEach(e => {
  const t = e.querySelector('title');
  if (t) tooltips.set(e, t.textContent);
});
let index = 0, timer = null;
const interval = /fast/.test(location.hash) ? 60 : 700;  // page.html#fast plays quickly
function short(v) {
  const a = Math.abs(v);
  return (a < 1e-3 && a > 0) ? v.toPrecision(3) : String(Number(v.toPrecision(4)));
}
function apply(reveal) {
  for (const [id, values] of Object.entries(reveal)) {
    const el = document.getElementById(id);
    if (!el) continue;  // a node or weight the drawing summarised
    if ('a' in values) el.querySelector('text.a').textContent = 'a=' + short(values.a);
    if ('d' in values) el.querySelector('text.d').textContent = 'δ=' + short(values.d);
    if ('w' in values) {
      el.classList.add('updated');
      el.querySelector('title').textContent = 'w = ' + values.w + ' (updated)';
    }
  }
}
function show() {
  svg.querySelectorAll('.node text.a, .node text.d').forEach(t => { t.textContent = ''; });
  svg.querySelectorAll('.active, .updated').forEach(e => e.classList.remove('active', 'updated'));
  tooltips.forEach((text, e) => { e.querySelector('title').textContent = text; });
  apply(initial);
  for (let k = 0; k < index; k++) apply(steps[k].reveal);
  const panelPhase = document.getElementById('phase');
  const equation = document.getElementById('equation');
  equation.innerHTML = '';
  if (index === 0) {
    svg.classList.remove('stepping');
    panelPhase.textContent = words.intro;
  } else {
    const step = steps[index - 1];
    svg.classList.add('stepping');
    panelPhase.textContent = step.heading;
    for (const line of step.lines) {
      const div = document.createElement('div');
      div.className = 'line';
      div.textContent = line;
      equation.appendChild(div);
    }
    for (const id of step.nodes.concat(step.edges)) {
      const el = document.getElementById(id);
      if (el) el.classList.add('active');
    }
  }
  document.getElementById('counter').textContent = index + ' / ' + steps.length;
  document.getElementById('back').disabled = index === 0;
  document.getElementById('step').disabled = index === steps.length;
}
function stop() {
  if (timer !== null) { clearInterval(timer); timer = null; }
  document.getElementById('play').textContent = words.play;
}
document.getElementById('step').onclick = () => {
  stop(); if (index < steps.length) index++; show();
};
document.getElementById('back').onclick = () => { stop(); if (index > 0) index--; show(); };
document.getElementById('play').onclick = () => {
  if (timer !== null) { stop(); return; }
  if (index === steps.length) index = 0;
  document.getElementById('play').textContent = words.pause;
  timer = setInterval(() => {
    if (index < steps.length) { index++; show(); }
    if (index === steps.length) stop();
  }, interval);
};
document.addEventListener('keydown', (e) => {
  if (e.key === 'ArrowRight') document.getElementById('step').click();
  else if (e.key === 'ArrowLeft') document.getElementById('back').click();
  else if (e.key === ' ') document.getElementById('play').click();
  else return;
  e.preventDefault();
});
show();
"""


def _json(data):
    """JSON safe inside a <script> element."""
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def _step_json(step, words, kinds, render):
    return {"phase": step.phase, "heading": phase_heading(words, step.phase, kinds),
            "lines": render(step), "nodes": step.nodes, "edges": step.edges,
            "reveal": step.reveal}


def page_html(trace, title, names, lang="en", *, matrices=None, impl="neurons",
              loss_after=None):
    """The page as a string: drawing, controls, panel, the steps as JSON, inline JS/CSS.

    ``trace`` is the neurons trace (it gives the drawing). ``impl`` "vectorized" shows the
    steps of ``matrices`` (the vectorized trace of the same step) instead; "both" shows the
    neurons steps, then the matrix steps. ``loss_after``: E of the sample after the step
    (net.loss of a new predict), shown with the last step."""
    from .matrices import render_tokens

    words = text(lang)
    back, step, play, pause = BUTTONS[lang]
    graph = graph_from_state(trace.snapshots["start"], trace.layer_sizes, names, values=False,
                             title=title)
    kinds = getattr(trace, "kinds", None)
    steps = []
    if impl in ("neurons", "both"):
        steps += [_step_json(s, words, kinds, lambda s: [render_line(t) for t in s.lines])
                  for s in trace.steps]
    if impl in ("vectorized", "both"):
        if matrices is None:
            raise ValueError(f"impl {impl!r} needs the vectorized trace (matrices=)")
        steps += [_step_json(s, words, kinds, lambda s: [
            line for t in s.lines for line in render_tokens(t, "")]) for s in matrices.steps]
    if loss_after is not None:
        steps[-1]["lines"] = steps[-1]["lines"] + [words["loss_after"].format(
            before=fmt(trace.loss), after=fmt(loss_after))]
    initial = {node_id(0, i): {"a": trace.snapshots["forward"]["node"][(0, i)]["output"]}
               for i in range(trace.layer_sizes[0])}
    given = "<br>".join(html.escape(render_line(t)) for t in given_lines(trace, names))
    heading = words["title"].format(title=title, how=words[f"how_{impl}"])
    return f"""<!DOCTYPE html>
<html lang="{'zh-CN' if lang == 'zh' else 'en'}">
<head>
<meta charset="utf-8">
<title>{html.escape(heading)}</title>
<style>{CSS}</style>
</head>
<body>
<h1>{html.escape(heading)}</h1>
<p id="given">{given}</p>
<div id="controls">
<button id="back" type="button">{back}</button>
<button id="step" type="button">{step}</button>
<button id="play" type="button">{play}</button>
<span id="counter"></span>
</div>
<div id="panel"><div id="phase"></div><div id="equation"></div></div>
<div id="drawing">{to_svg(graph)}</div>
<script type="application/json" id="steps">{_json(steps)}</script>
<script type="application/json" id="initial">{_json(initial)}</script>
<script type="application/json" id="words">{_json({"intro": INTRO[lang], "play": play,
                                                   "pause": pause})}</script>
<script>{JS}</script>
</body>
</html>
"""


def write_page(path, trace, title, names, lang="en", **options):
    """Write the page to ``path`` (UTF-8, atomically: training.files); returns the path.
    ``options``: see page_html."""
    from neurons_lab.training.files import atomic_write

    return atomic_write(path, page_html(trace, title, names, lang, **options).encode("utf-8"))
