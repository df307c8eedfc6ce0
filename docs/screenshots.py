"""Make the README's screenshots with headless Chromium (selenium; Debian's chromium and
chromedriver): a notebook cell's drawing of a network (what `import neurons_lab` shows in
Jupyter) and the CNN walkthrough's page. Run from the repository root:
``python docs/screenshots.py``; writes docs/notebook-drawing.png and docs/cnn-page.png."""

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

import neurons  # noqa: E402
from neurons_lab.explain import article_example  # noqa: E402
from neurons_lab.explain.cnn_page import cnn_page_html  # noqa: E402
from neurons_lab.explain.display import html_of  # noqa: E402

DOCS = Path(__file__).resolve().parent


def notebook_like():
    """A page shaped like a notebook: the code cell and the drawing it displays."""
    ex = article_example()
    net = ex.build("neurons")
    net.train_one_sample(ex.label, ex.sample, ex.rate)
    cnn = neurons.Network(["1x6x6", "conv2x3", "pool2", 3], seed=0)
    cnn.train_one_sample([0.9, 0.1, 0.1], [((r * 7 + c * 3) % 5) / 4 for r in range(6)
                                           for c in range(6)], 0.5)
    cell = ("<pre style='background:#f5f5f5;padding:.5em;border-left:3px solid #1976d2'>"
            "{}</pre><div style='margin:0 0 1.5em 1em'>{}</div>")
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'></head>"
            "<body style='font-family:sans-serif;width:900px'>"
            + cell.format("import neurons_lab\nnet = article_example().build('neurons')\n"
                          "net.train_one_sample(t, x, 0.5)\nnet", html_of(net))
            + cell.format("net.layers[1].nodes[0]", html_of(net.layers[1].nodes[0]))
            + cell.format("cnn  # neurons.Network(['1x6x6', 'conv2x3', 'pool2', 3])",
                          html_of(cnn))
            + "</body></html>")


def main():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1000,1400",
                 f"--user-data-dir={tempfile.mkdtemp()}"):
        options.add_argument(flag)
    os.environ["SE_OFFLINE"] = "true"
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            page = Path(tmp) / "notebook.html"
            page.write_text(notebook_like(), encoding="utf-8")
            driver.get(page.as_uri())
            driver.find_element(By.TAG_NAME, "body").screenshot(str(DOCS / "notebook-drawing.png"))
            page = Path(tmp) / "cnn.html"
            page.write_text(cnn_page_html("neurons", "en"), encoding="utf-8")
            driver.get(page.as_uri())
            body = driver.find_element(By.TAG_NAME, "body")
            body.send_keys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)  # to the pool's routing of δ
            body.screenshot(str(DOCS / "cnn-page.png"))
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
