// The network drawn as the engine reported it: nodes (output inside, δ below), connections
// (colour: sign, width: |w|), the bias units; click to edit; a formula lights what it uses.
let lit = null;

const SVG = "http://www.w3.org/2000/svg";
function el(name, attrs, parent) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (parent) parent.append(e);
  return e;
}

export function drawGraph(svg, s, ui) {
  const { fmt, edit, t } = ui;
  const W = svg.clientWidth || 680, H = svg.clientHeight || 500;
  svg.innerHTML = "";
  const layers = s.graph.layers, L = layers.length;
  const x = (k) => 60 + (k * (W - 160)) / (L - 1);
  const rows = Math.max(...layers.map((l, k) => l.nodes.length + (k < L - 1 ? 1 : 0)));
  const gap = Math.min(70, (H - 40) / rows);
  const y = (k, i) => {
    const n = layers[k].nodes.length + (k < L - 1 ? 1 : 0);
    return H / 2 + (i - (n - 1) / 2) * gap;
  };
  const r = Math.max(7, Math.min(24, gap / 2.6));
  const edges = s.graph.edges;
  const maxW = Math.max(1e-9, ...edges.map((e) => Math.abs(e[3])));
  const labels = edges.length <= 12;
  const gEdges = el("g", {}, svg), gNodes = el("g", {}, svg);
  for (const [k, j, i, w, g] of edges) {
    const up = i === "b" ? layers[k - 1].nodes.length : i;
    const [x1, y1, x2, y2] = [x(k - 1), y(k - 1, up), x(k), y(k, j)];
    const id = `e-${k}-${j}-${i}`;
    el("line", { x1, y1, x2, y2, id, class: "edge",
                 stroke: w >= 0 ? "#2a6fdb" : "#d9534f", "stroke-opacity": 0.75,
                 "stroke-width": 0.6 + (3 * Math.abs(w)) / maxW }, gEdges);
    const hit = el("line", { x1, y1, x2, y2, class: "hit", "data-edge": id }, gEdges);
    el("title", {}, hit).textContent = `${id}: w = ${w}\n∂E/∂w = ${g}`;
    hit.addEventListener("click", (ev) => edit(ev, "weight", [k, j, i], w));
    if (labels) {
      const f = i === "b" ? 0.2 : 0.28;
      el("text", { x: x1 + f * (x2 - x1), y: y1 + f * (y2 - y1) - 3 }, gEdges).textContent = fmt(w);
    }
  }
  layers.forEach((layer, k) => {
    layer.nodes.forEach(([out, , delta], i) => {
      const g = el("g", { class: "node", id: `n-${k}-${i}` }, gNodes);
      const value = k === 0 ? s.sample[i] : out;
      el("circle", { cx: x(k), cy: y(k, i), r }, g);
      el("text", { x: x(k), y: y(k, i) + 4, "text-anchor": "middle" }, g).textContent = fmt(value);
      if (k > 0 && gap > 44) {
        el("text", { x: x(k), y: y(k, i) + r + 12, "text-anchor": "middle", fill: "#8a4b00" }, g)
          .textContent = "δ " + fmt(delta);
      }
      if (k === 0) g.addEventListener("click", (ev) => edit(ev, "input", [i], value));
      if (k === L - 1) {
        const tg = el("text", { x: x(k) + r + 8, y: y(k, i) + 4, class: "target" }, gNodes);
        tg.textContent = `${t("target")} = ${fmt(s.label[i])}`;
        tg.style.pointerEvents = "auto";
        tg.style.cursor = "pointer";
        tg.id = `t-${i}`;
        tg.addEventListener("click", (ev) => edit(ev, "target", [i], s.label[i]));
      }
    });
    if (k < L - 1) {
      const n = layer.nodes.length;
      el("rect", { x: x(k) - 8, y: y(k, n) - 8, width: 16, height: 16, fill: "#eee", stroke: "#333" }, gNodes);
      el("text", { x: x(k), y: y(k, n) + 4, "text-anchor": "middle" }, gNodes).textContent = "1";
    }
  });
  if (lit) highlight(lit);
}

export function highlight(step) {
  lit = step;
  document.querySelectorAll(".lit").forEach((e) => e.classList.remove("lit"));
  if (!step) return;
  for (const id of [...step.nodes, ...step.edges]) {
    const e = document.getElementById(id);
    if (e) e.classList.add("lit");
  }
}

