"""How to train: :class:`TrainSettings`, every value checked when the settings are made."""

from dataclasses import asdict, dataclass
from typing import Optional

from . import validate
from .threads import check_threads

# Settings that change the parameters' trajectory: a resumed run must use the checkpoint's.
# The others (epochs, patience, eval_every, restore_best, checkpoints, progress, seed, which
# a resume replaces by the checkpoint's RNG state, threads) may change when a run is continued.
TRAJECTORY = ("rate", "batch_size", "shuffle", "validation")


@dataclass
class TrainSettings:
    """How to train.

    rate          learning rate η of 式5 (w −= η · ∂E/∂w)
    epochs        total number of epochs (a resumed run continues up to this number)
    batch_size    samples per step (1 = the tutorial's per-sample SGD)
    seed          seeds the shuffling Generator once (None: a fresh random seed)
    shuffle       False trains in the given order every epoch
    validation    hold out the last N training samples as the validation set (0: none, or
                  the Trainer's explicit validation_features/validation_classes)
    eval_every    evaluate on the validation set every this many epochs (and after the last)
    patience      early stopping on the validation error rate: None disables; 0 = the
                  tutorial's rule (stop at the first rise above its best); k allows k
                  evaluations without improvement
    restore_best  when training stops early, load the parameters of the best evaluation back
                  into the network
    checkpoint_dir, checkpoint_every, keep_checkpoints
                  save a checkpoint every ``checkpoint_every`` epochs and after the last epoch
                  trained into ``checkpoint_dir`` (None: no checkpoints); keep the newest
                  ``keep_checkpoints`` numbered ones plus the best epoch's (None: all)
    progress      a tqdm bar per epoch on stderr; None (default): only when stderr is a
                  terminal
    threads       BLAS threads while training a NumPy engine (1 … the cores); None (default):
                  ``training.threads.choose_threads`` decides from the network and batch size
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
        self.epochs = validate.integer(self.epochs, "epochs", 0)
        self.batch_size = validate.integer(self.batch_size, "batch_size", 1)
        if self.seed is not None:
            self.seed = validate.integer(self.seed, "seed", 0)
        validate.boolean(self.shuffle, "shuffle")
        self.validation = validate.integer(self.validation, "validation", 0)
        self.eval_every = validate.integer(self.eval_every, "eval_every", 1)
        if self.patience is not None:
            self.patience = validate.integer(self.patience, "patience", 0)
        validate.boolean(self.restore_best, "restore_best")
        if self.checkpoint_dir is not None:
            self.checkpoint_dir = str(validate.text(self.checkpoint_dir, "checkpoint_dir"))
        self.checkpoint_every = validate.integer(self.checkpoint_every, "checkpoint_every", 1)
        if self.keep_checkpoints is not None:
            self.keep_checkpoints = validate.integer(self.keep_checkpoints, "keep_checkpoints", 1)
        if self.progress is not None:
            validate.boolean(self.progress, "progress")
        if self.threads is not None:
            self.threads = check_threads(self.threads)

    def to_dict(self):
        return asdict(self)
