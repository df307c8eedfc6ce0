"""One run per folder: an advisory lock on ``FOLDER/.lock`` (standard library only).

The operating system drops the lock when the process ends, however it ends (``kill -9``
included), so a stale lock never blocks the next run. POSIX uses ``fcntl.flock``, Windows
``msvcrt.locking``. The lock file holds the owner's process id, for the message.
"""

import os
from pathlib import Path

from .errors import FolderInUseError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None
    import msvcrt

LOCK_NAME = ".lock"


class RunLock:
    """``with RunLock(folder): ...``: FolderInUseError if another process holds it."""

    def __init__(self, folder, what="run"):
        self.path = Path(folder) / LOCK_NAME
        self.what = what
        self._fd = None

    def acquire(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            else:  # pragma: no cover
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            owner = os.read(fd, 32).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise FolderInUseError(
                f"{self.path.parent} is in use by another {self.what} (process {owner}); "
                "wait for it to finish or choose another folder") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        self._fd = fd
        return self

    def release(self):
        if self._fd is not None:
            os.close(self._fd)  # closing drops the lock
            self._fd = None

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()
