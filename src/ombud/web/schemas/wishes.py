"""The wish board: themes by demand, one theme, merge, split, and status changes with their feedback."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ThemeSummaryPublic(BaseModel):
    id: int
    title: str
    company: str | None
    status: str
    customers: int
    wishes: int


class WishPublic(BaseModel):
    id: int
    voice_id: int
    customer_id: int
    customer: str | None  # primary identity, masked for analysts
    language: str
    text: str | None


class ThemeChangePublic(BaseModel):
    id: int
    status_from: str
    status: str
    note: str | None
    actor: str | None
    changed_at: str


class ThemePublic(ThemeSummaryPublic):
    language: str | None
    status_note: str | None
    merged_into_id: int | None
    voices: int
    by_month: list[tuple[str, int]]
    channels: list[tuple[str, int]]
    emotions: list[tuple[str, int]]
    quotes: list[WishPublic]
    wish_list: list[WishPublic]
    changes: list[ThemeChangePublic]
    allowed_statuses: list[str]


class ThemeMerge(BaseModel):
    other_id: int = Field(description="The theme whose wishes move into this one; it leaves the board.")


class ThemeSplit(BaseModel):
    wish_ids: list[int] = Field(min_length=1, description="The wishes to move into a new theme.")


class ThemeStatusUpdate(BaseModel):
    status: str = Field(description="new, under_review, planned, in_progress, done or declined.")
    note: str | None = Field(
        None, description="What was decided and why, for the customers (needed for planned, done and declined)."
    )
    preview: bool = Field(False, description="Only show the feedback it would send; change nothing.")


class FeedbackPublic(BaseModel):
    customer_id: int
    channel: str
    recipient: str | None
    language: str
    subject: str
    body: str
    wishes: list[str]


class ThemeStatusResult(BaseModel):
    theme_id: int
    status: str
    previewed: bool  # true: nothing changed, these are the messages it would queue
    change_id: int | None
    feedback: list[FeedbackPublic]
    skipped: list[tuple[int, str]]
    queued: int
