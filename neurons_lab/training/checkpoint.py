"""Checkpoints: a network's parameters plus a training run's state, saved so a run can resume.

Works with either network through the shared API only (``parameters``, ``set_parameters``,
``config()``, ``layer_sizes``). Layout of a checkpoint folder::

    epoch-0004.npz    the parameters after epoch 4: arrays W1, b1, W2, b2, … (np.savez of
                      plain float arrays, read back with allow_pickle=False; W_k has shape
                      (n_k, n_(k-1)), b_k (n_k,); one pair per layer with parameters, a conv
                      W_k (N, C, K, K)). With a validation set it also holds
                      best_W1, best_b1, … (the best evaluation's parameters).
    epoch-0004.json   everything else: format and version, the engine ("neurons",
                      "vectorized", …), net.config(), the epoch completed, the trainer's state
                      (settings, shuffle RNG state, early-stopping bookkeeping, history) and
                      the sha256 of epoch-0004.npz.
    latest.json       a copy of the newest epoch-NNNN.json: what ``load_checkpoint(folder)``
                      and resuming read.
    best.json/.npz    written when a run diverges: the best (or last finite) parameters.
    .lock             held by the run writing here (training/runlock.py).

Writing is atomic (training/files.py): the .npz first, then epoch-NNNN.json, then
latest.json. A JSON file is the commit point, and it names the .npz and its sha256, so a
crash at any moment leaves latest.json pointing at a complete earlier checkpoint. Files get
the user's normal permissions (0666 minus the umask). ``keep`` prunes older numbered
checkpoints, except those in ``protect`` (the best epoch's).

Loading checks everything before a network changes (training/checkpoint_verify.py).
"""

import contextlib
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import numpy as np

from .checkpoint_verify import (
    FORMAT,
    FORMAT_VERSION,
    check_architecture,
    layers,
    read_json,
    read_npz,
)
from .errors import CheckpointError
from .files import atomic_write, remove_temporaries, sync_directory
from .networks import engine_name

__all__ = ["Checkpoint", "CheckpointError", "save_checkpoint", "load_checkpoint",
           "check_architecture", "numbered_checkpoints", "latest_epoch", "clear_run",
           "remove_temporaries", "implementation_name", "LATEST", "BEST"]

LATEST = "latest.json"
BEST = "best"
_NUMBERED = re.compile(r"^epoch-(\d+)\.json$")
implementation_name = engine_name  # the older name


@dataclass
class Checkpoint:
    """A checkpoint as read from disk and verified.

    ``parameters`` and ``best_parameters`` are ``[(W, b), …]`` lists of NumPy arrays;
    ``trainer`` is the trainer's state (an empty dict for a parameters-only checkpoint).
    """

    path: Path
    epoch: int
    implementation: str
    config: dict
    parameters: list
    best_parameters: Optional[list] = None
    trainer: dict = field(default_factory=dict)
    saved_at: str = ""


# --------------------------------------------------------------------------------------------
# saving
# --------------------------------------------------------------------------------------------

def save_checkpoint(directory, net, epoch, *, trainer=None, best_parameters=None, keep=None,
                    protect=(), name=None):
    """Write ``net``'s parameters (and optionally a trainer's state) as checkpoint ``epoch``.

    ``trainer`` is a JSON-serialisable dict, ``best_parameters`` a ``[(W, b), …]`` list saved
    as best_W1, best_b1, …; ``keep`` (None = all) is how many numbered checkpoints up to this
    one to keep (older ones, except the epochs in ``protect``, are deleted after this one is
    committed). ``name`` (e.g. "best") writes NAME.json/.npz instead of a numbered
    checkpoint and leaves latest.json alone. Returns the path of the JSON file. A file that
    cannot be written raises CheckpointError naming it.
    """
    directory = Path(directory)
    if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
        raise ValueError(f"epoch must be an integer ≥ 0, got {epoch!r}")
    if keep is not None and (isinstance(keep, bool) or not isinstance(keep, int) or keep < 1):
        raise ValueError(f"keep must be None or an integer ≥ 1, got {keep!r}")
    stem = name or f"epoch-{epoch:04d}"
    arrays = _named_arrays(net.parameters(), "")
    if best_parameters is not None:
        arrays.update(_named_arrays(best_parameters, "best_"))
    for array_name, array in arrays.items():
        if not np.isfinite(array).all():
            raise CheckpointError(
                f"not saving checkpoint {directory / stem}: {array_name} contains NaN or "
                "infinity (the training has diverged)")
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    npz_bytes = buffer.getvalue()
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "implementation": engine_name(net),
        "config": net.config(),
        "epoch": epoch,
        "parameters": {"file": f"{stem}.npz", "sha256": hashlib.sha256(npz_bytes).hexdigest()},
        "trainer": trainer if trainer is not None else {},
    }
    try:
        json_bytes = (json.dumps(meta, indent=1, allow_nan=False) + "\n").encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise CheckpointError(
            f"not saving checkpoint {directory / stem}: its metadata is not plain JSON ({exc})"
        ) from None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        remove_temporaries(directory)  # left by a killed writer (one run per folder: .lock)
        atomic_write(directory / f"{stem}.npz", npz_bytes)
        atomic_write(directory / f"{stem}.json", json_bytes)  # the checkpoint exists
        if name is None:
            atomic_write(directory / LATEST, json_bytes)  # and is now the latest
        sync_directory(directory)
    except OSError as error:
        raise CheckpointError(f"cannot write checkpoint {directory / stem}: "
                              f"{error.strerror or error}") from None
    if keep is not None and name is None:
        _prune(directory, epoch, keep, protect)
    return directory / f"{stem}.json"


def _named_arrays(params, prefix):
    """{"W1": …, "b1": …, …} as float arrays (lists become float64, float32 stays float32)."""
    arrays = {}
    for k, (W, b) in enumerate(params, start=1):
        for name, value in ((f"{prefix}W{k}", W), (f"{prefix}b{k}", b)):
            array = np.array(value)
            if array.dtype.kind != "f":
                array = array.astype(np.float64)
            arrays[name] = array
    return arrays


def numbered_checkpoints(directory):
    """[(epoch, path of epoch-NNNN.json), …] in the folder, oldest first."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    found = []
    for path in directory.iterdir():
        match = _NUMBERED.match(path.name)
        if match:
            found.append((int(match.group(1)), path))
    return sorted(found)


def latest_epoch(directory):
    """The epoch of the newest checkpoint in ``directory``, or None when it holds none."""
    directory = Path(directory)
    numbered = numbered_checkpoints(directory)
    if numbered:
        return numbered[-1][0]
    return 0 if (directory / LATEST).exists() else None


def clear_run(directory):
    """Delete a run's checkpoints (numbered, latest, best) from ``directory``, nothing else."""
    directory = Path(directory)
    for _, path in numbered_checkpoints(directory):
        for victim in (path, path.with_suffix(".npz")):
            victim.unlink(missing_ok=True)
    for victim in (LATEST, f"{BEST}.json", f"{BEST}.npz"):
        (directory / victim).unlink(missing_ok=True)


def _prune(directory, epoch, keep, protect):
    """Delete numbered checkpoints older than the newest ``keep`` up to ``epoch``."""
    older = [(e, p) for e, p in numbered_checkpoints(directory) if e < epoch]
    for e, path in older[: max(0, len(older) - (keep - 1))]:
        if e in protect:
            continue
        with contextlib.suppress(OSError):
            path.unlink()  # the JSON first: a checkpoint never names a deleted .npz
            path.with_suffix(".npz").unlink()


# --------------------------------------------------------------------------------------------
# loading
# --------------------------------------------------------------------------------------------

def load_checkpoint(path, net=None):
    """Read and verify a checkpoint; if ``net`` is given, check its architecture and load the
    parameters into it (through ``net.set_parameters``).

    ``path`` is a checkpoint folder (its latest.json is read), an epoch-NNNN.json file, or
    its .npz. Returns a :class:`Checkpoint`; raises :class:`CheckpointError` on any problem,
    before the network is changed.
    """
    json_path = _json_path(Path(path))
    meta = read_json(json_path)
    config = meta["config"]
    sizes = config["layer_sizes"]
    npz_path = json_path.parent / meta["parameters"]["file"]
    arrays = read_npz(npz_path, meta["parameters"]["sha256"], json_path)
    parameters = layers(arrays, "", sizes, npz_path, required=True)
    best = layers(arrays, "best_", sizes, npz_path, required=False)
    expected = {f"{p}{n}{k}" for p in ("", "best_") for n in "Wb"
                for k in range(1, len(parameters) + 1)}
    extra = sorted(set(arrays) - expected)
    if extra:
        raise CheckpointError(f"{npz_path}: unexpected arrays {', '.join(extra)}")
    checkpoint = Checkpoint(
        path=json_path, epoch=meta["epoch"], implementation=meta["implementation"],
        config=config, parameters=parameters, best_parameters=best,
        trainer=meta["trainer"], saved_at=meta.get("saved_at", ""),
    )
    if net is not None:
        check_architecture(checkpoint, net)
        set_parameters(net, parameters, json_path)
    return checkpoint


def set_parameters(net, parameters, where):
    """``net.set_parameters`` with a refusal reported as CheckpointError naming ``where``."""
    try:
        net.set_parameters(parameters)
    except (TypeError, ValueError) as exc:
        raise CheckpointError(f"{where}: the network refused the parameters: {exc}") from None


def _json_path(path):
    if path.is_dir():
        latest = path / LATEST
        if not latest.exists():
            found = numbered_checkpoints(path)
            hint = f" (it holds {found[-1][1].name})" if found else ""
            raise CheckpointError(f"no checkpoint in {path}: {LATEST} is missing{hint}")
        return latest
    if path.suffix == ".npz":
        path = path.with_suffix(".json")
    if not path.exists():
        raise CheckpointError(f"checkpoint file {path} does not exist")
    return path
