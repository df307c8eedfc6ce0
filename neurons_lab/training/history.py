"""The history of a training run: one record per epoch, saved as CSV or JSON with exact floats.

The validation columns are filled at the epochs evaluated on the validation set; the test
columns once, in the record of the epoch whose parameters were scored on the test set at the
end of the run (the best epoch when its parameters were restored, else the last).
"""

import csv
import io
import json
import math
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Optional

from .files import atomic_write

SUFFIXES = (".csv", ".json")


@dataclass
class EpochRecord:
    """One epoch: mean training loss, the losses and error rates where evaluated (else None),
    seconds since the run started (continued across a resume)."""

    epoch: int
    train_loss: float
    validation_loss: Optional[float] = None
    validation_error_rate: Optional[float] = None
    seconds: float = 0.0
    test_loss: Optional[float] = None
    test_error_rate: Optional[float] = None


COLUMNS = tuple(f.name for f in fields(EpochRecord))


def encode_float(value):
    """A float for strict JSON: NaN and infinities become the strings "NaN", "Infinity"."""
    if value is None or isinstance(value, int) or math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def decode_float(value):
    return None if value is None else float(value)


class History(list):
    """A run's records, a list of :class:`EpochRecord`; ``print`` shows them as a table."""

    def to_dicts(self):
        return [{name: encode_float(getattr(r, name)) for name in COLUMNS} for r in self]

    @classmethod
    def from_dicts(cls, rows):
        """What :meth:`to_dicts` gave, back (KeyError, TypeError or ValueError for other rows)."""
        return cls(EpochRecord(
            epoch=int(row["epoch"]), train_loss=float(row["train_loss"]),
            **{name: decode_float(row.get(name)) for name in COLUMNS[2:] if name != "seconds"},
            seconds=float(row.get("seconds", 0.0))) for row in rows)

    def save(self, path):
        """Write as CSV or JSON (by the extension), atomically, floats exact; returns the path."""
        path = Path(path)
        if path.suffix.lower() not in SUFFIXES:
            raise ValueError(f"history file {path} must end in .csv or .json")
        if path.suffix.lower() == ".json":
            text = json.dumps(self.to_dicts(), indent=1, allow_nan=False) + "\n"
        else:
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(COLUMNS)
            writer.writerows(["" if getattr(r, n) is None else repr(getattr(r, n))
                              for n in COLUMNS] for r in self)
            text = out.getvalue()
        return atomic_write(path, text.encode("utf-8"))

    def __str__(self):
        """The history as a small text table (error rates in percent)."""
        lines = [f"{'epoch':>5}  {'train loss':>11}  {'valid. loss':>11}  {'valid. error':>12}"
                 f"  {'test error':>10}  {'seconds':>8}"]

        def rate(value):
            return "" if value is None else f"{100 * value:.2f} %"

        for r in self:
            loss = "" if r.validation_loss is None else f"{r.validation_loss:.6f}"
            lines.append(f"{r.epoch:>5}  {r.train_loss:>11.6f}  {loss:>11}  "
                         f"{rate(r.validation_error_rate):>12}  {rate(r.test_error_rate):>10}"
                         f"  {r.seconds:>8.1f}")
        return "\n".join(lines)

    def __repr__(self):
        return f"History({list.__repr__(self)})"
