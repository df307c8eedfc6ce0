"""The `neurons` command line: the composition root of neurons_lab.commands, and the exit statuses.

Exit statuses: 0 done; 1 a mistake the user can fix (missing data, corrupt file, bad value,
unusable path, unreadable checkpoint), reported as one line on stderr; 2 argparse's own usage
errors (unknown option, a word where a number belongs: argparse's usage message); 3 the
training diverged; 4 gradcheck found backprop and central differences disagreeing; 130
interrupted (Ctrl-C). Only the project's own error types (neurons_lab.training.errors; the
explain commands catch their own) are caught: any other exception is a bug and shows its
traceback.
"""

import argparse
import os
import sys

from neurons_lab.commands import check, demo, evaluate, explain, gradcheck, knn, lab, train
from neurons_lab.training.errors import TrainingError

EXIT_ERROR = 1
EXIT_INTERRUPTED = 130


def make_parser():
    parser = argparse.ArgumentParser(
        prog="neurons",
        description="Backpropagation built twice — an object graph and matrices — "
                    "trained, compared and checked.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in (demo, train, gradcheck, check, knn, evaluate, explain, lab):  # --help's order
        command.add_subcommands(subparsers)
    return parser


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    args = make_parser().parse_args(argv)
    args.argv = argv  # e.g. to print the command that resumes a run
    try:
        return args.handler(args)
    except BrokenPipeError:  # the reader went away (e.g. `neurons demo | head`): nothing to say
        sys.stdout = open(os.devnull, "w")  # keeps the final flush quiet
        return EXIT_ERROR
    except TrainingError as error:
        print(f"neurons {args.command}: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(f"neurons {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
