"""The lab's site without a browser: what is served and built, from where, with which types;
nothing outside the site's map is ever read."""

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import neurons
from neurons_lab.cli import main
from neurons_lab.lab import pyodide, site
from neurons_lab.lab.errors import LabError


@pytest.fixture
def fake_pyodide(tmp_path):
    folder = tmp_path / "pyodide"
    folder.mkdir()
    for name in pyodide.FILES:
        (folder / name).write_text(f"fake {name}")
    (folder / pyodide.MARKER).write_text(pyodide.INTEGRITY)
    return folder


def test_the_site_is_the_installed_package_and_the_page():
    files = site.site_files()
    package = Path(neurons.__file__).parent
    assert {f"py/neurons/{p.name}" for p in package.glob("*.py")} <= set(files)
    assert files["py/neurons/node.py"] == package / "node.py"
    assert {"index.html", "lab.js", "worker.js", "lab.css", "py/neurons_lab/lab/engine.py",
            "py/neurons_lab/explain/trace.py"} <= set(files)
    assert not any(name.startswith("pyodide/") for name in files)
    assert all(p.is_file() for p in files.values())


def test_build_copies_pyodide_or_names_the_cdn(fake_pyodide, tmp_path):
    out = site.build(tmp_path / "site", fake_pyodide)
    config = json.loads((out / "config.json").read_text())
    assert config["pyodide"] == "pyodide/" and "neurons/network.py" in config["python"]
    assert (out / "pyodide" / "pyodide.asm.wasm").read_text() == "fake pyodide.asm.wasm"
    hosted = site.build(tmp_path / "hosted", None, cdn=True)
    config = json.loads((hosted / "config.json").read_text())
    assert config["pyodide"] == f"https://cdn.jsdelivr.net/pyodide/v{pyodide.VERSION}/full/"
    assert not (hosted / "pyodide").exists()


def test_no_pyodide_is_one_clear_error(tmp_path, capsys):
    with pytest.raises(LabError, match="fetch it first"):
        site.build(tmp_path / "site", tmp_path / "nothing")
    assert main(["lab", "--cdn"]) == 1
    assert capsys.readouterr().err == ("neurons lab: error: --cdn names Pyodide's CDN in a "
                                       "static build: use it with --build DIR\n")


def get(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.status, r.headers["Content-Type"], r.read()


def test_the_server_serves_the_map_only(fake_pyodide):
    server = site.make_server(fake_pyodide)
    site.serve_in_thread(server)
    base = site.url(server)
    try:
        assert base.startswith("http://127.0.0.1:")
        status, kind, body = get(base)
        assert status == 200 and kind.startswith("text/html") and b"lab.js" in body
        assert get(base + "pyodide/pyodide.mjs")[1].startswith("text/javascript")
        assert get(base + "pyodide/pyodide.asm.wasm")[1] == "application/wasm"
        assert get(base + "py/neurons/node.py")[2] == (
            Path(neurons.__file__).parent / "node.py").read_bytes()
        assert json.loads(get(base + "config.json")[2])["pyodide"] == "pyodide/"
        for path in ("pyproject.toml", "py/../../pyproject.toml", "pyodide/.integrity",
                     "py/neurons_lab/cli.py", "%2e%2e/etc/passwd"):
            with pytest.raises(urllib.error.HTTPError) as err:
                get(base + path)
            assert err.value.code == 404
    finally:
        server.shutdown()
        server.server_close()


def test_the_built_site_is_served_as_built(fake_pyodide, tmp_path):
    out = site.build(tmp_path / "site", fake_pyodide)
    server = site.folder_server(out)
    site.serve_in_thread(server)
    try:
        status, kind, _ = get(site.url(server) + "worker.js")
        assert status == 200 and kind.startswith("text/javascript")
    finally:
        server.shutdown()
        server.server_close()


def test_the_command_builds_and_serves(fake_pyodide, tmp_path, capsys):
    import subprocess
    import sys

    assert main(["lab", "--build", str(tmp_path / "out"), "--pyodide-dir", str(fake_pyodide)]) == 0
    assert "lab written to" in capsys.readouterr().out
    assert (tmp_path / "out" / "pyodide" / "python_stdlib.zip").is_file()
    process = subprocess.Popen(
        [sys.executable, "-m", "neurons_lab", "lab", "--no-browser", "--pyodide-dir",
         str(fake_pyodide)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert line.startswith("the lab: http://127.0.0.1:")
        address = line.split()[2]
        assert get(address + "py/neurons/network.py")[0] == 200
    finally:
        process.terminate()
        process.wait(timeout=30)
