"""What the figures were measured on: date, Python, NumPy, BLAS and its threads, CPU."""

import contextlib
import ctypes
import datetime
import io
import os
import platform
import sys

import numpy as np


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


def cpu_count():
    """CPUs this process may run on (its affinity), else the machine's count."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def blas_info():
    """NumPy's BLAS as a dict: name, version, configuration (from ``np.show_config``)."""
    info = {}
    try:
        config = np.show_config(mode="dicts")  # NumPy >= 1.26
        blas = config.get("Build Dependencies", {}).get("blas", {})
        for key in ("name", "version", "openblas configuration"):
            if blas.get(key):
                info[key.replace(" ", "_")] = str(blas[key])
    except (TypeError, ValueError, AttributeError):
        text = io.StringIO()
        with contextlib.redirect_stdout(text):
            np.show_config()
        info["show_config"] = " ".join(text.getvalue().split())[:500]
    return info


def _loaded_blas_libraries():
    """Paths of the BLAS shared libraries this process has loaded (Linux only)."""
    paths = []
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as f:
            for line in f:
                path = line.split()[-1]
                name = os.path.basename(path).lower()
                if ".so" in name and ("blas" in name or "mkl" in name) and path not in paths:
                    paths.append(path)
    except OSError:
        pass
    return paths


def _openblas_function(lib, name):
    """OpenBLAS's ``name`` in ``lib``, under whichever symbol prefix/suffix the build uses
    (``openblas_…``, ``scipy_openblas_…64_``), or None."""
    for prefix in ("openblas", "scipy_openblas"):
        for suffix in ("", "64_"):
            fn = getattr(lib, f"{prefix}_{name}{suffix}", None)
            if fn is not None:
                return fn
    return None


def _openblas_libraries():
    """[(path, ctypes library)] for every OpenBLAS this process has loaded: NumPy's, and
    SciPy's own copy when ``vectorized`` imported SciPy — two thread pools."""
    np.ones((2, 2)) @ np.ones((2, 2))  # make sure NumPy's BLAS is loaded
    found = []
    for path in _loaded_blas_libraries():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        if "openblas" in os.path.basename(path).lower() and \
                _openblas_function(lib, "get_num_threads") is not None:
            found.append((path, lib))
    return found


def blas_libraries():
    """[{library, threads, core}] for each loaded OpenBLAS (threads it uses, CPU kernels)."""
    result = []
    for path, lib in _openblas_libraries():
        threads = _openblas_function(lib, "get_num_threads")
        threads.restype = ctypes.c_int
        core = _openblas_function(lib, "get_corename")
        if core is not None:
            core.restype = ctypes.c_char_p
        name = core() if core is not None else None
        short = os.path.join(os.path.basename(os.path.dirname(path)), os.path.basename(path))
        result.append({"library": short, "threads": int(threads()),
                       "core": name.decode(errors="replace") if name else None})
    return result


def blas_threads():
    """(threads, how we know) for NumPy's BLAS: asks OpenBLAS itself, else the usual
    environment variables, else the CPU count (OpenBLAS's default), saying it is assumed.
    No threadpoolctl needed."""
    libraries = blas_libraries()
    numpy_own = [lib for lib in libraries if "numpy" in lib["library"]] or libraries
    if numpy_own:
        return numpy_own[0]["threads"], "openblas_get_num_threads"
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        value = os.environ.get(var, "")
        if value.isdigit():
            return int(value), f"${var}"
    return cpu_count(), "assumed: CPU count"


def set_blas_threads(n):
    """Use ``n`` BLAS threads from now on: in every loaded OpenBLAS (ctypes), and through the
    environment variables for libraries loaded later and for subprocesses."""
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n)
    for _, lib in _openblas_libraries():
        setter = _openblas_function(lib, "set_num_threads")
        if setter is not None:
            setter.restype = None
            setter(ctypes.c_int(n))


def load_average():
    """The 1-minute load average (runnable processes), or None where unknown: above the CPU
    count, other work was competing with the benchmark and its times are noisy."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def describe():
    """A JSON-ready dict describing this machine and software."""
    threads, source = blas_threads()
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "python_full": sys.version.replace("\n", " "),
        "numpy": np.__version__,
        "blas": blas_info(),
        "blas_threads": threads,
        "blas_threads_source": source,
        "blas_libraries": blas_libraries(),
        "cpu_model": cpu_model(),
        "cpus": cpu_count(),
        "load_average_at_start": load_average(),
        "platform": platform.platform(),
    }
