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
    .lock             held by the run writing here (training/runfolder.py).

Writing is atomic (training/files.py): the .npz first, then epoch-NNNN.json, then
latest.json. A JSON file is the commit point, and it names the .npz and its sha256, so a
crash at any moment leaves latest.json pointing at a complete earlier checkpoint. Files get
the user's normal permissions (0666 minus the umask). ``keep`` prunes older numbered
checkpoints, except those in ``protect`` (the best epoch's).

Loading checks everything before a network changes, and reads nothing unbounded: both files
must be regular files; the JSON is capped in size and depth (training/files.py); the .npz in
size (what its layer sizes need), and each member's header (name, dtype, shape) is checked
against the layer sizes before its data is read. A missing, corrupt, truncated or hostile
file, a sha256 mismatch, missing or extra arrays, wrong shapes, non-finite values, and an
architecture that differs from a network's all raise :class:`CheckpointError` naming the file.
"""

import contextlib
import hashlib
import io
import json
import math
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import numpy as np

from .errors import CheckpointError
from .files import (
    TEMPORARY,
    atomic_write,
    read_bytes,
    read_json,
    remove_temporaries,
    sync_directory,
)
from .networks import engine_name, is_convolutional, parameter_shapes
from .validate import fits_in_memory

FORMAT = "neurons-checkpoint"
FORMAT_VERSION = 1
# What must agree between a checkpoint and the network it is loaded into.
ARCHITECTURE_KEYS = ("layer_sizes", "activation", "output", "loss")
# Trainer-state entries that are JSON objects when present (a resume reads them as such).
_TRAINER_DICTS = ("settings", "best", "data", "recipe", "preprocessing")

LATEST = "latest.json"
BEST = "best"
_NUMBERED = re.compile(r"^epoch-(\d+)\.json$")


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


def is_checkpoint_file(name):
    """True for a file name the checkpoint writer owns (numbered, latest, best, the lock,
    temporaries): no other output may take it."""
    return bool(_NUMBERED.match(name) or re.match(r"^epoch-\d+\.npz$", name)
                or name in (LATEST, f"{BEST}.json", f"{BEST}.npz", ".lock")
                or TEMPORARY.match(name))


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
    meta = _read_meta(json_path)
    config = meta["config"]
    sizes = config["layer_sizes"]
    npz_path = json_path.parent / meta["parameters"]["file"]
    arrays = read_npz(npz_path, meta["parameters"]["sha256"], json_path, sizes)
    parameters = layers(arrays, "", sizes, npz_path, required=True)
    best = layers(arrays, "best_", sizes, npz_path, required=False)
    checkpoint = Checkpoint(
        path=json_path, epoch=meta["epoch"], implementation=meta["implementation"],
        config=config, parameters=parameters, best_parameters=best,
        trainer=meta["trainer"], saved_at=meta.get("saved_at", ""),
    )
    if net is not None:
        check_architecture(checkpoint, net)
        set_parameters(net, parameters, json_path)
    return checkpoint


def read_meta(path):
    """The checked JSON of a checkpoint (a folder's latest.json, an epoch-NNNN.json, or the
    JSON beside a .npz), without its parameters."""
    return _read_meta(_json_path(Path(path)))


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


# --------------------------------------------------------------------------------------------
# checking
# --------------------------------------------------------------------------------------------

def check_architecture(checkpoint, net):
    """Raise CheckpointError unless layer sizes, activations, output and loss match ``net``."""
    ours = net.config()
    differences = []
    for key in ARCHITECTURE_KEYS:
        saved, current = checkpoint.config.get(key), ours.get(key)
        if key in ("layer_sizes", "activation"):
            saved, current = list(saved or []), list(current or [])
        if saved != current:
            differences.append(f"{key} {saved!r} in the checkpoint, {current!r} in the network")
    if differences:
        raise CheckpointError(
            f"{checkpoint.path} does not fit this network: " + "; ".join(differences)
            + f" (checkpoint: {_describe(checkpoint.config)}; network: {_describe(ours)})"
        )


def _describe(config):
    return (f"{list(config.get('layer_sizes', []))} {'/'.join(config.get('activation', []))}"
            f"→{config.get('output')}, loss {config.get('loss')}")


def _read_meta(path):
    meta = read_json(path, CheckpointError, "checkpoint file")
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not a checkpoint of this project (no format {FORMAT!r})")
    version = meta.get("format_version")
    if version != FORMAT_VERSION:
        raise CheckpointError(
            f"{path} has checkpoint format version {version!r}; this code reads version "
            f"{FORMAT_VERSION}"
        )
    _require(meta, path, "implementation", str)
    _require(meta, path, "config", dict)
    _require(meta, path, "parameters", dict)
    _require(meta, path, "trainer", dict)
    epoch = meta.get("epoch")
    if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
        raise CheckpointError(f"{path}: 'epoch' must be an integer ≥ 0, got {epoch!r}")
    sizes = meta["config"].get("layer_sizes")
    if isinstance(sizes, list) and is_convolutional(sizes):
        try:
            parameter_shapes(sizes)
        except (TypeError, ValueError) as exc:
            raise CheckpointError(f"{path}: config.layer_sizes is not a valid spec: {exc}") \
                from None
    elif (not isinstance(sizes, list) or len(sizes) < 2
            or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in sizes)):
        raise CheckpointError(f"{path}: config.layer_sizes must list ≥ 2 sizes ≥ 1, got {sizes!r}")
    file_name = meta["parameters"].get("file")
    digest = meta["parameters"].get("sha256")
    if not isinstance(file_name, str) or Path(file_name).name != file_name or not file_name:
        raise CheckpointError(f"{path}: parameters.file must be a file name, got {file_name!r}")
    if not isinstance(digest, str) or not re.fullmatch(r"[0-9a-f]{64}", digest):
        raise CheckpointError(f"{path}: parameters.sha256 must be 64 hex digits, got {digest!r}")
    for key in _TRAINER_DICTS:
        if meta["trainer"].get(key) is not None and not isinstance(meta["trainer"][key], dict):
            raise CheckpointError(f"{path}: trainer.{key} must be a JSON object, got "
                                  f"{type(meta['trainer'][key]).__name__}")
    return meta


def _require(meta, path, key, kind):
    if not isinstance(meta.get(key), kind):
        raise CheckpointError(
            f"{path}: {key!r} is missing or not a {kind.__name__} (got {meta.get(key)!r})"
        )


def read_npz(path, digest, json_path, sizes):
    """{name: array} of the .npz ``path`` after its sha256, and each member's header (a float
    array of the shape ``sizes`` gives it), were checked: nothing is read or allocated beyond
    what the layer sizes need."""
    shapes = {f"{p}{n}{k}": shape for p in ("", "best_")
              for k, pair in enumerate(parameter_shapes(sizes), start=1)
              for n, shape in zip("Wb", pair)}
    need = sum(8 * math.prod(shape) for shape in shapes.values())
    fits_in_memory(need, f"checkpoint {json_path} (layer sizes {sizes})")
    if not path.exists():
        raise CheckpointError(f"parameter file {path} named by {json_path.name} does not exist")
    data = read_bytes(path, need + 512 * len(shapes) + 4096, CheckpointError, "parameter file")
    actual = hashlib.sha256(data).hexdigest()
    if actual != digest:
        raise CheckpointError(
            f"parameter file {path} does not match {json_path.name}: sha256 is {actual}, "
            f"expected {digest} (truncated, modified, or from another checkpoint)"
        )
    arrays = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.infolist():
                name = member.filename.removesuffix(".npy")
                if name not in shapes:
                    raise CheckpointError(f"{path}: unexpected arrays {name}")
                with archive.open(member) as f:
                    version = np.lib.format.read_magic(f)
                    read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                                   else np.lib.format.read_array_header_2_0)
                    shape, fortran, dtype = read_header(f)
                    if dtype.kind != "f":
                        raise CheckpointError(f"{path}: {name} has dtype {dtype}, expected "
                                              "floats")
                    if tuple(shape) != shapes[name]:
                        raise CheckpointError(
                            f"{path}: {name} has shape {tuple(shape)}, expected "
                            f"{shapes[name]} for layer sizes {sizes}")
                    count = math.prod(shape)
                    raw = f.read(count * dtype.itemsize)
                    if len(raw) != count * dtype.itemsize:
                        raise CheckpointError(f"{path}: {name} is truncated")
                    array = np.frombuffer(raw, dtype=dtype).reshape(
                        shape, order="F" if fortran else "C")
                    arrays[name] = array.copy()
    except CheckpointError:
        raise
    except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile) as exc:
        raise CheckpointError(f"parameter file {path} is not a readable .npz (a zip archive "
                              f"of .npy arrays): {exc}") from None
    return arrays


def layers(arrays, prefix, sizes, path, *, required):
    """[(W, b), …] from arrays named {prefix}W1, {prefix}b1, … (their dtypes and shapes checked
    by read_npz), every value finite (one pair per layer with parameters: a CNN's pooling and
    dropout layers have none)."""
    shapes = parameter_shapes(sizes)
    names = [f"{prefix}{n}{k}" for k in range(1, len(shapes) + 1) for n in "Wb"]
    present = [name for name in names if name in arrays]
    if not present and not required:
        return None
    missing = [name for name in names if name not in arrays]
    if missing:
        raise CheckpointError(f"{path} lacks the arrays {', '.join(missing)}")
    for name in names:
        array = arrays[name]
        if not np.isfinite(array).all():
            bad = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
            where = ", ".join(map(str, bad))
            raise CheckpointError(
                f"{path}: {name}[{where}] is {float(array[bad])}: values must be finite")
    return [(arrays[W], arrays[b]) for W, b in zip(names[::2], names[1::2])]
