"""The lab's site: the page, the package's own ``.py`` files, and Pyodide — served on
127.0.0.1 or written to a folder.

:func:`site_files` maps every URL path of the site to a file: ``index.html`` and its scripts
(this package's ``static/``), ``py/…`` (the installed ``neurons`` and the standard-library-only
modules of ``neurons_lab`` the page imports inside Pyodide) and ``pyodide/…`` (the fetched
copy). ``config.json`` tells the page where Pyodide is and which ``.py`` files to load. The
server and the static build use the same map, so what is tested is what is served.
"""

import io
import json
import shutil
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import neurons
import neurons_lab

from . import pyodide
from .errors import LabError

STATIC = Path(__file__).parent / "static"
# the modules the page imports, relative to the site-packages folder; neurons and explain whole
# (explain's modules that need NumPy are shipped but never imported in the page)
LAB_MODULES = ("__init__.py", "datasets.py", "engine.py", "export.py", "sources.py")
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".mjs": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".json": "application/json", ".py": "text/plain; charset=utf-8",
         ".wasm": "application/wasm", ".zip": "application/zip", ".png": "image/png"}


def python_files():
    """{"neurons/node.py": Path, …}: the files Pyodide writes into its file system."""
    roots = {"neurons": Path(neurons.__file__).parent,
             "neurons_lab": Path(neurons_lab.__file__).parent}
    files = {f"neurons/{p.name}": p for p in sorted(roots["neurons"].glob("*.py"))}
    files["neurons_lab/__init__.py"] = roots["neurons_lab"] / "__init__.py"
    for p in sorted((roots["neurons_lab"] / "explain").glob("*.py")):
        files[f"neurons_lab/explain/{p.name}"] = p
    for name in LAB_MODULES:
        files[f"neurons_lab/lab/{name}"] = roots["neurons_lab"] / "lab" / name
    return files


def site_files(pyodide_dir=None):
    """{URL path: file} of the whole site; ``pyodide_dir`` None leaves Pyodide out (CDN)."""
    files = {p.name: p for p in sorted(STATIC.iterdir()) if p.is_file()}
    files.update({f"py/{name}": p for name, p in python_files().items()})
    if pyodide_dir is not None:
        files.update({f"pyodide/{name}": Path(pyodide_dir) / name for name in pyodide.FILES})
    return files


def config(cdn=False):
    """config.json: where the page finds Pyodide, and the .py files to load."""
    return {"pyodide": pyodide.CDN if cdn else "pyodide/", "pyodide_version": pyodide.VERSION,
            "python": sorted(python_files())}


def ready_pyodide(pyodide_dir):
    if not pyodide.is_ready(pyodide_dir):
        raise LabError(f"no Pyodide {pyodide.VERSION} in {pyodide_dir}: fetch it first "
                       "(neurons lab --fetch-pyodide, or make lab)")
    return Path(pyodide_dir)


def build(folder, pyodide_dir=None, cdn=False):
    """Write the static site into ``folder`` (Pyodide copied in, or named by its CDN URL)."""
    folder = Path(folder)
    files = site_files(None if cdn else ready_pyodide(pyodide_dir))
    try:
        for name, src in files.items():
            dst = folder / name
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
        (folder / "config.json").write_text(json.dumps(config(cdn), indent=1) + "\n",
                                            encoding="utf-8")
    except OSError as exc:
        raise LabError(f"cannot write the lab into {folder}: {exc.strerror or exc}") from None
    return folder


class _Handler(SimpleHTTPRequestHandler):
    """GET/HEAD of the site's map only; nothing outside it is ever read."""

    def __init__(self, *args, files, extra, **kwargs):
        self.files, self.extra = files, extra
        super().__init__(*args, **kwargs)

    def send_head(self):
        path = self.path.split("?", 1)[0].split("#", 1)[0].lstrip("/") or "index.html"
        if path in self.extra:
            body = self.extra[path]
        elif path in self.files:
            try:
                body = self.files[path].read_bytes()
            except OSError:
                body = None
        else:
            body = None
        if body is None:
            self.send_error(404, "not part of the lab")
            return None
        self.send_response(200)
        self.send_header("Content-Type", TYPES.get(Path(path).suffix, "application/octet-stream"))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, format, *args):  # quiet: the command prints the address once
        pass


def make_server(pyodide_dir, port=0, cdn=False):
    """An HTTP server of the lab on 127.0.0.1 (``port`` 0: a free one), not yet serving."""
    files = site_files(None if cdn else ready_pyodide(pyodide_dir))
    extra = {"config.json": json.dumps(config(cdn)).encode("utf-8")}
    try:
        return ThreadingHTTPServer(("127.0.0.1", port),
                                   partial(_Handler, files=files, extra=extra))
    except OSError as exc:
        raise LabError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}") from None


def folder_server(folder, port=0):
    """An HTTP server of a built site (``build``'s folder) on 127.0.0.1, with the lab's types."""
    folder = Path(folder)
    files = {p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()}
    return ThreadingHTTPServer(("127.0.0.1", port), partial(_Handler, files=files, extra={}))


def serve_in_thread(server):
    """Serve ``server`` from a daemon thread (tests); returns the thread."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


def url(server):
    return f"http://127.0.0.1:{server.server_address[1]}/"
