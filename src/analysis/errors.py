"""Errors a user can cause, with messages that say what is wrong and what is valid."""
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


class DataError(Exception):
    """Raised when the data package does not validate; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ParameterError(ValueError):
    """A report parameter outside what the data allows; the message says what is valid."""
