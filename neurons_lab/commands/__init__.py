"""The subcommands of the `neurons` command line, one module each: its
``add_subcommands(subparsers)`` adds its parser(s), each with ``set_defaults(handler=...)``, a
function of the parsed arguments that returns the exit status (neurons_lab.cli adds them)."""
