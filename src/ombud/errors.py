"""Typed errors of the ombud core.

The core raises these and never prints; the CLI and the web layer turn them
into messages and exit codes or HTTP statuses.
"""

from __future__ import annotations

from pathlib import Path


class OmbudError(Exception):
    """Base of every error ombud raises on purpose."""


class UnknownFormatError(OmbudError):
    def __init__(self, path: Path, known: list[str]) -> None:
        self.path = path
        self.known = known
        super().__init__(f"{path}: cannot tell the format of this file; choose one with --format ({', '.join(known)})")


class FileFormatError(OmbudError):
    """A whole file cannot be read (binary content, no header, …)."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class ColumnMappingError(OmbudError):
    """A required column is missing, or --map names a column that is not there."""

    def __init__(self, path: Path, reason: str, columns: list[str]) -> None:
        self.path = path
        self.reason = reason
        self.columns = columns
        super().__init__(f"{path}: {reason}. The file has the columns: {', '.join(columns) or '(none)'}")


class MappingOptionError(OmbudError):
    """A --map option that does not parse."""


class DatabaseError(OmbudError):
    """The database cannot be opened or brought up to date."""
