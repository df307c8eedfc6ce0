"""Who else used the CPUs while we timed something, and a process that keeps one core busy.

* :class:`OtherLoad` — cores' worth of CPU time *other* processes used during a block (Linux's
  /proc/stat busy time minus this process's own CPU time), so a "quiet" figure can say how
  quiet it was, and a measurement taken while others worked can be retried.
* :func:`settle` — single-threaded work while OpenBLAS's idle workers stop spinning;
* :func:`busy_core` — a context manager running a plain Python loop in another process (one
  core's worth of work), stopped on leaving the block, also when the block raises.
"""

import contextlib
import multiprocessing
import os
import time


def _cpu_busy_seconds():
    """Busy seconds of all CPUs together since boot (/proc/stat), or None where unknown."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            fields = f.readline().split()
        values = [int(v) for v in fields[1:9]]  # user nice system idle iowait irq softirq steal
    except (OSError, ValueError, IndexError):
        return None
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


class OtherLoad:
    """``with OtherLoad() as load: …`` then ``load.cores``: cores' worth of CPU time other
    processes used during the block (0.0 … number of CPUs; None where /proc/stat is missing).
    Coarse: the kernel counts in ticks of 10 ms per CPU, so time blocks of 0.1 s or more."""

    cores = None

    def __enter__(self):
        self._busy = _cpu_busy_seconds()
        self._own = time.process_time()
        self._wall = time.perf_counter()
        return self

    def __exit__(self, *exc_info):
        busy = _cpu_busy_seconds()
        wall = time.perf_counter() - self._wall
        if busy is not None and self._busy is not None and wall > 0:
            own = time.process_time() - self._own
            self.cores = max(0.0, (busy - self._busy - own) / wall)
        return False


def _spin(started, stop):
    """The busy process: say it runs, then loop in plain Python until told to stop."""
    started.set()
    while not stop.is_set():
        for _ in range(20_000):  # ~0.5 ms of pure interpreter work between checks
            pass


@contextlib.contextmanager
def busy_core(timeout=10.0):
    """Keep one core busy with a Python loop in another process for the block. The process is
    started (and running) before the block begins, and stopped, terminated, or killed after
    it, whatever the block does."""
    context = multiprocessing.get_context("spawn")  # no fork of a process with BLAS threads
    started, stop = context.Event(), context.Event()
    process = context.Process(target=_spin, args=(started, stop), daemon=True,
                              name="benchmarks-busy-core")
    process.start()
    try:
        if not started.wait(timeout):
            raise RuntimeError("the busy-core process did not start")
        yield process
    finally:
        stop.set()
        process.join(timeout)
        if process.is_alive():
            process.terminate()
            process.join(timeout)
        if process.is_alive():
            process.kill()
            process.join()


#: After a multi-threaded call OpenBLAS's idle workers keep spinning (measured here: ~55 ms of
#: CPU time in the 0.3 s after a 256×784 by 784×500 product on two threads) and slow whatever
#: runs next; the next setting is timed only after this long of plain single-threaded work.
SETTLE_SECONDS = 0.15


def settle(seconds=SETTLE_SECONDS):
    """Keep this thread busy (the CPU at full speed) while BLAS's workers go to sleep."""
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        pass
