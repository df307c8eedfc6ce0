"""The `neurons` command line: the composition root of neurons_lab.commands, and the exit statuses.

Exit statuses: 0 done; 1 a mistake the user can fix (a missing or corrupt file, a bad value or
path, a full disk, not enough memory), one line on stderr; 2 argparse's own usage errors; 3 the
training diverged; 4 gradcheck (or check) found a disagreement; 130 interrupted (Ctrl-C at any
moment once Python has started: the command modules are imported inside ``main`` for that).
Only the project's own error types, OSError and MemoryError are caught: any other exception is
a bug and shows its traceback. A closed stdout (``neurons train … | head -3``) is said once on
stderr and the command carries on without printing; characters the terminal's encoding lacks
are written as escapes.
"""

import os
import sys

EXIT_ERROR = 1
EXIT_INTERRUPTED = 130


def make_parser():
    import argparse

    from neurons_lab.commands import check, demo, evaluate, explain, gradcheck, knn, lab, train

    parser = argparse.ArgumentParser(
        prog="neurons",
        description="Backpropagation built twice — an object graph and matrices — "
                    "trained, compared and checked.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in (demo, train, gradcheck, check, knn, evaluate, explain, lab):  # --help's order
        command.add_subcommands(subparsers)
    return parser


class _OutputLost(Exception):
    """stdout cannot be written (a full device, an I/O error)."""


class _Output:
    """sys.stdout, except that a reader going away is said once and then ignored, and any
    other failure to write stops the command with one line."""

    def __init__(self, stream, command):
        self._stream, self._command = stream, command

    def _failed(self, error):
        try:  # later flushes, Python's at exit included, go nowhere
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):
            self._stream = open(os.devnull, "w")
        if not isinstance(error, BrokenPipeError):
            raise _OutputLost(f"cannot write the output: {error.strerror or error}") from None
        print(f"neurons {self._command}: the output was closed (broken pipe); carrying on "
              "without printing", file=sys.stderr)  # once: the stream now goes nowhere

    def write(self, text):
        try:
            return self._stream.write(text)
        except OSError as error:
            self._failed(error)
            return len(text)

    def flush(self):
        try:
            self._stream.flush()
        except OSError as error:
            self._failed(error)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _interrupted(error):
    """True when ``error`` was raised while a Ctrl-C was being handled: the Ctrl-C is the news."""
    seen = 0
    while error is not None and seen < 20:
        if isinstance(error, KeyboardInterrupt):
            return True
        error, seen = error.__context__, seen + 1
    return False


def main(argv=None):
    command = ""  # until the arguments are parsed
    try:
        argv = sys.argv[1:] if argv is None else list(argv)
        for stream in (sys.stdout, sys.stderr):
            if stream is not None and stream in (sys.__stdout__, sys.__stderr__) and \
                    hasattr(stream, "reconfigure"):
                stream.reconfigure(errors="backslashreplace")  # any terminal encoding
        args = make_parser().parse_args(argv)
        args.argv = argv  # e.g. to print the command that resumes a run
        command, stdout = " " + args.command, sys.stdout
        sys.stdout = _Output(stdout, args.command)
        try:
            status = args.handler(args)
            sys.stdout.flush()  # a full device shows here, not at exit
            return status
        finally:
            sys.stdout = stdout
    except KeyboardInterrupt:
        message = "interrupted"
    except MemoryError:
        message = "error: not enough memory (the machine's or the process's limit)"
    except _OutputLost as error:
        message = f"error: {error}"
    except Exception as error:
        from neurons_lab.explain.errors import ExplainError
        from neurons_lab.lab.errors import LabError
        from neurons_lab.training.errors import TrainingError

        if _interrupted(error):  # e.g. zipfile's ValueError when Ctrl-C lands inside np.savez
            message = "interrupted"
        elif isinstance(error, OSError):
            where = f"{error.filename}: " if error.filename else ""  # the file, the reason
            message = f"error: {where}{error.strerror or error}"
        elif isinstance(error, (TrainingError, ExplainError, LabError)):
            message = f"error: {error}"
        else:
            raise
    print(f"neurons{command}: {' '.join(message.splitlines())}", file=sys.stderr)
    return EXIT_INTERRUPTED if message == "interrupted" else EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
