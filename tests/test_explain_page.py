"""The step-through page in a real browser: headless Chromium driven by selenium.

Offline: the system's chromium and chromedriver (Debian packages), no driver download (the
driver's path is given, so Selenium Manager never runs), no telemetry. Locally the test skips
when Chromium is absent; in CI (CI=true) it fails instead, so the page is always tested there.
"""


import pytest

from neurons_lab.explain import article_example, mazur_example
from neurons_lab.explain.page import page_html, write_page
from neurons_lab.explain.trace import record_neurons
from neurons_lab.explain.walkthrough import fmt
from tests.browser import chromium, missing, require


@pytest.fixture(scope="module")
def browser():
    require(missing(), "the browser test")
    with chromium(1100, 900, "explain-chromium-") as driver:
        yield driver


def record(ex):
    net = ex.build("neurons")
    return net, record_neurons(net, ex.sample, ex.label, ex.rate, ex.namer())


def test_page_is_self_contained():
    ex = article_example()
    _, trace = record(ex)
    page = page_html(trace, ex.title, ex.namer())
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page and "<script src" not in page and "<link" not in page
    assert page.count('class="node"') == sum(trace.layer_sizes)


def click(driver, name, times=1):
    from selenium.webdriver.common.by import By

    for _ in range(times):
        driver.find_element(By.ID, name).click()


def shown(driver, element_id):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.ID, element_id).text


def node_text(driver, node, cls):
    return driver.execute_script(
        f"return document.querySelector('#{node} text.{cls}').textContent")


def classes(driver, element_id):
    return driver.execute_script(
        f"return document.getElementById('{element_id}').getAttribute('class')")


def test_stepping_through_the_article_network(browser, tmp_path):
    ex = article_example()
    net, trace = record(ex)
    path = write_page(tmp_path / "page.html", trace, ex.title, ex.namer(), "en")
    browser.get(path.as_uri() + "#fast")
    n = len(trace.steps)
    assert shown(browser, "counter") == f"0 / {n}"
    assert node_text(browser, "n-0-0", "a") == "a=1"  # the inputs are known before step 1
    assert node_text(browser, "n-1-0", "a") == ""

    click(browser, "step")  # 式1 of node 4, numbers as node 4 held them after predict
    node4 = net.layers[1].nodes[0]
    assert shown(browser, "counter") == f"1 / {n}"
    assert "式1" in shown(browser, "phase")
    equation = shown(browser, "equation")
    assert "net4 = w41·x1 + w42·x2 + w43·x3 + w4b" in equation
    assert f"sigmoid({fmt(node4.net)}) = {fmt(node4.output)}" in equation
    assert "active" in classes(browser, "n-1-0") and "active" in classes(browser, "e-1-0-2")
    assert "active" not in classes(browser, "n-1-1")
    assert node_text(browser, "n-1-0", "a") == f"a={float(f'{node4.output:.4g}')!r}"

    forward = sum(trace.layer_sizes[1:])
    click(browser, "step", forward)  # through the forward pass and the loss
    assert "E = ½((t8−y8)² + (t9−y9)²)" in shown(browser, "equation")
    click(browser, "step")  # 式3 of node 8
    delta8 = net.layers[2].nodes[0].delta
    assert "式3" in shown(browser, "phase")
    assert shown(browser, "equation").endswith(f"= {fmt(delta8)}")
    assert node_text(browser, "n-2-0", "d").startswith("δ=")

    click(browser, "back")  # Back hides δ8 again and shows the loss
    assert shown(browser, "counter") == f"{forward + 1} / {n}"
    assert node_text(browser, "n-2-0", "d") == ""

    click(browser, "play")
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 60).until(lambda d: shown(d, "counter") == f"{n} / {n}")
    assert "式5" in shown(browser, "phase")
    w9b = net.layers[2].nodes[1].upstream[-1]
    assert shown(browser, "equation").splitlines()[-1].endswith(f"= {fmt(w9b.weight)}")
    assert "updated" in classes(browser, "e-2-1-3")
    browser.save_screenshot(str(tmp_path / "explain-page.png"))
    assert (tmp_path / "explain-page.png").stat().st_size > 10_000


def test_mazur_page_in_chinese(browser, tmp_path):
    ex = mazur_example()
    net, trace = record(ex)
    path = write_page(tmp_path / "mazur.html", trace, ex.title, ex.namer(), "zh")
    browser.get(path.as_uri())
    click(browser, "step", 3)
    assert "阶段 1" in shown(browser, "phase")
    assert "out_o1 = sigmoid(net_o1) = sigmoid(1.10590597) = 0.75136507" in shown(
        browser, "equation")
    assert node_text(browser, "n-2-0", "a") == "a=0.7514"


def tooltip(driver, element_id):
    return driver.execute_script(
        f"return document.getElementById('{element_id}').querySelector('title').textContent")


def test_keys_back_restores_tooltips_and_E_after_the_step(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    ex = article_example()
    net, trace = record(ex)
    after = net.loss(net.predict(ex.sample), ex.label)
    path = write_page(tmp_path / "page.html", trace, ex.title, ex.namer(), "en",
                      loss_after=after)
    browser.get(path.as_uri() + "#fast")
    n = len(trace.steps)
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    assert shown(browser, "counter") == f"2 / {n}"
    body.send_keys(Keys.ARROW_LEFT)
    assert shown(browser, "counter") == f"1 / {n}"
    before = tooltip(browser, "e-2-1-3")
    click(browser, "step", n - 1)  # to the end: the last weights are updated
    assert "(updated)" in tooltip(browser, "e-2-1-3")
    assert f"E after the step (net.loss of a new net.predict(x)): {fmt(after)}" in shown(
        browser, "equation")
    assert after < trace.loss  # one step downhill
    click(browser, "back")
    assert tooltip(browser, "e-2-1-3") == before  # Back restores the tooltip
    body.send_keys(Keys.SPACE)  # Play from the end restarts
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 60).until(lambda d: shown(d, "counter") == f"{n} / {n}")


@pytest.mark.parametrize("impl", ["vectorized", "both"])
def test_each_impl_shows_its_own_steps(browser, tmp_path, impl):
    from neurons_lab.explain.matrices import record_vectorized

    ex = article_example()
    _, trace = record(ex)
    matrices = record_vectorized(ex.build("vectorized"), ex.sample, ex.label, ex.rate)
    path = write_page(tmp_path / "page.html", trace, ex.title, ex.namer(), "en",
                      matrices=matrices, impl=impl)
    page = path.read_text(encoding="utf-8")
    assert page != page_html(trace, ex.title, ex.namer(), "en")
    browser.get(path.as_uri())
    total = len(matrices.steps) + (len(trace.steps) if impl == "both" else 0)
    assert shown(browser, "counter") == f"0 / {total}"
    click(browser, "step")
    first = shown(browser, "equation")
    assert ("a⁽¹⁾ = sigmoid(W⁽¹⁾·x⁽¹⁾ + b⁽¹⁾)" in first) == (impl == "vectorized")
    assert ("net4 = w41·x1" in first) == (impl == "both")
