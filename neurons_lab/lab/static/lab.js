// The lab's page: draws what the engine (Python, in the worker) reports; computes nothing.
import { drawCnn } from "./cnn.js";
import { drawGraph, highlight } from "./graph.js";
import { drawLoss, drawRegions } from "./plots.js";

const PHASES = ["predict", "calc_delta", "calc_gradient", "update_weight"];
const T = {
  en: { example: "example", sizes: "layers", activation: "hidden", output: "output/loss",
        batch: "batch", seed: "seed", apply: "build", back: "Back", step: "Step",
        train: "Train", run: "run", play: "Play", pause: "Pause", loading: "loading Python…",
        ready: "Python {v} in the page, ready in {s} s", press: "Press Step (→) to run the next phase: {p}.",
        sample: "sample {c} of {n}", trained: "steps trained", undo: "Back can undo",
        rate: "{r} samples/s", lang: "中文", target: "t",
        shared: "{name} = {w}: one weight shared by {n} connections; its gradient is their sum:" },
  zh: { example: "示例", sizes: "层", activation: "隐藏层", output: "输出/损失", batch: "批大小",
        seed: "seed", apply: "构建", back: "后退", step: "单步", train: "训练", run: "运行",
        play: "播放", pause: "暂停", loading: "正在加载 Python…",
        ready: "页面里的 Python {v},{s} 秒就绪", press: "按“单步”(→)执行下一个阶段:{p}。",
        sample: "第 {c} 个样本,共 {n} 个", trained: "已训练步数", undo: "可后退次数",
        rate: "每秒 {r} 个样本", lang: "English", target: "t",
        shared: "{name} = {w}:{n} 个连接共享这一个权重;它的梯度是这些连接的贡献之和:" },
};
const $ = (id) => document.getElementById(id);
const fmt = (v) => (typeof v === "number" ? Number(v.toPrecision(4)).toString() : String(v));
let lang = "en", worker, nextId = 1, playing = false;
const pending = new Map();
const lab = (window.lab = { ready: false, coldStartMs: null, state: null, regions: null,
                            rates: [], wallRates: [], error: null, request, lang: () => lang });

function t(key, vars = {}) {
  return T[lang][key].replace(/\{(\w+)\}/g, (_, k) => vars[k]);
}

function request(cmd, args = {}) {
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    worker.postMessage({ id, cmd, args, lang });
  }).then((text) => {
    const s = JSON.parse(text);
    if (s.error) { showError(s.error); return s; }
    lab.error = null;
    render(s);
    return s;
  });
}

function showError(message) {
  lab.error = message;
  $("status").textContent = message;
  $("status").className = "error";
}

function onMessage(event) {
  const msg = event.data;
  if (msg.type === "ready") {
    lab.coldStartMs = msg.ms;
    $("status").textContent = t("ready", { v: msg.python, s: (msg.ms / 1000).toFixed(1) });
    render(JSON.parse(msg.state));
    lab.ready = true;
  } else if (msg.type === "reply") {
    pending.get(msg.id)(msg.state);
    pending.delete(msg.id);
  } else if (msg.type === "tick" || msg.type === "paused") {
    const s = JSON.parse(msg.state);
    if (msg.type === "tick") {
      const samples = msg.steps * s.settings.batch_size;
      lab.rates.push((samples * 1000) / msg.ms);  // training alone
      lab.wallRates.push((samples * 1000) / msg.wall);  // with the pictures between chunks
      $("status").className = "";
      $("status").textContent = t("rate", { r: Math.round(lab.rates.at(-1)) });
      lab.regions = JSON.parse(msg.regions);
    }
    render(s);
  } else if (msg.type === "failed") {
    showError(msg.error);
    if (pending.has(msg.id)) { pending.get(msg.id)(JSON.stringify({ error: msg.error })); }
  }
}

// --- drawing ---------------------------------------------------------------------------------
function render(s) {
  lab.state = s;
  const set = s.settings;
  for (const key of ["rate", "batch_size", "seed"]) {
    if (document.activeElement !== $(key)) $(key).value = set[key];
  }
  $("example").value = set.example;
  if (document.activeElement !== $("layer_sizes")) $("layer_sizes").value = set.layer_sizes.join("-");
  $("activation").value = set.activation;
  $("outloss").value = set.output + "/" + set.loss;
  drawPhases(s);
  const cnn = s.graph.layers.some((l) => l.kind !== "input" && l.kind !== "fc");
  $("graph").style.display = cnn ? "none" : "";
  $("cnn").style.display = cnn ? "" : "none";
  if (cnn) drawCnn($("cnn"), s, { fmt, edit, info: (html) => ($("info").innerHTML = html), t });
  else drawGraph($("graph"), s, { fmt, edit, t });
  drawFormulas(s);
  drawSource(s);
  drawLoss($("loss"), s.losses);
  drawRegions($("regions"), s.classes ? lab.regions : null, s.points, s.classes);
  $("info").textContent = `${t("sample", { c: s.cursor + 1, n: s.samples })} · x = (${s.sample.map(fmt).join(", ")}) · t = (${s.label.map(fmt).join(", ")}) · ${t("trained")}: ${s.trained} · ${t("undo")}: ${s.back}`;
}

function drawPhases(s) {
  const next = PHASES.indexOf(s.next);
  const box = $("phases");
  box.innerHTML = "";
  PHASES.forEach((p, k) => {
    const span = document.createElement("span");
    span.textContent = p;
    span.id = "phase-" + p;
    if (k === next) span.className = "next";
    else if (s.done && k < (next || 4)) span.className = "done";
    box.append(span);
  });
}

function drawFormulas(s) {
  const box = $("formulas");
  box.innerHTML = "";
  highlight(null);
  if (!s.done) {
    box.textContent = t("press", { p: s.next });
    if (s.formula_error) box.append(Object.assign(document.createElement("p"), { textContent: s.formula_error }));
    return;
  }
  if (!s.formulas) {
    box.textContent = s.formula_error || "";
    return;
  }
  let heading = null;
  for (const step of s.formulas) {
    if (step.heading !== heading) {
      heading = step.heading;
      box.append(Object.assign(document.createElement("h4"), { textContent: heading }));
    }
    const div = document.createElement("div");
    div.className = "formula";
    div.textContent = step.lines.join("\n");
    div.addEventListener("mouseenter", () => { highlight(step); div.classList.add("on"); });
    div.addEventListener("mouseleave", () => { highlight(null); div.classList.remove("on"); });
    box.append(div);
  }
}

function drawSource(s) {
  const box = $("source");
  box.innerHTML = "";
  if (!s.done) return;
  for (const src of s.done.sources) {
    box.append(Object.assign(document.createElement("h4"), {
      textContent: `${src.file} · ${src.name}() — ${src.calls}×` }));
    const pre = document.createElement("pre");
    pre.className = "src";
    src.lines.forEach((line, k) => {
      const n = src.start + k;
      const div = document.createElement("div");
      if (src.ran.includes(n)) div.className = "ran";
      const ln = Object.assign(document.createElement("span"), { className: "ln", textContent: n });
      div.append(ln, document.createTextNode(line || " "));
      pre.append(div);
    });
    box.append(pre);
  }
  const first = box.querySelector(".ran");  // the first line that ran, in view
  if (first) box.scrollTop = first.offsetTop - box.offsetTop - 60;
}

// --- editing ------------------------------------------------------------------------------------
function edit(event, what, index, value) {
  if (playing) return;
  const box = $("editor");
  box.hidden = false;
  box.style.position = "fixed";
  box.style.left = Math.min(event.clientX, innerWidth - 130) + "px";
  box.style.top = event.clientY + "px";
  box.value = value;
  box.dataset.what = what;
  box.dataset.index = JSON.stringify(index);
  box.focus();
  box.select();
}

function commitEdit(ev) {
  const box = $("editor");
  if (ev.key === "Escape") { box.hidden = true; return; }
  if (ev.key !== "Enter") return;
  box.hidden = true;
  request("edit", { what: box.dataset.what, index: JSON.parse(box.dataset.index),
                    value: Number(box.value) });
}

// --- controls -----------------------------------------------------------------------------------
function settings() {
  const [output, loss] = $("outloss").value.split("/");
  const sizes = $("layer_sizes").value.split(/[-, ]+/).filter(Boolean)
    .map((v) => (/^\d+$/.test(v) ? Number(v) : v));
  return { example: $("example").value, layer_sizes: sizes, activation: $("activation").value,
           output, loss, rate: Number($("rate").value), batch_size: Number($("batch_size").value),
           seed: Number($("seed").value) };
}

function togglePlay() {
  playing = !playing;
  $("play").textContent = t(playing ? "pause" : "play");
  worker.postMessage({ type: playing ? "play" : "pause", steps: 20, lang });
}

function translate() {
  document.querySelectorAll("[data-t]").forEach((e) => {
    if (e.id !== "status") e.textContent = t(e.dataset.t);
  });
  $("lang").textContent = t("lang");
  $("play").textContent = t(playing ? "pause" : "play");
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
}

function wire() {
  $("step").onclick = () => !playing && request("step");
  $("back").onclick = () => !playing && request("back");
  $("train").onclick = () => !playing && request("train", { steps: Number($("n").value) })
    .then(() => refreshRegions());
  $("play").onclick = togglePlay;
  $("apply").onclick = () => request("configure", settings()).then(() => refreshRegions());
  $("example").onchange = () => request("configure", { example: $("example").value })
    .then(() => refreshRegions());
  $("lang").onclick = () => { lang = lang === "en" ? "zh" : "en"; translate(); request("state"); };
  $("editor").addEventListener("keydown", commitEdit);
  document.addEventListener("keydown", (ev) => {
    if (["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement.tagName)) return;
    if (!lab.ready) return;
    if (ev.key === "ArrowRight") { ev.preventDefault(); $("step").click(); }
    else if (ev.key === "ArrowLeft") { ev.preventDefault(); $("back").click(); }
    else if (ev.key === " ") { ev.preventDefault(); togglePlay(); }
  });
}

async function refreshRegions() {
  if (!lab.state.classes) { lab.regions = null; return; }
  const id = nextId++;
  const text = await new Promise((resolve) => {
    pending.set(id, resolve);
    worker.postMessage({ id, cmd: "regions", args: {}, lang });
  });
  lab.regions = JSON.parse(text);
  drawRegions($("regions"), lab.regions, lab.state.points, lab.state.classes);
}

async function start() {
  if (location.search.includes("lang=zh")) lang = "zh";
  translate();
  wire();
  const config = await (await fetch("config.json")).json();
  worker = new Worker("worker.js", { type: "module" });
  worker.onmessage = onMessage;
  worker.onerror = (e) => showError(String(e.message || e));
  worker.postMessage({ type: "init", config });
}

start();
