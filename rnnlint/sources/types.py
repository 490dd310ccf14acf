"""What the sources stage hands on: a decoded file (`Source`), a notebook cell's place in it (`Cell`), or the reason a
file cannot be read (`SourceError`)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Cell:
    """One notebook code cell inside the joined text: 1-based cell index and its first line there."""

    index: int
    first_line: int
    line_count: int


@dataclass(frozen=True)
class Source:
    """A decoded source file. `cells` is None for a .py file; for a notebook, its code cells in order."""

    path: str
    text: str
    cells: tuple[Cell, ...] | None = None
    syntax_errors: tuple[tuple[int, int, str], ...] = ()  # (line in the text, column, message) of blanked cells
    tree: object = field(default=None, compare=False, repr=False)  # the text's ast.Module, when the reader parsed it


@dataclass(frozen=True)
class SourceError:
    """A file that cannot be linted, and why (one line, for the user)."""

    path: str
    reason: str
