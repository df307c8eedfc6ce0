"""The busy-machine benchmark's machinery: the busy process really runs and really stops, and
the section reports and checks the rule's ratio. No speed is asserted here."""

import contextlib

import pytest

from benchmarks import busy

pytest.importorskip("threadpoolctl")


def test_busy_core_runs_during_the_block_and_stops_after_it():
    with busy.busy_core() as process:
        assert process.is_alive()
    assert not process.is_alive() and process.exitcode == 0  # stopped, not killed


def test_busy_core_stops_when_the_block_raises():
    with pytest.raises(KeyError):
        with busy.busy_core() as process:
            raise KeyError("inside")
    assert not process.is_alive()


def test_run_times_every_cell_quiet_and_busy_and_checks_the_target(monkeypatch):
    state = []

    def fake(sizes, batch, threads, quick):  # a busy core costs ×1.2 at batch 10, ×2 else
        return 1.0 + (0.2 if batch == 10 else 1.0) * (state[-1] == "busy")

    monkeypatch.setattr(busy, "_seconds_per_step", fake)
    monkeypatch.setattr(busy, "busy_core", contextlib.nullcontext)
    results = {"busy": busy.run(quick=True, progress=lambda m: state.append(m.split()[-1]))}
    rows = results["busy"]["rows"]
    assert [(r["layer_sizes"], r["batch_size"]) for r in rows] == [
        (sizes, batch) for sizes in busy.NETWORKS for batch in busy.BATCHES]
    by_batch = {r["batch_size"]: r["busy_over_quiet"] for r in rows}
    assert by_batch[10] == pytest.approx(1.2) and by_batch[64] == pytest.approx(2.0)
    checked = busy.targets(results)
    assert len(checked) == 4 and all(t[2:] == ("<=", 1.5, "×") for t in checked)
    assert [t[1] <= 1.5 for t in checked] == [True, False, True, False]  # catches batch 64
    lines = busy.markdown(results)
    assert sum(line.startswith("| 784-") for line in lines) == len(rows)
