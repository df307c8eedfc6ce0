"""The training loop for either network: shuffled mini-batches, validation, early stopping,
checkpoints, a history of every epoch, and the test set scored once at the end::

    trainer = Trainer(net, train_images, train_classes,
                      transform=scale, encode=encode,  # uint8 rows → floats, classes → targets
                      test_features=test_images, test_classes=test_classes,
                      settings=TrainSettings(rate=0.3, epochs=30, validation=10_000,
                                             patience=0))
    result = trainer.fit()              # or trainer.fit(resume="runs/mnist") after a crash
    print(result.history, result.test)  # result.history.save("history.csv")

One epoch: a permutation of the training rows from a NumPy Generator seeded once (its state
is in each checkpoint: a resumed run is bitwise an uninterrupted one), then one step
(``net.train``) per ``batch_size`` consecutive permuted rows. Choices made during training
(early stopping, the best epoch) use the validation set, never the test set.
"""

import math
import sys
import time
from typing import Callable, Optional

import numpy as np
from tqdm import tqdm

from . import runfolder
from .checkpoint import save_checkpoint, set_parameters
from .data import check_set, fingerprint
from .errors import UsageError
from .history import EpochRecord, History
from .networks import input_output_sizes
from .runfolder import FitResult
from .scoring import Evaluation, as_float64, evaluate, one_hot_encoder
from .settings import TrainSettings
from .stopping import NOT_LEARNING_EVALUATIONS, copy_parameters, divergence, not_learning
from .threads import available_cores, blas_threads, choose_threads

# The public names of the training loop, wherever they live.
__all__ = ["Trainer", "TrainSettings", "FitResult", "History", "EpochRecord", "Evaluation",
           "evaluate", "one_hot_encoder"]

# Samples per ``net.train`` call while training (rounded up to whole batches).
CHUNK_SAMPLES = 256


class Trainer:
    """Trains ``net`` (the shared API; ``batched`` True: ``predict`` takes a 2-D batch).

    features, classes  training rows in their stored dtype (e.g. uint8 (N, 784)), (N,) indices
    transform          selected rows → float64 (k, n_in); default astype(float64)
    encode             classes (k,) → targets (k, n_out); default one-hot
    validation_*, test_*  an explicit validation set (instead of ``settings.validation``: its
                       last N training rows); the test set, scored once after training
    recipe             a JSON dict of whatever else changes the numbers (kept in checkpoints;
                       a resume with another is refused)
    preprocessing      a JSON dict needed to use the network later (e.g. --center's mean
                       image; kept in checkpoints, not compared on resume)
    on_epoch, on_note  called with each EpochRecord, each note ("not learning: …")
    """

    def __init__(self, net, features, classes, *, encode=None, transform=None,
                 validation_features=None, validation_classes=None, test_features=None,
                 test_classes=None, settings=None, recipe=None, preprocessing=None,
                 on_epoch: Optional[Callable[[EpochRecord], None]] = None,
                 on_note: Optional[Callable[[str], None]] = None):
        self.net = net
        self.settings = settings if settings is not None else TrainSettings()
        if not isinstance(self.settings, TrainSettings):
            raise TypeError(f"settings must be a TrainSettings, not {type(settings).__name__}")
        self.n_in, self.n_out = input_output_sizes(net.layer_sizes)  # a CNN's C·H·W inputs
        self.encode = encode or one_hot_encoder(self.n_out)
        self.transform = transform or as_float64
        self.batched = getattr(net, "batched", False)
        self.recipe = dict(recipe or {})
        self.preprocessing = dict(preprocessing or {})
        self.on_epoch, self.on_note = on_epoch, on_note
        check = lambda f, c, name: check_set(f, c, name, self)  # noqa: E731
        features, classes = check(features, classes, "features/classes")
        n_held = self.settings.validation
        if n_held and validation_features is not None:
            raise ValueError("give settings.validation or validation_features, not both")
        if n_held >= len(classes):
            raise UsageError(f"validation {n_held} leaves no training samples (the "
                             f"training set has {len(classes)})")
        if n_held:
            validation_features, validation_classes = features[-n_held:], classes[-n_held:]
            features, classes = features[:-n_held], classes[:-n_held]
        self.features, self.classes = features, classes
        self.validation_features, self.validation_classes = check(
            validation_features, validation_classes, "validation_features/validation_classes")
        self.test_features, self.test_classes = check(test_features, test_classes,
                                                      "test_features/test_classes")
        if self.settings.patience is not None and self.validation_classes is None:
            raise UsageError("patience (early stopping) needs a validation set: hold out the "
                             "last N training samples (--validation N, settings.validation = N)"
                             " or give validation_features/_classes")
        self.run = FitResult()  # the last (or current) run of ``fit``
        self._fingerprint = None

    # --- the loop ---------------------------------------------------------------------------
    def fit(self, resume=None, *, overwrite=False):
        """Train up to epoch ``settings.epochs``; returns a :class:`FitResult`.

        A new run refuses a checkpoint folder holding another unless ``overwrite`` (which
        deletes it). ``resume`` (a folder or an epoch-NNNN.json) is checked whole against this
        run before the network changes; a run that stopped early continues if the new
        ``patience`` lets it. The BLAS threads of :meth:`thread_choice` hold for the run only.
        """
        s = self.settings
        run, checkpoint, saved = FitResult(rng=np.random.default_rng(s.seed)), None, {}
        if resume is not None:
            run, checkpoint, saved = runfolder.read_resume(resume, self)
        self.run = run
        run.threads, note = runfolder.resumed_threads(saved.get("blas_threads"),
                                                      self.thread_choice(), available_cores())
        self._note(note)
        with runfolder.claim(s.checkpoint_dir, resumed=resume, overwrite=overwrite):
            self._begin(run, checkpoint, saved)
            with blas_threads(run.threads):  # for this run only; the old limits come back
                while run.epoch < s.epochs and run.stop_reason is None:
                    record = self._train_and_judge(run)
                    if s.checkpoint_dir and not run.diverged and (
                            run.epoch % s.checkpoint_every == 0 or run.epoch == s.epochs
                            or run.stop_reason is not None):
                        runfolder.save(self, run)
                    if self.on_epoch:
                        self.on_epoch(record)
            self._finish(run)
        return run

    def thread_choice(self):
        """The run's :class:`ThreadChoice`, or None for an engine without BLAS (neurons)."""
        if not self.batched:
            return None
        return choose_threads(self.net.layer_sizes, self.settings.batch_size,
                              threads=self.settings.threads)

    def _begin(self, run, checkpoint, saved):
        if checkpoint is not None:  # everything checked: now the network changes
            set_parameters(self.net, checkpoint.parameters, checkpoint.path)
            dropout = runfolder.dropout_generator(self.net)
            if dropout is not None:  # the masks continue where they were
                runfolder.set_generator_state(dropout, saved.get("dropout_rng_state"))
            if run.stop_reason is not None:  # stopped early: does the new patience agree?
                evaluated = [r for r in run.history if r.validation_error_rate is not None]
                run.stop_reason = evaluated and run.stopping.verdict(
                    evaluated[-1].epoch, evaluated[-1].validation_error_rate,
                    self.settings.patience) or None
        run.clock = time.perf_counter() - (run.history[-1].seconds if run.history else 0)
        run.last_good = (run.epoch, copy_parameters(self.net.parameters()))

    def _train_and_judge(self, run):
        """One epoch: train, look for divergence, evaluate when due, judge early stopping."""
        s, epoch = self.settings, run.epoch + 1
        n = len(self.classes)
        order = run.rng.permutation(n) if s.shuffle else np.arange(n)
        train_loss = self._train_epoch(order, epoch)
        parameters = self.net.parameters()
        problem = divergence(epoch, train_loss, parameters, s.rate)
        scores = None
        if problem is None and self.validation_classes is not None and (
                epoch % s.eval_every == 0 or epoch == s.epochs):
            scores = self.evaluate()
            problem = divergence(epoch, scores.loss, [], s.rate, "validation loss")
        record = EpochRecord(epoch, train_loss, scores and scores.loss,
                             scores and scores.error_rate, time.perf_counter() - run.clock)
        run.history.append(record)
        run.epoch = epoch
        if problem is not None:
            run.stop_reason, run.diverged = problem, True
            return record
        run.last_good = (epoch, copy_parameters(parameters))
        if scores is not None:
            run.stop_reason = run.stopping.judge(epoch, scores, s.patience, parameters)
            rates = [r.validation_error_rate for r in run.history
                     if r.validation_error_rate is not None]
            if len(rates) == NOT_LEARNING_EVALUATIONS:  # said once, when the count is complete
                self._note(not_learning(rates, self.n_out, f"validation error rate is "
                                        f"{100 * rates[-1]:.1f} % after {len(rates)} evaluations"))
        return record

    def _finish(self, run):
        s = self.settings
        tested = run.epoch
        if run.diverged or (run.stop_reason is not None and s.restore_best):
            best = run.stopping.best_parameters
            tested, parameters = ((run.stopping.best_epoch, best) if best is not None
                                  else run.last_good)
            if run.diverged or best is not None:
                self.net.set_parameters(parameters)
                run.restored_best = True
            if run.diverged and s.checkpoint_dir:  # the restored parameters as best.json/.npz
                save_checkpoint(s.checkpoint_dir, self.net, tested, name="best", trainer={
                    "note": f"the parameters of epoch {tested}; {run.stop_reason}"})
        if self.test_classes is not None:
            run.test = evaluate(self.net, self.test_features, self.test_classes,
                                encode=self.encode, transform=self.transform)
            run.test_epoch = tested
            if all(record.epoch != tested for record in run.history):  # epoch 0: the start
                run.history.insert(0, EpochRecord(tested, math.nan))
            for record in run.history:
                if record.epoch == tested:
                    record.test_loss = run.test.loss
                    record.test_error_rate = run.test.error_rate
            said = any(note.startswith("not learning") for note in run.notes)
            if not run.diverged and not said:
                self._note(not_learning([run.test.error_rate], self.n_out,
                                        f"test error rate is {100 * run.test.error_rate:.1f} %"))

    # --- pieces ------------------------------------------------------------------------------
    def _train_epoch(self, order, epoch):
        """One step per batch of consecutive rows of ``order``; the sample-weighted mean loss
        (inf when pure-Python arithmetic overflows). Each ``net.train`` call gets a chunk of
        whole batches (the same steps as one call per batch, less converting and checking)."""
        s = self.settings
        chunk = s.batch_size * max(1, -(-CHUNK_SAMPLES // s.batch_size))
        total, seen = 0.0, 0
        bar = tqdm(total=len(order), desc=f"epoch {epoch}/{s.epochs}", unit="sample",
                   file=sys.stderr, leave=False, dynamic_ncols=True,
                   disable=None if s.progress is None else not s.progress)
        with bar, np.errstate(all="ignore"):
            try:
                for start in range(0, len(order), chunk):
                    rows = order[start:start + chunk]
                    x = self.transform(self.features[rows])
                    t = self.encode(self.classes[rows])
                    if not self.batched:  # lists of Python floats are the neurons package's food
                        x, t = np.asarray(x).tolist(), np.asarray(t).tolist()
                    total += self.net.train(t, x, s.rate, 1, batch_size=s.batch_size) * len(rows)
                    seen += len(rows)
                    bar.update(len(rows))
                    bar.set_postfix(loss=f"{total / seen:.4f}", refresh=False)
            except (OverflowError, FloatingPointError):
                return math.inf
        return total / seen

    def evaluate(self):
        """Loss and error rate on the validation set (None without one)."""
        if self.validation_classes is None:
            return None
        return evaluate(self.net, self.validation_features, self.validation_classes,
                        encode=self.encode, transform=self.transform)

    def _note(self, text):
        if text:
            self.run.notes.append(text)
            if self.on_note:
                self.on_note(text)

    def data_description(self):
        """Sizes and sha256 of the training and validation sets (to notice other data)."""
        if self._fingerprint is None:
            self._fingerprint = fingerprint(self.features, self.classes,
                                            self.validation_features, self.validation_classes)
        n_validation = 0 if self.validation_classes is None else len(self.validation_classes)
        return {"n_train": len(self.classes), "n_validation": n_validation,
                "sha256": self._fingerprint}
