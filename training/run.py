"""`neurons train`: prepare a data set, train one implementation or both in lockstep, report."""

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from training import data as datasets
from training.cli import UsageError, network_config
from training.networks import build, max_parameter_difference
from training.trainer import Trainer, TrainSettings, evaluate


@dataclass
class Prepared:
    """A data set ready for the Trainer: features stay in their stored dtype until
    ``transform`` makes floats of a batch; ``encode`` makes target vectors of class indices."""

    name: str
    train_x: np.ndarray
    train_c: np.ndarray
    test_x: np.ndarray
    test_c: np.ndarray
    transform: Callable
    encode: Callable
    n_in: int
    n_classes: int


def _encoder(n_classes, coding):
    on, off = (0.9, 0.1) if coding == "tutorial" else (1.0, 0.0)
    return lambda classes: datasets.encode_labels(classes, n_classes, on=on, off=off)


def prepare(args):
    """Load or generate the chosen data set (DataError/ValueError on anything wrong)."""
    coding = args.labels or ("onehot" if args.output == "softmax" else "tutorial")
    if args.dataset == "bits":
        # The tutorial's 8-3-8 task on the numbers 1, 2, 4, …, 128: class k is bit k, and its
        # 0.9/0.1 target vector is the input itself.
        x = datasets.encode_bits([1 << k for k in range(8)])
        c = np.arange(8)
        prepared = Prepared("bits", x, c, x, c, _as_float, _encoder(8, "tutorial"), 8, 8)
    elif args.dataset == "spiral":
        x, c = datasets.spiral_dataset(100, 3, seed=0)
        xt, ct = datasets.spiral_dataset(100, 3, seed=1)
        prepared = Prepared("spiral", x, c, xt, ct, _as_float, _encoder(3, coding), 2, 3)
    else:
        directory = _mnist_directory(args)
        mnist = datasets.load_mnist(directory)
        prep = datasets.Preprocessor.fit(mnist.train_images, center=args.center)
        prepared = Prepared("mnist", mnist.train_images, mnist.train_labels.astype(np.int64),
                            mnist.test_images, mnist.test_labels.astype(np.int64),
                            prep, _encoder(10, coding), mnist.train_images.shape[1], 10)
    if args.train_limit:
        prepared.train_x, prepared.train_c = (prepared.train_x[:args.train_limit],
                                              prepared.train_c[:args.train_limit])
    if args.test_limit:
        prepared.test_x, prepared.test_c = (prepared.test_x[:args.test_limit],
                                            prepared.test_c[:args.test_limit])
    return prepared


def _as_float(rows):
    return np.asarray(rows, dtype=np.float64)


def _mnist_directory(args):
    if args.download:
        from training.download import download_mnist
        return download_mnist(args.cache_dir, progress=not args.no_progress)
    if not args.data_dir:
        raise UsageError("MNIST needs --data-dir DIR (the four idx files) or --download")
    directory = Path(args.data_dir)
    if not directory.is_dir():
        raise UsageError(f"--data-dir {directory}: no such directory")
    return directory


def _check_counts(args):
    for name in ("epochs", "batch_size", "eval_every", "checkpoint_every"):
        value = getattr(args, name)
        if value < (0 if name == "epochs" else 1):
            raise UsageError(f"--{name.replace('_', '-')} must be at least "
                             f"{0 if name == 'epochs' else 1}, got {value}")
    for name in ("train_limit", "test_limit", "patience"):
        value = getattr(args, name)
        if value is not None and value < (0 if name == "patience" else 1):
            raise UsageError(f"--{name.replace('_', '-')} must be positive, got {value}")
    if args.resume and not args.checkpoint_dir:
        raise UsageError("--resume needs --checkpoint-dir (where the checkpoint is)")


def run_train(args):
    _check_counts(args)
    config = network_config(args)
    prepared = prepare(args)
    sizes = config["layer_sizes"]
    if sizes[0] != prepared.n_in or sizes[-1] != prepared.n_classes:
        raise UsageError(f"--layers {args.layers}: the {prepared.name} data set needs "
                         f"{prepared.n_in} inputs and {prepared.n_classes} outputs")
    config["dtype"] = args.dtype
    impls = ("neurons", "vectorized") if args.impl == "both" else (args.impl,)
    nets = {impl: build(impl, config) for impl in impls}  # build all first: fail before training
    print(f"{prepared.name}: {len(prepared.train_c)} training and {len(prepared.test_c)} "
          f"held-out samples; rate {args.rate}, batch {args.batch_size}, {args.epochs} epochs")
    seconds = {}
    for impl, net in nets.items():
        print(f"\n{impl}: {net!r}")
        checkpoint_dir = args.checkpoint_dir
        if checkpoint_dir and len(impls) > 1:
            checkpoint_dir = str(Path(checkpoint_dir) / impl)
        settings = TrainSettings(
            rate=args.rate, epochs=args.epochs, batch_size=args.batch_size,
            seed=args.shuffle_seed, shuffle=not args.no_shuffle, eval_every=args.eval_every,
            patience=args.patience, checkpoint_dir=checkpoint_dir,
            checkpoint_every=args.checkpoint_every, progress=not args.no_progress)
        trainer = Trainer(net, prepared.train_x, prepared.train_c, encode=prepared.encode,
                          transform=prepared.transform, eval_features=prepared.test_x,
                          eval_classes=prepared.test_c, settings=settings,
                          on_epoch=_print_epoch)
        start = time.perf_counter()
        result = trainer.fit(resume=checkpoint_dir if args.resume else None)
        seconds[impl] = time.perf_counter() - start
        if result.stopped_early:
            print(f"  stopped early: {result.stop_reason}")
            if result.restored_best:
                print(f"  restored the parameters of epoch {result.best_epoch}")
        final = evaluate(net, prepared.test_x, prepared.test_c, encode=prepared.encode,
                         transform=prepared.transform)
        print(f"  held-out accuracy {100 * (1 - final.error_rate):.2f} % "
              f"(loss {final.loss:.4f}), training took {seconds[impl]:.1f} s")
        if args.history:
            path = Path(args.history)
            if len(impls) > 1:
                path = path.with_name(f"{path.stem}-{impl}{path.suffix}")
            result.history.save(path)
            print(f"  history saved to {path}")
    if len(impls) > 1:
        _compare(nets, prepared, seconds)
    return 0


def _print_epoch(record):
    if record.eval_error_rate is None:
        return  # the progress bar shows the others; print the evaluated epochs
    error = f", held-out error {100 * record.eval_error_rate:.2f} %"
    print(f"  epoch {record.epoch:>3}: training loss {record.train_loss:.5f}{error} "
          f"({record.seconds:.1f} s)", flush=True)


def _compare(nets, prepared, seconds):
    slow, fast = nets["neurons"], nets["vectorized"]
    x = prepared.transform(prepared.test_x)
    out_fast = np.asarray(fast.predict(x))
    out_slow = np.array([slow.predict(row) for row in np.asarray(x).tolist()])
    same = int(np.count_nonzero(out_fast.argmax(1) == out_slow.argmax(1)))
    print("\nneurons vs vectorized, same seed, same batches:")
    print(f"  largest parameter difference {max_parameter_difference(slow, fast):.2e}")
    print(f"  largest output difference on the held-out set "
          f"{float(np.max(np.abs(out_fast - out_slow))):.2e}")
    print(f"  identical predicted classes on {same} of {len(x)} held-out samples")
    ratio = seconds["neurons"] / seconds["vectorized"]
    print(f"  time (evaluation included): neurons {seconds['neurons']:.1f} s, vectorized "
          f"{seconds['vectorized']:.1f} s — the matrices were {ratio:.1f}× as fast")
