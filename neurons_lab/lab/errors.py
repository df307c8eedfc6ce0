"""The one error type of the lab: a fetch, folder or option it cannot use."""


class LabError(ValueError):
    """Something the lab cannot use (a download, a tarball, a folder, a port). The command
    line prints it as one line; any other exception is a bug."""
