"""Checkpoints: a network's parameters plus a training run's state, saved so a run can resume
(either engine, through the shared API). A checkpoint folder holds::

    epoch-0004.npz    the parameters after epoch 4, np.savez of float arrays W1, b1, W2, …
                      (W_k (n_k, n_(k-1)) or a conv's (N, C, K, K), b_k (n_k,)); with a
                      validation set also best_W1, best_b1, … (the best evaluation's)
    epoch-0004.json   format and version, engine, net.config(), epoch, the trainer's state
                      (settings, RNG states, early stopping, history) and the .npz's sha256
    latest.json       a copy of the newest epoch-NNNN.json: what loading a folder reads
    best.json/.npz    written when a run diverges: the best (or last finite) parameters
    .lock             held by the run writing here (training/runfolder.py)

Each file is written atomically (training/files.py), the .npz first: a JSON file names its
.npz and sha256, so a crash at any moment leaves latest.json naming a complete checkpoint.
Loading never unpickles and reads nothing unbounded: regular files only, the JSON capped in
size and depth, the .npz in size (what its layer sizes need), each member's header (name,
dtype, shape) checked before its data is read. Problems raise a one-line CheckpointError.
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

from vectorized.spec import parse_layer_sizes

from .errors import CheckpointError
from .files import TEMPORARY, atomic_write, read_bytes, read_json, remove_temporaries
from .networks import engine_name, parameter_shapes
from .stopping import copy_parameters
from .validate import fits_in_memory

FORMAT = "neurons-checkpoint"
FORMAT_VERSION = 1
LATEST = "latest.json"
_NUMBERED = re.compile(r"^epoch-(\d+)\.json$")


@dataclass
class Checkpoint:
    """A checkpoint read from disk and verified: ``parameters`` and ``best_parameters`` are
    ``[(W, b), …]`` NumPy arrays; ``trainer`` the trainer's state ({} for parameters only)."""

    path: Path
    epoch: int
    implementation: str
    config: dict
    parameters: list
    best_parameters: Optional[list] = None
    trainer: dict = field(default_factory=dict)


# --- saving ----------------------------------------------------------------------------------

def save_checkpoint(directory, net, epoch, *, trainer=None, best_parameters=None, keep=None,
                    protect=(), name=None):
    """Write ``net``'s parameters, ``best_parameters`` [(W, b), …] and a JSON-ready ``trainer``
    state as checkpoint ``epoch``; returns the JSON file's path. ``keep`` (None: all) numbered
    checkpoints up to this one are kept, older ones deleted except the epochs in ``protect``;
    ``name`` (e.g. "best") writes NAME.json/.npz and leaves latest.json alone."""
    directory, stem = Path(directory), name or f"epoch-{epoch:04d}"
    arrays = {f"{prefix}{n}{k}": array  # W1, b1, …, best_W1, …
              for prefix, params in (("", net.parameters()), ("best_", best_parameters or []))
              for k, pair in enumerate(copy_parameters(params), start=1)
              for n, array in zip("Wb", pair)}
    bad = [key for key, array in arrays.items() if not np.isfinite(array).all()]
    if bad:
        raise CheckpointError(f"not saving checkpoint {directory / stem}: {bad[0]} contains NaN "
                              "or infinity (the training has diverged)")
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    npz_bytes = buffer.getbuffer()  # a view: the arrays are copies already
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
        raise CheckpointError(f"not saving checkpoint {directory / stem}: its metadata is not "
                              f"plain JSON ({exc})") from None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        remove_temporaries(directory)  # left by a killed writer (we hold the .lock)
        atomic_write(directory / f"{stem}.npz", npz_bytes)
        atomic_write(directory / f"{stem}.json", json_bytes)  # the checkpoint exists
        if name is None:
            atomic_write(directory / LATEST, json_bytes)  # and is now the latest
    except OSError as error:
        raise CheckpointError(f"cannot write checkpoint {directory / stem}: "
                              f"{error.strerror or error}") from None
    if keep is not None and name is None:
        older = [(e, p) for e, p in numbered_checkpoints(directory) if e < epoch]
        for e, path in older[: max(0, len(older) - (keep - 1))]:
            if e not in protect:
                with contextlib.suppress(OSError):
                    path.unlink()  # the JSON first: a checkpoint never names a deleted .npz
                    path.with_suffix(".npz").unlink()
    return directory / f"{stem}.json"


def numbered_checkpoints(directory):
    """[(epoch, path of epoch-NNNN.json), …] in the folder, oldest first."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    return sorted((int(m.group(1)), path) for path in directory.iterdir()
                  if (m := _NUMBERED.match(path.name)))


def is_checkpoint_file(name):
    """True for a file name the checkpoint writer owns (numbered, latest, best, the lock,
    temporaries): no other output may take it."""
    return bool(re.match(r"^(epoch-\d+\.(json|npz)|latest\.json|best\.(json|npz)|\.lock)$", name)
                or TEMPORARY.match(name))


def latest_epoch(directory):
    """The epoch of the newest checkpoint in ``directory``, or None when it holds none."""
    numbered = numbered_checkpoints(directory)
    if numbered:
        return numbered[-1][0]
    return 0 if (Path(directory) / LATEST).exists() else None


def clear_run(directory):
    """Delete a run's checkpoints (numbered, latest, best, temporaries) from ``directory``: not
    its lock, nothing else."""
    for path in Path(directory).iterdir():
        if is_checkpoint_file(path.name) and path.name != ".lock":
            path.unlink(missing_ok=True)


# --- loading ---------------------------------------------------------------------------------

def load_checkpoint(path):
    """Read and verify a checkpoint (a folder: its latest.json; an epoch-NNNN.json or its .npz)
    as a :class:`Checkpoint`; any problem raises :class:`CheckpointError`."""
    json_path = _json_path(Path(path))
    meta = read_meta(json_path)
    parameters, best = _read_npz(json_path, meta["parameters"], meta["config"]["layer_sizes"])
    return Checkpoint(json_path, meta["epoch"], meta["implementation"], meta["config"],
                      parameters, best, meta["trainer"])


def set_parameters(net, parameters, where):
    """``net.set_parameters`` with a refusal reported as CheckpointError naming ``where``."""
    try:
        net.set_parameters(parameters)
    except (TypeError, ValueError) as exc:
        raise CheckpointError(f"{where}: the network refused the parameters: {exc}") from None


def _json_path(path):
    if path.is_dir():
        if not (path / LATEST).exists():
            found = numbered_checkpoints(path)
            hint = f" (it holds {found[-1][1].name})" if found else ""
            raise CheckpointError(f"no checkpoint in {path}: {LATEST} is missing{hint}")
        return path / LATEST
    return path.with_suffix(".json") if path.suffix == ".npz" else path  # read_json: missing?


def read_meta(path):
    """The checked JSON of a checkpoint (a folder's latest.json, an epoch-NNNN.json, or the
    JSON beside a .npz), without its parameters."""
    path = _json_path(Path(path))
    meta = read_json(path, CheckpointError, "checkpoint file")
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not a checkpoint of this project (no format {FORMAT!r})")
    if meta.get("format_version") != FORMAT_VERSION:
        raise CheckpointError(f"{path} has checkpoint format version "
                              f"{meta.get('format_version')!r}; this code reads version "
                              f"{FORMAT_VERSION}")
    for key, kind in (("implementation", str), ("config", dict), ("parameters", dict),
                      ("trainer", dict)):
        if not isinstance(meta.get(key), kind):
            raise CheckpointError(f"{path}: {key!r} is missing or not a {kind.__name__} "
                                  f"(got {meta.get(key)!r})")
    epoch = meta.get("epoch")
    if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
        raise CheckpointError(f"{path}: 'epoch' must be an integer ≥ 0, got {epoch!r}")
    try:
        parse_layer_sizes(meta["config"].get("layer_sizes"))  # sizes or a CNN spec, as built
    except (TypeError, ValueError) as exc:
        raise CheckpointError(f"{path}: config.layer_sizes is not a valid spec: {exc}") from None
    file_name = meta["parameters"].get("file")  # its sha256 is compared, never trusted
    if not isinstance(file_name, str) or not file_name or Path(file_name).name != file_name:
        raise CheckpointError(f"{path}: parameters.file must be a file name, got {file_name!r}")
    for key in ("settings", "best", "data", "recipe", "preprocessing"):  # read as objects
        if not isinstance(meta["trainer"].get(key, {}), (dict, type(None))):
            raise CheckpointError(f"{path}: trainer.{key} must be a JSON object, got "
                                  f"{type(meta['trainer'][key]).__name__}")
    return meta


def _read_npz(json_path, named, sizes):
    """(parameters, best parameters or None) from the .npz ``named`` {"file", "sha256"} by
    ``json_path``, read as the module says (one pair per layer with parameters)."""
    path = json_path.parent / named["file"]
    pairs = parameter_shapes(sizes)
    shapes = {f"{p}{n}{k}": shape for p in ("", "best_") for k, pair in enumerate(pairs, 1)
              for n, shape in zip("Wb", pair)}
    need = sum(8 * math.prod(shape) for shape in shapes.values())
    fits_in_memory(need, f"checkpoint {json_path} (layer sizes {sizes})")
    data = read_bytes(path, need + 512 * len(shapes) + 4096, CheckpointError, "parameter file")
    actual = hashlib.sha256(data).hexdigest()
    if actual != named.get("sha256"):
        raise CheckpointError(
            f"parameter file {path} does not match {json_path.name}: sha256 is {actual}, "
            f"expected {named.get('sha256')} (truncated, modified, or from another checkpoint)")
    arrays = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.infolist():
                name = member.filename.removesuffix(".npy")
                if name not in shapes:
                    raise CheckpointError(f"{path}: unexpected arrays {name}")
                with archive.open(member) as f:
                    version = np.lib.format.read_magic(f)
                    shape, fortran, dtype = (np.lib.format.read_array_header_1_0(f)
                                             if version == (1, 0) else
                                             np.lib.format.read_array_header_2_0(f))
                    if dtype.kind != "f":
                        raise CheckpointError(f"{path}: {name} has dtype {dtype}, expected "
                                              "floats")
                    if tuple(shape) != shapes[name]:
                        raise CheckpointError(f"{path}: {name} has shape {tuple(shape)}, "
                                              f"expected {shapes[name]} for layer sizes {sizes}")
                    raw = f.read(math.prod(shape) * dtype.itemsize)  # short: reshape fails
                    array = np.frombuffer(raw, dtype=dtype).reshape(
                        shape, order="F" if fortran else "C")
                if not np.isfinite(array).all():
                    bad = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
                    raise CheckpointError(f"{path}: {name}[{', '.join(map(str, bad))}] is "
                                          f"{float(array[bad])}: values must be finite")
                arrays[name] = array.copy()
    except CheckpointError:
        raise
    except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile) as exc:
        raise CheckpointError(f"parameter file {path} is not a readable .npz (a zip archive "
                              f"of .npy arrays): {exc}") from None
    best = any(name.startswith("best_") for name in arrays)
    missing = [n for n in shapes if n not in arrays and (best or not n.startswith("best_"))]
    if missing:
        raise CheckpointError(f"{path} lacks the arrays {', '.join(missing)}")
    found = [[(arrays[f"{p}W{k}"], arrays[f"{p}b{k}"]) for k in range(1, len(pairs) + 1)]
             for p in ("", "best_") if p == "" or best]
    return found[0], found[1] if best else None
