"""Writing files so that a crash never leaves half of one, with the user's normal permissions.

A file is written to a temporary name in its own folder (``.NAME.<pid>.<random>.tmp``,
created with mode 0666 minus the umask, as ``open`` would), flushed to disk and renamed over
its final name (``os.replace``): the path is always either the old file or the new one.
"""

import contextlib
import os
import re
import secrets
from pathlib import Path

TEMPORARY = re.compile(r"^\..+\.\d+\.[0-9a-f]+\.tmp$")


def atomic_write(path, data):
    """Write bytes ``data`` to ``path`` atomically; returns ``path``."""
    path = Path(path)
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
    Call it only while holding the folder's lock (training.runlock), so no writer is live."""
    removed = []
    for path in Path(directory).iterdir():
        if TEMPORARY.match(path.name):
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path.name)
    return removed
