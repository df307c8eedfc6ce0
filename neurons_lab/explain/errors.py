"""The one error type of `explain/`: a value, file or network it cannot show."""


class ExplainError(ValueError):
    """Something the user gave (an option, a weights or history file, a network) that explain
    cannot use. The command line prints it as one line; any other exception is a bug."""
