"""The lab in a real browser: the built site served on 127.0.0.1, headless Chromium, Pyodide
from the fetched cache. The page's numbers after each phase, an edit and training equal
CPython's ``neurons`` bit for bit; the keyboard steps, goes back and plays.

Skips when Chromium or the fetched Pyodide is absent (``neurons lab --fetch-pyodide``); in CI
(CI=true) it fails instead. Screenshots go to $NEURONS_LAB_SCREENSHOTS or a temporary folder
(its path is printed).
"""

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import pytest

import neurons
from neurons_lab.lab import datasets, pyodide, site
from tests.browser import chromium, missing, require

PYODIDE = Path(os.environ.get("NEURONS_LAB_PYODIDE_DIR") or pyodide.default_cache())


def _missing():
    if not pyodide.is_ready(PYODIDE):
        return f"no Pyodide in {PYODIDE} (neurons lab --fetch-pyodide)"
    return missing()


@pytest.fixture(scope="module")
def shots():
    folder = os.environ.get("NEURONS_LAB_SCREENSHOTS") or tempfile.mkdtemp(prefix="lab-shots-")
    Path(folder).mkdir(parents=True, exist_ok=True)
    print(f"\nlab screenshots: {folder}", file=sys.stderr)
    return Path(folder)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    require(_missing(), "the lab's browser test")
    built = site.build(tmp_path_factory.mktemp("lab") / "site", PYODIDE)
    server = site.folder_server(built)
    site.serve_in_thread(server)
    with chromium(1280, 800, "lab-chromium-") as driver:
        driver.base = site.url(server)
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",  # the page at 1280×800
                               {"width": 1280, "height": 800, "deviceScaleFactor": 1,
                                "mobile": False})
        yield driver
    server.shutdown()
    server.server_close()


def until(driver, script, timeout=120):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(
        lambda d: d.execute_script(script))


def load(driver, query=""):
    """Open the lab (once per query: Pyodide's cold start is seconds) at its first example."""
    if getattr(driver, "query", None) != query:
        driver.get(driver.base + query)
        until(driver, "return !!(window.lab && window.lab.ready)")
        driver.query = query
        ms = driver.execute_script("return window.lab.coldStartMs")
        print(f"\nlab cold start: {ms:.0f} ms", file=sys.stderr)
    request(driver, "configure", example="article")


def state(driver):
    return json.loads(driver.execute_script("return JSON.stringify(window.lab.state)"))


def request(driver, cmd, **args):
    text = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "window.lab.request(arguments[0], arguments[1]).then(s => done(JSON.stringify(s)));",
        cmd, args)
    return json.loads(text)


def key(driver, name):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    ActionChains(driver).send_keys(getattr(Keys, name)).perform()


def wait_phase(driver, phase):
    until(driver, f"const s = window.lab.state; return s.done && s.done.phase === '{phase}'", 20)
    return state(driver)


def params(net):
    """``net.parameters()`` as the page's JSON holds it (lists, the same floats)."""
    return json.loads(json.dumps(net.parameters()))


def column(s, k, attr):
    return [n[{"output": 0, "delta": 2}[attr]] for n in s["graph"]["layers"][k]["nodes"]]


def test_keyboard_steps_each_phase_with_cpythons_numbers(page, shots):
    load(page)
    net = neurons.Network([3, 4, 2], seed=0)
    sample, label = [1.0, 0.5, 0.2], [0.9, 0.1]
    key(page, "ARROW_RIGHT")
    s = wait_phase(page, "predict")
    assert column(s, 2, "output") == net.predict(sample)
    key(page, "ARROW_RIGHT")
    s = wait_phase(page, "calc_delta")
    net.calc_delta(label)
    assert column(s, 1, "delta") == [n.delta for n in net.layers[1].nodes]
    formulas = page.find_element("id", "formulas").text
    assert "δ4 = a4·(1−a4)·(w84·δ8 + w94·δ9)" in formulas
    source = page.find_element("id", "source").text
    assert "Node.calc_hidden_layer_delta() — 4×" in source
    ran = [e.text for e in page.find_elements("css selector", "#source .ran")]
    assert any("self.delta = self._f_prime(self.net, self.output) * total" in t for t in ran)
    from selenium.webdriver.common.action_chains import ActionChains

    hidden = [e for e in page.find_elements("css selector", ".formula")
              if e.text.startswith("δ4 = a4")][0]
    ActionChains(page).move_to_element(hidden).perform()  # lights what 式4 of node 4 uses
    lit = {e.get_attribute("id") for e in page.find_elements("css selector", ".lit")}
    assert {"n-1-0", "n-2-0", "n-2-1", "e-2-0-0", "e-2-1-0"} <= lit and "e-1-0-0" not in lit
    page.save_screenshot(str(shots / "lab-mid-step.png"))
    key(page, "ARROW_RIGHT")
    s = wait_phase(page, "calc_gradient")
    net.calc_gradient()
    assert [e[4] for e in s["graph"]["edges"]] == [
        c.gradient for layer in net.layers[1:] for n in layer.nodes for c in n.upstream]
    before = s["parameters"]
    key(page, "ARROW_RIGHT")
    s = wait_phase(page, "update_weight")
    net.update_weight(0.5)
    assert s["parameters"] == params(net) and s["next"] == "predict"
    key(page, "ARROW_LEFT")
    s = wait_phase(page, "calc_gradient")
    assert s["parameters"] == before and s["next"] == "update_weight"


def test_a_weight_edited_by_clicking_is_used(page, shots):
    load(page)
    request(page, "configure", example="mazur")
    page.find_element("css selector", '[data-edge="e-2-0-0"]').click()  # w5: h1 → o1
    editor = page.find_element("id", "editor")
    editor.send_keys("0.5\n")
    until(page, "return window.lab.state.graph.edges.some("
                "e => e[0] === 2 && e[1] === 0 && e[2] === 0 && e[3] === 0.5)", 10)
    for _ in range(4):
        page.find_element("id", "step").click()
    s = wait_phase(page, "update_weight")
    net = neurons.Network([2, 2, 2], seed=0)
    net.set_parameters([([[0.15, 0.20], [0.25, 0.30]], [0.35, 0.35]),
                        ([[0.5, 0.45], [0.50, 0.55]], [0.60, 0.60])])
    net.train_one_sample([0.01, 0.99], [0.05, 0.10], 0.5)
    assert s["parameters"] == params(net)
    page.save_screenshot(str(shots / "lab-mazur-edited.png"))


def spiral_net(steps, batch, seed):
    points, classes = datasets.spiral()
    labels = datasets.targets(classes, 3)
    order = [k % len(points) for k in range(steps * batch)]
    net = neurons.Network([2, 8, 8, 3], activation="tanh", output="softmax",
                          loss="cross_entropy", seed=seed)
    net.train([labels[k] for k in order], [points[k] for k in order], 0.1, 1, batch)
    return net


def close(page_params, net):
    """Training in the page equals CPython's to rounding: Pyodide's C library (musl) computes
    tanh and exp within 1-2 units in the last place of the system's, so after many steps the
    last bits may differ (each phase of one step on the same numbers is bit for bit, above).
    Returns how many parameters are bit for bit equal, and how many there are."""
    flat = lambda p: [v for layer in p for part in layer for row in part  # noqa: E731
                      for v in (row if isinstance(row, list) else [row])]
    got, want = flat(page_params), flat(params(net))
    assert len(got) == len(want)
    assert all(abs(a - b) <= 1e-12 * max(1.0, abs(b)) for a, b in zip(got, want))
    return sum(a == b for a, b in zip(got, want)), len(want)


def test_training_and_play_match_cpython(page, shots):
    load(page)
    request(page, "configure", example="spiral", batch_size=2, seed=2)
    page.execute_script("document.getElementById('n').value = '150'")
    page.find_element("id", "train").click()
    until(page, "return window.lab.state.trained === 150", 60)
    same, total = close(state(page)["parameters"], spiral_net(150, 2, 2))
    print(f"\nlab: after 150 steps {same} of {total} parameters bit for bit", file=sys.stderr)
    key(page, "SPACE")  # play
    until(page, "return window.lab.state.trained >= 400", 60)
    key(page, "SPACE")  # pause
    until(page, "return document.getElementById('play').textContent === 'Play'", 10)
    time.sleep(0.5)  # the chunk under way, then the "paused" reply
    s = state(page)
    close(s["parameters"], spiral_net(s["trained"], 2, 2))
    rates = page.execute_script("return [window.lab.rates, window.lab.wallRates]")
    median = [sorted(r)[len(r) // 2] for r in rates]
    print(f"\nlab spiral 2-8-8-3 training, median of {len(rates[0])} ticks: {median[0]:.0f} "
          f"samples/s training, {median[1]:.0f} with the pictures", file=sys.stderr)
    key(page, "ARROW_LEFT")  # Back undoes the whole Play
    until(page, "return window.lab.state.trained === 150", 10)
    assert page.execute_script("return window.lab.regions.cells.length") == 32 * 32
    page.save_screenshot(str(shots / "lab-spiral.png"))


def test_sigmoid_training_is_bit_for_bit(page):
    load(page)
    request(page, "configure", example="xor")
    s = request(page, "train", steps=200)
    net = neurons.Network([2, 3, 1], seed=1)
    points, classes = datasets.xor()
    net.train(datasets.targets(classes, 1) * 50, points * 50, 2.0, 1)
    assert s["parameters"] == params(net)


def test_cnn_filter_weight_shows_its_connections_and_sum(page, shots):
    from selenium.webdriver.common.action_chains import ActionChains

    load(page)
    request(page, "configure", example="cnn")
    for _ in range(3):
        request(page, "step")
    first = page.find_elements("css selector", ".fw")[0]
    ActionChains(page).move_to_element(first).perform()
    info = page.find_element("id", "info").text
    s = state(page)
    shared = s["graph"]["shared"][0]
    assert f"{shared['name']} = " in info and "shared by 16 connections" in info
    assert len(page.find_elements("css selector", ".cell.lit")) == 32  # 16 inputs, 16 outputs
    assert len(page.find_elements("css selector", ".cell.win")) == 8  # one per pool window
    page.save_screenshot(str(shots / "lab-cnn.png"))


def test_the_settings_build_the_network_asked_for(page):
    from selenium.webdriver.support.ui import Select

    load(page)
    Select(page.find_element("id", "example")).select_by_value("moons")
    until(page, "return window.lab.state.settings.example === 'moons'", 20)
    sizes = page.find_element("id", "layer_sizes")
    sizes.clear()
    sizes.send_keys("2-5-4-2")
    Select(page.find_element("id", "activation")).select_by_visible_text("relu")
    page.find_element("id", "apply").click()
    until(page, "return window.lab.state.settings.layer_sizes.length === 4", 20)
    s = state(page)
    net = neurons.Network([2, 5, 4, 2], activation="relu", output="softmax",
                          loss="cross_entropy", seed=1)
    assert s["parameters"] == params(net) and s["settings"]["activation"] == "relu"
    sizes.clear()
    sizes.send_keys("3-4-2")  # the moons set has 2 inputs: one clear message, nothing changed
    page.find_element("id", "apply").click()
    until(page, "return !!window.lab.error", 20)
    assert "needs 2 inputs" in page.find_element("id", "status").text
    assert state(page)["parameters"] == params(net)


def test_chinese(page, shots):
    load(page, "?lang=zh")
    assert page.find_element("id", "step").text.startswith("单步")
    key(page, "ARROW_RIGHT")
    wait_phase(page, "predict")
    assert "阶段 1 — 前向计算" in page.find_element("id", "formulas").text
    page.save_screenshot(str(shots / "lab-zh.png"))
