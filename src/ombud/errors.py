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


class SettingError(OmbudError):
    """A setting whose value cannot be used; the message names the environment variable."""

    def __init__(self, variable: str, value: str, reason: str) -> None:
        self.variable = variable
        self.value = value
        self.reason = reason
        super().__init__(f"{variable}={value!r}: {reason}")


class CaseError(OmbudError):
    """A case that does not exist, or a change a case cannot take (an unknown status, nothing to assign)."""


class MessageTemplateError(OmbudError):
    """A message template (ombud's or the company's) that cannot be read or rendered."""


class ReplyError(OmbudError):
    """A reply that cannot be queued: no such case, an empty body, a part left to fill in, a customer not to contact."""


class OutboxError(OmbudError):
    """An outbox request that does not fit the message: no such message, or not one posted by hand."""


class WishThemeError(OmbudError):
    """A wish theme request that cannot be done: no such theme or wish, an unknown status or a move its status
    does not allow, a merge or split that does not fit."""


class FeedbackError(OmbudError):
    """Feedback that cannot be prepared: no such status change, or a status that brings customers no feedback."""
