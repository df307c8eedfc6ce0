// The lab's Web Worker: Pyodide runs here, so training never freezes the page.
// Messages in: {type: "init", config} once, then {id, cmd, args, lang} (the engine's
// commands) or {type: "play", steps} / {type: "pause"}. Out: {type: "ready"|"reply"|"tick"}.
let lab = null;
let playing = false;

async function init(config) {
  const t0 = performance.now();
  const base = new URL(config.pyodide, self.location.href).href;
  const { loadPyodide } = await import(base + "pyodide.mjs");
  const py = await loadPyodide({ indexURL: base });
  const root = "/home/pyodide/lab";
  for (const name of config.python) {
    const text = await (await fetch("py/" + name)).text();
    const dir = root + "/" + name.split("/").slice(0, -1).join("/");
    py.FS.mkdirTree(dir);
    py.FS.writeFile(root + "/" + name, text);
  }
  py.runPython(`import sys; sys.path.insert(0, ${JSON.stringify(root)})
from neurons_lab.lab.engine import Lab
lab = Lab()`);
  lab = py.globals.get("lab");
  const state = lab.call(JSON.stringify({ cmd: "state" }));
  const version = py.runPython("import sys; sys.version.split()[0]");
  return { ms: performance.now() - t0, state, python: version };
}

function call(cmd, args, lang) {
  return lab.call(JSON.stringify({ cmd, args, lang }));
}

// Play: chunks of `steps` steps until about 150 ms have passed, then one picture (the state
// and the decision regions); the first chunk is what Back undoes.
function play(steps, lang, first) {
  if (!playing) return;
  const t0 = performance.now();
  let done = 0, trainMs = 0;
  while (performance.now() - t0 < 150 && playing) {
    const t1 = performance.now();
    call("train", { steps, quiet: true, remember: first && done === 0 }, lang);
    trainMs += performance.now() - t1;
    done += steps;
  }
  const state = call("state", {}, lang);
  const regions = call("regions", {}, lang);
  self.postMessage({ type: "tick", state, regions, ms: trainMs, steps: done,
                     wall: performance.now() - t0 });
  setTimeout(() => play(steps, lang, false), 0);  // lets a "pause" message in between
}

self.onmessage = async (event) => {
  const msg = event.data;
  try {
    if (msg.type === "init") {
      self.postMessage({ type: "ready", ...(await init(msg.config)) });
    } else if (msg.type === "play") {
      playing = true;
      play(msg.steps, msg.lang, true);
    } else if (msg.type === "pause") {
      playing = false;
      self.postMessage({ type: "paused", state: call("state", {}, msg.lang) });
    } else {
      self.postMessage({ type: "reply", id: msg.id, state: call(msg.cmd, msg.args, msg.lang) });
    }
  } catch (error) {
    self.postMessage({ type: "failed", id: msg.id, error: String(error) });
  }
};
