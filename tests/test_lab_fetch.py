"""The lab's Pyodide fetch, against a registry on 127.0.0.1 that the test starts itself: a
fake tarball unpacks, a wrong sha512 and a cut-short download are refused, nothing half-done
is left behind."""

import io
import tarfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from neurons_lab.cli import main
from neurons_lab.lab import pyodide
from neurons_lab.lab.errors import LabError


def fake_tarball(files=pyodide.FILES, extra=()):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name in list(files) + list(extra):
            data = f"fake {name}\n".encode()
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


class Registry:
    """Serves ``body`` at the tarball's path; ``cut`` bytes short if asked; counts requests."""

    def __init__(self, body, cut=0):
        self.body, self.cut, self.requests = body, cut, 0
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                registry.requests += 1
                if self.path != f"/pyodide/-/pyodide-{pyodide.VERSION}.tgz":
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(registry.body)))
                self.end_headers()
                self.wfile.write(registry.body[:len(registry.body) - registry.cut])

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def serve():
    started = []

    def start(body, cut=0):
        started.append(Registry(body, cut))
        return started[-1]
    yield start
    for registry in started:
        registry.close()


def test_fetch_unpacks_the_named_files_once(serve, tmp_path):
    body = fake_tarball(extra=["console.html"])
    registry = serve(body)
    folder = tmp_path / "pyodide"
    got = pyodide.fetch(folder, registry.url, integrity=pyodide.sri(body))
    assert got == folder and pyodide.is_ready(folder, pyodide.sri(body))
    assert sorted(p.name for p in folder.iterdir()) == sorted(pyodide.FILES + (".integrity",))
    assert (folder / "pyodide.mjs").read_text() == "fake pyodide.mjs\n"
    pyodide.fetch(folder, registry.url, integrity=pyodide.sri(body))  # already there
    assert registry.requests == 1
    assert not pyodide.is_ready(folder)  # the real pin differs from the fake's


def test_integrity_mismatch_is_refused(serve, tmp_path):
    registry = serve(fake_tarball())
    folder = tmp_path / "pyodide"
    with pytest.raises(LabError, match="integrity check"):
        pyodide.fetch(folder, registry.url)  # the pinned sha512 of the real tarball
    assert not folder.exists() and list(tmp_path.iterdir()) == []


def test_truncated_download_is_refused(serve, tmp_path):
    body = fake_tarball()
    registry = serve(body, cut=100)
    with pytest.raises(LabError, match="cut short"):
        pyodide.fetch(tmp_path / "p", registry.url, integrity=pyodide.sri(body))
    assert list(tmp_path.iterdir()) == []


def test_a_tarball_without_a_needed_file_is_refused(serve, tmp_path):
    body = fake_tarball(files=pyodide.FILES[:-1])
    registry = serve(body)
    with pytest.raises(LabError, match="has no package.json"):
        pyodide.fetch(tmp_path / "p", registry.url, integrity=pyodide.sri(body))
    assert list(tmp_path.iterdir()) == []


def test_a_missing_tarball_is_one_clear_error(serve, tmp_path):
    registry = serve(b"")
    with pytest.raises(LabError, match="HTTP 404"):
        pyodide.fetch(tmp_path / "p", registry.url + "/elsewhere")


def test_the_cache_folder_and_its_override(monkeypatch, tmp_path):
    monkeypatch.setenv("NEURONS_LAB_CACHE", str(tmp_path))
    assert pyodide.default_cache() == tmp_path / f"pyodide-{pyodide.VERSION}"
    monkeypatch.delenv("NEURONS_LAB_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert pyodide.default_cache() == tmp_path / "xdg" / "neurons-lab" / (
        f"pyodide-{pyodide.VERSION}")


def test_the_command_reports_a_bad_tarball_in_one_line(serve, tmp_path, capsys):
    registry = serve(fake_tarball())
    code = main(["lab", "--fetch-pyodide", "--registry", registry.url,
                 "--pyodide-dir", str(tmp_path / "p")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert err[-1].startswith("neurons lab: error: the pyodide tarball fails its integrity")
    assert len(err) == 2  # "fetching …", then the error
