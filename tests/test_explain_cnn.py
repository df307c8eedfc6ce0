"""neurons explain --example cnn: formula (1) at one position, max-pool routing and a shared
weight's gradient, every number read from the objects (or arrays) after the library's own
phase; both packages agree; the page steps with buttons and keys in headless Chromium."""

import re

import numpy as np
import pytest

import neurons
import vectorized
from neurons_lab.explain.cnn import IMAGE, LABEL, RATE, SPEC, compare_cnn, record_cnn, render_cnn
from neurons_lab.explain.cnn_page import cnn_page_html
from neurons_lab.explain.walkthrough import fmt
from tests.helpers import run_cli as run
from tests.test_explain_page import browser  # noqa: F401  (the Chromium fixture)

NUMBER = re.compile(r"(?<![\w⁰-⁹\[,])-?\d+(?:\.\d+(?:e[+-]\d+)?|e[+-]\d+)")


def observe(impl):
    """The test's own reading of every value after each phase: {source: value}."""
    net = (neurons if impl == "neurons" else vectorized).Network(SPEC, seed=0)
    seen = {("rate",): RATE}

    def look(phase):
        if impl == "neurons":
            for k, layer in enumerate(net.layers):
                for i, node in enumerate(layer.nodes):
                    for attr in ("output", "net", "delta"):
                        seen[(phase, "node", k, i, attr)] = getattr(node, attr)
                    if k == 3:
                        for u, conn in enumerate(node.upstream):
                            seen[(phase, "conn", 3, i, u, "weight")] = conn.weight
            for w in net.shared_weights:
                seen[(phase, "shared", 1, w.name(), "weight")] = w.weight
                seen[(phase, "shared", 1, w.name(), "gradient")] = w.gradient
            for k, c in enumerate(net.layers[1].W[1][0][1][1].connections):
                seen[(phase, "contribution", k)] = c.gradient
        else:
            for l, layer in enumerate(net.layers):
                for attr in ("input", "net", "output", "delta", "W", "b", "W_grad", "b_grad"):
                    value = getattr(layer, attr, None)
                    if value is not None:
                        a = np.asarray(value, float)
                        if attr == "input" and l == 0:
                            a = a.reshape(1, 6, 6)
                        for index in np.ndindex(a.shape):
                            seen[(phase, "layer", l, attr, *index)] = float(a[index])

    net.predict(IMAGE)
    look("forward")
    net.calc_delta(LABEL)
    look("delta")
    net.calc_gradient()
    look("gradient")
    net.update_weight(RATE)
    look("update")
    return seen


@pytest.mark.parametrize("impl", ["neurons", "vectorized"])
def test_every_number_is_the_objects_value(impl):
    trace, _ = record_cnn(impl)
    seen = observe(impl)
    wrong = [(n.source, n.value) for n in trace.numbers() if seen.get(n.source) != n.value]
    assert wrong == [] and len(trace.numbers()) > 70
    text = "\n".join(render_cnn(trace, "en"))
    printed = NUMBER.findall(text)
    assert [float(p) for p in printed] == [float(fmt(n.value)) for n in trace.numbers()]


def test_a_wrong_number_is_caught():
    trace, _ = record_cnn("neurons")
    seen = observe("neurons")
    n = trace.numbers()[3]
    assert seen[n.source] == n.value and seen[n.source] != n.value + 1e-12


def test_shared_gradient_is_the_sum_and_routing_goes_to_the_winner():
    trace, net = record_cnn("neurons")
    text = "\n".join(render_cnn(trace, "en"))
    shared = net.layers[1].W[1][0][1][1]
    assert len(shared.connections) == 16
    assert "(16 connections)" in text and "each SharedConnection's contribution" in text
    before = observe("neurons")
    total = sum(before[("gradient", "contribution", k)] for k in range(16))
    assert total == pytest.approx(before[("gradient", "shared", 1, "W[1,0,1,1]", "gradient")],
                                  abs=1e-18)
    # the window rows 2-3, columns 0-1 of map 1: a tie, the first maximum (2,0) wins
    assert "winner: a[1,2,0]" in text and "δ[1,2,1] = 0.0" in text
    assert "δ[1,2,0] = -0.00234835366" in text


def test_both_packages_agree():
    worst, count = compare_cnn(record_cnn("neurons")[0], record_cnn("vectorized")[0])
    assert worst < 1e-12 and count > 70


@pytest.mark.parametrize("impl", ["neurons", "vectorized", "both"])
def test_cli(capsys, impl):
    code, out, err = run(capsys, "explain", "--example", "cnn", "--impl", impl, "--lang", "zh")
    assert code == 0 and err == "" and "共享权重 W[1,0,1,1]" in out
    assert ("两者的最大差别" in out) == (impl == "both")


def test_page_steps_with_buttons_and_keys(tmp_path, browser):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    page = tmp_path / "cnn.html"
    page.write_text(cnn_page_html("both", "en"), encoding="utf-8")
    browser.get(page.as_uri())

    def counter():
        return browser.find_element(By.ID, "counter").text

    body = browser.find_element(By.TAG_NAME, "body")
    assert counter() == "1 / 5" and "net[1,2,1]" in browser.find_element(By.ID, "equation").text
    body.send_keys(Keys.ARROW_RIGHT)
    body.send_keys(Keys.ARROW_RIGHT)
    assert counter() == "3 / 5" and "winner" in browser.find_element(By.ID, "equation").text
    assert "map 1 (δ)" in browser.find_element(By.ID, "drawing").text
    body.send_keys(Keys.ARROW_LEFT)
    assert counter() == "2 / 5"
    browser.find_element(By.ID, "step").click()
    browser.find_element(By.ID, "step").click()
    browser.find_element(By.ID, "step").click()
    assert counter() == "5 / 5"
    assert "Largest difference" in browser.find_element(By.ID, "equation").text
    browser.find_element(By.ID, "back").click()
    assert counter() == "4 / 5"
