"""Reading a checkpoint's two files back and checking every value before anything uses them.

A missing or unreadable file, truncated or corrupt JSON or .npz, a sha256 mismatch, missing
or extra arrays, wrong shapes, non-finite values, and an architecture (layer sizes,
activations, output, loss) that differs from a network's all raise :class:`CheckpointError`
naming the file and the problem. See training/checkpoint.py for the layout.
"""

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import numpy as np

from .errors import CheckpointError
from .networks import is_convolutional, parameter_shapes

FORMAT = "neurons-checkpoint"
FORMAT_VERSION = 1
# What must agree between a checkpoint and the network it is loaded into.
ARCHITECTURE_KEYS = ("layer_sizes", "activation", "output", "loss")


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


def read_json(path):
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
    return meta


def _require(meta, path, key, kind):
    if not isinstance(meta.get(key), kind):
        raise CheckpointError(
            f"{path}: {key!r} is missing or not a {kind.__name__} (got {meta.get(key)!r})"
        )


def read_npz(path, digest, json_path):
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


def layers(arrays, prefix, sizes, path, *, required):
    """[(W, b), …] from arrays named {prefix}W1, {prefix}b1, …, every shape and value checked
    (one pair per layer with parameters: a CNN's pooling and dropout layers have none)."""
    shapes = parameter_shapes(sizes)
    names = [f"{prefix}{n}{k}" for k in range(1, len(shapes) + 1) for n in "Wb"]
    present = [name for name in names if name in arrays]
    if not present and not required:
        return None
    missing = [name for name in names if name not in arrays]
    if missing:
        raise CheckpointError(f"{path} lacks the arrays {', '.join(missing)}")
    layers = []
    for k, (W_shape, b_shape) in enumerate(shapes, start=1):
        pair = []
        for name, shape in ((f"{prefix}W{k}", W_shape), (f"{prefix}b{k}", b_shape)):
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

