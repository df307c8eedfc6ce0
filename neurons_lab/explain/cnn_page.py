"""The CNN walkthrough as one self-contained page: the network drawn as feature maps and
filters (explain.display) after each phase, the formula with its numbers above it, and
Back / Step / Play (keys ←, →, Space). No network access, no build step."""

import html
import json

from .cnn import compare_cnn, record_cnn
from .display import cnn_html
from .i18n import text
from .page import BUTTONS
from .walkthrough import render_line

PHASE_OF = {"cnn_forward": "forward", "cnn_pool": "forward", "cnn_route": "delta",
            "cnn_shared": "gradient", "cnn_update": "update"}

SCRIPT = """
const steps = JSON.parse(document.getElementById('steps').textContent);
let at = 0, timer = null;
function show(k) {
  at = Math.max(0, Math.min(steps.length - 1, k));
  const s = steps[at];
  document.getElementById('phase').textContent = s.heading;
  document.getElementById('equation').textContent = s.lines.join('\\n');
  document.getElementById('drawing').innerHTML = s.drawing;
  document.getElementById('counter').textContent = (at + 1) + ' / ' + steps.length;
}
function play() {
  const button = document.getElementById('play');
  if (timer) {
    clearInterval(timer); timer = null; button.textContent = button.dataset.play; return;
  }
  button.textContent = button.dataset.pause;
  timer = setInterval(() => { if (at >= steps.length - 1) { play(); } else { show(at + 1); } },
                      1500);
}
document.getElementById('back').onclick = () => show(at - 1);
document.getElementById('step').onclick = () => show(at + 1);
document.getElementById('play').onclick = play;
document.addEventListener('keydown', (e) => {
  if (e.key === 'ArrowRight') { show(at + 1); e.preventDefault(); }
  else if (e.key === 'ArrowLeft') { show(at - 1); e.preventDefault(); }
  else if (e.key === ' ') { play(); e.preventDefault(); }
});
show(0);
"""


def cnn_page_html(impl="neurons", lang="en"):
    """The page as a string; ``impl`` neurons, vectorized or both (both: the neurons
    walkthrough, and the largest difference from the vectorized one in the last step)."""
    words = text(lang)
    drawings = {}
    trace, _ = record_cnn("vectorized" if impl == "vectorized" else "neurons",
                          lambda phase, net: drawings.__setitem__(phase, cnn_html(net)))
    steps = [{"heading": words[key], "lines": [render_line(t) for t in lines],
              "drawing": drawings[PHASE_OF[key]]} for key, lines in trace.sections]
    if impl == "both":
        worst, count = compare_cnn(trace, record_cnn("vectorized")[0])
        steps[-1]["lines"].append(words["largest"].format(
            diff=f"{worst:.1e}", name=f"{count} numbers, vectorized"))
    how = words["how_both" if impl == "both" else f"how_{impl}"]
    title = words["cnn_title"].format(how=how)
    back, step, play, pause = BUTTONS[lang]
    data = json.dumps(steps, ensure_ascii=False).replace("</", "<\\/")
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;margin:1em;max-width:70em}}
#panel{{background:#f6f6f6;padding:.6em;margin:.6em 0;min-height:8em}}
#phase{{font-weight:bold;margin-bottom:.4em}}
#equation{{white-space:pre-wrap;font-family:monospace;font-size:13px}}
button{{font-size:15px;margin-right:.4em}}</style></head>
<body><h1 style="font-size:18px">{html.escape(title)}</h1>
<p>{html.escape(words["note"])}</p>
<div><button id="back">{back}</button><button id="step">{step}</button>
<button id="play" data-play="{play}" data-pause="{pause}">{play}</button>
<span id="counter"></span> <small>(← → Space)</small></div>
<div id="panel"><div id="phase"></div><div id="equation"></div></div>
<div id="drawing"></div>
<script type="application/json" id="steps">{data}</script>
<script>{SCRIPT}</script></body></html>
"""


def write_cnn_page(path, impl="neurons", lang="en"):
    """Write the page to ``path`` atomically (training.files: whole or not there)."""
    from neurons_lab.training.files import atomic_write

    atomic_write(path, cnn_page_html(impl, lang).encode("utf-8"))
