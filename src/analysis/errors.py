"""Errors a user can cause, with messages that say what is wrong and what is valid.

The library raises these and never prints or exits; only the command line (analysis.cli) turns
them into messages and exit statuses. Every one is a ReportError.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in one cell (or row, or file) of the data package."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        return ", ".join(where) + ": " + self.message


class ReportError(Exception):
    """Base of the errors the command line reports as messages, not tracebacks."""


class DataError(ReportError):
    """Raised when the data package does not validate; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ParameterError(ReportError, ValueError):
    """A report parameter outside what the data allows; the message says what is valid."""


class BuildError(ReportError):
    """A notebook or the book build failed; the message names the notebook and the cell."""


class FontMissing(ReportError, RuntimeError):
    """No CJK font on the machine: Chinese names in figures cannot be drawn."""
