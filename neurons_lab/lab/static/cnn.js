// A small CNN drawn as maps of cells: hover a filter weight to light every connection that
// shares it (and read its gradient as their sum); red borders mark where each pool took its max.
const SVG = "http://www.w3.org/2000/svg";
const C = 18;  // cell size

function el(name, attrs, parent) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (parent) parent.append(e);
  return e;
}

function shade(v) {
  const a = Math.max(-1, Math.min(1, v));
  return a >= 0 ? `rgba(42,111,219,${a})` : `rgba(217,83,79,${-a})`;
}

export function drawCnn(box, s, ui) {
  box.innerHTML = "";
  const svg = el("svg", { width: 660, height: 520 }, box);
  const layers = s.graph.layers;
  const pos = [];  // pos[k][i] = [x, y] of node i of layer k
  let x0 = 10;
  layers.forEach((layer, k) => {
    pos[k] = [];
    const [n, h, w] = layer.shape.length === 3 ? layer.shape : [1, layer.shape[0], 1];
    const flat = layer.shape.length !== 3;
    el("text", { x: x0, y: 14 }, svg).textContent = flat ? `${layer.kind} ${layer.shape[0]}` :
      `${layer.kind} ${layer.shape.join("×")}`;
    layer.nodes.forEach(([out, , delta], i) => {
      const f = Math.floor(i / (h * w)), yy = Math.floor((i % (h * w)) / w), xx = i % w;
      const x = x0 + xx * C, y = 24 + f * (h * C + 14) + yy * C;
      pos[k][i] = [x + C / 2, y + C / 2];
      const value = k === 0 ? s.sample[i] : out;
      const r = el("rect", { x, y, width: C, height: C, fill: shade(value), class: "cell",
                             id: `c-${k}-${i}` }, svg);
      el("title", {}, r).textContent = `y = ${value}\nδ = ${delta}`;
      if (k === 0) r.addEventListener("click", (ev) => ui.edit(ev, "input", [i], value));
      if (flat) el("text", { x: x + C + 4, y: y + 13 }, svg).textContent = ui.fmt(value);
    });
    x0 += (flat ? 70 : w * C) + 40;
  });
  // pool routing: the winner of each pool window (its connection's weight is 1)
  for (const [k, j, i, w] of s.graph.edges) {
    if (layers[k].kind === "pool" && w === 1) {
      const c = document.getElementById(`c-${k - 1}-${i}`);
      if (c) c.classList.add("win");
    }
  }
  drawFilters(svg, s, ui);
}

function drawFilters(svg, s, ui) {
  const byName = {};
  s.graph.edges.forEach((e) => { if (e[5]) (byName[`${e[0]}:${e[5]}`] ||= []).push(e); });
  let y0 = 300;
  el("text", { x: 10, y: y0 - 8 }, svg).textContent = "filters (hover / click)";
  const lines = el("g", {}, svg);
  s.graph.shared.forEach((sw, m) => {
    const match = sw.name.match(/W\[(\d+),(\d+),(\d+),(\d+)\]/);
    const [f, u, v] = match ? [+match[1], +match[3], +match[4]] : [+sw.name.match(/\d+/)[0], -1, -1];
    const x = 10 + f * 200 + (v + 1) * 46, y = y0 + (u + 1) * (C + 6);
    if (!match) el("text", { x: 64 + f * 200, y: y0 + 13 }, svg).textContent = `← filter ${f}`;
    const g = el("g", { class: "fw" }, svg);
    el("rect", { x, y, width: 44, height: C, fill: shade(sw.weight * 5), stroke: "#555" }, g);
    el("text", { x: x + 2, y: y + 13 }, g).textContent =
      match ? sw.weight.toFixed(3) : `b ${sw.weight.toFixed(2)}`;
    g.addEventListener("mouseenter", () => {
      const uses = byName[`${sw.layer}:${sw.name}`] || [];
      lines.innerHTML = "";
      for (const [k, j, i] of uses) {
        const a = document.getElementById(`c-${k - 1}-${i}`), b = document.getElementById(`c-${k}-${j}`);
        if (a) a.classList.add("lit");
        if (b) b.classList.add("lit");
        if (a && b) {
          el("line", { x1: +a.getAttribute("x") + C / 2, y1: +a.getAttribute("y") + C / 2,
                       x2: +b.getAttribute("x") + C / 2, y2: +b.getAttribute("y") + C / 2,
                       stroke: "#e0a800", "stroke-width": 1 }, lines);
        }
      }
      const terms = uses.map((e) => ui.fmt(e[4])).join(" + ");
      ui.info(`${ui.t("shared", { name: sw.name, w: ui.fmt(sw.weight), n: sw.uses })}<br>` +
              `∂E/∂${sw.name} = ${terms} = ${ui.fmt(sw.gradient)}`);
    });
    g.addEventListener("mouseleave", () => {
      lines.innerHTML = "";
      document.querySelectorAll(".cell.lit").forEach((e) => e.classList.remove("lit"));
    });
    g.addEventListener("click", (ev) => ui.edit(ev, "shared", [sw.layer, sw.name], sw.weight));
  });
}
