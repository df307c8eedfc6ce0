"""A training run's checkpoint folder: one run at a time, never two runs mixed, and saving."""

import contextlib

from . import resume, validate
from .checkpoint import clear_run, latest_epoch, save_checkpoint
from .errors import CheckpointError
from .runlock import RunLock


@contextlib.contextmanager
def claim(folder, *, resuming, overwrite):
    """Hold ``folder``'s lock for a run (nothing to do for None). A new run (not
    ``resuming``) into a folder that holds another run's checkpoints is refused unless
    ``overwrite``, which deletes them first."""
    if folder is None:
        yield
        return
    validate.writable_directory(folder, "checkpoint_dir")
    with RunLock(folder):
        held = latest_epoch(folder)
        if not resuming and held is not None:
            if not overwrite:
                raise CheckpointError(
                    f"{folder} already holds a run (checkpoint of epoch {held}): continue it "
                    "(--resume, fit(resume=…)) or replace it (--overwrite, overwrite=True)")
            clear_run(folder)
        yield


def save(trainer, run):
    """Checkpoint ``run`` (a trainer's _Run) into the trainer's checkpoint folder."""
    s = trainer.settings
    state = resume.trainer_state(trainer, run.rng, run.stopping, run.history, run.stop_reason)
    best = run.stopping.best_epoch
    save_checkpoint(s.checkpoint_dir, trainer.net, run.epoch, trainer=state,
                    best_parameters=run.stopping.best_parameters, keep=s.keep_checkpoints,
                    protect=() if best is None else (best,))


def save_best(trainer, epoch, reason):
    """After a divergence: the restored parameters (of ``epoch``) as best.json/.npz."""
    save_checkpoint(trainer.settings.checkpoint_dir, trainer.net, epoch, name="best",
                    trainer={"note": f"the parameters of epoch {epoch}; {reason}"})
