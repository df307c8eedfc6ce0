"""Files the tools read and write: bounded reads of regular files only, atomic writes.

Reading opens without blocking (a FIFO cannot hang it), refuses anything but a regular file
(``/dev/zero``, a FIFO, a folder) and more bytes than the caller's limit (checked from the
size, then while reading); JSON is parsed with its depth and integer length capped. Problems
raise the caller's error type, one line naming the file. Writing goes to a new temporary file
in the same folder, flushed to disk, then renamed over the final name: the path is the old
file or the new one, never half of one; a symbolic link there is replaced, never followed.
"""

import contextlib
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
    with open(open_regular(path, error, what), "rb") as f:  # closes the descriptor
        try:
            size = os.fstat(f.fileno()).st_size
            if size > limit:  # refused before anything is read
                raise error(f"{what} {path} holds {size:,} bytes, more than the {limit:,} it can")
            data = f.read(size + 1)  # a byte more than it holds: did it grow?
        except OSError as exc:
            raise error(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    if len(data) > size:
        raise error(f"{what} {path} grew while being read")
    return data


def read_json(path, error, what="file", limit=MAX_JSON_BYTES):
    """The JSON value in ``path``, bounded in size, depth and integer length; else ``error``."""
    data = read_bytes(path, limit, error, what)

    def integer(text):
        if len(text) > MAX_INTEGER_DIGITS:
            raise ValueError(f"an integer of {len(text):,} digits")
        return int(text)

    try:
        return json.loads(data.decode("utf-8"), parse_int=integer)
    except UnicodeDecodeError:
        raise error(f"{what} {path} is not UTF-8 text: corrupt?") from None
    except RecursionError:
        raise error(f"{what} {path} nests its JSON too deeply to be ours") from None
    except ValueError as exc:  # JSONDecodeError included
        raise error(f"{what} {path} is not a JSON file (truncated or corrupt?): {exc}") \
            from None


def remove_temporaries(folder):
    """Delete the temporary files a killed :func:`atomic_write` left in ``folder`` (call it
    holding the folder's lock: another writer's temporaries would go too)."""
    for path in Path(folder).iterdir():
        if TEMPORARY.match(path.name):
            path.unlink(missing_ok=True)


def atomic_write(path, data):
    """Write bytes ``data`` to ``path`` atomically, the rename made durable (the folder synced
    where it can be opened); returns ``path``. OSError on failure (a full disk, a folder at
    ``path``…), with nothing left behind."""
    path = Path(path)
    temporary = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    file = open(temporary, "xb")  # O_EXCL, mode 0666 minus the umask
    try:
        with file as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    with contextlib.suppress(OSError):
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    return path
