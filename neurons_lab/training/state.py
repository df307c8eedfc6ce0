"""What ``Trainer.fit`` keeps while it runs (RunState) and what it returns (FitResult)."""

import time
from dataclasses import dataclass, field
from typing import Optional

from .evaluation import Evaluation
from .history import History
from .stopping import EarlyStopping
from .threads import ThreadChoice


@dataclass
class FitResult:
    """What ``Trainer.fit`` returns.

    stopped_early  True when early stopping fired or the training diverged
    stop_reason    why, in words (None when all epochs ran)
    diverged       True when the loss or the parameters stopped being finite
    best_epoch, best_error_rate
                   the best validation evaluation (None without a validation set)
    restored_best  True when the best (after a divergence: the last finite) parameters
                   were loaded back
    test           the test set's Evaluation of the final network (None without one)
    test_epoch     the epoch whose parameters were scored on the test set
    notes          warnings in words, e.g. "not learning: …"
    threads        the run's BLAS threads and why (a ``training.threads.ThreadChoice``;
                   None for an engine without BLAS, e.g. neurons)
    """

    history: History
    stopped_early: bool = False
    stop_reason: Optional[str] = None
    diverged: bool = False
    best_epoch: Optional[int] = None
    best_error_rate: Optional[float] = None
    restored_best: bool = False
    test: Optional[Evaluation] = None
    test_epoch: Optional[int] = None
    notes: list = field(default_factory=list)
    threads: Optional[ThreadChoice] = None


class RunState:
    """Where a run is: epochs done, history, shuffling state, stopping bookkeeping."""

    def __init__(self, rng, history=None, stopping=None, epoch=0, stop_reason=None):
        self.rng, self.epoch, self.stop_reason = rng, epoch, stop_reason
        self.history = history if history is not None else History()
        self.stopping = stopping or EarlyStopping()
        self.diverged = False
        self.last_good = None  # (epoch, parameters) of the last finite epoch
        self.clock = time.perf_counter() - (self.history[-1].seconds if self.history else 0)
