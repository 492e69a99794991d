"""What an importer hands on: a voice as read from its source, or a row it could not read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ombud.errors import Problem


@dataclass(slots=True)
class SourceVoice:
    """One voice as an importer read it, before it is tied to a customer in the store."""

    text: str
    source_line: int | None
    received_at: datetime | None = None
    channel: str | None = None
    customer_name: str | None = None
    customer_email: str | None = None
    customer_phone: str | None = None
    customer_external_id: str | None = None
    customer_language: str | None = None
    external_id: str | None = None
    subject: str | None = None
    message_id: str | None = None
    in_reply_to: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True, frozen=True)
class RowError:
    """A row (line is its first line) or a whole file (line is None) that was not imported, and why: the English
    ``reason``, and where ombud knows it, the problem's ``code`` and ``params`` (capture/problems.py) for the
    pages to say it in the reader's language. An importer of another package may give the reason alone."""

    source: str
    line: int | None
    reason: str
    code: str | None = None
    params: dict[str, Any] | None = None

    @classmethod
    def of(cls, source: str, line: int | None, problem: Problem) -> RowError:
        return cls(source, line, problem.message, problem.code, dict(problem.params))

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.source, "line": self.line, "reason": self.reason}

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: {self.reason}"


class RowRejected(Exception):
    """Raised while reading one row; the importer turns it into a RowError and goes on."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem
        self.reason = problem.message
