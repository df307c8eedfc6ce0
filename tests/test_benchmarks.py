"""Smoke test of ``python -m benchmarks --quick``, so the benchmark scripts never rot.

No timing is asserted (the machine may be busy): only that the run succeeds, the report has
every section and the JSON holds positive, finite measurements.
"""

import json
import math
import os
import subprocess
import sys

import pytest

from benchmarks import PROJECT_ROOT, busy, cli, minibatch, pytorch, targets


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    json_path = out / "results.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--out-dir", str(out),
         "--json", str(json_path)],
        capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=900,
    )
    return done, json_path, out


def _positive_finite(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and \
        math.isfinite(value) and value > 0


def test_quick_run_exits_cleanly(quick_run):
    done, json_path, out = quick_run
    assert done.returncode == 0, done.stderr[-2000:]
    assert json_path.exists()
    assert (out / "results.md").read_text(encoding="utf-8") == done.stdout


def test_markdown_has_every_section(quick_run):
    text = quick_run[0].stdout
    for heading in ("# Benchmarks", "## 1. Per-sample training", "### 1b. From the textbook",
                    "## 2. Phases", "## 3. Mini-batch training", "## 4. Memory",
                    "## 5. `vectorized.fast` and PyTorch", "## 6. Convolutional networks",
                    "## 7. Busy machine", "## Targets"):
        assert heading in text
    assert "quick mode: 10,000 samples" in text and "the tutorial's designs" in text
    assert ("PyPy" in text) and ("GFLOP/s" in text)


def test_json_has_positive_finite_measurements(quick_run):
    results = json.loads(quick_run[1].read_text(encoding="utf-8"))
    env = results["meta"]["environment"]
    for key in ("date", "python", "numpy", "cpu_model"):
        assert env[key]
    assert _positive_finite(env["blas_threads"])

    section = results["per_sample"]
    assert [r["layer_sizes"] for r in section["rows"]] == [list(s) for s in
                                                             cli.per_sample.ARCHITECTURES]
    for row in section["rows"]:
        for key in ("neurons_seconds", "textbook_seconds", "fast_seconds",
                    "fast_batch64_seconds_per_sample", "ratio_textbook", "ratio_fast"):
            assert _positive_finite(row[key]), (row["layer_sizes"], key)
    assert _positive_finite(section["tutorial_fc_784_300_10"]["median"])
    assert _positive_finite(section["tutorial_design_784_300_10"]["ratio"])

    ladder = results["ladder"]
    assert ladder["rows"][0]["rung"] == "textbook" and ladder["rows"][-1]["dtype"] == "float32"
    assert all(_positive_finite(row["seconds"]) for row in ladder["rows"])

    phases = results["phases"]
    assert [r["phase"] for r in phases["rows"]] == ["forward", "deltas", "gradients", "update"]
    for row in phases["rows"]:
        assert _positive_finite(row["neurons_seconds"])
        assert _positive_finite(row["textbook_seconds"])
    assert _positive_finite(phases["textbook_total_seconds"])

    mb = results["minibatch"]
    assert mb["flops_per_sample"] == 958_800
    for peak in mb["peak"].values():
        assert _positive_finite(peak["gflops"])
    assert {(r["engine"], r["dtype"], r["batch_size"]) for r in mb["rows"]} == {
        ("fast", d, b) for d in ("float32", "float64") for b in (1, 8, 64, 256)} | {
        ("textbook", d, 64) for d in ("float32", "float64")}
    for row in mb["rows"]:
        for key in ("seconds_per_sample", "samples_per_second", "gflops", "fraction_of_peak"):
            assert _positive_finite(row[key])

    memory = results["memory"]
    for key in ("traced_bytes_per_connection_after_build",
                "traced_bytes_per_connection_after_step"):
        assert _positive_finite(memory["neurons"][key])
    epoch = memory["vectorized_epoch"]
    assert epoch["samples"] == 10_000
    for key in ("tracemalloc_peak_bytes", "peak_rss_bytes", "epoch_seconds"):
        assert _positive_finite(epoch[key])

    assert "found" in results["pypy"]
    torch_section = results["pytorch"]
    assert torch_section["found"] == pytorch.available()
    if torch_section["found"]:
        assert [r["batch_size"] for r in torch_section["rows"]] == list(pytorch.BATCH_SIZES)
        for row in torch_section["rows"]:
            for key in ("fast_seconds_per_sample", "torch_seconds_per_sample",
                        "torch_over_fast"):
                assert _positive_finite(row[key])
        assert torch_section["same_step_difference"] < 1e-12  # the same step is timed
    else:
        assert "PyTorch is not installed" in quick_run[0].stdout

    busy_rows = results["busy"]["rows"]
    assert [(r["layer_sizes"], r["batch_size"]) for r in busy_rows] == [
        (list(spec), batch) for spec in busy.NETWORKS for batch in busy.BATCHES]
    assert all(_positive_finite(row["busy_over_quiet"]) for row in busy_rows)
    # every target of the suite and the four busy-machine ones (batch 10 and 64), each once
    expected = len(targets.TARGETS) + 4 - (0 if torch_section["found"] else 7)
    assert len(results["targets"]) == expected
    assert targets.check_targets(results) == results["targets"]
    for target in results["targets"]:
        assert _positive_finite(target["measured"]) and isinstance(target["ok"], bool)


def test_targets_are_checked_in_the_right_direction():
    results = {"per_sample": {"rows": [{"layer_sizes": [784, 300, 10],
                                        "textbook_seconds": 2.0, "fast_seconds": 0.5}],
                              "tutorial_fc_784_300_10": {"median": 1.0}}}
    checked = {t["description"].split(",")[-1].strip(): (t["measured"], t["ok"])
               for t in targets.check_targets(results)}
    assert checked == {"the tutorial's fc.py design ÷ textbook": (0.5, False),
                       "the tutorial's fc.py design ÷ fast": (2.0, True)}


def test_neurons_timing_worker_does_not_import_numpy():
    """The entry point PyPy runs must work without NumPy (checked here under CPython)."""
    options = json.dumps({"architectures": [[4, 3, 2]], "repeats": 2, "min_time": 0.001})
    done = subprocess.run([sys.executable, "-m", "benchmarks.neurons_timing", options],
                          capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=60,
                          env={**os.environ, "PYTHONPATH": PROJECT_ROOT})
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["numpy_imported"] is False
    assert _positive_finite(result["results"][0]["median"])


def test_neurons_timing_of_a_cnn_counts_its_connections():
    """A CNN spec through the stdlib worker, with the memory figures (still no NumPy)."""
    options = json.dumps({"architectures": [["1x6x6", "conv2x3", "pool2", 3, 2]],
                          "repeats": 2, "min_time": 0.001, "warmup_time": 0.0, "memory": True})
    done = subprocess.run([sys.executable, "-m", "benchmarks.neurons_timing", options],
                          capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=60,
                          env={**os.environ, "PYTHONPATH": PROJECT_ROOT})
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    memory = result["results"][0]["memory"]
    assert result["numpy_imported"] is False
    # conv 2·4·4 nodes × (9 + bias), pool 2·2·2 × 4, fully connected 3·9 + 2·4
    assert memory["connections"] == 32 * 10 + 27 + 8 and memory["shared_weights"] == 20
    assert memory["connections_touched"] == memory["connections"] + 32
    assert _positive_finite(memory["traced_bytes_per_connection_after_build"])


def test_useful_flops_count():
    """Forward + weight gradient everywhere, input gradient after the first layer; the
    issue's figures for the CNNs: CNN 1 ≈ 2.9 million useful FLOPs per sample, CNN 2 ≈ 9.2."""
    from benchmarks.cnn import NETWORKS

    flops = minibatch.useful_flops_per_sample
    assert flops([784, 300, 10]) == 784 * 300 * 4 + 300 * 10 * 6
    assert flops([2, 3]) == 2 * 2 * 3 * 2
    assert flops(NETWORKS["CNN 1"][0]) == 2_886_000
    assert flops(NETWORKS["CNN 2"][0]) == 9_222_000
    # CNN 3: CNN 2's conv layers (3,024,000 + 9,216,000 − its 100-10 and 640-100 layers'
    # 2·(640·100·3 + 100·10·3)) with 640-1000, 1000-1000, 1000-10 layers, 3 uses each
    assert flops(NETWORKS["CNN 3"][0]) == (
        9_222_000 - 2 * 3 * (640 * 100 + 100 * 10) + 2 * 3 * (640 * 1000 + 1000 * 1000 + 1000 * 10))


def test_measure_interleaved_alternates_the_functions_repeat_by_repeat():
    from benchmarks.timing import measure_interleaved

    log = []
    result = measure_interleaved({"a": lambda: log.append("a"), "b": lambda: log.append("b")},
                                 repeats=4, min_time=0.0, warmup_time=0.0)
    assert log[-8:] == ["a", "b"] * 4  # one call per repeat (min_time 0), in turn
    for name in ("a", "b"):
        assert len(result[name]["times"]) == 4 and result[name]["number"] == 1
        assert result[name]["min"] <= result[name]["median"] <= result[name]["max"]


def test_cnn_section_times_every_engine(quick_run):
    """Every engine has a row (PyTorch when installed)."""
    results = json.loads(quick_run[1].read_text(encoding="utf-8"))
    for net in results["cnn"]["networks"]:
        engines = [row["engine"] for row in net["rows"]]
        assert engines == ["textbook", "fast"] + (["torch"] if pytorch.available() else [])
        for row in net["rows"]:
            assert _positive_finite(row["seconds_per_sample"]) and _positive_finite(row["gflops"])


def test_the_cnn_step_breakdown_keeps_each_calls_own_time():
    """cnn_parts.Clock: a call's own time is its time minus the wrapped calls inside it, so
    the parts add up to the whole (a fake clock: every reading advances it by one)."""
    from benchmarks.cnn_parts import Clock

    ticks = iter(range(100))
    clock = Clock(timer=lambda: next(ticks))
    inner = clock.wrap("inner", lambda: None)  # 2 readings: 1 tick
    outer = clock.wrap("outer", lambda: [inner(), inner()])  # 6 readings: 5 ticks, 2 inside
    outer()
    assert dict(clock.totals) == {"inner": 2, "outer": 3}
    clock.stack.append(0.0)  # a wrong accounting (a forgotten pop) is caught
    outer()
    assert clock.totals["outer"] == 6 and clock.stack == [5.0]


def test_the_cnn_step_is_shared_out_over_its_parts(quick_run):
    results = json.loads(quick_run[1].read_text(encoding="utf-8"))
    section = results["cnn"]
    assert [(n["network"], n["batch_size"]) for n in section["networks"]] == [
        (name, batch) for name in ("CNN 1", "CNN 2", "CNN 3") for batch in (10, 64)]
    parts = section["parts"][0]
    assert parts["network"] == "CNN 2" and parts["batch_size"] == 64
    named = {(row["layer"], row["part"]) for row in parts["rows"]}
    assert {("1 conv", "forward"), ("3 conv", "error below"), ("3 conv", "col2im add"),
            ("3 conv", "gradient + step"), ("2 maxpooling", "forward"), ("", "network"),
            ("5 fc", "activation")} <= named  # conv 1: ReLU after the max, in pooling
    assert ("1 conv", "error below") not in named  # the first layer hands nothing down
    assert sum(row["seconds"] for row in parts["rows"]) >= 0.99 * parts["wrapped_step_seconds"]
    conv = [row for row in parts["rows"] if "flops" in row]
    assert len(conv) == 5 and all(_positive_finite(row["bytes"]) for row in conv)
