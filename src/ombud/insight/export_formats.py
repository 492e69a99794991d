"""The one registry of export formats: the ``ombud.exporters`` entry-point group.

ombud's CSV and Parquet writers are registered there exactly as a third-party package would register its own
(see pyproject.toml). A writer gets the file to write, the level's columns and the options, then batches of rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, ClassVar, Protocol

from ombud.insight.export_columns import Column
from ombud.insight.export_errors import ExportError

ENTRY_POINT_GROUP = "ombud.exporters"
Row = tuple[Any, ...]


@dataclass(frozen=True)
class WriterOptions:
    csv_dialect: str = "standard"
    # Written into the file where the format has a place for it (Parquet's key-value metadata).
    description: dict[str, str] = field(default_factory=dict)


class Writer(Protocol):
    """Writes one export file. One instance per file."""

    name: ClassVar[str]
    suffixes: ClassVar[tuple[str, ...]]

    def __init__(self, path: Path, columns: Sequence[Column], options: WriterOptions) -> None: ...

    def write(self, rows: Sequence[Row]) -> None:
        """Write a batch of rows, each a tuple in the order of ``columns``."""
        ...

    def close(self) -> int:
        """Finish the file; returns how many values had to be changed to fit the format (0 when none)."""
        ...

    def abort(self) -> None:
        """Give up: release the file without finishing it."""
        ...


@lru_cache
def writers() -> dict[str, type[Writer]]:
    """Every registered export format by its name."""
    return {entry.name: entry.load() for entry in entry_points(group=ENTRY_POINT_GROUP)}


def writer_for(format_name: str | None, path: Path) -> type[Writer]:
    """The writer named, or else the one whose suffix ``path`` has."""
    known = writers()
    if format_name is not None:
        if format_name not in known:
            raise ExportError(f"unknown export format {format_name!r}; choose one of {', '.join(sorted(known))}")
        return known[format_name]
    for writer in known.values():
        if path.suffix.lower() in writer.suffixes:
            return writer
    raise ExportError(f"{path}: cannot tell the format from the name; choose one with --format ({', '.join(known)})")
