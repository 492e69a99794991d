"""Replies: the suggested draft, and the agent's reply queued for the customer."""

from __future__ import annotations

from pydantic import BaseModel, Field


class DraftPublic(BaseModel):
    case_id: int | None
    language: str
    subject: str
    body: str
    reasons: list[str]
    routed_to: str | None


class ReplyCreate(BaseModel):
    body: str = Field(min_length=1, description="The text to send; a part still marked [[…]] is refused.")
    subject: str | None = Field(None, description="Instead of the suggested subject.")
    waiting: bool = Field(False, description="The reply asks the customer for something: the case waits for them.")


class ReplyPublic(BaseModel):
    id: int
    case_id: int | None
    status: str  # queued, or manual for a channel without an API
    channel: str
    recipient: str | None
    language: str
    subject: str
    body: str
    author: str | None
