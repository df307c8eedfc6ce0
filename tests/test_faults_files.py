"""Fault injection, files: one test per cause of loss or unbounded reading (issue "Nothing
lost, nothing unbounded"). Hostile files are made by the tests; memory is measured in a child
process (peak RSS), never timed."""

import errno
import gzip
import hashlib
import io
import json
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest

import neurons
from neurons_lab.training import validate
from neurons_lab.training.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from neurons_lab.training.mnist import DataError, read_images
from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parents[1]
BITS = ["train", "--dataset", "bits", "--layers", "8,3,8", "--rate", "1", "--no-progress"]
MB = 1 << 20


def one_line(code, err, words, status=1):
    lines = err.strip().splitlines()
    assert code == status and len(lines) == 1 and "Traceback" not in err, err
    assert words in lines[0], lines[0]


def deflate_bomb(head, mebibytes):
    """(raw deflate data, crc32, size) of ``head`` then ``mebibytes`` MiB of zeros, ~1 KB per
    MiB: each MiB is compressed once after a full flush (which resets the history), so its
    compressed bytes repeat."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = deflate.compress(head) + deflate.flush(zlib.Z_FULL_FLUSH)
    block = deflate.compress(bytes(MB)) + deflate.flush(zlib.Z_FULL_FLUSH)
    crc = zlib.crc32(head)
    for _ in range(mebibytes):
        crc = zlib.crc32(bytes(MB), crc)
    return start + block * mebibytes + deflate.flush(), crc, len(head) + mebibytes * MB


def gzip_bomb(head, mebibytes):
    data, crc, size = deflate_bomb(head, mebibytes)
    return (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + data
            + struct.pack("<II", crc, size & 0xFFFFFFFF))


def zip_bomb(name, head, mebibytes):
    """A one-member zip archive (deflated) of ``head`` then ``mebibytes`` MiB of zeros."""
    data, crc, size = deflate_bomb(head, mebibytes)
    name = name.encode()
    fields = (crc, len(data), size, len(name))
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, *fields, 0) + name
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, *fields,
                          0, 0, 0, 0, 0, 0) + name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central),
                      len(local) + len(data), 0)
    return local + data + central + end


def npy_header(shape):
    out = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        out, {"descr": "<f8", "fortran_order": False, "shape": shape})
    return out.getvalue()


def child_peak_rss(code, *args):
    """Run ``code`` in a fresh Python; (its exit status, stderr, its peak RSS in bytes)."""
    script = ("import resource, sys\nstatus = 0\n" + code + "\nprint(resource.getrusage("
              "resource.RUSAGE_SELF).ru_maxrss * 1024, file=sys.stderr)\nsys.exit(status)")
    done = subprocess.run([sys.executable, "-c", script, *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    *lines, peak = done.stderr.strip().splitlines()
    return done.returncode, "\n".join(lines), int(peak)


def baseline_rss():
    return child_peak_rss("import numpy, neurons_lab.training.checkpoint")[2]


# --- the lock and the run folder --------------------------------------------------------------

@pytest.mark.parametrize("kind", ["symlink", "foreign file", "fifo"])
def test_the_lock_opens_only_its_own_file(tmp_path, capsys, kind):
    ck, precious = tmp_path / "ck", tmp_path / "precious.txt"
    ck.mkdir()
    precious.write_bytes(b"x" * 450)
    if kind == "symlink":
        (ck / ".lock").symlink_to(precious)
    elif kind == "foreign file":
        (ck / ".lock").write_bytes(b"y" * 450)
    else:
        os.mkfifo(ck / ".lock")
    code, _, err = run_cli(capsys, *BITS, "--epochs", "1", "--checkpoint-dir", str(ck))
    one_line(code, err, ".lock")
    assert precious.read_bytes() == b"x" * 450
    if kind == "foreign file":
        assert (ck / ".lock").read_bytes() == b"y" * 450


def test_a_resume_into_another_runs_folder_is_refused(tmp_path, capsys):
    a, b = tmp_path / "a", tmp_path / "b"
    assert run_cli(capsys, *BITS, "--epochs", "3", "--checkpoint-dir", str(a))[0] == 0
    assert run_cli(capsys, *BITS, "--epochs", "3", "--checkpoint-dir", str(b),
                   "--shuffle-seed", "5")[0] == 0
    before = {p.name: p.read_bytes() for p in b.iterdir()}
    code, _, err = run_cli(capsys, *BITS, "--epochs", "6", "--resume", str(a / "epoch-0002.json"),
                           "--checkpoint-dir", str(b), "--keep", "1")
    one_line(code, err, "holds another run")
    assert {p.name: p.read_bytes() for p in b.iterdir()} == before
    # the same run continues in a copy of its folder, and in a new folder
    code, _, err = run_cli(capsys, *BITS, "--epochs", "4", "--resume", str(a / "epoch-0002.json"),
                           "--checkpoint-dir", str(tmp_path / "c"))
    assert code == 0, err


@pytest.mark.parametrize("name", ["latest.json", "epoch-0002.json", "best.json"])
def test_no_output_overwrites_another_output_of_the_run(tmp_path, capsys, name):
    ck = tmp_path / "ck"
    assert run_cli(capsys, *BITS, "--epochs", "2", "--checkpoint-dir", str(ck))[0] == 0
    before = {p.name: p.read_bytes() for p in ck.iterdir()}
    code, _, err = run_cli(capsys, *BITS, "--epochs", "4", "--checkpoint-dir", str(ck),
                           "--resume", "--history", str(ck / name))
    one_line(code, err, "is a checkpoint file of the run's folder")
    assert {p.name: p.read_bytes() for p in ck.iterdir()} == before


# --- bounded readers ------------------------------------------------------------------------

def test_a_gzip_bomb_is_never_expanded(tmp_path):
    """1 GiB of zeros behind a header promising 10 images: refused at 1 MiB past the promise."""
    bomb = tmp_path / "train-images-idx3-ubyte.gz"
    bomb.write_bytes(gzip_bomb(struct.pack(">IIII", 2051, 10, 28, 28), 1024))
    assert bomb.stat().st_size < 2 * MB
    assert gzip.decompress(gzip_bomb(b"ab", 2)) == b"ab" + bytes(2 * MB)  # a valid gzip file
    code, err, peak = child_peak_rss(
        "from neurons_lab.training.mnist import read_images\n"
        "try:\n    read_images(sys.argv[1])\n"
        "except ValueError as e:\n    print(e, file=sys.stderr)",
        str(bomb))
    assert "more than 1,048,576 bytes too many" in err
    assert peak - baseline_rss() < 64 * MB  # 1 GiB hostile: peak RSS grows by < 64 MiB
    # a header promising more than the memory there is: refused before allocating
    huge = tmp_path / "t10k-images-idx3-ubyte"
    huge.write_bytes(struct.pack(">IIII", 2051, 2**32 - 1, 2**16, 2**16))
    with pytest.raises(DataError, match="memory|bytes are missing"):
        read_images(huge)


def tiny_mnist(folder):
    """The four idx files of 6 training and 4 test "images" of 2×2 pixels, classes 0 and 1."""
    folder = Path(folder) / "tiny"
    folder.mkdir()
    for split, n in (("train", 6), ("t10k", 4)):
        pixels = np.arange(4 * n, dtype=np.uint8)
        (folder / f"{split}-images-idx3-ubyte").write_bytes(
            struct.pack(">IIII", 2051, n, 2, 2) + pixels.tobytes())
        (folder / f"{split}-labels-idx1-ubyte").write_bytes(
            struct.pack(">II", 2049, n) + (np.arange(n) % 2).astype(np.uint8).tobytes())
    return str(folder)


def _checkpoint(tmp_path, sizes=(4, 3, 2)):
    net = neurons.Network(list(sizes), seed=1)
    return save_checkpoint(tmp_path, net, 1, trainer={"recipe": {}})


def _replace_npz(json_path, raw):
    meta = json.loads(json_path.read_text())
    (json_path.parent / meta["parameters"]["file"]).write_bytes(raw)
    meta["parameters"]["sha256"] = hashlib.sha256(raw).hexdigest()
    json_path.write_text(json.dumps(meta))


def test_npz_member_headers_are_checked_before_data_is_read(tmp_path):
    path = _checkpoint(tmp_path, (784, 300, 10))  # a 3.8 MB .npz may be 1 MB: size passes
    bomb = zip_bomb("W1.npy", npy_header((16384, 8192)), 1024)  # 1 GiB of zeros
    assert len(bomb) < 2 * MB
    assert zipfile.ZipFile(io.BytesIO(zip_bomb("a.npy", b"ab", 1))).read("a.npy") == \
        b"ab" + bytes(MB)  # a valid zip archive
    _replace_npz(path, bomb)
    code, err, peak = child_peak_rss(
        "from neurons_lab.training.checkpoint import load_checkpoint\n"
        "try:\n    load_checkpoint(sys.argv[1])\n"
        "except ValueError as e:\n    print(e, file=sys.stderr)",
        str(path))
    assert "W1 has shape (16384, 8192), expected (300, 784)" in err
    assert peak - baseline_rss() < 64 * MB
    _replace_npz(path, zip_bomb("W1.npy", npy_header((2**20, 2**20)), 1))  # promises 8 TiB
    with pytest.raises(CheckpointError, match=r"shape \(1048576, 1048576\)"):
        load_checkpoint(path)
    small = _checkpoint(tmp_path / "small")
    _replace_npz(small, bomb)  # more bytes than its layer sizes need: not even read
    with pytest.raises(CheckpointError, match="more than the 8,560 it can"):
        load_checkpoint(small)
    _replace_npz(path, b"not a zip" * 10)
    with pytest.raises(CheckpointError, match="not a readable .npz") as info:
        load_checkpoint(path)
    assert "pickle" not in str(info.value)


@pytest.mark.parametrize("hostile", ["deep", "digits", "recipe string", "dev zero", "fifo"])
def test_json_readers_are_bounded(tmp_path, capsys, hostile):
    path = _checkpoint(tmp_path)
    meta = json.loads(path.read_text())
    if hostile == "deep":
        path.write_text('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}")
    elif hostile == "digits":
        path.write_text(json.dumps(meta).replace('"epoch": 1', '"epoch": ' + "9" * 5001))
    elif hostile == "recipe string":
        meta["trainer"]["recipe"] = "center"
        path.write_text(json.dumps(meta))
    else:
        path.unlink()
        path.symlink_to("/dev/zero") if hostile == "dev zero" else os.mkfifo(path)
    with pytest.raises(CheckpointError, match=str(path.name)):
        load_checkpoint(path)  # a FIFO or /dev/zero would hang or fill the memory
    code, _, err = run_cli(capsys, "evaluate", str(path), "--data-dir", tiny_mnist(tmp_path))
    one_line(code, err, path.name)


# --- full disks and other OSErrors: one line, nothing half-written ----------------------------

def _disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("output", ["checkpoint", "history", "probe"])
def test_a_full_disk_is_one_line_and_leaves_no_partial_file(tmp_path, capsys, monkeypatch,
                                                            output):
    ck, history = tmp_path / "ck", tmp_path / "h.csv"
    argv = [*BITS, "--epochs", "2"]
    argv += ["--checkpoint-dir", str(ck)] if output != "history" else ["--history", str(history)]
    if output == "probe":  # the writability check must write, not just create a file
        monkeypatch.setattr(validate.os, "fsync", _disk_full)
    else:
        from neurons_lab.training import files
        real = files.os.fsync
        monkeypatch.setattr(files.os, "fsync", lambda fd: real(fd) if os.fstat(fd).st_size == 0
                            else _disk_full())
    code, _, err = run_cli(capsys, *argv)
    one_line(code, err, "No space left on device")
    leftovers = [p.name for p in tmp_path.rglob("*") if p.suffix == ".tmp" or p == history]
    assert leftovers == []


@pytest.fixture
def small_disk(tmp_path):
    """A real 128 KiB file system (tmpfs), when the tests run as root and may mount."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=128k", "tmpfs",
                                            str(disk)], capture_output=True).returncode:
        pytest.skip("a real small file system needs root and mount")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def test_a_really_full_disk_keeps_the_last_checkpoint(small_disk, capsys):
    ck = small_disk / "ck"
    code, _, err = run_cli(capsys, *BITS, "--epochs", "100000", "--checkpoint-dir", str(ck),
                           "--keep", "all")
    one_line(code, err, "No space left on device")
    assert load_checkpoint(ck).epoch >= 1  # latest.json names a complete checkpoint
    assert not [p.name for p in ck.iterdir() if p.name.endswith(".tmp")]
    with pytest.raises(OSError), open(small_disk / "filler", "wb") as filler:
        while True:  # the last free pages
            filler.write(bytes(4096))
            filler.flush()
    code, _, err = run_cli(capsys, *BITS, "--epochs", "1", "--checkpoint-dir",
                           str(small_disk / "other"))  # the probe writes: it fails up front
    one_line(code, err, "cannot write in")
    done = subprocess.run([sys.executable, "-m", "neurons_lab", "gradcheck"], cwd=ROOT,
                          stdout=open("/dev/full", "w"), stderr=subprocess.PIPE, text=True)
    one_line(done.returncode, done.stderr, "cannot write the output: No space left on device")


def test_an_oserror_anywhere_is_one_line(tmp_path, capsys):
    ck = tmp_path / "ck"
    assert run_cli(capsys, *BITS, "--epochs", "1", "--checkpoint-dir", str(ck))[0] == 0
    (ck / "epoch-0001.npz").unlink()
    (ck / "epoch-0001.npz").mkdir()  # --overwrite meets a folder named like a checkpoint
    code, _, err = run_cli(capsys, *BITS, "--epochs", "1", "--checkpoint-dir", str(ck),
                           "--overwrite")
    one_line(code, err, "epoch-0001.npz")


# --- memory ----------------------------------------------------------------------------------

def test_memory_limits_are_respected_and_memory_errors_are_one_line(capsys, monkeypatch):
    """A network the estimate finds too big for RLIMIT_AS is refused before it is built;
    a MemoryError that still happens is one line."""
    limit = 3 << 30
    if validate.available_memory() < 6 << 30:
        pytest.skip("the network must fit this machine but not the limit")
    code = ("import resource\nresource.setrlimit(resource.RLIMIT_AS, "
            f"({limit}, {limit}))\nfrom neurons_lab.cli import main\n"
            "status = main(sys.argv[1:])")
    argv = [*BITS[:3], "--layers", "8,10000,10000,8", "--epochs", "1"]
    status, err, peak = child_peak_rss(code, *argv)  # needs ~5 GiB: more than the limit
    assert status == 1 and "needs about" in err and "Traceback" not in err, err
    assert peak < 1 << 30

    def out_of_memory(args):
        raise MemoryError()

    monkeypatch.setattr("neurons_lab.commands.train.prepare", out_of_memory)
    code, _, err = run_cli(capsys, *BITS, "--epochs", "1")
    one_line(code, err, "not enough memory")

