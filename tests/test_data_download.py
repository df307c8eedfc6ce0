"""download_mnist against a local HTTP server: mirrors, checksums, caching, atomic writes."""

import functools
import gzip
import hashlib
import http.server
import os
import socket
import stat
import struct
import sys
import threading
import time

import numpy as np
import pytest

from neurons_lab.training.download import (
    DEFAULT_TIMEOUT,
    MIRRORS,
    MNIST_MD5,
    DownloadError,
    default_cache_dir,
    download_file,
    download_mnist,
)
from neurons_lab.training.mnist import load_mnist

# Small synthetic MNIST: 6 training and 4 test images of 28×28, gzipped as the official files.
_rng = np.random.default_rng(0)
TRAIN_IMAGES = _rng.integers(0, 256, (6, 28, 28), dtype=np.uint8)
TRAIN_LABELS = np.array([0, 1, 2, 3, 4, 5], np.uint8)
TEST_IMAGES = _rng.integers(0, 256, (4, 28, 28), dtype=np.uint8)
TEST_LABELS = np.array([9, 8, 7, 6], np.uint8)


def _images(images):
    return gzip.compress(struct.pack(">IIII", 2051, *images.shape) + images.tobytes(), mtime=0)


def _labels(labels):
    return gzip.compress(struct.pack(">II", 2049, len(labels)) + labels.tobytes(), mtime=0)


FILES = {
    "train-images-idx3-ubyte.gz": _images(TRAIN_IMAGES),
    "train-labels-idx1-ubyte.gz": _labels(TRAIN_LABELS),
    "t10k-images-idx3-ubyte.gz": _images(TEST_IMAGES),
    "t10k-labels-idx1-ubyte.gz": _labels(TEST_LABELS),
}
CHECKSUMS = {name: hashlib.md5(content).hexdigest() for name, content in FILES.items()}


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the folder; /error/… answers 500, /truncated/… breaks off mid-body,
    /slow/… waits before answering. Every request path is recorded."""

    def __init__(self, *args, requests, **kwargs):
        self.requests = requests
        super().__init__(*args, **kwargs)

    def do_GET(self):
        self.requests.append(self.path)
        if self.path.startswith("/error/"):
            self.send_error(500, "Internal Server Error")
        elif self.path.startswith("/truncated/"):
            body = FILES[self.path.rsplit("/", 1)[1]]
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
        elif self.path.startswith("/slow/"):
            time.sleep(1.0)
            self.send_error(404)
        elif self.path.startswith("/stall/"):  # headers, then silence
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.flush()
            time.sleep(DEFAULT_TIMEOUT + 3)
        else:
            super().do_GET()

    def log_message(self, *args):  # keep the test output quiet
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client hanging up is fine
            super().handle_error(request, client_address)


@pytest.fixture
def server(tmp_path):
    """A local HTTP server; yields (base URL, list of requested paths)."""
    root = tmp_path / "www"
    (root / "good").mkdir(parents=True)
    (root / "corrupt").mkdir()
    (root / "empty").mkdir()
    for name, content in FILES.items():
        (root / "good" / name).write_bytes(content)
        (root / "corrupt" / name).write_bytes(content[:-1] + bytes([content[-1] ^ 1]))
    requests = []
    handler = functools.partial(_Handler, directory=str(root), requests=requests)
    httpd = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", requests
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def dead_url():
    """A URL on a port nobody listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/mnist/"


def files_in(folder):
    """The folder's files, without the lock file a download holds (training/runfolder.py)."""
    return sorted(p.name for p in folder.iterdir() if p.name != ".lock")


def _download(cache, mirrors, **kwargs):
    kwargs.setdefault("checksums", CHECKSUMS)
    return download_mnist(cache, mirrors=mirrors, timeout=5, progress=False, **kwargs)


def test_good_files_download_and_load(server, tmp_path):
    url, requests = server
    cache = tmp_path / "cache" / "mnist"  # created on demand
    assert _download(cache, [url + "/good/"]) == cache
    assert files_in(cache) == sorted(FILES)
    data = load_mnist(cache)
    np.testing.assert_array_equal(data.train_images, TRAIN_IMAGES.reshape(6, 784))
    np.testing.assert_array_equal(data.test_labels, TEST_LABELS)
    assert len(requests) == 4


def test_cached_files_are_reused_without_a_request(server, tmp_path):
    url, requests = server
    cache = tmp_path / "cache"
    _download(cache, [url + "/good"])  # a base URL without the trailing slash works too
    assert len(requests) == 4
    _download(cache, [url + "/good/"])
    assert len(requests) == 4


def test_a_cached_file_with_a_wrong_checksum_is_replaced(server, tmp_path):
    url, requests = server
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "t10k-labels-idx1-ubyte.gz").write_bytes(b"stale")
    _download(cache, [url + "/good/"])
    assert (cache / "t10k-labels-idx1-ubyte.gz").read_bytes() == FILES["t10k-labels-idx1-ubyte.gz"]
    assert len(requests) == 4


def test_corrupt_download_is_a_clear_error_and_nothing_is_cached(server, tmp_path):
    url, _ = server
    cache = tmp_path / "cache"
    with pytest.raises(DownloadError) as error:
        _download(cache, [url + "/corrupt/", url + "/truncated/"])
    message = str(error.value)
    name = "train-images-idx3-ubyte.gz"
    assert f"could not download {name} from any mirror" in message
    assert f"{url}/corrupt/{name}: checksum mismatch" in message
    assert f"expected {CHECKSUMS[name]}" in message
    assert f"{url}/truncated/{name}: the connection closed after" in message
    assert files_in(cache) == []  # no file, no stray temporary file


def test_dead_mirrors_fall_over_to_the_next(server, dead_url, tmp_path):
    url, requests = server
    cache = tmp_path / "cache"
    mirrors = [dead_url, url + "/empty/", url + "/error/", url + "/good/"]
    _download(cache, mirrors)
    assert files_in(cache) == sorted(FILES)
    assert sum(path.startswith("/good/") for path in requests) == 4
    assert sum(path.startswith("/error/") for path in requests) == 4


def test_every_mirror_failing_lists_each_reason(server, dead_url, tmp_path):
    url, _ = server
    cache = tmp_path / "cache"
    name = "t10k-labels-idx1-ubyte.gz"
    with pytest.raises(DownloadError) as error:
        download_file(
            name,
            CHECKSUMS[name],
            cache,
            mirrors=[dead_url, url + "/empty/", url + "/error/", url + "/slow/"],
            timeout=0.3,
            progress=False,
        )
    lines = str(error.value).splitlines()
    assert len(lines) == 1  # one line on stderr
    assert lines[0].startswith(f"could not download {name} from any mirror: {dead_url}{name}: ")
    assert f"{url}/empty/{name}: HTTP 404 File not found" in lines[0]
    assert f"{url}/error/{name}: HTTP 500 Internal Server Error" in lines[0]
    assert f"{url}/slow/{name}: timed out (no data for 0.3 s)" in lines[0]
    assert "refused" in lines[0]
    assert files_in(cache) == []


def test_progress_bar_can_be_shown(server, tmp_path, capsys):
    url, _ = server
    name = "train-labels-idx1-ubyte.gz"
    path = download_file(name, CHECKSUMS[name], tmp_path, mirrors=[url + "/good/"], timeout=5,
                         progress=True)
    assert path.read_bytes() == FILES[name]
    assert name in capsys.readouterr().err


def test_defaults_are_the_official_files():
    assert set(MNIST_MD5) == set(FILES)
    assert MNIST_MD5["train-images-idx3-ubyte.gz"] == "f68b3c2dcbeaaa9fbdd348bbdeb94873"
    assert MNIST_MD5["train-labels-idx1-ubyte.gz"] == "d53e105ee54ea40749a09fcbcd1e9432"
    assert MNIST_MD5["t10k-images-idx3-ubyte.gz"] == "9fb629c4189551a2d022fa330f9573f3"
    assert MNIST_MD5["t10k-labels-idx1-ubyte.gz"] == "ec29112dd5afa0611ce80d1b7f02629c"
    assert len(MIRRORS) >= 2 and all(m.startswith("https://") for m in MIRRORS)


def test_default_cache_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / ".cache" / "neurons" / "mnist"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "neurons" / "mnist"


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), True])
def test_timeout_is_checked(tmp_path, timeout):
    with pytest.raises((ValueError, TypeError), match="timeout"):
        download_file("x", "0" * 32, tmp_path, mirrors=[], timeout=timeout)


def test_an_interrupted_download_leaves_no_file(server, tmp_path, monkeypatch):
    url, _ = server

    class InterruptingBar:
        def __init__(self, *args, **kwargs):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def update(self, n):
            raise KeyboardInterrupt  # as if the user pressed Ctrl-C mid-download

    monkeypatch.setattr("neurons_lab.training.download.tqdm", InterruptingBar)
    with pytest.raises(KeyboardInterrupt):
        _download(tmp_path / "cache", [url + "/good/"])
    assert files_in(tmp_path / "cache") == []


def test_a_stalled_mirror_is_abandoned_within_seconds_with_a_message(server, tmp_path):
    """With the default timeout: the mirror sends headers, then nothing."""
    url, _ = server
    heard = []
    start = time.monotonic()
    directory = download_mnist(tmp_path / "cache", mirrors=[url + "/stall/", url + "/good/"],
                               checksums=dict(list(CHECKSUMS.items())[:1]), progress=False,
                               report=heard.append)
    waited = time.monotonic() - start
    assert DEFAULT_TIMEOUT <= 5 and waited < DEFAULT_TIMEOUT + 2
    assert files_in(directory) == [next(iter(CHECKSUMS))]
    assert len(heard) == 1 and "/stall/" in heard[0]
    assert f"timed out (no data for {DEFAULT_TIMEOUT:g} s); trying the next mirror" in heard[0]


def test_the_temporary_file_of_a_killed_download_is_removed_by_the_next(server, tmp_path):
    url, _ = server
    cache = tmp_path / "cache"
    cache.mkdir()
    stale = cache / ".train-images-idx3-ubyte.gz.4242.0badc0de.tmp"
    stale.write_bytes(b"the first half of a download")
    _download(cache, [url + "/good/"])
    assert not stale.exists()
    assert files_in(cache) == sorted(FILES)


def test_downloaded_files_get_normal_permissions(server, tmp_path):
    url, _ = server
    old = os.umask(0o022)
    try:
        _download(tmp_path / "cache", [url + "/good/"])
    finally:
        os.umask(old)
    modes = {stat.S_IMODE((tmp_path / "cache" / name).stat().st_mode) for name in FILES}
    assert modes == {0o644}


def test_a_cached_name_that_is_not_a_regular_file_is_refused_not_read(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "t10k-labels-idx1-ubyte.gz").symlink_to("/dev/zero")  # read, it would never end
    with pytest.raises(DownloadError, match="cached file .* not a regular file"):
        download_file("t10k-labels-idx1-ubyte.gz", "0" * 32, cache, mirrors=[])
