"""A training run's folder and state: one run per folder (its lock), what a checkpoint keeps
for a resume, and resuming, everything read and checked before the network changes.

A run holds ``FOLDER/.lock`` while it writes there (``fcntl.flock``: dropped however the
process ends); the lock file is never reached through a symbolic link, and only a regular file
holding a process id (or nothing) is written to. A folder holding a run takes a new run only
with ``overwrite``, and a resume only of that run (named when it starts, in its checkpoints).
A resume is refused, naming every difference, if anything that changes the numbers differs
(engine, configuration, data, ``settings.TRAJECTORY``, the caller's ``recipe``); the BLAS
thread count is recorded and kept (multi-threaded BLAS sums in another order).
"""

import contextlib
import copy
import fcntl
import json
import os
import random
import secrets
import stat
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np

from . import validate
from .checkpoint import clear_run, latest_epoch, load_checkpoint, read_meta, save_checkpoint
from .errors import CheckpointError, FolderInUseError
from .history import History
from .networks import engine_name
from .scoring import Evaluation
from .settings import TRAJECTORY
from .stopping import EarlyStopping
from .threads import ThreadChoice


class RunLock:
    """``with RunLock(folder): ...``: FolderInUseError if another process holds it,
    CheckpointError if ``FOLDER/.lock`` is a link, not a regular file, or not a lock file."""

    def __init__(self, folder, what="run"):
        self.path, self.what = Path(folder) / ".lock", what

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:  # O_NOFOLLOW: a link there fails (ELOOP), even with O_CREAT
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, 0o666)
        except OSError as error:
            raise CheckpointError(f"cannot use {self.path} as the {self.what}'s lock: "
                                  f"{error.strerror} (a symbolic link is never followed)") \
                from None
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > 32 or \
                not os.pread(fd, 33, 0).strip().isdigit() and info.st_size:
            os.close(fd)
            raise CheckpointError(f"{self.path} is not a lock file of this project (it is not "
                                  "a small file holding a process id): left untouched; remove "
                                  "it or choose another folder")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            owner = os.read(fd, 32).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise FolderInUseError(
                f"{self.path.parent} is in use by another {self.what} (process {owner}); "
                "wait for it to finish or choose another folder") from None
        with contextlib.suppress(OSError):  # a full disk: the lock holds without the id
            os.ftruncate(fd, 0)  # a lock file (checked above): ours to write
            os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        self._fd = fd
        return self

    def __exit__(self, *exc):
        os.close(self._fd)  # closing drops the lock


def check_folder(folder, resumed):
    """Refuse (CheckpointError) a new run (``resumed`` None), or a resume of the checkpoint
    ``resumed``, into a folder holding another run; returns the epoch it holds, or None."""
    held = latest_epoch(folder)
    if held is None:
        return None
    if resumed is None:
        raise CheckpointError(
            f"{folder} already holds a run (checkpoint of epoch {held}): continue it "
            "(--resume, fit(resume=…)) or replace it (--overwrite, overwrite=True)")
    resumed = Path(resumed)
    ours = None
    with contextlib.suppress(CheckpointError):
        ours = read_meta(folder)["trainer"].get("run")
    theirs = read_meta(resumed)["trainer"].get("run")
    if ours is None or theirs is None:  # checkpoints from before runs were named
        ours, theirs = Path(folder).resolve(), (resumed if resumed.is_dir()
                                                else resumed.parent).resolve()
    if ours != theirs:
        raise CheckpointError(
            f"{folder} holds another run (checkpoint of epoch {held}) than {resumed}: "
            "continuing it there would replace that run's checkpoints; give an empty "
            "checkpoint folder, or overwrite (--overwrite) the run it holds")
    return held


@contextlib.contextmanager
def claim(folder, *, resumed, overwrite):
    """Hold ``folder``'s lock for a run (nothing to do for None), after :func:`check_folder`;
    ``overwrite`` deletes the checkpoints of another run held there instead of refusing."""
    if folder is None:
        yield
        return
    validate.writable_directory(folder, "checkpoint_dir")
    with RunLock(folder):
        try:
            check_folder(folder, resumed)
        except CheckpointError:
            if not overwrite:
                raise
            clear_run(folder)
        yield


def resumed_threads(recorded, choice, cores):
    """The BLAS threads of a run resumed from a checkpoint that ``recorded`` a count (None: a new
    run), and a note when its last bits may differ: the recorded count when the run chose its
    own (``choice`` not "set explicitly") and the cores allow it."""
    if recorded is None or choice is None or choice.threads == recorded:
        return choice, None
    if choice.reason != "set explicitly" and recorded <= cores:
        return ThreadChoice(recorded, "the count the resumed run computed with: bitwise the "
                                      "same numbers"), None
    return choice, (f"resumed with {choice.threads} BLAS thread(s), the checkpoint's run "
                    f"used {recorded}: the numbers may differ in the last bits from an "
                    "uninterrupted run")


# --- a run in memory -------------------------------------------------------------------------

@dataclass
class FitResult:
    """What ``Trainer.fit`` returns; while it runs, where the run is."""

    history: History = field(default_factory=History)
    stop_reason: Optional[str] = None  # why it stopped early, in words (None: all epochs ran)
    diverged: bool = False  # the loss or the parameters stopped being finite
    restored_best: bool = False  # the best (diverged: the last finite) parameters loaded back
    test: Optional[Evaluation] = None  # the test set's Evaluation of the final network
    test_epoch: Optional[int] = None  # the epoch whose parameters were scored on the test set
    notes: list = field(default_factory=list)  # warnings in words, e.g. "not learning: …"
    threads: Optional[ThreadChoice] = None  # BLAS threads and why (None: no BLAS, as neurons)
    # the run's bookkeeping: epochs done, its name (one run per folder), shuffling, stopping
    epoch: int = 0
    name: str = field(default_factory=lambda: secrets.token_hex(8))
    rng: Optional[np.random.Generator] = None
    stopping: EarlyStopping = field(default_factory=EarlyStopping)
    last_good: Optional[tuple] = None  # (epoch, parameters) of the last finite epoch
    clock: float = 0.0  # perf_counter() when the run's epoch 1 would have started

    @property
    def stopped_early(self):  # early stopping fired, or the training diverged
        return self.stop_reason is not None

    @property
    def best_epoch(self):  # of the best validation evaluation (None without one)
        return self.stopping.best_epoch

    @property
    def best_error_rate(self):
        return self.stopping.best_error_rate


# --- what a checkpoint keeps, and resuming ----------------------------------------------------

def dropout_generator(net):
    """The dropout masks' generator (vectorized: NumPy's, neurons: a ``random.Random``)."""
    return getattr(net, "dropout_rng", None)


def generator_state(generator):
    """The state of a NumPy generator or a ``random.Random`` (JSON keeps tuples as lists)."""
    if isinstance(generator, random.Random):
        return generator.getstate()
    return generator.bit_generator.state


def set_generator_state(generator, state):
    """Restore what :func:`generator_state` gave (TypeError/ValueError if it does not fit)."""
    if isinstance(generator, random.Random):
        version, internal, gauss = state
        generator.setstate((version, tuple(internal), gauss))
    else:
        generator.bit_generator.state = state


def save(trainer, run):
    """Checkpoint ``run`` (a :class:`FitResult`) into the trainer's folder with what a resume
    needs (the dropout masks' generator too: a resumed run draws the masks it would have
    drawn); ``keep`` spares the best epoch's checkpoint."""
    dropout = dropout_generator(trainer.net)
    state = {
        "run": run.name,
        "blas_threads": None if run.threads is None else run.threads.threads,
        "settings": asdict(trainer.settings),
        "rng_state": run.rng.bit_generator.state,
        "dropout_rng_state": None if dropout is None else generator_state(dropout),
        "best": run.stopping.to_dict(),
        "history": run.history.to_dicts(),
        "data": trainer.data_description(),
        "recipe": trainer.recipe,
        "preprocessing": trainer.preprocessing,
        "stop_reason": run.stop_reason,
    }
    save_checkpoint(trainer.settings.checkpoint_dir, trainer.net, run.epoch, trainer=state,
                    best_parameters=run.stopping.best_parameters,
                    keep=trainer.settings.keep_checkpoints, protect=(run.stopping.best_epoch,))


def read_resume(path, trainer):
    """Load and check a checkpoint for ``trainer``; the network is not touched. Returns the run
    to continue (a :class:`FitResult`), the checkpoint and its trainer state."""
    checkpoint = load_checkpoint(path)
    saved, where = checkpoint.trainer, checkpoint.path
    if "rng_state" not in saved:
        raise CheckpointError(f"{where} holds parameters only, no trainer state to resume "
                              "from (load it with load_checkpoint)")
    try:
        if not isinstance(saved.get("run"), (str, type(None))) or \
                not isinstance(saved.get("blas_threads"), (int, type(None))):
            raise ValueError("run must be a name and blas_threads a count")
        run = FitResult(History.from_dicts(saved["history"]), saved["stop_reason"],
                        epoch=checkpoint.epoch, rng=np.random.default_rng(),
                        stopping=EarlyStopping.from_dict(saved["best"],
                                                         checkpoint.best_parameters))
        run.name = saved.get("run") or run.name  # None in a checkpoint written before names
        run.rng.bit_generator.state = saved["rng_state"]  # a valid PCG64 state?
        dropout = dropout_generator(trainer.net)
        if dropout is not None:  # checked on a copy
            set_generator_state(copy.deepcopy(dropout), saved.get("dropout_rng_state"))
        differences = _differences(checkpoint, saved, trainer)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CheckpointError(f"{where}: the trainer state is incomplete or invalid "
                              f"({type(exc).__name__}: {exc})") from None
    history = run.history
    if len(history) != checkpoint.epoch or (history and history[-1].epoch != checkpoint.epoch):
        raise CheckpointError(f"{where}: its history has {len(history)} epochs but the "
                              f"checkpoint is at epoch {checkpoint.epoch}")
    if differences:
        raise CheckpointError(f"cannot resume from {where}: this run differs in "
                              + "; ".join(differences)
                              + " (resume with the checkpoint's settings, or start a new run)")
    return run, checkpoint, saved


def _differences(checkpoint, saved, trainer):
    """"what: now, in the checkpoint" for each thing that would change the numbers (the
    configuration's seed and init matter no more once the parameters are loaded)."""
    settings, config = asdict(trainer.settings), json.loads(json.dumps(trainer.net.config()))
    pairs = [(key, settings[key], saved["settings"].get(key)) for key in TRAJECTORY]
    pairs.append(("engine", engine_name(trainer.net), checkpoint.implementation))
    for now, then in ((config, checkpoint.config), (trainer.recipe, saved["recipe"] or {})):
        pairs += [(key, now.get(key), then.get(key)) for key in sorted(set(now) | set(then))
                  if now is not config or key not in ("seed", "init")]
    differences = [f"{key}: {now!r} now, {then!r} in the checkpoint"
                   for key, now, then in pairs if now != then]
    data = trainer.data_description()
    if saved["data"] != data:
        differences.append(f"training data: {data['n_train']} samples now, "
                           f"{saved['data'].get('n_train')} (other values?) in the checkpoint")
    return differences
