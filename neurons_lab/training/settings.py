"""How to train: :class:`TrainSettings`, every value checked when the settings are made."""

from dataclasses import dataclass
from typing import Optional

from . import validate
from .threads import check_threads

# Settings that change the parameters' trajectory: a resumed run must use the checkpoint's.
# The others (epochs, patience, eval_every, restore_best, checkpoints, progress, seed, which
# a resume replaces by the checkpoint's RNG state, threads) may change when a run is continued.
TRAJECTORY = ("rate", "batch_size", "shuffle", "validation")
# The whole-number settings and their least value (seed, patience, keep_checkpoints may be None)
MINIMUM = {"epochs": 0, "batch_size": 1, "seed": 0, "validation": 0, "eval_every": 1,
           "patience": 0, "checkpoint_every": 1, "keep_checkpoints": 1}


@dataclass
class TrainSettings:
    """How to train.

    rate          learning rate η of 式5 (w −= η · ∂E/∂w)
    epochs        total number of epochs (a resumed run continues up to this number)
    batch_size    samples per step (1 = the tutorial's per-sample SGD)
    seed          seeds the shuffling Generator once (None: a fresh random seed)
    validation    hold out the last N training samples as the validation set
    eval_every    evaluate on the validation set every this many epochs (and after the last)
    patience      early stopping: None disables; 0 = the tutorial's rule (stop at the first
                  rise above the best); k allows k evaluations without improvement
    restore_best  when training stops early, load the best evaluation's parameters back
    checkpoint_dir, checkpoint_every, keep_checkpoints
                  a checkpoint every N epochs and after the last into the folder (None: none),
                  keeping the newest ``keep_checkpoints`` plus the best epoch's (None: all)
    progress      a tqdm bar per epoch on stderr (None: only when stderr is a terminal)
    threads       BLAS threads of a NumPy engine (None: ``threads.choose_threads`` decides)
    """

    rate: float = 0.1
    epochs: int = 10
    batch_size: int = 1
    seed: Optional[int] = 0
    shuffle: bool = True
    validation: int = 0
    eval_every: int = 1
    patience: Optional[int] = None
    restore_best: bool = True
    checkpoint_dir: Optional[str] = None
    checkpoint_every: int = 1
    keep_checkpoints: Optional[int] = None
    progress: Optional[bool] = None
    threads: Optional[int] = None

    def __post_init__(self):
        self.rate = validate.real(self.rate, "rate", low=0, low_open=True)
        for name, low in MINIMUM.items():
            if getattr(self, name) is not None or name not in ("seed", "patience",
                                                                "keep_checkpoints"):
                setattr(self, name, validate.integer(getattr(self, name), name, low))
        validate.boolean(self.shuffle, "shuffle")
        validate.boolean(self.restore_best, "restore_best")
        if self.progress is not None:
            validate.boolean(self.progress, "progress")
        if self.checkpoint_dir is not None:
            self.checkpoint_dir = str(validate.text(self.checkpoint_dir, "checkpoint_dir"))
        if self.threads is not None:
            self.threads = check_threads(self.threads)
