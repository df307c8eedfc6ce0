"""Smoke test of ``python -m benchmarks.knn`` on a tiny generated data set: it runs, and its
figures are consistent (no timing is asserted)."""

import gzip
import json

import numpy as np

from benchmarks import knn as knn_benchmark
from neurons_lab.training.knn import knn_predict


def write_idx(path, array, magic):
    header = magic.to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in array.shape)
    path.write_bytes(gzip.compress(header + array.astype(np.uint8).tobytes()))


def test_the_benchmark_runs_and_its_accuracy_is_knn_predicts(tmp_path, capsys):
    rng = np.random.default_rng(0)
    sets = {"train": 40, "t10k": 12}
    data = {}
    for name, n in sets.items():
        images = rng.integers(0, 256, (n, 6, 6))
        labels = rng.integers(0, 10, n)
        write_idx(tmp_path / f"{name}-images-idx3-ubyte.gz", images, 2051)
        write_idx(tmp_path / f"{name}-labels-idx1-ubyte.gz", labels, 2049)
        data[name] = images.reshape(n, 36).astype(np.uint8), labels
    out = tmp_path / "knn.json"
    assert knn_benchmark.main(["--data-dir", str(tmp_path), "--k", "1", "3",
                               "--memory-mb", "0.01", "--json", str(out)]) == 0
    rows = json.loads(out.read_text())["rows"]
    assert [(r["distance"], r["k"]) for r in rows] == [("l1", 1), ("l1", 3), ("l2", 1), ("l2", 3)]
    for r in rows:
        predicted = knn_predict(*data["train"], data["t10k"][0], k=r["k"],
                                distance=r["distance"])
        assert r["errors"] == np.count_nonzero(predicted != data["t10k"][1])
        assert r["seconds"] > 0 and r["peak_traced_mb"] > 0
    assert "| L2 | 3 | 12 | 40 |" in capsys.readouterr().out
