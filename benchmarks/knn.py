"""k-nearest neighbours on MNIST: time, peak memory and test accuracy per (distance, k).

    python -m benchmarks.knn --data-dir ~/.cache/neurons/mnist     # L1, L2 × k = 1, 3 (the cache
                                                                   # `neurons knn --download` fills)
    python -m benchmarks.knn --data-dir D --distance l2 --k 3 --memory-mb 512
    python -m benchmarks.knn --data-dir D --test-limit 1000 --json knn.json

Each (distance, k) is one timed ``knn_predict`` over the test set: wall clock, CPU time
(BLAS threads included), the load average before it, and the peak of the work arrays under
``tracemalloc`` in a second call on ``--memory-rows`` test images (the blocks do not grow with
more); the process's own peak (``ru_maxrss``, data loading included) is printed at the end.
"""

import argparse
import json
import os
import resource
import sys
import time
import tracemalloc

import numpy as np

from neurons_lab.training.knn import (
    DEFAULT_MEMORY_MB,
    DISTANCES,
    chunk_sizes,
    knn_predict,
    work_plan,
)
from neurons_lab.training.mnist import load_mnist

from .environment import load_average, set_blas_threads
from .formatting import table


def measure(data, distance, k, memory_mb, memory_rows):
    train_x, train_y, test_x, test_y = (data.train_images, data.train_labels,
                                        data.test_images, data.test_labels)
    load = load_average()
    start, cpu_start = time.perf_counter(), time.process_time()
    predicted = knn_predict(train_x, train_y, test_x, k=k, distance=distance,
                            memory_mb=memory_mb)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    tracemalloc.start()
    tracemalloc.reset_peak()
    knn_predict(train_x, train_y, test_x[:memory_rows], k=k, distance=distance,
                memory_mb=memory_mb, progress=False)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    wrong = int(np.count_nonzero(predicted != test_y))
    return {
        "distance": distance, "k": k, "memory_mb": memory_mb,
        "n_train": len(train_x), "n_test": len(test_x),
        "seconds": seconds, "cpu_seconds": cpu, "load_average_before": load,
        "peak_traced_mb": peak / 2**20,
        "errors": wrong, "accuracy": 1 - wrong / len(test_x),
    }


def markdown(rows):
    return "\n".join(table(
        ["distance", "k", "test images", "training images", "seconds (wall)", "CPU seconds",
         "load before", "peak MiB (traced)", "errors", "accuracy"],
        [[r["distance"].upper(), r["k"], f"{r['n_test']:,}", f"{r['n_train']:,}",
          f"{r['seconds']:.1f}", f"{r['cpu_seconds']:.1f}", r["load_average_before"],
          f"{r['peak_traced_mb']:.0f}", f"{r['errors']:,}", f"{100 * r['accuracy']:.2f} %"]
         for r in rows]))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.knn", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", required=True, help="MNIST directory (four idx files)")
    parser.add_argument("--distance", nargs="+", choices=DISTANCES, default=list(DISTANCES))
    parser.add_argument("--k", nargs="+", type=int, default=[1, 3])
    parser.add_argument("--memory-mb", type=float, default=DEFAULT_MEMORY_MB)
    parser.add_argument("--test-limit", type=int, help="use only the first N test images")
    parser.add_argument("--train-limit", type=int, help="use only the first N training images")
    parser.add_argument("--memory-rows", type=int, default=2000,
                        help="test images in the tracemalloc run (default 2000)")
    parser.add_argument("--blas-threads", type=int,
                        help="fix the number of BLAS threads (steadier on a busy machine)")
    parser.add_argument("--json", help="also write the measurements to this JSON file")
    args = parser.parse_args(argv)

    if args.blas_threads:
        set_blas_threads(args.blas_threads)
    data = load_mnist(args.data_dir)
    if args.test_limit or args.train_limit:
        data = type(data)(data.train_images[:args.train_limit],
                          data.train_labels[:args.train_limit],
                          data.test_images[:args.test_limit],
                          data.test_labels[:args.test_limit], data.image_shape)
    plan = work_plan(data.train_images, data.test_images)
    blocks = chunk_sizes(len(data.test_images), len(data.train_images),
                         data.train_images.shape[1], args.memory_mb, plan.dtype.itemsize)
    print(f"# k-NN on {args.data_dir}: {len(data.test_images):,} test × "
          f"{len(data.train_images):,} training images, memory budget {args.memory_mb:g} MiB "
          f"(blocks of {blocks[0]:,} test × {blocks[1]:,} training rows, products in "
          f"{plan.dtype}, exact; {os.cpu_count()} CPUs)\n",
          flush=True)
    rows = []
    for distance in args.distance:
        for k in args.k:
            rows.append(measure(data, distance, k, args.memory_mb, args.memory_rows))
            print(f"{distance} k={k}: {rows[-1]['seconds']:.1f} s, "
                  f"{100 * rows[-1]['accuracy']:.2f} %", file=sys.stderr, flush=True)
    print(markdown(rows))
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nprocess peak resident memory (ru_maxrss, data loading included): "
          f"{maxrss_mb:.0f} MB")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"rows": rows, "maxrss_mb": maxrss_mb, "argv": sys.argv[1:]}, f,
                      indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
