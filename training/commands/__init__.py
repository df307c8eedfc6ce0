"""The subcommands of the `neurons` command line, one module each.

A subcommand module has ``add_subcommands(subparsers)``: it adds its parser(s) with
``subparsers.add_parser(...)`` and sets ``handler=run_function`` on each with
``parser.set_defaults(handler=...)``. The handler gets the parsed arguments and returns the
exit status. Registering a module is one line in ``MODULES`` (a module whose package is not
installed is skipped).
"""

import importlib

MODULES = (
    "training.commands.demo",
    "training.commands.train",
    "training.commands.gradcheck",
    "training.commands.knn",
    "training.commands.evaluate",  # evaluate, vote
    "explain.cli",  # explain, draw, plot
)


def add_all(subparsers, modules=None):
    """Add the subcommands of ``modules`` (default: MODULES) to argparse ``subparsers``."""
    for name in MODULES if modules is None else modules:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name and name.startswith(error.name):  # the package is not installed
                continue
            raise
        module.add_subcommands(subparsers)
