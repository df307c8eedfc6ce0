"""Every check of a value or path, written once: numbers, paths (checked before any work starts,
so that a bad path never costs a training run) and memory. Range and path problems raise
:class:`UsageError` (a ValueError), wrong types TypeError."""

import math
import os
import tempfile
from numbers import Integral, Real
from pathlib import Path

from .errors import UsageError


def integer(value, name, minimum=None):
    """``value`` as an int (bools refused), at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer, not {type(value).__name__} {value!r}")
    if minimum is not None and value < minimum:
        raise UsageError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def boolean(value, name):
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, not {value!r}")
    return value


def real(value, name, *, low=None, high=None, low_open=False):
    """``value`` as a finite float: at least ``low`` (``low_open``: greater than ``low``), or in
    [low, high] when ``high`` is given."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a number, not {type(value).__name__} {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise UsageError(f"{name} must be a finite number, got {value}")
    if high is not None and not low <= value <= high:
        raise UsageError(f"{name} must lie in [{low:g}, {high:g}], got {value:g}")
    if low is not None and (value <= low if low_open else value < low):
        raise UsageError(f"{name} must be {'greater than' if low_open else 'at least'} {low:g}, "
                         f"got {value:g}")
    return value


def text(value, name):
    """A non-empty string (``--checkpoint-dir ""`` must not quietly mean "none")."""
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a string or path, not {value!r}")
    if str(value).strip() == "":
        raise UsageError(f"{name} must not be empty")
    return value


def _probe(directory, name, path):
    """Write a block to a temporary file, sync and remove it: the only honest test of "can be
    written" (an empty file can still be made on a full disk)."""
    try:
        with tempfile.TemporaryFile(dir=directory) as probe:
            probe.write(bytes(4096))
            probe.flush()
            os.fsync(probe.fileno())
    except OSError as error:
        raise UsageError(f"{name} {path}: cannot write in {directory} "
                         f"({error.strerror or error})") from None


def writable_directory(path, name):
    """A folder that is there or can be made, and can be written; nothing is created."""
    path = Path(text(path, name))
    if path.exists() and not path.is_dir():
        raise UsageError(f"{name} {path} is a file, not a folder")
    ancestor = Path(os.path.abspath(path))
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise UsageError(f"{name} {path}: {ancestor} is a file, not a folder")
    _probe(ancestor, name, path)
    return path


def output_file(path, name, suffixes=None):
    """A file that can be written (its folder exists), ending in one of ``suffixes``."""
    path = Path(text(path, name))
    if suffixes and path.suffix.lower() not in suffixes:
        raise UsageError(f"{name} {path} must end in {' or '.join(suffixes)}")
    if path.is_dir():
        raise UsageError(f"{name} {path} is a folder, not a file")
    parent = path.parent
    if not parent.is_dir():
        raise UsageError(f"{name} {path}: the folder {parent} does not exist")
    if path.exists() and not os.access(path, os.W_OK):
        raise UsageError(f"{name} {path}: the file exists and cannot be written")
    _probe(parent, name, path)
    return path


def _proc_number(path, key=None, scale=1):
    """A number from a /proc or /sys file (the first field of line ``key``), or None."""
    try:
        with open(path, encoding="ascii") as f:
            for line in f:
                if key is None or line.startswith(key):
                    return int(line.split()[0 if key is None else 1]) * scale
    except (OSError, ValueError, IndexError):
        pass
    return None


def available_memory():
    """Bytes a new allocation may take: the least of the machine's available memory, what the
    process's address-space limit (RLIMIT_AS) leaves, and what its cgroup's memory.max leaves
    (None when none of them is known)."""
    limits = [_proc_number("/proc/meminfo", "MemAvailable:", 1024)]
    try:
        if limits[0] is None:  # not Linux: the total RAM
            limits[0] = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        import resource

        soft = resource.getrlimit(resource.RLIMIT_AS)[0]
        used = _proc_number("/proc/self/status", "VmSize:", 1024)
        if soft != resource.RLIM_INFINITY and used is not None:
            limits.append(max(0, soft - used))
    except (ImportError, AttributeError, OSError, ValueError):
        pass
    cap = _proc_number("/sys/fs/cgroup/memory.max")  # "max" (no limit) reads as None
    used = _proc_number("/sys/fs/cgroup/memory.current")
    if cap is not None and used is not None:
        limits.append(max(0, cap - used))
    known = [n for n in limits if n is not None]
    return min(known) if known else None


def format_bytes(n):
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024


def fits_in_memory(n_bytes, what):
    """Refuse ``what`` if it needs more than the available memory (unknown: allowed)."""
    available = available_memory()
    if available is not None and n_bytes > available:
        raise UsageError(f"{what} needs about {format_bytes(n_bytes)} of memory; "
                         f"{format_bytes(available)} is available")
