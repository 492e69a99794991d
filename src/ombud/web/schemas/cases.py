"""Cases: the list, one case, and the changes agents make to it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from ombud.web.schemas.voices import VoicePublic


class ReasonPublic(BaseModel):
    """A reason for the priority: a stable code (ombud.loop.priority.REASON_WORDS) and its parameters."""

    code: str
    params: dict[str, Any]


class CaseSummaryPublic(BaseModel):
    id: int
    customer_id: int
    customer: str | None
    customer_kind: str | None
    customer_name: str | None
    channel: str
    topic: str | None
    subject: str | None
    status: str
    priority: int
    reasons: list[str]  # in English
    reason_codes: list[ReasonPublic]
    waiting_hours: float | None
    first_response_due: str | None
    first_response_at: str | None
    overdue: bool
    assignee: str | None
    team: str | None
    voices: int
    opened_at: str
    last_customer_at: str


class CasesPublic(BaseModel):
    total: int
    limit: int
    offset: int
    cases: list[CaseSummaryPublic]


class IdentityPublic(BaseModel):
    kind: str
    value: str | None


class CustomerPublic(BaseModel):
    id: int
    name: str | None
    language: str | None
    contact_opt_out: bool
    erased: bool
    identities: list[IdentityPublic]


class EventPublic(BaseModel):
    at: str | None
    kind: str
    actor: str | None
    detail: dict[str, Any]


class MessagePublic(BaseModel):
    id: int
    kind: str
    status: str
    channel: str
    recipient: str | None
    subject: str | None
    body: str | None
    author: str | None
    created_at: str | None
    sent_at: str | None
    last_error: str | None


class CasePublic(BaseModel):
    id: int
    status: str
    priority: int
    reasons: list[str]  # in English
    reason_codes: list[ReasonPublic]
    channel: str
    topic: str | None
    subject: str | None
    language: str | None
    assignee: str | None
    team: str | None
    opened_at: str | None
    first_response_due: str | None
    first_response_at: str | None
    resolved_at: str | None
    reopened_count: int
    overdue: bool
    waiting_hours: float | None
    customer: CustomerPublic
    voices: list[VoicePublic]
    events: list[EventPublic]
    messages: list[MessagePublic]


class CaseAssign(BaseModel):
    assignee: str | None = Field(None, description="The agent; an empty string takes the case from them.")
    team: str | None = Field(None, description="The team; an empty string takes it from the team.")


class CaseStatusUpdate(BaseModel):
    status: str = Field(description="open, answered, waiting or resolved.")


class CaseChanged(BaseModel):
    id: int
    changed: bool
    status: str
    assignee: str | None
    team: str | None
