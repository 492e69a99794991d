"""The one registry of importers: the ``ombud.importers`` entry-point group.

ombud's own CSV, JSONL and e-mail importers are registered there exactly as a
third-party package would register its own (see pyproject.toml).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import ClassVar, Protocol

from ombud.capture.options import ImportOptions
from ombud.capture.records import RowError, SourceVoice
from ombud.errors import UnknownFormatError

ENTRY_POINT_GROUP = "ombud.importers"


class Importer(Protocol):
    """Reads one file into voices. One instance per file."""

    name: ClassVar[str]
    suffixes: ClassVar[tuple[str, ...]]
    default_channel: ClassVar[str]
    progress_unit: ClassVar[str]

    def __init__(self, path: Path, options: ImportOptions) -> None: ...

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        """Whether a file whose suffix says nothing looks like this format."""
        ...

    def read(self) -> Iterator[SourceVoice | RowError]:
        """Stream the voices of the file, and a RowError for each row that cannot be read."""
        ...

    def progress(self) -> tuple[int, int]:
        """(done, total) in progress_unit, for a progress bar."""
        ...


@lru_cache
def importers() -> dict[str, type[Importer]]:
    """Every registered importer by its format name."""
    found: dict[str, type[Importer]] = {}
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        found[entry.name] = entry.load()
    return found


def importer_for(path: Path, format_name: str = "auto") -> type[Importer]:
    known = importers()
    if format_name != "auto":
        if format_name not in known:
            raise UnknownFormatError(path, sorted(known))
        return known[format_name]
    suffix = path.suffix.lower()
    for importer in known.values():
        if suffix in importer.suffixes:
            return importer
    with path.open("rb") as file:
        head = file.read(65536)
    for importer in known.values():
        if importer.sniff(path, head):
            return importer
    raise UnknownFormatError(path, sorted(known))


def expand_paths(paths: list[Path]) -> Iterator[Path]:
    """Files as given, and the files inside folders (sorted, hidden ones left out)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not any(part.startswith(".") for part in child.relative_to(path).parts):
                    yield child
        else:
            yield path
