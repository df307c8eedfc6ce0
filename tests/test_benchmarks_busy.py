"""The busy-machine benchmark's machinery: the busy process, the section, its target checks.

No speed is asserted here (benchmarks/busy.py checks its targets itself); these tests check
that the busy process really runs and really stops, and that the checks catch bad ratios.
"""

import pytest

from benchmarks import busy, cli, report
from benchmarks.cpuload import OtherLoad, busy_core

pytest.importorskip("threadpoolctl")


def test_busy_core_runs_during_the_block_and_stops_after_it():
    with busy_core() as process:
        assert process.is_alive()
    assert not process.is_alive() and process.exitcode == 0  # stopped, not killed


def test_busy_core_stops_when_the_block_raises():
    with pytest.raises(KeyError):
        with busy_core() as process:
            raise KeyError("inside")
    assert not process.is_alive()


def test_other_load_sees_the_busy_process():
    with busy_core():
        with OtherLoad() as load:
            sum(range(10**6))  # some time passes (ticks are 10 ms)
            __import__("time").sleep(0.3)
    if load.cores is None:
        pytest.skip("no /proc/stat here")
    assert load.cores >= 0.5  # the loop's core, whatever else the machine does


def test_network_specs_from_the_command_line():
    assert busy.parse_spec("784-300-10") == [784, 300, 10]
    assert busy.parse_spec("1x28x28-conv20x5-pool2-100-10") == [
        "1x28x28", "conv20x5", "pool2", 100, 10]


def test_input_size_of_dense_and_convolutional_specs():
    assert busy.input_size([784, 300, 10]) == 784
    assert busy.input_size(["1x28x28", "conv20x5", "pool2", 100, 10]) == 784
    assert busy.input_size(["3x32x32", 10]) == 3072


def _row(batch, quiet_default, quiet_one, quiet_all, busy_default):
    times = {"quiet": {"default": quiet_default, "one": quiet_one, "all": quiet_all},
             "busy": {"default": busy_default, "one": quiet_one, "all": 10 * quiet_all}}
    return {"layer_sizes": [784, 300, 10], "batch_size": batch,
            "threads": {"quiet": 1, "busy": 1}, "reason": {"quiet": "", "busy": ""},
            "seconds_per_step": times, "busy_over_quiet": busy_default / quiet_default,
            "busy_over_quiet_one_thread": 1.0,
            "default_over_best_quiet": quiet_default / min(quiet_one, quiet_all)}


def _results(rows):
    return {"busy": {"cores": 2, "rounds": 1, "repeats": 3, "blas_libraries": [],
                     "other_processes_cores": {"quiet": 0.1, "busy": 1.0}, "rows": rows}}


def failed(rows):
    return [t["description"] for t in busy.check_targets(_results(rows)) if not t["ok"]]


def test_targets_pass_on_good_ratios():
    rows = [_row(1, 1.0, 1.0, 3.0, 9.0), _row(10, 1.0, 1.0, 2.0, 1.4),
            _row(64, 1.0, 1.05, 0.95, 1.5), _row(256, 1.0, 1.5, 1.0, 9.0)]
    assert failed(rows) == []  # batch 1 and 256 are not held to the busy ratio
    assert len(busy.check_targets(_results(rows))) == 4 + 2


def test_targets_catch_a_slow_busy_machine_and_a_poor_default():
    assert failed([_row(10, 1.0, 1.0, 2.0, 1.6)]) == [
        "busy ÷ quiet machine, default threads, 784-300-10 batch 10"]
    assert failed([_row(64, 1.2, 1.0, 1.5, 1.2)]) == [
        "default threads ÷ best of 1 and all, quiet, 784-300-10 batch 64"]
    assert len(failed([_row(256, 1.0, 1.4, 0.8, 1.0)])) == 1  # all threads were 25% faster


def test_markdown_has_a_row_per_cell():
    lines = busy.markdown(_results([_row(10, 1e-3, 1e-3, 2e-3, 1.4e-3)]))
    assert "## Busy machine: BLAS threads under load" in lines
    row = next(line for line in lines if line.startswith("| 784-300-10 | 10 |"))
    assert "1.00 ms (1)" in row and "×1.40" in row and "×1.00" in row


def test_run_measures_every_cell_quiet_and_busy():
    results = busy.run(quick=True, progress=lambda message: None,
                       networks=([20, 8, 3],), batches=(1, 4))
    assert [(r["layer_sizes"], r["batch_size"]) for r in results["rows"]] == [
        ([20, 8, 3], 1), ([20, 8, 3], 4)]
    for row in results["rows"]:
        assert row["threads"] == {"quiet": 1, "busy": 1}  # tiny products: one thread
        for state in busy.STATES:
            assert all(t > 0 for t in row["seconds_per_step"][state].values())
    assert results["other_processes_cores"]["busy"] is None or \
        results["other_processes_cores"]["busy"] >= 0.5


def test_the_settings_take_turns_going_first():
    calls = []
    fns = {name: (lambda name=name: calls.append(name)) for name in "abc"}
    times = busy._time_rotating(fns, repeats=3, min_time=0.0, warmup_time=0.0)
    assert calls[:3] == ["a", "b", "c"]  # the warm-up pass
    assert calls[3:] == ["a", "b", "c", "b", "c", "a", "c", "a", "b"]
    assert {name: len(values) for name, values in times.items()} == {"a": 3, "b": 3, "c": 3}


def test_multi_threaded_settings_are_followed_by_a_pause(monkeypatch):
    calls = []
    monkeypatch.setattr(busy, "_settle", lambda: calls.append("pause"))
    fns = {name: (lambda name=name: calls.append(name)) for name in ("one", "all")}
    busy._time_rotating(fns, repeats=2, min_time=0.0, warmup_time=0.0, settle={"all"})
    assert calls[2:] == ["one", "all", "pause", "all", "pause", "one"]


def test_the_suite_runs_the_section_and_checks_its_targets():
    assert cli.parse_args(["--only", "busy"]).sections == ("busy",)
    assert "busy" in cli.SECTIONS
    results = _results([_row(10, 1.0, 1.0, 2.0, 1.6)])
    checked = [(t["description"], t["ok"]) for t in report.check_targets(results)]
    assert checked == [("default threads ÷ best of 1 and all, quiet, 784-300-10 batch 10", True),
                       ("busy ÷ quiet machine, default threads, 784-300-10 batch 10", False)]
    assert report.check_targets({}) == []  # not run: no busy targets
