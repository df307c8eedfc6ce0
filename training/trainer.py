"""The training loop for either network: shuffled mini-batches, evaluation, early stopping,
checkpoints, a history of every epoch.

It talks to the network through the shared API only (``train``, ``predict``, ``loss``,
``parameters``, ``set_parameters``, ``config()``, ``layer_sizes``) plus the class attribute
``batched`` (True: ``predict`` takes a 2-D batch; missing means False)::

    trainer = Trainer(net, train_images, train_classes,
                      transform=scale, encode=encode,  # uint8 rows → floats, classes → targets
                      eval_features=test_images, eval_classes=test_classes,
                      settings=TrainSettings(rate=0.3, epochs=30, batch_size=1, patience=0))
    result = trainer.fit()              # or trainer.fit(resume="runs/mnist") after a crash
    print(result.history)               # a table; result.history.save("history.csv")

One epoch: a permutation of the training rows drawn from a NumPy Generator seeded once from
``settings.seed`` (its state is part of a checkpoint, so a resumed run is bitwise the same as
an uninterrupted one); then, for each run of ``batch_size`` consecutive permuted rows,
``net.train(targets, features, rate, 1, batch_size=len(batch))``: one step by the batch's
mean gradient. Features stay in their stored dtype (e.g. uint8) until a batch needs them:
``transform`` turns the selected rows into floats, ``encode`` turns class indices into target
vectors (default: one-hot).

Early stopping follows the tutorial: evaluate every ``eval_every`` epochs (and after the last
one) and stop as soon as the held-out error rate rises above the best so far (``patience=0``).
An evaluation *improves* when its error rate is strictly below the best so far; with
``patience=k`` training stops at an evaluation whose error rate is above the best once more
than k evaluations have passed without improvement. A tie with the best is not a rise.
"""

import csv
import hashlib
import json
import math
import sys
import time
import warnings
from dataclasses import asdict, dataclass, fields
from functools import partial
from numbers import Real
from pathlib import Path
from typing import Callable, NamedTuple, Optional

import numpy as np
from tqdm import tqdm

from .checkpoint import (
    CheckpointError,
    implementation_name,
    load_checkpoint,
    save_checkpoint,
)
from .data import one_hot

# Rows per predict call when evaluating a batched network: big enough for fast matrix
# products, small enough that a 10,000-image test set never needs one huge float64 copy.
EVAL_CHUNK = 4096
# Samples per ``net.train`` call while training (rounded up to whole batches).
CHUNK_SAMPLES = 256

# Settings whose change between a checkpoint and a resumed run changes the numbers.
_NUMERIC_SETTINGS = ("rate", "batch_size", "shuffle", "eval_every", "patience", "restore_best")


# --------------------------------------------------------------------------------------------
# settings
# --------------------------------------------------------------------------------------------

@dataclass
class TrainSettings:
    """How to train. Every value is checked when the settings are made.

    rate          learning rate η of 式5 (w −= η · ∂E/∂w)
    epochs        total number of epochs (a resumed run continues up to this number)
    batch_size    samples per step (1 = the tutorial's per-sample SGD)
    seed          seeds the shuffling Generator once (None: a fresh random seed)
    shuffle       False trains in the given order every epoch
    eval_every    evaluate on the held-out set every this many epochs (and after the last)
    patience      early stopping: None disables; 0 = the tutorial's rule (stop at the first
                  rise of the held-out error rate above its best); k allows k evaluations
                  without improvement
    restore_best  when training stops early (or diverges), load the parameters of the best
                  evaluation back into the network
    checkpoint_dir, checkpoint_every, keep_checkpoints
                  save a checkpoint every ``checkpoint_every`` epochs and after the last epoch
                  trained (also when stopping early; never of a diverged network), into
                  ``checkpoint_dir`` (None: no checkpoints); keep the newest
                  ``keep_checkpoints`` numbered ones (None: all). See training/checkpoint.py.
    progress      show a tqdm bar per epoch on stderr (mean loss so far as its postfix)
    """

    rate: float = 0.1
    epochs: int = 10
    batch_size: int = 1
    seed: Optional[int] = 0
    shuffle: bool = True
    eval_every: int = 1
    patience: Optional[int] = None
    restore_best: bool = True
    checkpoint_dir: Optional[str] = None
    checkpoint_every: int = 1
    keep_checkpoints: Optional[int] = None
    progress: bool = True

    def __post_init__(self):
        if isinstance(self.rate, bool) or not isinstance(self.rate, Real):
            raise TypeError(f"rate must be a number, not {self.rate!r}")
        if not math.isfinite(self.rate) or self.rate <= 0:
            raise ValueError(f"rate must be a finite number greater than 0, got {self.rate}")
        self.rate = float(self.rate)
        self.epochs = _check_int(self.epochs, "epochs", 0)
        self.batch_size = _check_int(self.batch_size, "batch_size", 1)
        if self.seed is not None:
            self.seed = _check_int(self.seed, "seed", 0)
        _check_bool(self.shuffle, "shuffle")
        self.eval_every = _check_int(self.eval_every, "eval_every", 1)
        if self.patience is not None:
            self.patience = _check_int(self.patience, "patience", 0)
        _check_bool(self.restore_best, "restore_best")
        if self.checkpoint_dir is not None:
            self.checkpoint_dir = str(self.checkpoint_dir)
        self.checkpoint_every = _check_int(self.checkpoint_every, "checkpoint_every", 1)
        if self.keep_checkpoints is not None:
            self.keep_checkpoints = _check_int(self.keep_checkpoints, "keep_checkpoints", 1)
        _check_bool(self.progress, "progress")

    def to_dict(self):
        return asdict(self)


def _check_int(value, name, minimum):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, not {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def _check_bool(value, name):
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, not {value!r}")


# --------------------------------------------------------------------------------------------
# history
# --------------------------------------------------------------------------------------------

@dataclass
class EpochRecord:
    """One epoch: mean training loss, held-out loss and error rate (None when not evaluated),
    and seconds since the run started (continued across a resume)."""

    epoch: int
    train_loss: float
    eval_loss: Optional[float] = None
    eval_error_rate: Optional[float] = None
    seconds: float = 0.0


COLUMNS = tuple(f.name for f in fields(EpochRecord))


def _encode_float(value):
    """A float for strict JSON: NaN and infinities become the strings "NaN", "Infinity"."""
    if value is None or isinstance(value, int) or math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def _decode_float(value):
    return None if value is None else float(value)


class History(list):
    """The per-epoch records of a run (a list of :class:`EpochRecord`).

    ``print(history)`` shows a table; ``history.save("h.csv")`` / ``("h.json")`` writes it,
    ``History.load(path)`` reads it back with the same numbers (floats are written exactly).
    """

    def to_dicts(self):
        return [{name: _encode_float(getattr(r, name)) for name in COLUMNS} for r in self]

    @classmethod
    def from_dicts(cls, rows):
        history = cls()
        for row in rows:
            history.append(EpochRecord(
                epoch=int(row["epoch"]), train_loss=float(row["train_loss"]),
                eval_loss=_decode_float(row.get("eval_loss")),
                eval_error_rate=_decode_float(row.get("eval_error_rate")),
                seconds=float(row.get("seconds", 0.0)),
            ))
        return history

    def save(self, path):
        """Write as CSV or JSON, chosen by the file's extension (.csv or .json)."""
        path = Path(path)
        if path.suffix.lower() == ".json":
            text = json.dumps(self.to_dicts(), indent=1, allow_nan=False) + "\n"
            path.write_text(text, encoding="utf-8")
        elif path.suffix.lower() == ".csv":
            with path.open("w", newline="", encoding="utf-8") as f:
                writer = csv.writer(f)
                writer.writerow(COLUMNS)
                for r in self:
                    writer.writerow(["" if getattr(r, n) is None else repr(getattr(r, n))
                                     for n in COLUMNS])
        else:
            raise ValueError(f"history file {path} must end in .csv or .json")
        return path

    @classmethod
    def load(cls, path):
        """Read a history written by :meth:`save` (CSV or JSON, by extension)."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in (".csv", ".json"):
            raise ValueError(f"history file {path} must end in .csv or .json")
        try:
            if suffix == ".json":
                return cls.from_dicts(json.loads(path.read_text(encoding="utf-8")))
            with path.open(newline="", encoding="utf-8") as f:
                rows = [{k: (v if v != "" else None) for k, v in row.items()}
                        for row in csv.DictReader(f)]
            return cls.from_dicts(rows)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"{path} is not a history file written by History.save "
                             f"({type(exc).__name__}: {exc})") from None

    def table(self):
        """The history as a small text table (error rates in percent)."""
        lines = [f"{'epoch':>5}  {'train loss':>11}  {'eval loss':>11}  {'eval error':>10}"
                 f"  {'seconds':>8}"]
        for r in self:
            eval_loss = "" if r.eval_loss is None else f"{r.eval_loss:.6f}"
            error = "" if r.eval_error_rate is None else f"{100 * r.eval_error_rate:.2f} %"
            lines.append(f"{r.epoch:>5}  {r.train_loss:>11.6f}  {eval_loss:>11}  {error:>10}"
                         f"  {r.seconds:>8.1f}")
        return "\n".join(lines)

    def __str__(self):
        return self.table()

    def __repr__(self):
        return f"History({list.__repr__(self)})"


# --------------------------------------------------------------------------------------------
# evaluation
# --------------------------------------------------------------------------------------------

class Evaluation(NamedTuple):
    loss: float         # mean data loss E over the samples (net.loss; no L2 term)
    error_rate: float   # fraction of samples whose largest output is not their class


def _as_float64(batch):
    return np.asarray(batch, dtype=np.float64)


def one_hot_encoder(n_classes):
    """encode(classes) → (k, n_classes) one-hot float64 rows (the default ``encode``)."""
    return partial(one_hot, n_classes=n_classes)


def evaluate(net, features, classes, *, encode=None, transform=None, chunk_size=EVAL_CHUNK):
    """Mean loss and error rate of ``net`` on (features, classes).

    A batched network gets one ``predict`` per chunk of ``chunk_size`` rows, the other one
    per row. A sample whose output holds NaN or infinity counts as an error.
    """
    encode = encode or one_hot_encoder(net.layer_sizes[-1])
    transform = transform or _as_float64
    classes = np.asarray(classes)
    n = len(classes)
    if n == 0:
        raise ValueError("cannot evaluate on an empty set")
    batched = getattr(net, "batched", False)
    total_loss = 0.0
    wrong = 0
    for start in range(0, n, chunk_size):
        x = transform(features[start:start + chunk_size])
        c = classes[start:start + chunk_size]
        t = encode(c)
        if batched:
            y = np.asarray(net.predict(x))
            total_loss += net.loss(y, t) * len(c)  # loss of a 2-D batch is the row mean
        else:
            y = np.array([net.predict(row) for row in np.asarray(x).tolist()])
            total_loss += sum(net.loss(y_row, t_row)
                              for y_row, t_row in zip(y.tolist(), np.asarray(t).tolist()))
        bad = ~np.isfinite(y).all(axis=1)
        wrong += int(np.count_nonzero((np.argmax(y, axis=1) != c) | bad))
    return Evaluation(loss=float(total_loss / n), error_rate=wrong / n)


# --------------------------------------------------------------------------------------------
# the trainer
# --------------------------------------------------------------------------------------------

@dataclass
class FitResult:
    """What ``Trainer.fit`` returns.

    stopped_early  True when early stopping fired or the training diverged
    stop_reason    why, in words (None when all epochs ran)
    best_epoch, best_error_rate
                   the best evaluation so far (None without held-out data)
    restored_best  True when the best evaluation's parameters were loaded back
    """

    history: History
    stopped_early: bool = False
    stop_reason: Optional[str] = None
    best_epoch: Optional[int] = None
    best_error_rate: Optional[float] = None
    restored_best: bool = False


class Trainer:
    """Trains ``net`` on (features, classes), optionally evaluating on held-out data.

    features      training inputs, one row per sample (e.g. uint8 (N, 784)); indexed with
                  an array of row numbers and passed through ``transform``
    classes       (N,) class indices
    encode        classes (k,) → targets (k, n_out); default one-hot
    transform     selected feature rows → float64 (k, n_in); default astype(float64)
    eval_features, eval_classes
                  held-out set for loss / error rate and early stopping (both or neither)
    settings      a :class:`TrainSettings` (default: TrainSettings())
    on_epoch      called with each :class:`EpochRecord` after its epoch (e.g. to print it)
    """

    def __init__(self, net, features, classes, *, encode=None, transform=None,
                 eval_features=None, eval_classes=None, settings=None,
                 on_epoch: Optional[Callable[[EpochRecord], None]] = None):
        self.net = net
        self.settings = settings if settings is not None else TrainSettings()
        if not isinstance(self.settings, TrainSettings):
            raise TypeError(f"settings must be a TrainSettings, not {type(settings).__name__}")
        self.n_in, self.n_out = net.layer_sizes[0], net.layer_sizes[-1]
        self.encode = encode or one_hot_encoder(self.n_out)
        self.transform = transform or _as_float64
        self.batched = bool(getattr(net, "batched", False))
        self.on_epoch = on_epoch
        self.features, self.classes = self._check_set(features, classes, "features", "classes")
        if (eval_features is None) != (eval_classes is None):
            raise ValueError("give both eval_features and eval_classes, or neither")
        if eval_features is not None:
            self.eval_features, self.eval_classes = self._check_set(
                eval_features, eval_classes, "eval_features", "eval_classes")
        else:
            self.eval_features = self.eval_classes = None
            if self.settings.patience is not None:
                raise ValueError("patience (early stopping) needs held-out data: "
                                 "give eval_features and eval_classes")
        self._fingerprint = None

    def _check_set(self, features, classes, f_name, c_name):
        """Check lengths, class values, and what transform/encode make of the first row."""
        if not isinstance(features, np.ndarray):
            features = np.asarray(features)
        classes = np.asarray(classes)
        if classes.ndim != 1 or classes.dtype.kind not in "iu":
            raise TypeError(f"{c_name} must be a 1-D array of integer class indices, "
                            f"got dtype {classes.dtype} shape {classes.shape}")
        if len(features) != len(classes):
            raise ValueError(f"{f_name} has {len(features)} rows but {c_name} has "
                             f"{len(classes)} entries")
        if len(classes) == 0:
            raise ValueError(f"{f_name} is empty")
        x = np.asarray(self.transform(features[[0]]))
        if x.shape != (1, self.n_in):
            raise ValueError(f"transform({f_name}[[0]]) has shape {x.shape}, the network needs "
                             f"(1, {self.n_in}): one row of {self.n_in} inputs per sample")
        if x.dtype.kind != "f":
            raise TypeError(f"transform({f_name}[[0]]) gives dtype {x.dtype}: it must give "
                            "floats (a uint8 batch must be converted, e.g. scaled to [0, 1])")
        low, high = int(classes.min()), int(classes.max())
        t = np.asarray(self.encode(classes[[0]]))
        if t.shape != (1, self.n_out):
            raise ValueError(f"encode({c_name}[[0]]) has shape {t.shape}, the network needs "
                             f"(1, {self.n_out}): one target of {self.n_out} values per sample")
        if low < 0 or high >= self.n_out:
            raise ValueError(f"{c_name} holds classes {low}…{high}, the network's output "
                             f"layer has {self.n_out} nodes (classes 0…{self.n_out - 1})")
        return features, classes

    # --- one epoch --------------------------------------------------------------------------
    def _train_epoch(self, order, bar):
        """One step per batch of consecutive rows of ``order``; the sample-weighted mean loss.

        Each ``net.train`` call gets a chunk of whole batches (it steps batch by batch in the
        given order, so the numbers are those of one call per batch) to spend less time per
        call converting and checking: for batch size 1 that overhead would rival the step.
        """
        rate, size = self.settings.rate, self.settings.batch_size
        chunk = size * max(1, -(-CHUNK_SAMPLES // size))  # a multiple of the batch size
        total, seen = 0.0, 0
        for start in range(0, len(order), chunk):
            rows = order[start:start + chunk]
            x = self.transform(self.features[rows])
            t = self.encode(self.classes[rows])
            if not self.batched:  # lists of Python floats are the neurons package's own food
                x, t = np.asarray(x).tolist(), np.asarray(t).tolist()
            total += self.net.train(t, x, rate, 1, batch_size=size) * len(rows)
            seen += len(rows)
            bar.update(len(rows))
            bar.set_postfix(loss=f"{total / seen:.4f}", refresh=False)
        return total / seen

    def evaluate(self):
        """Loss and error rate on the held-out set (None without one)."""
        if self.eval_features is None:
            return None
        return evaluate(self.net, self.eval_features, self.eval_classes,
                        encode=self.encode, transform=self.transform)

    # --- the loop ---------------------------------------------------------------------------
    def fit(self, resume=None):
        """Train up to epoch ``settings.epochs``; returns a :class:`FitResult`.

        Without ``resume`` this is a new run from the network's current parameters (epoch 1,
        a fresh Generator from ``seed``, an empty history). With ``resume`` (a checkpoint
        directory, or an epoch-NNNN.json file) the checkpoint's parameters, shuffling state,
        early-stopping state and history are loaded and the run continues after its epoch;
        a checkpoint written where a run stopped early stays stopped.
        """
        s = self.settings
        rng = np.random.default_rng(s.seed)
        state = _RunState()
        if resume is not None:
            self._resume(resume, rng, state)
        result = FitResult(history=state.history)
        if state.stop_reason is not None:  # the checkpoint is where that run stopped early
            result.stopped_early, result.stop_reason = True, state.stop_reason
        has_eval = self.eval_features is not None
        keep_best = has_eval and s.restore_best
        start_clock = time.perf_counter() - (state.history[-1].seconds if state.history else 0)
        n = len(self.classes)
        last_epoch = s.epochs if state.stop_reason is None else state.epoch
        for epoch in range(state.epoch + 1, last_epoch + 1):
            order = rng.permutation(n) if s.shuffle else np.arange(n)
            scores = diverged = None
            with tqdm(total=n, desc=f"epoch {epoch}/{s.epochs}", unit="sample",
                      file=sys.stderr, disable=not s.progress, dynamic_ncols=True) as bar:
                try:
                    train_loss = self._train_epoch(order, bar)
                except (OverflowError, FloatingPointError) as exc:
                    # pure-Python arithmetic raises where NumPy gives inf: the same verdict
                    result.stopped_early = True
                    result.stop_reason = (f"training diverged in epoch {epoch} "
                                          f"({type(exc).__name__}: {exc}); try a smaller rate")
                    break
                diverged = self._divergence(train_loss)
                if diverged is None and has_eval and (epoch % s.eval_every == 0
                                                      or epoch == s.epochs):
                    try:
                        scores = self.evaluate()
                        bar.set_postfix(loss=f"{train_loss:.4f}",
                                        eval_error=f"{100 * scores.error_rate:.2f}%")
                    except (OverflowError, FloatingPointError) as exc:
                        diverged = (f"the held-out loss overflows ({type(exc).__name__}: "
                                    f"{exc}); try a smaller rate")
            record = EpochRecord(epoch, train_loss,
                                 scores.loss if scores else None,
                                 scores.error_rate if scores else None,
                                 time.perf_counter() - start_clock)
            state.history.append(record)
            state.epoch = epoch
            if diverged is not None:
                result.stopped_early = True
                result.stop_reason = f"training diverged in epoch {epoch}: {diverged}"
                if self.on_epoch:
                    self.on_epoch(record)
                break
            if scores is not None:
                reason = state.judge(epoch, scores, s.patience,
                                     self.net.parameters() if keep_best else None)
                if reason:
                    result.stopped_early, result.stop_reason = True, reason
                    state.stop_reason = reason
            if s.checkpoint_dir and (epoch % s.checkpoint_every == 0 or epoch == s.epochs
                                     or result.stopped_early):
                self._save(epoch, rng, state)
            if self.on_epoch:
                self.on_epoch(record)
            if result.stopped_early:
                break

        result.best_epoch, result.best_error_rate = state.best_epoch, state.best_error_rate
        if result.stopped_early and s.restore_best and state.best_parameters is not None:
            self.net.set_parameters(state.best_parameters)
            result.restored_best = True
        return result

    def _divergence(self, train_loss):
        """Why the network has diverged after an epoch, or None."""
        if not math.isfinite(train_loss):
            return f"the mean training loss is {train_loss}; try a smaller rate"
        if not _all_finite(self.net.parameters()):
            return "some parameters are NaN or infinite; try a smaller rate"
        return None

    # --- checkpoints --------------------------------------------------------------------------
    def data_fingerprint(self):
        """sha256 of the training features and classes (to notice a resume on other data)."""
        if self._fingerprint is None:
            h = hashlib.sha256()
            h.update(str((self.features.dtype.str, self.features.shape)).encode())
            h.update(np.ascontiguousarray(self.features).tobytes())
            h.update(np.ascontiguousarray(self.classes, dtype=np.int64).tobytes())
            self._fingerprint = h.hexdigest()
        return self._fingerprint

    def _save(self, epoch, rng, state):
        s = self.settings
        trainer_state = {
            "settings": s.to_dict(),
            "rng_state": rng.bit_generator.state,
            "best": {"epoch": state.best_epoch,
                     "error_rate": _encode_float(state.best_error_rate),
                     "loss": _encode_float(state.best_loss),
                     "evals_since_best": state.evals_since_best},
            "history": state.history.to_dicts(),
            "data": {"n_train": len(self.classes), "sha256": self.data_fingerprint()},
            "stop_reason": state.stop_reason,
        }
        save_checkpoint(s.checkpoint_dir, self.net, epoch, trainer=trainer_state,
                        best_parameters=state.best_parameters, keep=s.keep_checkpoints)

    def _resume(self, path, rng, state):
        """Load a checkpoint's parameters and trainer state; warn where it cannot be exact."""
        checkpoint = load_checkpoint(path, self.net)
        where = checkpoint.path
        saved = checkpoint.trainer
        try:
            settings = saved["settings"]
            best = saved["best"]
            history = History.from_dicts(saved["history"])
            rng.bit_generator.state = saved["rng_state"]
            data = saved["data"]
            state.best_epoch = best["epoch"]
            state.best_error_rate = _decode_float(best["error_rate"])
            state.best_loss = _decode_float(best["loss"])
            state.evals_since_best = int(best["evals_since_best"])
            state.stop_reason = saved.get("stop_reason")
        except (KeyError, TypeError, ValueError) as exc:
            if not saved:
                raise CheckpointError(f"{where} holds parameters only, no trainer state to "
                                      "resume from (load it with load_checkpoint)") from None
            raise CheckpointError(f"{where}: the trainer state is incomplete or invalid "
                                  f"({type(exc).__name__}: {exc})") from None
        if len(history) != checkpoint.epoch or (history and history[-1].epoch != checkpoint.epoch):
            raise CheckpointError(f"{where}: its history has {len(history)} epochs but the "
                                  f"checkpoint is at epoch {checkpoint.epoch}")
        state.epoch = checkpoint.epoch
        state.history = history
        state.best_parameters = checkpoint.best_parameters

        notes = [f"{k}={getattr(self.settings, k)!r} (the checkpoint used {settings.get(k)!r})"
                 for k in _NUMERIC_SETTINGS if settings.get(k) != getattr(self.settings, k)]
        if checkpoint.implementation != implementation_name(self.net):
            notes.append(f"the {implementation_name(self.net)} package (the checkpoint was "
                         f"trained with {checkpoint.implementation})")
        if checkpoint.config.get("l2") != self.net.config().get("l2"):
            notes.append(f"l2={self.net.config().get('l2')!r} (the checkpoint used "
                         f"{checkpoint.config.get('l2')!r})")
        if data.get("n_train") != len(self.classes) or data.get("sha256") != \
                self.data_fingerprint():
            notes.append(f"different training data ({len(self.classes)} samples; the "
                         f"checkpoint saw {data.get('n_train')})")
        if notes:
            warnings.warn(f"resuming from {where} with " + "; ".join(notes)
                          + ": the result will differ from an uninterrupted run",
                          stacklevel=3)


class _RunState:
    """Where a run is: epochs done, history, and the early-stopping bookkeeping."""

    def __init__(self):
        self.epoch = 0
        self.history = History()
        self.best_epoch = None
        self.best_error_rate = None
        self.best_loss = None
        self.best_parameters = None
        self.evals_since_best = 0
        self.stop_reason = None  # set when early stopping fires

    def judge(self, epoch, scores, patience, parameters):
        """Record an evaluation; return why to stop, or None to go on."""
        if self.best_error_rate is None or scores.error_rate < self.best_error_rate:
            self.best_epoch, self.best_error_rate = epoch, scores.error_rate
            self.best_loss = scores.loss
            self.evals_since_best = 0
            if parameters is not None:
                self.best_parameters = _copy_parameters(parameters)
            return None
        self.evals_since_best += 1
        if (patience is not None and scores.error_rate > self.best_error_rate
                and self.evals_since_best > patience):
            return (f"held-out error rate {100 * scores.error_rate:.2f}% after epoch {epoch} "
                    f"is above the best, {100 * self.best_error_rate:.2f}% after epoch "
                    f"{self.best_epoch}, with {self.evals_since_best} evaluation(s) without "
                    f"improvement (patience {patience})")
        return None


def _copy_parameters(params):
    """[(W, b), …] as new float arrays (lists become float64, float32 stays float32)."""
    def copy(value):
        array = np.array(value)
        return array if array.dtype.kind == "f" else array.astype(np.float64)
    return [(copy(W), copy(b)) for W, b in params]


def _all_finite(params):
    return all(np.isfinite(np.asarray(W)).all() and np.isfinite(np.asarray(b)).all()
               for W, b in params)
