"""Checkpoints: a network's parameters plus a training run's state, saved so a run can resume.

Works with either network through the shared API only (``parameters``, ``set_parameters``,
``config()``, ``layer_sizes``). Layout of a checkpoint directory::

    epoch-0004.npz    the parameters after epoch 4: arrays W1, b1, W2, b2, … (np.savez of
                      plain float arrays, read back with allow_pickle=False; W_k has shape
                      (n_k, n_(k-1)), b_k (n_k,)). With early stopping
                      it also holds best_W1, best_b1, … (the best evaluation's parameters).
    epoch-0004.json   everything else: format and version, implementation ("neurons" or
                      "vectorized"), net.config(), the epoch completed, the trainer's state
                      (settings, shuffle RNG state, early-stopping bookkeeping, history) and
                      the sha256 of epoch-0004.npz.
    latest.json       a copy of the newest epoch-NNNN.json: what ``load_checkpoint(directory)``
                      and resuming read.

Writing is atomic. Every file is written to a temporary file in the same directory, flushed
to disk (fsync) and renamed over its final name (os.replace). The .npz goes first, then
epoch-NNNN.json, then latest.json: a JSON file is the commit point, and it names the .npz
and its sha256, so a crash at any moment leaves latest.json pointing at a complete earlier
checkpoint. Temporary files of an interrupted write are removed on the way out, or by the
next save in that directory if the process died. Older numbered checkpoints are kept unless
``keep`` says otherwise.

Loading checks everything before the network changes: a missing or unreadable file, a
truncated or corrupt JSON or .npz, a sha256 mismatch, missing or extra arrays, wrong shapes,
non-finite values, and an architecture (layer sizes, activations, output, loss) that differs
from the network's all raise :class:`CheckpointError` naming the file and the problem.
"""

import contextlib
import hashlib
import io
import json
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import numpy as np

FORMAT = "neurons-checkpoint"
FORMAT_VERSION = 1
LATEST = "latest.json"
# What must agree between a checkpoint and the network it is loaded into.
ARCHITECTURE_KEYS = ("layer_sizes", "activation", "output", "loss")

_NUMBERED = re.compile(r"^epoch-(\d+)\.json$")
_TEMPORARY = re.compile(r"^\.(epoch-\d+\.(npz|json)|latest\.json)\..*\.tmp$")


class CheckpointError(ValueError):
    """A checkpoint is missing, corrupt, inconsistent, or does not fit the network."""


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


def implementation_name(net):
    """The package a network comes from: "neurons" or "vectorized"."""
    return type(net).__module__.split(".")[0]


# --------------------------------------------------------------------------------------------
# saving
# --------------------------------------------------------------------------------------------

def save_checkpoint(directory, net, epoch, *, trainer=None, best_parameters=None, keep=None):
    """Write ``net``'s parameters (and optionally a trainer's state) as checkpoint ``epoch``.

    ``trainer`` is a JSON-serialisable dict, ``best_parameters`` a ``[(W, b), …]`` list saved
    as best_W1, best_b1, …; ``keep`` (None = all) is how many numbered checkpoints up to this
    one to keep: older ones are deleted after this one is committed. Returns the path of the
    checkpoint's JSON file.
    """
    directory = Path(directory)
    if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
        raise ValueError(f"epoch must be an integer ≥ 0, got {epoch!r}")
    if keep is not None and (isinstance(keep, bool) or not isinstance(keep, int) or keep < 1):
        raise ValueError(f"keep must be None or an integer ≥ 1, got {keep!r}")
    directory.mkdir(parents=True, exist_ok=True)
    remove_temporaries(directory)

    stem = f"epoch-{epoch:04d}"
    arrays = _named_arrays(net.parameters(), "")
    if best_parameters is not None:
        arrays.update(_named_arrays(best_parameters, "best_"))
    for name, array in arrays.items():
        if not np.isfinite(array).all():
            raise CheckpointError(
                f"not saving checkpoint {directory / stem}: {name} contains NaN or infinity "
                "(the training has diverged)"
            )
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    npz_bytes = buffer.getvalue()

    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "implementation": implementation_name(net),
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

    _atomic_write(directory / f"{stem}.npz", npz_bytes)
    _atomic_write(directory / f"{stem}.json", json_bytes)  # the numbered checkpoint exists
    _atomic_write(directory / LATEST, json_bytes)  # and is now the latest
    _sync_directory(directory)
    if keep is not None:
        _prune(directory, epoch, keep)
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


def _atomic_write(path, data):
    """Write ``data`` to ``path`` so that ``path`` is either the old file or the new one."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _sync_directory(directory):
    """Make the renames themselves durable (POSIX; a no-op where directories can't be opened)."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def remove_temporaries(directory):
    """Delete temporary files left by a save that was killed mid-write; returns their names."""
    removed = []
    for path in Path(directory).iterdir():
        if _TEMPORARY.match(path.name):
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path.name)
    return removed


def numbered_checkpoints(directory):
    """[(epoch, path of epoch-NNNN.json), …] in the directory, oldest first."""
    found = []
    for path in Path(directory).iterdir():
        match = _NUMBERED.match(path.name)
        if match:
            found.append((int(match.group(1)), path))
    return sorted(found)


def _prune(directory, epoch, keep):
    """Delete numbered checkpoints older than the newest ``keep`` up to ``epoch``."""
    older = [(e, p) for e, p in numbered_checkpoints(directory) if e < epoch]
    for _, path in older[: max(0, len(older) - (keep - 1))]:
        with contextlib.suppress(OSError):
            path.unlink()  # the JSON first: a checkpoint never names a deleted .npz
            path.with_suffix(".npz").unlink()


# --------------------------------------------------------------------------------------------
# loading
# --------------------------------------------------------------------------------------------

def load_checkpoint(path, net=None):
    """Read and verify a checkpoint; if ``net`` is given, check its architecture and load the
    parameters into it (through ``net.set_parameters``).

    ``path`` is a checkpoint directory (its latest.json is read), an epoch-NNNN.json file, or
    its .npz. Returns a :class:`Checkpoint`; raises :class:`CheckpointError` on any problem,
    before the network is changed.
    """
    json_path = _json_path(Path(path))
    meta = _read_json(json_path)
    config = meta["config"]
    sizes = config["layer_sizes"]
    npz_path = json_path.parent / meta["parameters"]["file"]
    arrays = _read_npz(npz_path, meta["parameters"]["sha256"], json_path)
    parameters = _layers(arrays, "", sizes, npz_path, required=True)
    best = _layers(arrays, "best_", sizes, npz_path, required=False)
    expected = {f"{p}{n}{k}" for p in ("", "best_") for n in "Wb" for k in range(1, len(sizes))}
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
        try:
            net.set_parameters(parameters)
        except (TypeError, ValueError) as exc:
            raise CheckpointError(f"{json_path}: the network refused the parameters: {exc}") \
                from None
    return checkpoint


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


def _read_json(path):
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CheckpointError(f"cannot read checkpoint file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise CheckpointError(f"checkpoint file {path} is not UTF-8 text: corrupt?") from None
    try:
        meta = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CheckpointError(
            f"checkpoint file {path} is not valid JSON (truncated or corrupt?): {exc}"
        ) from None
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
    if (not isinstance(sizes, list) or len(sizes) < 2
            or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in sizes)):
        raise CheckpointError(f"{path}: config.layer_sizes must list ≥ 2 sizes ≥ 1, got {sizes!r}")
    file_name = meta["parameters"].get("file")
    digest = meta["parameters"].get("sha256")
    if not isinstance(file_name, str) or Path(file_name).name != file_name or not file_name:
        raise CheckpointError(f"{path}: parameters.file must be a file name, got {file_name!r}")
    if not isinstance(digest, str) or not re.fullmatch(r"[0-9a-f]{64}", digest):
        raise CheckpointError(f"{path}: parameters.sha256 must be 64 hex digits, got {digest!r}")
    return meta


def _require(meta, path, key, kind):
    if not isinstance(meta.get(key), kind):
        raise CheckpointError(
            f"{path}: {key!r} is missing or not a {kind.__name__} (got {meta.get(key)!r})"
        )


def _read_npz(path, digest, json_path):
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CheckpointError(
            f"parameter file {path} named by {json_path.name} does not exist"
        ) from None
    except OSError as exc:
        raise CheckpointError(f"cannot read parameter file {path}: {exc.strerror}") from None
    actual = hashlib.sha256(data).hexdigest()
    if actual != digest:
        raise CheckpointError(
            f"parameter file {path} does not match {json_path.name}: sha256 is {actual}, "
            f"expected {digest} (truncated, modified, or from another checkpoint)"
        )
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            return {name: npz[name] for name in npz.files}
    except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile) as exc:
        raise CheckpointError(f"parameter file {path} is not a readable .npz: {exc}") from None


def _layers(arrays, prefix, sizes, path, *, required):
    """[(W, b), …] from arrays named {prefix}W1, {prefix}b1, …, every shape and value checked."""
    names = [f"{prefix}{n}{k}" for k in range(1, len(sizes)) for n in "Wb"]
    present = [name for name in names if name in arrays]
    if not present and not required:
        return None
    missing = [name for name in names if name not in arrays]
    if missing:
        raise CheckpointError(f"{path} lacks the arrays {', '.join(missing)}")
    layers = []
    for k in range(1, len(sizes)):
        pair = []
        for name, shape in ((f"{prefix}W{k}", (sizes[k], sizes[k - 1])),
                            (f"{prefix}b{k}", (sizes[k],))):
            array = arrays[name]
            if array.dtype.kind != "f":
                raise CheckpointError(f"{path}: {name} has dtype {array.dtype}, expected floats")
            if array.shape != shape:
                raise CheckpointError(
                    f"{path}: {name} has shape {array.shape}, expected {shape} for layer sizes "
                    f"{sizes}"
                )
            if not np.isfinite(array).all():
                bad = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
                where = ", ".join(map(str, bad))
                raise CheckpointError(
                    f"{path}: {name}[{where}] is {float(array[bad])}: values must be finite"
                )
            pair.append(array)
        layers.append(tuple(pair))
    return layers

