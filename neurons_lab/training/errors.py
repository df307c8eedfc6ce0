"""The error types of `training/`: everything a user can cause, and nothing else. The command
line reports a :class:`TrainingError` as one line on stderr (exit status 1); any other
exception is a bug and shows its traceback."""


class TrainingError(ValueError):
    """A setting, file or data set that cannot be used (the user can fix it)."""


class UsageError(TrainingError):
    """A value or path given to the trainer or the command line that cannot be used."""


class DataError(TrainingError):
    """A data file or directory is missing, truncated, corrupt or inconsistent."""


class CheckpointError(TrainingError):
    """A checkpoint is missing, corrupt, inconsistent, or does not fit the network or run."""


class FolderInUseError(CheckpointError):
    """Another run holds the lock on a checkpoint (or download) folder."""
