"""Pyodide from the npm registry: one pinned version, its integrity checked, unpacked once.

The lab runs ``neurons`` in the browser on Pyodide (CPython compiled to WebAssembly). The npm
package ``pyodide`` carries the interpreter and the standard library, which is all
``neurons`` needs. :func:`fetch` downloads its tarball, checks the registry's sha512
(``dist.integrity``, pinned below), and unpacks the few files the page loads into a cache
folder. Nothing here runs Pyodide; nothing of Pyodide is kept in the repository.
"""

import base64
import hashlib
import io
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from .errors import LabError

VERSION = "314.0.8"
# `npm view pyodide@314.0.8 dist.integrity`: base64 of the tarball's sha512
INTEGRITY = ("sha512-74Wq1kXOC+CCEzAfxuRAO701nAcCMLjf8NrwvWpu8S41dVMXwXmLQ05dYB+F4e46AdnGo0o"
             "q7YHSVUpHsoarLQ==")
REGISTRY = "https://registry.npmjs.org"
# the official CDN of the same release, for a hosted build (`neurons lab --build DIR --cdn`)
CDN = f"https://cdn.jsdelivr.net/pyodide/v{VERSION}/full/"
# what the page loads: the loader, the interpreter, the standard library, the package list
FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip",
         "pyodide-lock.json", "package.json")
MAX_BYTES = 64 * 2**20  # the 314.0.8 tarball is 6.5 MB; anything far larger is not it
MARKER = ".integrity"  # written last: a folder holding it is complete


def tarball_url(registry=REGISTRY, version=VERSION):
    return f"{registry.rstrip('/')}/pyodide/-/pyodide-{version}.tgz"


def default_cache():
    """``$NEURONS_LAB_CACHE`` or ``~/.cache/neurons-lab``, then ``pyodide-VERSION``."""
    base = os.environ.get("NEURONS_LAB_CACHE")
    if not base:
        xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
        base = os.path.join(xdg, "neurons-lab")
    return Path(base) / f"pyodide-{VERSION}"


def is_ready(folder, integrity=INTEGRITY):
    """True when ``folder`` holds every file of a completed fetch of this pinned tarball."""
    folder = Path(folder)
    try:
        marker = (folder / MARKER).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return False
    return marker == integrity and all((folder / name).is_file() for name in FILES)


def sri(data):
    """The npm/SRI form of a sha512 digest: "sha512-" + base64."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def download(url, timeout=60):
    """The tarball's bytes; a short read (fewer bytes than Content-Length) is an error."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            declared = response.headers.get("Content-Length")
            data = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise LabError(f"cannot download {url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise LabError(f"cannot download {url}: {reason}") from None
    except Exception as exc:  # http.client.IncompleteRead and kin: the server stopped early
        raise LabError(f"download of {url} was cut short ({type(exc).__name__})") from None
    if len(data) > MAX_BYTES:
        raise LabError(f"{url} is larger than {MAX_BYTES} bytes; not the pyodide tarball")
    if declared is not None and declared.isdigit() and int(declared) != len(data):
        raise LabError(f"download of {url} was cut short: {len(data)} of {declared} bytes")
    return data


def unpack(data, folder, integrity=INTEGRITY):
    """Check ``data`` against ``integrity`` and unpack :data:`FILES` into ``folder``.

    The files go to a temporary sibling first and are moved into place together, so an
    interrupted unpack never leaves a folder that :func:`is_ready` accepts.
    """
    got = sri(data)
    if got != integrity:
        raise LabError(f"the pyodide tarball fails its integrity check: expected {integrity}, "
                       f"got {got} ({len(data)} bytes); nothing was unpacked")
    folder = Path(folder)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=folder.parent))
    except OSError as exc:
        raise LabError(f"cannot write the pyodide cache {folder}: {exc.strerror or exc}") from None
    try:
        _extract(data, tmp)
        (tmp / MARKER).write_text(integrity + "\n", encoding="ascii")
        if folder.exists():
            shutil.rmtree(folder)
        tmp.rename(folder)
    except OSError as exc:
        raise LabError(f"cannot write the pyodide cache {folder}: {exc.strerror or exc}") from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return folder


def _extract(data, folder):
    """Copy only the named regular files out of the tarball (never a path it chooses)."""
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            for name in FILES:
                try:
                    member = tar.getmember(f"package/{name}")
                except KeyError:
                    raise LabError(f"the pyodide tarball has no {name}") from None
                if not member.isfile():
                    raise LabError(f"the pyodide tarball's {name} is not a regular file")
                with tar.extractfile(member) as src, open(folder / name, "wb") as dst:
                    shutil.copyfileobj(src, dst)
    except (tarfile.TarError, EOFError, OSError) as exc:
        if isinstance(exc, OSError) and exc.errno is not None:
            raise
        raise LabError(f"the pyodide tarball cannot be unpacked ({exc})") from None


def fetch(folder=None, registry=REGISTRY, *, integrity=INTEGRITY, force=False, log=None):
    """Make ``folder`` (default :func:`default_cache`) hold the pinned Pyodide; return it.

    Downloads only when the folder is not already complete (or ``force``).
    """
    folder = Path(folder) if folder is not None else default_cache()
    if not force and is_ready(folder, integrity):
        return folder
    url = tarball_url(registry)
    if log:
        log(f"fetching {url}")
    data = download(url)
    unpack(data, folder, integrity)
    if log:
        size = sum((folder / name).stat().st_size for name in FILES)
        log(f"pyodide {VERSION}: {len(data) / 1e6:.1f} MB fetched, integrity checked, "
            f"{size / 1e6:.1f} MB unpacked into {folder}")
    return folder
