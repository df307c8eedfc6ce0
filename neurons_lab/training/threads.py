"""How many BLAS threads a training run uses, and applying that for the run only.

NumPy's matrix products run in a BLAS library (OpenBLAS in NumPy's wheels) that starts one
worker thread per core and splits every large enough product between them. Its workers spin
while they wait for each other, so on small products a second thread costs more than it gives,
and when another process holds a core the split product waits for the slower half: mini-batch
steps were measured 3–100× slower on a busy 2-core machine than with one thread.

* :func:`choose_threads` — the rule: one thread unless the network's largest matrix product
  is big enough that a second thread pays, never more threads than cores that are free;
* :func:`blas_threads` — a context manager that sets that count for a block (a training run)
  and puts back whatever was set before, also when the block raises;
* :func:`parse_threads` / :func:`check_threads` — ``--threads N`` and ``threads=N``.

A training run uses them so (the trainer's hook)::

    choice = choose_threads(net.layer_sizes, batch_size, threads=threads)  # threads: N or None
    with blas_threads(choice):
        ...  # every epoch of the run; the previous limits come back afterwards

Controlling the threads needs ``threadpoolctl`` (the ``threads``, ``fast`` and ``dev``
extras). Without it BLAS keeps its own count and :func:`blas_threads` says so once; numbers
never change.
"""

import os
import re
import time
import warnings
from typing import NamedTuple

#: Multiply-adds each BLAS thread must get from the largest product of a step (batch × the
#: largest layer's in·out; 784-300-10: 235,200 per sample) — two threads from 10 M on.
#: PROVISIONAL, measured on a shared 2-core KVM Xeon (SkylakeX kernels, OpenBLAS 0.3.31) in
#: the rare moments other work left it alone: ``train`` of 784-H-10 (relu, softmax), one
#: thread ÷ two threads per step (above 1: two pay):
#:
#: ==========  ===============  ==========  ================================
#: network     batch            product     one ÷ two threads
#: ==========  ===============  ==========  ================================
#: 784-300-10  4                0.9 M       0.91
#: 784-500-10  10               3.9 M       0.68 (issue 16: 1.32 vs 1.95 ms)
#: 784-500-10  16               6.3 M       1.18
#: 784-300-10  64               15 M        1.19
#: 784-300-10  256 / 1024       60 / 241 M  1.51 / 1.54
#: ==========  ===============  ==========  ================================
#:
#: Two cores can give at most 2×; a busy core costs 3–100× (see the module's docstring), so
#: the rule asks for a clear gain. Remeasure with ``python -m benchmarks.crossover``.
WORK_PER_THREAD = 5_000_000

#: How long :func:`busy_cores` watches the CPUs (seconds).
BUSY_SAMPLE_SECONDS = 0.1


class ThreadChoice(NamedTuple):
    """``threads`` for BLAS (None: leave BLAS alone) and the reason, in words."""
    threads: object
    reason: str


def available_cores():
    """Cores this process may run on (its CPU affinity), else the machine's count."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def check_threads(value, cores=None, name="threads"):
    """``value`` as a thread count: a whole number from 1 to ``cores`` (default: the cores
    available); else a ValueError (TypeError for a non-number) naming ``name``."""
    cores = available_cores() if cores is None else cores
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise TypeError(f"{name} must be a whole number of threads, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")
    if value > cores:
        raise ValueError(f"{name}={value} is more than the {cores} core"
                         f"{'' if cores == 1 else 's'} this process may use; "
                         "more BLAS threads than cores only wait for each other")
    return value


def parse_threads(text, cores=None, name="--threads"):
    """The text of ``--threads``: ``"auto"`` (None: the rule decides) or a thread count,
    checked by :func:`check_threads` (every failure is a ValueError, for argparse)."""
    text = str(text).strip()
    if text.lower() == "auto":
        return None
    if not re.fullmatch(r"[+-]?\d+", text):
        raise ValueError(f"{name} must be a whole number of threads or 'auto', got {text!r}")
    return check_threads(int(text), cores, name)


def threads_argument(text):
    """argparse ``type=`` for ``--threads``: :func:`parse_threads`, with its message shown as
    is (argparse replaces a ValueError's message by "invalid … value")."""
    import argparse

    try:
        return parse_threads(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


_CONV = re.compile(r"conv(\d+)x(\d+)(?:s(\d+))?(?:p(\d+))?")


def largest_product(layer_sizes):
    """Multiply-adds per sample of the network's largest matrix product: ``in·out`` for a fully
    connected layer, ``N·C·K·K·H_out·W_out`` for a convolution (one product after im2col).
    ``layer_sizes``: ``[784, 300, 10]`` or a convolutional spec (``["1x28x28", "conv20x5",
    "pool2", 100, 10]``); entries this does not know count nothing."""
    shape, largest = None, 0
    for entry in layer_sizes:
        if isinstance(entry, str):
            text = entry.strip().lower()
            conv = _CONV.fullmatch(text)
            if re.fullmatch(r"\d+x\d+x\d+", text) and shape is None:
                shape = tuple(int(n) for n in text.split("x"))
            elif conv and shape is not None and len(shape) == 3:
                n, k, s, p = (int(g) if g else d for g, d in zip(conv.groups(), (0, 0, 1, 0)))
                c, h, w = shape
                shape = (n, (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1)
                largest = max(largest, n * c * k * k * max(shape[1], 0) * max(shape[2], 0))
            elif text.startswith("pool") and text[4:].isdigit() and shape and len(shape) == 3:
                k = int(text[4:])
                shape = (shape[0], shape[1] // k, shape[2] // k)
            continue  # dropout and unknown entries change nothing here
        size = int(entry)
        if shape is not None:
            flat = 1
            for n in shape:
                flat *= n
            largest = max(largest, flat * size)
        shape = (size,)
    return largest


def cpu_times(text, allowed=None):
    """``{"cpu0": (total ticks, idle ticks), …}`` from the text of /proc/stat, only the CPUs
    named in ``allowed`` (None: all). Idle counts ``idle`` and ``iowait``."""
    times = {}
    for line in text.splitlines():
        fields = line.split()
        if len(fields) > 5 and fields[0].startswith("cpu") and fields[0] != "cpu":
            if allowed is None or fields[0] in allowed:
                values = [int(v) for v in fields[1:9]]  # user nice system idle iowait … steal
                times[fields[0]] = (sum(values), values[3] + values[4])
    return times


def busy_between(before, after):
    """Cores' worth of busy time between two :func:`cpu_times` snapshots (0.0 … CPUs)."""
    busy = 0.0
    for cpu, (total, idle) in after.items():
        if cpu in before and total > before[cpu][0]:
            busy += 1.0 - (idle - before[cpu][1]) / (total - before[cpu][0])
    return busy


def busy_cores(cores=None, seconds=BUSY_SAMPLE_SECONDS):
    """How many of this process's cores other processes keep busy: the busy time of its CPUs in
    /proc/stat over ``seconds`` while this thread sleeps, rounded to whole cores (Linux; 0
    where unknown). Call it before the work starts: this process's other threads count too."""
    try:
        allowed = {f"cpu{n}" for n in os.sched_getaffinity(0)}
    except (AttributeError, OSError):
        allowed = None

    def snapshot():
        with open("/proc/stat", encoding="ascii") as f:
            return cpu_times(f.read(), allowed)

    try:
        before = snapshot()
        time.sleep(seconds)
        after = snapshot()
    except (OSError, ValueError):
        return 0
    limit = available_cores() if cores is None else cores
    return min(limit, int(busy_between(before, after) + 0.5))


def choose_threads(layer_sizes, batch_size, *, threads=None, cores=None, busy=None):
    """:class:`ThreadChoice` for training ``layer_sizes`` in batches of ``batch_size``.

    ``threads``: an explicit count (checked, used as given). Otherwise the rule: one thread per
    :data:`WORK_PER_THREAD` multiply-adds of the largest product of a step (``batch_size`` ×
    :func:`largest_product`), at least 1, at most the cores not kept busy by other processes
    (``busy``: that count; None measures it with :func:`busy_cores` when the rule would use
    more than one thread). ``cores``: default :func:`available_cores`.
    """
    cores = available_cores() if cores is None else cores
    if threads is not None:
        return ThreadChoice(check_threads(threads, cores), "set explicitly")
    batch_size = max(1, int(batch_size))
    work = batch_size * largest_product(layer_sizes)
    wanted = max(1, min(cores, work // WORK_PER_THREAD))
    name = "-".join(str(s) for s in layer_sizes)
    if wanted == 1:
        return ThreadChoice(1, f"{name}, batch {batch_size}: {work:,} multiply-adds in the "
                               f"largest product, below {2 * WORK_PER_THREAD:,} for two threads")
    busy = busy_cores(cores) if busy is None else busy
    free = max(1, cores - busy)
    reason = f"{name}, batch {batch_size}: {work:,} multiply-adds in the largest product"
    if free < wanted:
        return ThreadChoice(free, f"{reason}, but other processes keep {busy} of {cores} "
                                  f"cores busy")
    return ThreadChoice(wanted, f"{reason}, {WORK_PER_THREAD:,} or more per thread")


_warned = []


def _limiter(threads):
    """threadpoolctl's limiter for ``threads`` BLAS threads, or None without threadpoolctl."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        if not _warned:
            _warned.append(True)
            warnings.warn("threadpoolctl is not installed, so BLAS keeps its own thread count "
                          "(pip install threadpoolctl, or the 'fast' extra)", RuntimeWarning,
                          stacklevel=3)
        return None
    return threadpool_limits(limits=threads, user_api="blas")


class blas_threads:
    """``with blas_threads(n):`` every BLAS loaded so far uses ``n`` threads inside the block;
    on leaving it (also by an exception) each gets back the count it had. ``n``: an int, a
    :class:`ThreadChoice`, or None (change nothing). ``as`` gives the count applied (None
    when nothing was changed). Libraries first loaded inside the block keep their own count.
    """

    def __init__(self, threads):
        if isinstance(threads, ThreadChoice):
            threads = threads.threads
        self.threads = None if threads is None else check_threads(threads, name="threads")
        self._limits = None

    def __enter__(self):
        if self.threads is None:
            return None
        self._limits = _limiter(self.threads)
        return None if self._limits is None else self.threads

    def __exit__(self, *exc_info):
        limits, self._limits = self._limits, None
        if limits is not None:
            limits.restore_original_limits()
        return False
