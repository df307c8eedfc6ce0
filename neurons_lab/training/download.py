"""Download the official MNIST files into a cache folder, each verified by its md5, and the
data options of every command that reads MNIST (train, evaluate, vote, knn, demo):
``--data-dir DIR`` or ``--download`` into ``--cache-dir``.

MNIST is the work of Yann LeCun, Corinna Cortes and Christopher J. C. Burges
(http://yann.lecun.com/exdb/mnist/), under CC BY-SA 3.0; it is not part of this project.

    directory = download_mnist()          # ~/.cache/neurons/mnist by default
    data = load_mnist(directory)          # training/mnist.py

Mirrors are tried in turn for each file; one is abandoned (``report`` hears why) when it
sends nothing for ``timeout`` seconds, has not sent the whole file after ``deadline``
seconds (a trickle), or sends more than the file's known size (an endless body). A file is
kept only once its md5 matches, written atomically; the download holds the cache folder's
lock (training/runfolder.py) and removes the temporary files a killed download left there.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import socket
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tqdm import tqdm

from neurons_lab.training import validate
from neurons_lab.training.errors import DataError, UsageError
from neurons_lab.training.files import atomic_write, read_bytes, remove_temporaries
from neurons_lab.training.runfolder import RunLock

# Public mirrors of the original files (yann.lecun.com no longer serves them reliably).
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)

# The official files: md5 checksums and sizes in bytes.
MNIST_MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
MNIST_SIZES = dict(zip(MNIST_MD5, (9_912_422, 28_881, 1_648_877, 4_542)))

DEFAULT_TIMEOUT = 5.0  # seconds without data before a mirror counts as failed
DEFAULT_DEADLINE = 300.0  # seconds for a whole file from one mirror
MAX_UNKNOWN_SIZE = 64 << 20  # bytes accepted for a file whose size is not known
_CHUNK = 1 << 16


class DownloadError(DataError):
    """No mirror delivered a file with the expected checksum."""


class _MirrorError(Exception):
    """The mirror sent less or more than the file, too slowly, or other bytes."""


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/neurons/mnist``, or ``~/.cache/neurons/mnist`` if that is unset."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "neurons" / "mnist"


def _fetch(url: str, name: str, size: int | None, timeout: float, deadline: float,
           progress: bool | None) -> bytearray:
    """The body at ``url``: never more than ``size`` bytes (or MAX_UNKNOWN_SIZE), nor for
    longer than ``deadline`` seconds."""
    body = bytearray()
    ends = time.monotonic() + deadline
    with urllib.request.urlopen(url, timeout=timeout) as response:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        cap = size if size is not None else min(total or MAX_UNKNOWN_SIZE, MAX_UNKNOWN_SIZE)
        if size is not None and total not in (None, size):
            raise _MirrorError(f"it announced {total:,} bytes, the file has {size:,}")
        with tqdm(total=total, desc=name, unit="B", unit_scale=True, leave=False,
                  disable=None if progress is None else not progress) as bar:  # None: a tty
            while chunk := response.read1(_CHUNK):  # what has arrived: a trickle is seen
                body += chunk
                if len(body) > cap:
                    raise _MirrorError(f"it sent more than the {cap:,} bytes of the file")
                if time.monotonic() > ends:
                    raise _MirrorError(f"{len(body):,} of {cap:,} bytes after {deadline:g} s: "
                                       "too slow")
                bar.update(len(chunk))
    if total is not None and len(body) != total:
        raise _MirrorError(f"the connection closed after {len(body):,} of the {total:,} bytes "
                           "announced")
    return body


def _describe(error: BaseException, timeout: float) -> str:
    """One line saying why a mirror failed."""
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}"
    error = getattr(error, "reason", error)  # a URLError's cause, or a text
    if isinstance(error, (socket.timeout, TimeoutError)):
        return f"timed out (no data for {timeout:g} s)"
    if isinstance(error, http.client.IncompleteRead):
        return f"the connection closed after {len(error.partial):,} bytes"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror  # e.g. "Connection refused"
    text = error if isinstance(error, (str, _MirrorError)) else f"{type(error).__name__}: {error}"
    return " ".join(str(text).split())  # one line


def download_file(name: str, md5: str, directory, *, mirrors=MIRRORS,
                  timeout: float = DEFAULT_TIMEOUT, progress: bool | None = None, report=None,
                  size: int | None = None, deadline: float = DEFAULT_DEADLINE) -> Path:
    """``directory/name`` with the given md5: kept if it is there, else downloaded from the
    first mirror (``base + name``) that delivers it. Returns the file's path; raises
    DownloadError listing every mirror and why it failed, and writes nothing, if none does.
    Call it holding the folder's lock (download_mnist does)."""
    timeout = validate.real(timeout, "timeout", low=0, low_open=True)
    deadline = validate.real(deadline, "deadline", low=0, low_open=True)
    md5, target = md5.lower(), Path(directory) / name
    if size is None and MNIST_MD5.get(name) == md5:  # the official file
        size = MNIST_SIZES[name]
    failures = []
    if os.path.lexists(target):  # a regular file of at most MAX_UNKNOWN_SIZE, or refused
        held = hashlib.md5(read_bytes(target, MAX_UNKNOWN_SIZE, DownloadError, "cached file"))
        if held.hexdigest() == md5:
            return target
        failures.append(f"(the cached {target} has md5 {held.hexdigest()}, expected {md5})")
    target.parent.mkdir(parents=True, exist_ok=True)
    mirrors = list(mirrors)
    for base in mirrors:
        url = base.rstrip("/") + "/" + name
        try:
            body = _fetch(url, name, size, timeout, deadline, progress)
            received = hashlib.md5(body).hexdigest()
            if received != md5:
                raise _MirrorError(f"checksum mismatch, md5 {received}, expected {md5}")
        except (OSError, http.client.HTTPException, ValueError, _MirrorError) as error:
            # URLError, HTTPError, timeouts, resets are OSErrors; ValueError: a bad URL
            failures.append(f"{url}: {_describe(error, timeout)}")
            if report:
                report(failures[-1] + ("; trying the next mirror" if base != mirrors[-1] else ""))
            continue
        return atomic_write(target, body)  # OSError: download_mnist's one line
    if not mirrors:
        failures.append("no mirrors were given")
    raise DownloadError(f"could not download {name} from any mirror: " + "; ".join(failures))


def download_mnist(directory=None, *, mirrors=MIRRORS, checksums=MNIST_MD5,
                   timeout: float = DEFAULT_TIMEOUT, progress: bool | None = None, report=None,
                   deadline: float = DEFAULT_DEADLINE) -> Path:
    """The MNIST files (``checksums``: file name → md5) in ``directory`` (by default
    :func:`default_cache_dir`), each downloaded by :func:`download_file` unless it is there
    already. ``progress`` None shows bars only on a terminal. Returns the directory, ready
    for ``load_mnist``; DownloadError (one line) if a file cannot be had."""
    directory = default_cache_dir() if directory is None else Path(directory)
    mirrors = tuple(mirrors)
    try:
        with RunLock(directory, what="download"):
            remove_temporaries(directory)  # the temporary files of a killed download
            for name, md5 in checksums.items():
                download_file(name, md5, directory, mirrors=mirrors, timeout=timeout,
                              progress=progress, report=report, deadline=deadline)
    except OSError as error:  # an unwritable cache, a full disk: one line
        raise DownloadError(f"cannot use the download cache {directory}: "
                            f"{error.strerror or error}") from None
    return directory


def add_data_options(parser, *, note=""):
    """--data-dir and --download (one or the other), and --cache-dir, in one group; ``note``
    ends the group's description (what this command does with the data)."""
    group = parser.add_argument_group(
        "MNIST data", "a folder with the four idx files (.gz or raw), or the official files "
                      "downloaded once into the cache (MNIST by LeCun, Cortes and Burges, "
                      "CC BY-SA 3.0)." + (" " + note if note else ""))
    source = group.add_mutually_exclusive_group()
    source.add_argument("--data-dir", metavar="DIR",
                        help="folder with train-images-idx3-ubyte, train-labels-idx1-ubyte, "
                             "t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (.gz or raw)")
    source.add_argument("--download", action="store_true",
                        help="download the official MNIST files into --cache-dir (md5 checked; "
                             "files already there are not downloaded again)")
    group.add_argument("--cache-dir", metavar="DIR",
                       help="the download cache (default $XDG_CACHE_HOME/neurons/mnist, else "
                            "~/.cache/neurons/mnist)")


def mnist_directory(args, command, *, progress=None):
    """The folder to read MNIST from: --data-dir, or --download's cache (filled first);
    ``command`` names the subcommand in messages."""
    data_dir, cache_dir = getattr(args, "data_dir", None), getattr(args, "cache_dir", None)
    for flag, value in (("--data-dir", data_dir), ("--cache-dir", cache_dir)):
        if value is not None:
            validate.text(value, f"{flag}: the path")
    if getattr(args, "download", False):  # an unusable cache is download_mnist's one line
        return download_mnist(cache_dir or default_cache_dir(), progress=progress,
                              report=lambda text: print(f"neurons {command}: {text}",
                                                        file=sys.stderr))
    if cache_dir is not None:
        raise UsageError("--cache-dir is where --download keeps the files: give --download too, "
                         "or read a folder with --data-dir")
    if data_dir is None:
        raise UsageError(f"{command} needs --data-dir DIR (a folder with the four MNIST idx "
                         f"files) or --download (into {default_cache_dir()})")
    return Path(data_dir)  # load_mnist says if it is not a folder


def cached_mnist(cache_dir=None):
    """The cache folder if an earlier --download left files in it, else None (nothing read)."""
    directory = Path(cache_dir) if cache_dir else default_cache_dir()
    return directory if directory.is_dir() and any(directory.glob("*-ubyte*")) else None
