"""The tables of ombud's store. Alembic migrations under ``migrations/`` create them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from ombud.store.types import JsonDocument, UTCDateTime, utc_now


class Base(DeclarativeBase):
    pass


class Customer(Base):
    """An identified customer; one customer can hold several identities."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    preferred_language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    # The customer asked to hear nothing more from the company: no feedback, no follow-up.
    contact_opt_out: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Erased on request (GDPR art. 17): the customer's texts are gone and nothing is sent to them again.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    identities: Mapped[list[CustomerIdentity]] = relationship(back_populates="customer")
    voices: Mapped[list[Voice]] = relationship(back_populates="customer")


class CustomerIdentity(Base):
    """One way to recognise a customer: an e-mail, a phone number or an id in another system."""

    __tablename__ = "customer_identities"
    __table_args__ = (UniqueConstraint("kind", "value", name="uq_customer_identities_kind_value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(320))

    customer: Mapped[Customer] = relationship(back_populates="identities")


class Import(Base):
    """One run of an importer over one file."""

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="running")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    voices_added: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    # Who runs it, so that a run whose process died can be told from one still going.
    host: Mapped[str | None] = mapped_column(String(255))
    process_id: Mapped[int | None] = mapped_column(Integer)

    errors: Mapped[list[ImportProblem]] = relationship(back_populates="run")


class ImportProblem(Base):
    """A row (or a whole file) an import could not take, with where and why."""

    __tablename__ = "import_errors"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(Text)
    line: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)

    run: Mapped[Import] = relationship(back_populates="errors")


class Voice(Base):
    """One thing a customer said, in one message, from one channel."""

    __tablename__ = "voices"
    # Imports write every index on every row, so each one here must earn its place. Message ids
    # are indexed only where present (most voices are not e-mail).
    __table_args__ = (
        Index("ix_voices_customer_received", "customer_id", "received_at"),
        Index("ix_voices_received_at", "received_at"),
        Index(
            "ix_voices_message_id",
            "message_id",
            sqlite_where=sql_text("message_id IS NOT NULL"),
            postgresql_where=sql_text("message_id IS NOT NULL"),
        ),
        Index(
            "ix_voices_in_reply_to",
            "in_reply_to",
            sqlite_where=sql_text("in_reply_to IS NOT NULL"),
            postgresql_where=sql_text("in_reply_to IS NOT NULL"),
        ),
        UniqueConstraint("dedup_key", name="uq_voices_dedup_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    text: Mapped[str] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(Text)
    source_file: Mapped[str | None] = mapped_column(Text)
    source_line: Mapped[int | None] = mapped_column(Integer)
    message_id: Mapped[str | None] = mapped_column(String(998))
    in_reply_to: Mapped[str | None] = mapped_column(String(998))
    external_id: Mapped[str | None] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    # What makes a voice the same voice on a second import; see capture/identity.py.
    dedup_key: Mapped[str] = mapped_column(String(100))
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JsonDocument, default=dict)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    customer: Mapped[Customer] = relationship(back_populates="voices")


# The tables themselves, typed, for the bulk paths that bypass the ORM.
customers_table = cast(Table, Customer.__table__)
identities_table = cast(Table, CustomerIdentity.__table__)
voices_table = cast(Table, Voice.__table__)


class VoiceAnalysis(Base):
    """What a reader model read in one voice (understand/analysis.py); one row per voice, replaced on re-reading."""

    __tablename__ = "voice_analyses"

    voice_id: Mapped[int] = mapped_column(ForeignKey("voices.id", ondelete="CASCADE"), primary_key=True)
    model: Mapped[str] = mapped_column(String(100))
    tier: Mapped[str] = mapped_column(String(20))
    analysed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    language: Mapped[str] = mapped_column(String(8))
    language_confidence: Mapped[float] = mapped_column(Float)
    dominant_act: Mapped[str] = mapped_column(String(20), index=True)
    acts: Mapped[list[str]] = mapped_column(JsonDocument)
    sentiment: Mapped[str] = mapped_column(String(10))
    sentiment_score: Mapped[float] = mapped_column(Float)
    emotions: Mapped[list[str]] = mapped_column(JsonDocument)
    topics: Mapped[list[str]] = mapped_column(JsonDocument)
    expectation_gap: Mapped[bool] = mapped_column(Boolean)
    legal_claim: Mapped[bool] = mapped_column(Boolean)
    churn_risk: Mapped[bool] = mapped_column(Boolean)
    # The rest of the public analysis object: probabilities, evidence, personal data spans.
    details: Mapped[dict[str, Any]] = mapped_column(JsonDocument)

    sentences: Mapped[list[SentenceAnalysisRow]] = relationship(
        back_populates="voice_analysis", cascade="all, delete-orphan", order_by="SentenceAnalysisRow.position"
    )


class SentenceAnalysisRow(Base):
    __tablename__ = "sentence_analyses"
    __table_args__ = (UniqueConstraint("voice_id", "position", name="uq_sentence_analyses_voice_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    voice_id: Mapped[int] = mapped_column(ForeignKey("voice_analyses.voice_id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(8))
    act: Mapped[str] = mapped_column(String(20), index=True)
    act_probability: Mapped[float] = mapped_column(Float)
    sentiment: Mapped[str] = mapped_column(String(10))
    sentiment_score: Mapped[float] = mapped_column(Float)
    topics: Mapped[list[str]] = mapped_column(JsonDocument)

    voice_analysis: Mapped[VoiceAnalysis] = relationship(back_populates="sentences")


# --- loop: cases, outbound messages, wish themes (migration 0003) -----------------------------------------------


class Case(Base):
    """The conversation with one customer about one matter, until resolved (loop/cases.py)."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_status_due", "status", "first_response_due"),
        Index("ix_cases_customer_status", "customer_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(40))
    topic: Mapped[str | None] = mapped_column(String(40))  # the matter, from the first voice's reading
    subject: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    # open → answered → waiting (for the customer) → resolved; a customer's new voice reopens it.
    status: Mapped[str] = mapped_column(String(20), default="open")
    priority: Mapped[int] = mapped_column(Integer, default=0)  # 0–100, higher first
    priority_reasons: Mapped[list[str]] = mapped_column(JsonDocument, default=list)
    # The part of the priority that comes from what was read in the voices, without the waiting time
    # (loop/priority.py); lets a listing order cases by their priority now without working it out for each.
    reading_priority: Mapped[int] = mapped_column(Integer, default=0)
    assignee: Mapped[str | None] = mapped_column(String(200))
    team: Mapped[str | None] = mapped_column(String(100))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when the first voice was received
    last_customer_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_response_due: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the SLA deadline
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the customer's oldest voice that no reply has followed came; None while nothing waits on us.
    unanswered_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopened_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)

    customer: Mapped[Customer] = relationship()
    voices: Mapped[list[CaseVoice]] = relationship(back_populates="case", cascade="all, delete-orphan")
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseEvent.id"
    )


class CaseVoice(Base):
    """A voice's place in a case: each voice belongs to exactly one case."""

    __tablename__ = "case_voices"

    voice_id: Mapped[int] = mapped_column(ForeignKey("voices.id", ondelete="CASCADE"), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    case: Mapped[Case] = relationship(back_populates="voices")
    voice: Mapped[Voice] = relationship()


class CaseEvent(Base):
    """What happened to a case, in order: opened, assigned, answered, waiting, resolved, reopened, …"""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    kind: Mapped[str] = mapped_column(String(30))
    actor: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)

    case: Mapped[Case] = relationship(back_populates="events")


class OutboundMessage(Base):
    """One message to a customer, in the transactional outbox until the delivery worker has sent it (loop/outbox.py).

    ``idempotency_key`` says what the message is for (a reply, or the feedback on one status change to one
    customer), so the same message is never queued twice; ``message_id`` is fixed before sending, so a worker
    that crashed after the SMTP server took the message can recognise it.
    """

    __tablename__ = "outbound_messages"
    __table_args__ = (Index("ix_outbound_messages_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # reply, feedback
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str | None] = mapped_column(String(320))  # the e-mail address, when sent by mail
    language: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(998), unique=True)
    in_reply_to: Mapped[str | None] = mapped_column(String(998))
    references: Mapped[str | None] = mapped_column(Text)
    # queued → sending → sent; failed after the last retry; manual for a channel without an API (post by hand);
    # cancelled when the customer opted out or was erased before it went.
    status: Mapped[str] = mapped_column(String(20), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(200))  # the agent who reviewed and sent it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WishTheme(Base):
    """Many customers' similar wishes, grouped by meaning, with one status (loop/wishes.py)."""

    __tablename__ = "wish_themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The wish board the theme is on: a company's board holds only its own customers' wishes (voices'
    # metadata "company"; None is the board of voices that name no company).
    company: Mapped[str | None] = mapped_column(String(200), index=True)
    title: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))  # of the title
    # new → under_review → planned → in_progress → done, or declined
    status: Mapped[str] = mapped_column(String(20), default="new", index=True)
    status_note: Mapped[str | None] = mapped_column(Text)
    centroid: Mapped[bytes | None] = mapped_column(LargeBinary)  # float32 vector of the encoder named below
    encoder: Mapped[str | None] = mapped_column(String(100))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("wish_themes.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)

    wishes: Mapped[list[Wish]] = relationship(back_populates="theme")
    changes: Mapped[list[WishThemeChange]] = relationship(
        back_populates="theme", cascade="all, delete-orphan", order_by="WishThemeChange.id"
    )


class Wish(Base):
    """One wish sentence of one voice, in its theme."""

    __tablename__ = "wishes"
    __table_args__ = (UniqueConstraint("voice_id", "position", name="uq_wishes_voice_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("wish_themes.id", ondelete="CASCADE"), index=True)
    voice_id: Mapped[int] = mapped_column(ForeignKey("voices.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # the sentence's position in the voice's analysis
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    theme: Mapped[WishTheme] = relationship(back_populates="wishes")
    voice: Mapped[Voice] = relationship()
    customer: Mapped[Customer] = relationship()


class WishThemeChange(Base):
    """A status change of a theme with its note for customers; feedback is sent once per change and customer."""

    __tablename__ = "wish_theme_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("wish_themes.id", ondelete="CASCADE"), index=True)
    status_from: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str | None] = mapped_column(String(200))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    theme: Mapped[WishTheme] = relationship(back_populates="changes")


# --- access: the people who use ombud, their browser sessions and API tokens (migration 0004) --------------------


class User(Base):
    """Someone who works in ombud: an admin, an agent (answers customers, sees personal data) or an analyst
    (reads the insight, sees personal data masked)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # admin, agent, analyst
    password_hash: Mapped[str] = mapped_column(String(200))  # Argon2id, with its parameters and salt
    language: Mapped[str | None] = mapped_column(String(8))  # of the pages: sv, nb, nn, da, en
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebSession(Base):
    """A logged-in browser. Only a hash of the cookie's token is kept, so a copy of the database logs nobody in."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class ApiToken(Base):
    """A token for the JSON API, acting as its user. Stored as a hash; shown once, when made."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # the first characters, to tell tokens apart in a list
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
