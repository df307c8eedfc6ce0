"""Where MNIST comes from, the same for every command that reads it (train, evaluate, vote, knn,
demo): ``--data-dir DIR`` (any folder holding the four idx files) or ``--download`` (the
official files, md5-checked, kept in ``--cache-dir``, by default :func:`default_cache_dir`).
"""

import sys
from pathlib import Path

from . import validate
from .download import default_cache_dir, download_mnist
from .errors import UsageError


def add_data_options(parser, *, note=""):
    """--data-dir and --download (one or the other), and --cache-dir, in one group; ``note``
    ends the group's description (what this command does with the data)."""
    group = parser.add_argument_group(
        "MNIST data", "a folder with the four idx files (.gz or raw), or the official files "
                      "downloaded once into the cache (MNIST by LeCun, Cortes and Burges, "
                      "CC BY-SA 3.0)." + (" " + note if note else ""))
    source = group.add_mutually_exclusive_group()
    source.add_argument("--data-dir", metavar="DIR",
                        help="folder with train-images-idx3-ubyte, train-labels-idx1-ubyte, "
                             "t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (.gz or raw)")
    source.add_argument("--download", action="store_true",
                        help="download the official MNIST files into --cache-dir (md5 checked; "
                             "files already there are not downloaded again)")
    group.add_argument("--cache-dir", metavar="DIR",
                       help="the download cache (default $XDG_CACHE_HOME/neurons/mnist, else "
                            "~/.cache/neurons/mnist)")


def mnist_directory(args, command, *, progress=None):
    """The folder to read MNIST from: --data-dir, or --download's cache (filled first).

    ``command`` names the subcommand in messages. Raises UsageError (one line) when neither
    option is given, a path is empty or not a folder, the cache folder is unwritable, or
    --cache-dir comes without --download; a failed download raises the download's own DataError."""
    data_dir, cache_dir = getattr(args, "data_dir", None), getattr(args, "cache_dir", None)
    for flag, value in (("--data-dir", data_dir), ("--cache-dir", cache_dir)):
        if value is not None:
            validate.text(value, f"{flag}: the path")
    if getattr(args, "download", False):
        if cache_dir is not None:
            validate.writable_directory(cache_dir, "--cache-dir")
        return download_mnist(cache_dir or default_cache_dir(), progress=progress,
                              report=lambda text: print(f"neurons {command}: {text}",
                                                        file=sys.stderr))
    if cache_dir is not None:
        raise UsageError("--cache-dir is where --download keeps the files: give --download too, "
                         "or read a folder with --data-dir")
    if data_dir is None:
        raise UsageError(f"{command} needs --data-dir DIR (a folder with the four MNIST idx "
                         f"files) or --download (into {default_cache_dir()})")
    if not Path(data_dir).is_dir():
        raise UsageError(f"--data-dir {data_dir}: no such directory")
    return Path(data_dir)


def cached_mnist(cache_dir=None):
    """The cache folder if an earlier --download left files in it, else None (nothing read)."""
    directory = Path(cache_dir) if cache_dir else default_cache_dir()
    return directory if directory.is_dir() and any(directory.glob("*-ubyte*")) else None
