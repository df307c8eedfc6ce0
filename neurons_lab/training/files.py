"""Files the tools read and write: bounded reads of regular files only, atomic writes.

Reading (``read_bytes``, ``read_json``): the file is opened without blocking (a FIFO cannot
hang the reader), refused unless it is a regular file (``/dev/zero``, a FIFO, a folder), and
refused if it holds more than the caller's limit — checked from its size before anything is
read, and again while reading. JSON is parsed with its nesting depth and integer length
capped. Problems raise the caller's error type (a TrainingError), one line naming the file.

Writing (``atomic_write``): to a temporary name in the same folder (``.NAME.<pid>.<random>.tmp``,
``O_EXCL``, mode 0666 minus the umask), flushed to disk, then renamed over the final name
(``os.replace``): the path is always the old file or the new one, never half of one; a
symbolic link at the final name is replaced, never followed; a folder there is refused.
"""

import contextlib
import errno
import json
import os
import re
import secrets
import stat
from pathlib import Path

TEMPORARY = re.compile(r"^\..+\.\d+\.[0-9a-f]+\.tmp$")
MAX_JSON_BYTES = 64 << 20   # a checkpoint's JSON holds settings and a history: kilobytes
MAX_INTEGER_DIGITS = 64     # a 128-bit RNG state has 39 digits (json.loads would take 5,001)
_READ = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def open_regular(path, error, what="file"):
    """A file descriptor of the regular file ``path`` opened for reading, or ``error``."""
    try:
        fd = os.open(path, _READ)
    except FileNotFoundError:
        raise error(f"cannot read {what} {path}: no such file") from None
    except OSError as exc:
        raise error(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file (a device or FIFO?)"
        raise error(f"{what} {path} is {kind}")
    return fd


def read_bytes(path, limit, error, what="file"):
    """The bytes of the regular file ``path`` if it holds at most ``limit``; else ``error``."""
    fd = open_regular(path, error, what)
    try:
        size = os.fstat(fd).st_size
        if size > limit:
            raise error(f"{what} {path} holds {size:,} bytes, more than the {limit:,} it can")
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise error(f"{what} {path} grew past {limit:,} bytes while being read")
    except OSError as exc:
        raise error(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def _integer(text):
    if len(text) > MAX_INTEGER_DIGITS:
        raise ValueError(f"an integer of {len(text):,} digits")
    return int(text)


def read_json(path, error, what="file", limit=MAX_JSON_BYTES):
    """The JSON value in ``path``, bounded in size, depth and integer length; else ``error``."""
    data = read_bytes(path, limit, error, what)
    try:
        return json.loads(data.decode("utf-8"), parse_int=_integer)
    except UnicodeDecodeError:
        raise error(f"{what} {path} is not UTF-8 text: corrupt?") from None
    except RecursionError:
        raise error(f"{what} {path} nests its JSON too deeply to be ours") from None
    except ValueError as exc:  # JSONDecodeError included
        raise error(f"{what} {path} is not a JSON file (truncated or corrupt?): {exc}") \
            from None


def atomic_write(path, data):
    """Write bytes ``data`` to ``path`` atomically; returns ``path``. OSError on failure
    (a full disk, a folder at ``path``…), with nothing left behind."""
    path = Path(path)
    if path.is_dir() and not path.is_symlink():
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(path))
    temporary = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return path


def sync_directory(directory):
    """Make renames durable (POSIX; a no-op where folders cannot be opened)."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def remove_temporaries(directory):
    """Delete temporary files a killed writer left in ``directory``; returns their names.
    Call it only while holding the folder's lock (training.runfolder.RunLock)."""
    removed = []
    for path in Path(directory).iterdir():
        if TEMPORARY.match(path.name):
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path.name)
    return removed
