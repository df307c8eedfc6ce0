"""`neurons train`: check every setting, prepare a data set, train one engine or both in
lockstep, report; the test set is scored once, at the end."""

import shlex
import sys
import time
from pathlib import Path

import numpy as np

from ..training import runfolder, validate
from ..training.checkpoint import is_checkpoint_file, latest_epoch
from ..training.download import add_data_options
from ..training.errors import UsageError
from ..training.history import SUFFIXES
from ..training.networks import BOTH, input_output_sizes, max_parameter_difference
from ..training.options import (
    add_engine_option,
    add_network_options,
    build_networks,
    checked,
    count_or,
    network_config,
)
from ..training.prepare import prepare
from ..training.scoring import network_outputs
from ..training.settings import MINIMUM, TrainSettings
from ..training.threads import threads_argument
from ..training.trainer import Trainer

EXIT_DIVERGED = 3
EXIT_INTERRUPTED = 130


def add_subcommands(subparsers):
    train = subparsers.add_parser(
        "train", help="train a network on bits, spiral or MNIST",
        description="Train either engine, or both in lockstep. Early stopping and the best "
                    "epoch use the validation set; the test set is scored once, at the end. "
                    f"Exit status {EXIT_DIVERGED}: the training diverged.")
    add_engine_option(train, "vectorized")
    train.add_argument("--dataset", default="mnist", choices=("bits", "spiral", "mnist"))
    add_data_options(train, note="For --dataset mnist.")
    add_network_options(train, layers="784,300,10", rate=0.3)
    t = train.add_argument_group("training")
    t.add_argument("--epochs", type=int, default=10)
    t.add_argument("--batch-size", type=int, default=1)
    t.add_argument("--labels", choices=("tutorial", "onehot"), default=None,
                   help="target coding: tutorial = 0.9/0.1, onehot = 1/0 "
                        "(default: onehot for softmax, tutorial otherwise)")
    t.add_argument("--center", action="store_true",
                   help="subtract the training samples' mean pixel (MNIST)")
    t.add_argument("--no-shuffle", action="store_true", help="keep the data's order")
    t.add_argument("--shuffle-seed", type=int, default=0)
    t.add_argument("--validation", type=int, metavar="N",
                   help="hold out the last N training samples for evaluation during training, "
                        "early stopping and the best epoch (default: 10000 for the full "
                        "60,000-image MNIST, none otherwise)")
    t.add_argument("--eval-every", type=int, default=1,
                   help="report (and evaluate on the validation set) every N epochs")
    t.add_argument("--patience", type=int, default=None,
                   help="early stop after N evaluations without a better validation error "
                        "rate (0 = the tutorial's rule: stop as soon as it rises)")
    t.add_argument("--threads", type=threads_argument, default=None, metavar="N|auto",
                   help="BLAS threads while training vectorized/fast (default auto: one, "
                        "every core from 50 million multiply-adds in a step's largest product)")
    t.add_argument("--augment", choices=("shift",),
                   help="shift: train on every training image and its four copies moved one "
                        "pixel up, down, left and right (5x the data, the CNN article's "
                        "99.37%% step); made after the validation split, from the training "
                        "part only, stored as uint8 (60,000 MNIST images: 235 MB)")
    t.add_argument("--train-limit", type=int, help="use only the first N training samples")
    t.add_argument("--test-limit", type=int, help="use only the first N test samples")
    c = train.add_argument_group("checkpoints and output")
    c.add_argument("--checkpoint-dir", help="save checkpoints here (one run per folder)")
    c.add_argument("--checkpoint-every", type=int, default=1, help="epochs between checkpoints")
    c.add_argument("--keep", default="3", metavar="N|all",
                   help="keep the last N checkpoints plus the best epoch's (default 3)")
    c.add_argument("--resume", nargs="?", const=True, metavar="CHECKPOINT",
                   help="continue the run in --checkpoint-dir, or from CHECKPOINT "
                        "(a folder or an epoch-NNNN.json)")
    c.add_argument("--overwrite", action="store_true",
                   help="start a new run in a --checkpoint-dir that holds one (deletes it)")
    c.add_argument("--history", help="save the history as .csv or .json")
    c.add_argument("--no-progress", action="store_true",
                   help="no progress bar (there is none unless stderr is a terminal)")
    train.set_defaults(handler=run)


# --- checks before any work ------------------------------------------------------------------

def check(args):
    """Every number and output path, before data is loaded or a network built (--l2 and the
    data paths: when the network is built, the data read)."""
    for name in ("epochs", "batch_size", "eval_every", "checkpoint_every", "train_limit",
                 "test_limit", "patience", "validation"):  # least values: TrainSettings', else 1
        if getattr(args, name) is not None:
            validate.integer(getattr(args, name), f"--{name.replace('_', '-')}",
                             MINIMUM.get(name, 1))
    with checked("--rate"):
        validate.real(args.rate, "the rate", low=0, low_open=True)
    args.keep = count_or(args.keep, "--keep", "all", "checkpoints")
    for option in ("checkpoint_dir", "history"):  # "" would be Path("."): the current folder
        if getattr(args, option) is not None:
            validate.text(getattr(args, option), f"--{option.replace('_', '-')}: the path")
    _check_checkpoints(args)


def _check_checkpoints(args):
    source = None if args.resume in (None, True) else Path(validate.text(args.resume, "--resume"))
    if source is not None:
        if args.impl == "both":
            raise UsageError("--resume CHECKPOINT names one engine's checkpoint; with --impl "
                             "both give --checkpoint-dir and a plain --resume")
        if not source.exists():
            raise UsageError(f"--resume {args.resume}: no such checkpoint file or folder")
        source = source if source.is_dir() else source.parent
        if args.checkpoint_dir is None:  # continue writing beside the checkpoint
            args.checkpoint_dir = str(source)
    elif args.resume and args.checkpoint_dir is None:
        raise UsageError("--resume needs --checkpoint-dir (where the checkpoint is), "
                         "or a checkpoint: --resume FOLDER/epoch-NNNN.json")
    args.folders = per_engine(args.checkpoint_dir, args.impl, lambda path, name: path / name)
    args.histories = per_engine(args.history, args.impl,  # h-neurons.csv, h-vectorized.csv
                                lambda path, name: path.with_stem(f"{path.stem}-{name}"))
    args.resumes = {}
    for impl, folder in args.folders.items():
        validate.writable_directory(folder, "--checkpoint-dir")
        resumed = None if source is None else Path(args.resume)
        if args.resume is True and latest_epoch(folder) is not None:
            resumed = folder  # with --impl both, an engine not reached yet starts anew
        if not args.overwrite:
            runfolder.check_folder(folder, resumed)  # one run per folder
        args.resumes[impl] = resumed
    if args.resume is True and not any(args.resumes.values()):
        raise UsageError(f"--resume: {args.checkpoint_dir} holds no checkpoint to continue")
    # a history file is writable, and no checkpoint file of a folder the run writes or reads
    folders = [Path(f).resolve() for f in [*args.folders.values(), source] if f is not None]
    for path in args.histories.values():
        target = Path(path).resolve()
        if target.parent in folders and is_checkpoint_file(target.name):
            raise UsageError(f"--history {path} is a checkpoint file of the run's folder "
                             f"{target.parent}: name another file")
        validate.output_file(path, "--history", SUFFIXES)


def per_engine(path, impl, own):
    """{engine: Path} of an output option (empty when not given); with --impl both, each
    engine's own is ``own(path, engine)``."""
    if path is None:
        return {}
    return {name: own(Path(path), name) for name in BOTH} if impl == "both" else {impl: Path(path)}


# --- the run ---------------------------------------------------------------------------------

def run(args):
    check(args)
    config = network_config(args)
    nets = build_networks(args, config)  # memory checked, names checked: before the data
    data = prepare(args)
    if input_output_sizes(config["layer_sizes"]) != (data.n_in, data.n_classes):
        raise UsageError(f"--layers {args.layers}: the {data.name} data set needs "
                         f"{data.n_in} inputs and {data.n_classes} outputs")
    shifted = " (with their 1-pixel shifts)" if data.recipe.get("augment") else ""
    print(f"{data.name}: {len(data.train_c) - data.validation} training{shifted}, "
          f"{data.n_validation} validation and {len(data.test_c)} test samples; rate "
          f"{args.rate}, batch {args.batch_size}, {args.epochs} epochs")
    status, seconds = 0, {}
    for impl, net in nets.items():
        print(f"\n{impl}: {net!r}")
        folder, trainer = args.folders.get(impl), _trainer(args, data, net, args.folders.get(impl))
        start = time.perf_counter()
        try:
            result = trainer.fit(resume=args.resumes.get(impl), overwrite=args.overwrite)
        except KeyboardInterrupt:
            return _interrupted(args, trainer, folder, args.histories.get(impl))
        seconds[impl] = time.perf_counter() - start
        status = max(status, _report(result, seconds[impl], folder))
        if impl in args.histories:
            print(f"  history saved to {result.history.save(args.histories[impl])}")
    if len(nets) > 1:
        _compare(nets, data, seconds)
    return status


def _trainer(args, data, net, folder):
    settings = TrainSettings(
        rate=args.rate, epochs=args.epochs, batch_size=args.batch_size,
        seed=args.shuffle_seed, shuffle=not args.no_shuffle, validation=data.validation,
        eval_every=args.eval_every, patience=args.patience,
        checkpoint_dir=None if folder is None else str(folder),
        checkpoint_every=args.checkpoint_every, keep_checkpoints=args.keep,
        progress=False if args.no_progress else None, threads=args.threads)
    return Trainer(net, data.train_x, data.train_c, encode=data.encode,
                   transform=data.transform, validation_features=data.validation_x,
                   validation_classes=data.validation_c, test_features=data.test_x,
                   test_classes=data.test_c, settings=settings, recipe=data.recipe,
                   preprocessing=data.preprocessing,
                   on_epoch=lambda record: _print_epoch(record, args),
                   on_note=lambda text: print(f"neurons train: {text}", file=sys.stderr))


def _print_epoch(record, args):
    """One finished line per evaluation (or per --eval-every epochs without a validation set)."""
    if record.validation_error_rate is not None:
        scores = f", validation error {100 * record.validation_error_rate:.2f} %"
    elif record.epoch % args.eval_every == 0 or record.epoch == args.epochs:
        scores = ""
    else:
        return
    print(f"  epoch {record.epoch:>3}: training loss {record.train_loss:.5f}{scores} "
          f"({record.seconds:.1f} s)", flush=True)


def _report(result, seconds, folder):
    if result.threads is not None:  # on stdout: stderr stays for problems
        print(f"  BLAS threads: {result.threads.threads} ({result.threads.reason})")
    if result.diverged:
        print(f"neurons train: {result.stop_reason}", file=sys.stderr)
    elif result.stopped_early:
        print(f"  stopped early: {result.stop_reason}")
    if result.best_epoch is not None:
        print(f"  best validation error {100 * result.best_error_rate:.2f} % after epoch "
              f"{result.best_epoch}")
    if result.restored_best:
        print(f"  restored the parameters of epoch {result.test_epoch}"
              + (" (the initial ones)" if result.test_epoch == 0 else "")
              + (f" (saved to {folder / 'best.json'})" if result.diverged and folder else ""))
    test = result.test
    print(f"  test accuracy {100 * (1 - test.error_rate):.2f} % (loss {test.loss:.4f}), "
          f"scored once after training; training took {seconds:.1f} s")
    return EXIT_DIVERGED if result.diverged else 0


def resume_command(args, folder):
    """The command line that continues this run from its checkpoint folder."""
    words = list(args.argv)
    argv = [word for k, word in enumerate(words)
            if word not in ("--resume", "--overwrite") and not word.startswith("--resume=")
            and not (k and words[k - 1] == "--resume" and word == args.resume)]
    if not any(w == "--checkpoint-dir" or w.startswith("--checkpoint-dir=") for w in argv):
        argv += ["--checkpoint-dir", str(folder)]
    return "neurons " + shlex.join(argv + ["--resume"])


def _interrupted(args, trainer, folder, history_path):
    if history_path is not None and trainer.run.history:
        trainer.run.history.save(history_path)
    saved = latest_epoch(folder) if folder is not None else None
    where = f"interrupted with {trainer.run.epoch} epoch(s) done"
    if saved:
        print(f"neurons train: {where}; the checkpoint of epoch {saved} is in {folder}; "
              f"continue with: {resume_command(args, folder)}", file=sys.stderr)
    else:
        print(f"neurons train: {where}; no checkpoint was saved (give --checkpoint-dir to be "
              "able to resume)", file=sys.stderr)
    return EXIT_INTERRUPTED


def _compare(nets, data, seconds):
    slow, fast = nets["neurons"], nets["vectorized"]
    out_slow, out_fast = (network_outputs(net, data.test_x, transform=data.transform,
                                          finite=False) for net in (slow, fast))
    same = int(np.count_nonzero(out_fast.argmax(1) == out_slow.argmax(1)))
    print("\nneurons vs vectorized, same seed, same batches:")
    print(f"  largest parameter difference {max_parameter_difference(slow, fast):.2e}")
    print(f"  largest output difference on the test set "
          f"{float(np.max(np.abs(out_fast - out_slow))):.2e}")
    print(f"  identical predicted classes on {same} of {len(out_fast)} test samples")
    if any(getattr(layer, "p", 0.0) > 0.0 for layer in slow.layers):
        print("  (with dropout they differ by design: neurons draws its masks from "
              "random.Random, vectorized from NumPy's generator)")
    ratio = seconds["neurons"] / seconds["vectorized"]
    print(f"  time (evaluation included): neurons {seconds['neurons']:.1f} s, vectorized "
          f"{seconds['vectorized']:.1f} s — the matrices were {ratio:.1f}× as fast")
