"""How many BLAS threads a training run of a NumPy engine uses. The rule:

1. one thread: a small product gains little from a second, and on a shared machine a split
   product waits for the core another process holds;
2. every core this process may use once a step's largest matrix product reaches
   ``LARGE_PRODUCT`` multiply-adds (784-300-10 from batch 256 on);
3. ``--threads N`` (``TrainSettings.threads``) overrides.

Setting the count needs ``threadpoolctl`` (the ``threads``/``fast`` extras); without it BLAS
keeps its count, said once, and no number changes. ``python -m benchmarks.busy`` checks the
rule on a busy machine.
"""

import argparse
import contextlib
import os
import warnings
from typing import NamedTuple

from vectorized.spec import parse_layer_sizes

#: Multiply-adds in a step's largest product (batch × the widest layer's in·out) from which
#: two threads pay clearly.
LARGE_PRODUCT = 50_000_000


class ThreadChoice(NamedTuple):
    threads: int
    reason: str  # in words


def available_cores():
    """Cores this process may run on (its CPU affinity), else the machine's count."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def check_threads(value, cores=None, name="threads"):
    """``value`` as a whole number from 1 to ``cores`` (default: the cores available)."""
    cores = available_cores() if cores is None else cores
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a whole number of threads, got {value!r}")
    if not 1 <= value <= cores:
        raise ValueError(f"{name} must be from 1 to the {cores} core{'s' * (cores != 1)} this "
                         f"process may use, got {value}")
    return value


def threads_argument(text):
    """argparse ``type=`` for ``--threads``: ``auto`` (None: the rule decides) or a count."""
    text = text.strip()
    if text.lower() == "auto":
        return None
    try:
        if not text.lstrip("+-").isdigit():
            raise TypeError(f"--threads must be a whole number of threads or 'auto', got {text!r}")
        return check_threads(int(text), name="--threads")
    except (TypeError, ValueError) as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def largest_product(layer_sizes):
    """Multiply-adds per sample of the network's largest matrix product: ``in·out`` of a fully
    connected layer, ``N·C·K·K·H_out·W_out`` of a convolution (one product after im2col)."""
    return max(spec.in_size * spec.out_size if spec.kind == "full" else
               spec.out_size * spec.in_shape[0] * spec.kernel ** 2 if spec.kind == "conv" else 0
               for spec in parse_layer_sizes(layer_sizes))


def choose_threads(layer_sizes, batch_size, *, threads=None, cores=None):
    """:class:`ThreadChoice` for training ``layer_sizes`` in batches of ``batch_size``:
    ``threads`` (checked) if given, else the rule of the module's docstring."""
    cores = available_cores() if cores is None else cores
    if threads is not None:
        return ThreadChoice(check_threads(threads, cores), "set explicitly")
    work = max(1, int(batch_size)) * largest_product(layer_sizes)
    name = f"{'-'.join(map(str, layer_sizes))}, batch {batch_size}"
    if work < LARGE_PRODUCT or cores == 1:
        return ThreadChoice(1, f"{name}: {work:,} multiply-adds in the largest product, "
                               f"below {LARGE_PRODUCT:,}")
    return ThreadChoice(cores, f"{name}: {work:,} multiply-adds in the largest product")


_warned = []


@contextlib.contextmanager
def blas_threads(threads):
    """``with blas_threads(n) as applied:`` every BLAS loaded so far uses ``n`` threads (an
    int, a :class:`ThreadChoice`, or None: change nothing) inside the block, and gets its own
    count back on leaving it, also by an exception; ``applied`` is the count, or None."""
    threads = threads.threads if isinstance(threads, ThreadChoice) else threads
    if threads is None:
        yield None
        return
    check_threads(threads)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        if not _warned:
            _warned.append(True)
            warnings.warn("threadpoolctl is not installed, so BLAS keeps its own thread "
                          "count (pip install threadpoolctl, or the 'fast' extra)",
                          RuntimeWarning, stacklevel=3)
        yield None
        return
    with threadpool_limits(limits=threads, user_api="blas"):
        yield threads
