"""Typed errors of the ombud core.

The core raises these and never prints; the CLI and the web layer turn them
into messages and exit codes or HTTP statuses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Problem:
    """Why something could not be done, said once for every language: a stable ``code`` with its ``params``
    (JSON values), which the web's catalogues translate (``problem.<code>``), and the English ``message`` the
    CLI prints and the store keeps. Codes never change meaning; a new wording is a new code."""

    code: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message


class OmbudError(Exception):
    """Base of every error ombud raises on purpose. ``problem`` is set where the error has a code the pages
    translate; ``str(error)`` is always the English message."""

    problem: Problem | None = None

    def __init__(self, message: str = "", *, problem: Problem | None = None) -> None:
        super().__init__(message or (problem.message if problem is not None else ""))
        if problem is not None:
            self.problem = problem


def _problem(reason: str | Problem) -> tuple[str, Problem | None]:
    return (reason.message, reason) if isinstance(reason, Problem) else (reason, None)


class UnknownFormatError(OmbudError):
    def __init__(self, path: Path, known: list[str]) -> None:
        self.path = path
        self.known = known
        names = ", ".join(known)
        reason = f"cannot tell the format of this file; choose one with --format ({names})"
        super().__init__(f"{path}: {reason}", problem=Problem("format_unknown", reason, {"known": names}))


class FileFormatError(OmbudError):
    """A whole file cannot be read (binary content, no header, …)."""

    def __init__(self, path: Path, reason: str | Problem) -> None:
        self.path = path
        self.reason, problem = _problem(reason)
        super().__init__(f"{path}: {self.reason}", problem=problem)


class ColumnMappingError(OmbudError):
    """A required column is missing, or --map names a column that is not there."""

    def __init__(self, path: Path, reason: str | Problem, columns: list[str]) -> None:
        self.path = path
        self.reason, problem = _problem(reason)
        self.columns = columns
        super().__init__(
            f"{path}: {self.reason}. The file has the columns: {', '.join(columns) or '(none)'}", problem=problem
        )


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


class UserError(OmbudError):
    """A user that cannot be added or changed: a malformed e-mail, an unknown role or language, a taken e-mail,
    a password too short, no such user."""


class AuthenticationError(OmbudError):
    """Wrong e-mail or password, a disabled user, or a session or API token that is unknown, expired or revoked.
    The message never says which, so nobody can find out which e-mails have an account."""


class PermissionDenied(OmbudError):
    """The user's role does not allow this (an analyst sending a reply, an agent adding a user)."""


class TokenError(OmbudError):
    """An API token request that does not fit: no such token, or not the caller's."""


class UploadError(OmbudError):
    """An uploaded file that is not taken: empty, or larger than OMBUD_MAX_UPLOAD_MB (``too_large``)."""

    def __init__(self, message: str = "", *, too_large: bool = False, problem: Problem | None = None) -> None:
        self.too_large = too_large
        super().__init__(message, problem=problem)


class InsightError(OmbudError):
    """An insight request that cannot be answered: a filter value that does not exist (an unknown act, emotion,
    flag, sentiment or period grouping, a start after the end), or more topics than the facts can tell apart."""
