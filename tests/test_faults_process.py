"""Fault injection, processes and networks: a local mirror that trickles, ends early and never
ends; a closed stdout; SIGINT at random moments; a terminal that cannot encode; an
interrupted `--impl both`; the BLAS thread count of a resume. One test per cause."""

import hashlib
import http.server
import os
import random
import shlex
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import vectorized
from neurons_lab.training import trainer as trainer_module
from neurons_lab.training.checkpoint import load_checkpoint, read_meta
from neurons_lab.training.download import download_file
from neurons_lab.training.networks import engine_name
from neurons_lab.training.threads import ThreadChoice, available_cores
from neurons_lab.training.trainer import Trainer
from tests.helpers import params_equal, quiet, run_cli

ROOT = Path(__file__).resolve().parents[1]
BITS = ["train", "--dataset", "bits", "--layers", "8,3,8", "--rate", "1", "--no-progress"]
CONTENT = bytes(range(256)) * 40  # the file the mirrors serve: 10,240 bytes


def neurons_command(*argv, **kwargs):
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", **kwargs.pop("env", {})}
    # SIGINT back to its default: a suite started in the background (nohup … &) ignores it,
    # and a child that inherits the ignore never sees Ctrl-C
    return subprocess.Popen([sys.executable, "-m", "neurons_lab", *argv], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
                            **kwargs)


# --- downloads -------------------------------------------------------------------------------

class _Mirror(http.server.BaseHTTPRequestHandler):
    """/trickle/ a byte every 50 ms; /short/ half the announced body; /endless/ zeros without
    end and without a length; /good/ the file. ``sent`` counts the bytes of each."""

    sent = {}

    def log_message(self, *args):
        pass

    def do_GET(self):
        kind = self.path.split("/")[1]
        self.send_response(200)
        if kind != "endless":
            self.send_header("Content-Length", str(len(CONTENT)))
        self.end_headers()
        body = {"trickle": (CONTENT[k:k + 1] for k in range(len(CONTENT))),
                "short": iter([CONTENT[:len(CONTENT) // 2]]),
                "endless": iter(lambda: bytes(1 << 16), None),
                "good": iter([CONTENT])}[kind]
        try:
            for chunk in body:
                self.wfile.write(chunk)
                self.wfile.flush()
                _Mirror.sent[kind] = _Mirror.sent.get(kind, 0) + len(chunk)
                if kind == "trickle":
                    time.sleep(0.05)
        except OSError:  # the client went away: what is being tested
            pass


def test_a_mirror_that_trickles_ends_early_or_never_ends_gives_way_to_the_next(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Mirror)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    heard = []
    try:
        path = download_file("f.gz", hashlib.md5(CONTENT).hexdigest(), tmp_path,
                             mirrors=[f"{base}/{k}/" for k in ("trickle", "short", "endless",
                                                               "good")],
                             timeout=5, deadline=1.0, size=len(CONTENT), report=heard.append)
    finally:
        server.shutdown()
    assert path.read_bytes() == CONTENT
    assert [p.name for p in tmp_path.iterdir()] == ["f.gz"]  # no temporary file left
    assert len(heard) == 3 and all("\n" not in line for line in heard)
    assert "too slow" in heard[0] and "closed after" in heard[1]
    assert "more than the 10,240 bytes" in heard[2]
    # the endless body was cut off: what the server managed to push (socket buffers
    # included) is bounded, far from the disk's size
    assert _Mirror.sent["endless"] < 32 << 20


# --- stdout, SIGINT, encodings ----------------------------------------------------------------

def test_a_closed_stdout_loses_no_training(tmp_path):
    ck = tmp_path / "ck"
    child = neurons_command(*BITS, "--epochs", "40", "--checkpoint-dir", str(ck))
    lines = [child.stdout.readline() for _ in range(3)]  # `| head -3`
    child.stdout.close()
    err = child.stderr.read()
    assert child.wait(timeout=120) == 0, err
    assert len(lines) == 3 and "Traceback" not in err
    assert err.strip().splitlines()[0] == ("neurons train: the output was closed (broken "
                                           "pipe); carrying on without printing")
    assert load_checkpoint(ck).epoch == 40


def test_sigint_at_any_moment_is_one_line_and_exit_130(tmp_path):
    moments = random.Random(25)
    for k in range(6):  # start-up (imports, parsing, data), training, checkpoint writes;
        # not Python's own start-up (its first ~50 ms: site, runpy), which prints its own
        ck = tmp_path / f"ck{k}"
        child = neurons_command(*BITS, "--epochs", "100000", "--checkpoint-dir", str(ck))
        time.sleep(moments.uniform(0.2, 1.5))
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)
        # -2: the signal came before Python's own handler existed (nothing ran yet)
        if "Traceback" in err:  # only in Python's own start-up (a loaded machine makes it long)
            assert "neurons_lab" not in err and "KeyboardInterrupt" in err, err
            continue
        assert child.returncode in (130, -signal.SIGINT), err
        assert len(err.strip().splitlines()) <= 1, err
        if (ck / "latest.json").exists():
            load_checkpoint(ck)  # every interrupted write left a loadable folder


def test_any_terminal_encoding_prints(tmp_path):
    child = neurons_command("explain", env={"PYTHONIOENCODING": "ascii"})
    out, err = child.communicate(timeout=120)
    assert child.returncode == 0 and "Traceback" not in err, err
    assert "\\u03b4" in out or "\\u2211" in out or "\\xd7" in out  # δ, Σ or × escaped


# --- resuming ----------------------------------------------------------------------------------

def test_an_interrupted_impl_both_run_continues_with_the_printed_command(tmp_path, capsys,
                                                                         monkeypatch):
    ck, plain = tmp_path / "ck", tmp_path / "plain"
    argv = [*BITS, "--impl", "both", "--epochs", "4"]
    real = Trainer._train_and_judge

    def interrupted(self, run):
        if engine_name(self.net) == "neurons" and run.epoch == 2:
            raise KeyboardInterrupt
        return real(self, run)

    monkeypatch.setattr(Trainer, "_train_and_judge", interrupted)
    code, _, err = run_cli(capsys, *argv, "--checkpoint-dir", str(ck))
    assert code == 130 and "continue with: " in err
    monkeypatch.undo()
    code, _, err = run_cli(capsys, *shlex.split(err.split("continue with: ")[1])[1:])
    assert code == 0, err
    assert run_cli(capsys, *argv, "--checkpoint-dir", str(plain))[0] == 0
    for engine in ("neurons", "vectorized"):  # bitwise the uninterrupted run
        assert params_equal(load_checkpoint(ck / engine).parameters,
                            load_checkpoint(plain / engine).parameters)


def test_the_blas_thread_count_is_recorded_and_kept_on_resume(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    x, c = rng.random((20, 4)), rng.integers(0, 3, 20)

    def fit(epochs, resume=None, **settings):
        net = vectorized.Network([4, 5, 3], seed=1)
        return Trainer(net, x, c, settings=quiet(epochs=epochs, checkpoint_dir=str(tmp_path),
                                                 **settings)).fit(resume=resume)

    first = fit(2)
    recorded = read_meta(tmp_path)["trainer"]["blas_threads"]
    assert recorded == first.threads.threads == 1
    # the rule would now choose 2 (another load, another machine): the resume keeps 1
    monkeypatch.setattr(trainer_module, "choose_threads",
                        lambda *args, **kwargs: ThreadChoice(2, "by the rule"))
    kept = fit(4, resume=tmp_path)
    assert kept.threads.threads == 1 and kept.notes == []
    monkeypatch.undo()
    if available_cores() < 2:
        pytest.skip("one core: no other count to ask for")
    told = fit(6, resume=tmp_path, threads=2)  # asked for explicitly: done, and said
    assert told.threads.threads == 2
    assert any("may differ in the last bits" in note for note in told.notes)
