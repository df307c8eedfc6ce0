"""What the figures were measured on: date, Python, NumPy, BLAS and its threads, CPU."""

import datetime
import os
import platform

import numpy as np

from neurons_lab.training.threads import available_cores


def cpu_model():
    """The CPU's model name from /proc/cpuinfo (Linux), else what ``platform`` knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.lower().startswith(("model name", "hardware", "cpu model")):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def blas_pools():
    """threadpoolctl's description of every BLAS loaded (NumPy's, and SciPy's own OpenBLAS
    once ``vectorized.fast`` imported SciPy: two thread pools); [] without threadpoolctl."""
    np.ones((2, 2)) @ np.ones((2, 2))  # NumPy's BLAS is loaded
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    return [{key: pool.get(key) for key in ("internal_api", "version", "architecture",
                                           "num_threads", "filepath")}
            for pool in threadpool_info() if pool["user_api"] == "blas"]


def blas_threads():
    """Threads of NumPy's BLAS: its pool's count, else $OPENBLAS_NUM_THREADS, else the cores."""
    pools = blas_pools()
    numpy_own = [p for p in pools if "numpy" in (p["filepath"] or "")] or pools
    if numpy_own:
        return numpy_own[0]["num_threads"]
    value = os.environ.get("OPENBLAS_NUM_THREADS", "")
    return int(value) if value.isdigit() else available_cores()


def set_blas_threads(n):
    """Use ``n`` BLAS threads from now on: every BLAS loaded (threadpoolctl), and through the
    environment for libraries loaded later and for subprocesses."""
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        raise SystemExit("--blas-threads needs threadpoolctl (pip install threadpoolctl)") \
            from None
    threadpool_limits(n, user_api="blas")


def load_average():
    """The 1-minute load average, or None where unknown: above the CPU count, other work was
    competing with the benchmark and its times are noisy."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def describe():
    """A JSON-ready dict describing this machine and software."""
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "numpy": np.__version__, "blas": blas_pools(), "blas_threads": blas_threads(),
        "cpu_model": cpu_model(), "cpus": available_cores(),
        "load_average_at_start": load_average(), "platform": platform.platform(),
    }
