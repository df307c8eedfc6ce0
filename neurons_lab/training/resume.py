"""A run's state in a checkpoint, and resuming from one: everything is read and checked
before the network changes.

Resuming refuses, naming every difference, a checkpoint whose run differs from this one in
anything that changes the numbers: the engine, the network's configuration (l2, dtype, …),
the training data and its validation split, the settings in ``settings.TRAJECTORY`` (rate,
batch size, shuffling) and the caller's ``recipe`` (e.g. the CLI's ``--center``,
``--labels``). Epochs, patience, evaluation and checkpoint settings may change.
"""

import json
import random
from dataclasses import dataclass

import numpy as np

from .checkpoint import Checkpoint, check_architecture, load_checkpoint
from .errors import CheckpointError
from .history import History
from .networks import engine_name
from .settings import TRAJECTORY
from .stopping import EarlyStopping

# Configuration keys that do not matter once the parameters are loaded.
_INITIAL_ONLY = ("seed", "init")


def dropout_generator(net):
    """The network's dropout mask generator (``net.dropout_rng``), or None without dropout:
    NumPy's generator in vectorized, a ``random.Random`` in neurons."""
    return getattr(net, "dropout_rng", None)


def generator_state(generator):
    """The JSON-ready state of a NumPy generator or a ``random.Random``."""
    if hasattr(generator, "bit_generator"):
        return generator.bit_generator.state
    version, internal, gauss = generator.getstate()
    return [version, list(internal), gauss]


def set_generator_state(generator, state):
    """Restore what :func:`generator_state` gave (TypeError/ValueError if it does not fit)."""
    if hasattr(generator, "bit_generator"):
        generator.bit_generator.state = state
    else:
        version, internal, gauss = state
        generator.setstate((version, tuple(internal), gauss))


def _probe(generator):
    """A fresh generator of ``generator``'s kind, to check a saved state on."""
    return np.random.default_rng() if hasattr(generator, "bit_generator") else random.Random()


def trainer_state(trainer, rng, stopping, history, stop_reason):
    """The JSON-ready state a checkpoint keeps for a resume (with dropout, the state of the
    network's mask generator too: a resumed run draws the masks it would have drawn)."""
    dropout = dropout_generator(trainer.net)
    return {
        "settings": trainer.settings.to_dict(),
        "rng_state": rng.bit_generator.state,
        "dropout_rng_state": None if dropout is None else generator_state(dropout),
        "best": stopping.to_dict(),
        "history": history.to_dicts(),
        "data": trainer.data_description(),
        "recipe": trainer.recipe,
        "preprocessing": trainer.preprocessing,
        "stop_reason": stop_reason,
    }


@dataclass
class ResumePoint:
    checkpoint: Checkpoint
    history: History
    rng_state: dict
    dropout_rng_state: object  # None without dropout
    stopping: EarlyStopping
    stop_reason: object  # None or the text of an early stop


def read(path, trainer):
    """Load and check a checkpoint for ``trainer``; the network is not touched."""
    checkpoint = load_checkpoint(path)
    where = checkpoint.path
    check_architecture(checkpoint, trainer.net)
    saved = checkpoint.trainer
    if "rng_state" not in saved:
        raise CheckpointError(f"{where} holds parameters only, no trainer state to resume "
                              "from (load it with load_checkpoint)")
    try:
        settings = dict(saved["settings"])
        history = History.from_dicts(saved["history"])
        rng_state = saved["rng_state"]
        np.random.default_rng().bit_generator.state = rng_state  # a valid PCG64 state?
        dropout_state = saved.get("dropout_rng_state")
        dropout = dropout_generator(trainer.net)
        if dropout is not None:
            if dropout_state is None:
                raise ValueError("no dropout_rng_state for the network's dropout masks")
            set_generator_state(_probe(dropout), dropout_state)
        stopping = EarlyStopping.from_dict(saved["best"], checkpoint.best_parameters)
        data, recipe = dict(saved["data"]), saved["recipe"]
        stop_reason = saved["stop_reason"]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CheckpointError(f"{where}: the trainer state is incomplete or invalid "
                              f"({type(exc).__name__}: {exc})") from None
    if len(history) != checkpoint.epoch or (history and history[-1].epoch != checkpoint.epoch):
        raise CheckpointError(f"{where}: its history has {len(history)} epochs but the "
                              f"checkpoint is at epoch {checkpoint.epoch}")
    differences = _differences(checkpoint, settings, data, recipe, trainer)
    if differences:
        raise CheckpointError(f"cannot resume from {where}: this run differs in "
                              + "; ".join(differences)
                              + " (resume with the checkpoint's settings, or start a new run)")
    return ResumePoint(checkpoint, history, rng_state, dropout_state, stopping, stop_reason)


def _differences(checkpoint, settings, data, recipe, trainer):
    differences = []
    ours = trainer.settings.to_dict()
    for key in TRAJECTORY:
        if settings.get(key) != ours[key]:
            differences.append(f"{key}: {ours[key]!r} now, {settings.get(key)!r} in the "
                               "checkpoint")
    engine = engine_name(trainer.net)
    if checkpoint.implementation != engine:
        differences.append(f"engine: {engine} now, {checkpoint.implementation} in the "
                           "checkpoint")
    config = json.loads(json.dumps(trainer.net.config()))  # lists, as the checkpoint's
    for key in sorted(set(config) | set(checkpoint.config)):
        if key not in _INITIAL_ONLY and config.get(key) != checkpoint.config.get(key):
            differences.append(f"{key}: {config.get(key)!r} now, "
                               f"{checkpoint.config.get(key)!r} in the checkpoint")
    recipe = recipe if isinstance(recipe, dict) else {}
    for key in sorted(set(trainer.recipe) | set(recipe)):
        if trainer.recipe.get(key) != recipe.get(key):
            differences.append(f"{key}: {trainer.recipe.get(key)!r} now, "
                               f"{recipe.get(key)!r} in the checkpoint")
    if data != trainer.data_description():
        differences.append(f"training data: {trainer.data_description()['n_train']} samples "
                           f"now, {data.get('n_train')} (other values?) in the checkpoint")
    return differences
