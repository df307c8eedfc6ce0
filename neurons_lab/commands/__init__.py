"""The subcommands of the `neurons` command line, one module each.

A subcommand module has ``add_subcommands(subparsers)``: it adds its parser(s) with
``subparsers.add_parser(...)`` and sets ``handler=run_function`` on each with
``parser.set_defaults(handler=...)``. The handler gets the parsed arguments and returns the
exit status. ``neurons_lab.cli`` imports every module by name and adds them in order.
"""
