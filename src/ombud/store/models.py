"""The tables of ombud's store. Alembic migrations under ``migrations/`` create them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
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
    reason: Mapped[str] = mapped_column(Text)  # in English, as the CLI shows it
    code: Mapped[str | None] = mapped_column(String(40))  # the problem's code (capture/problems.py), if it has one
    params: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)  # and its parameters, for the pages' words

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
    # [{"code", "params"}] (loop/priority.py's Reason); rows stored before codes hold English words
    priority_reasons: Mapped[list[Any]] = mapped_column(JsonDocument, default=list)
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
    # When an agent last merged into or split this theme (migration 0007): the board never regroups its wishes.
    arranged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
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


class WishTokens(Base):
    """The tokens a wish is compared by on the wish board (loop/themes_tokens.py packs them; migration 0007)."""

    __tablename__ = "wish_tokens"

    wish_id: Mapped[int] = mapped_column(ForeignKey("wishes.id", ondelete="CASCADE"), primary_key=True)
    tokens: Mapped[bytes] = mapped_column(LargeBinary)


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


# --- insight: what each analysed voice adds up to, on one narrow row (migration 0005) ---------------------------

# The columns insight filters voices by. Each index of its fact tables leads with the columns one query groups by
# and holds the rest of these after them, so that the query reads the index alone, whatever the filter.
INSIGHT_FILTERS = ("local_month", "local_day", "channel", "company", "industry", "language", "segment")


def insight_index(name: str, *leading: str) -> Index:
    return Index(name, *leading, *(column for column in INSIGHT_FILTERS if column not in leading))


class VoiceFact(Base):
    """The facts of one analysed voice that insight filters and counts by, copied from its voice, its reading and
    its case onto one narrow row (insight/facts*.py keep them in step; docs/insight.md says why).

    ``local_day`` is the day the voice came in, in ``OMBUD_TIMEZONE``, as days since 1970-01-01, and
    ``local_month`` its month as year × 12 + month − 1; ``strength`` is |sentiment score| in quarters (0–3);
    ``emotion_mask`` and ``topic_mask`` hold one bit per emotion (labels.EMOTIONS order) and per topic
    (``insight_topics``). Presence: ``answered`` when a response followed the voice in its case; the voice that
    opened its case (``opens_case``) carries the case's first-response time in whole minutes, deadline and
    whether it is resolved. A fact goes with its reading: re-reading a voice deletes it, and the next update
    writes it anew. Each index leads with the columns one dashboard query groups by, so that SQLite reads it in
    order and counts as it goes.
    """

    __tablename__ = "voice_facts"
    __table_args__ = (
        insight_index(
            "ix_voice_facts_timeline",
            "local_month",
            "segment",
            "dominant_act",
            "strength",
            "churn_risk",
            "expectation_gap",
            "legal_claim",
        ),
        insight_index("ix_voice_facts_places", "channel", "company", "industry", "language", "segment", "dominant_act"),
        insight_index("ix_voice_facts_feelings", "topic_mask", "emotion_mask", "sentiment", "expectation_gap"),
        insight_index(
            "ix_voice_facts_presence",
            "channel",
            "opens_case",
            "first_response_minutes",
            "answered",
            "case_resolved",
            "first_response_due",
            "case_id",
        ),
        Index("ix_voice_facts_received", "received_at"),
    )

    voice_id: Mapped[int] = mapped_column(
        ForeignKey("voice_analyses.voice_id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    customer_id: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    local_day: Mapped[int] = mapped_column(Integer)
    local_month: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(40))
    company: Mapped[str | None] = mapped_column(String(200))
    industry: Mapped[str | None] = mapped_column(String(200))
    segment: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8))
    dominant_act: Mapped[str] = mapped_column(String(20))
    sentiment: Mapped[str] = mapped_column(String(10))
    sentiment_score: Mapped[float] = mapped_column(Float)
    strength: Mapped[int] = mapped_column(Integer)
    expectation_gap: Mapped[bool] = mapped_column(Boolean)
    legal_claim: Mapped[bool] = mapped_column(Boolean)
    churn_risk: Mapped[bool] = mapped_column(Boolean)
    emotion_mask: Mapped[int] = mapped_column(Integer)
    topic_mask: Mapped[int] = mapped_column(BigInteger)
    case_id: Mapped[int | None] = mapped_column(Integer)
    answered: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    opens_case: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    first_response_minutes: Mapped[int | None] = mapped_column(Integer)
    first_response_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    case_resolved: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class WishFact(Base):
    """One wish with the facts of its voice that insight filters by, for the wish demand without a join
    (insight/facts_wishes.py keeps it in step with ``wishes``, also when themes are merged or split)."""

    __tablename__ = "wish_facts"
    __table_args__ = (
        insight_index("ix_wish_facts_demand", "theme_id", "customer_id"),
        insight_index("ix_wish_facts_customers", "customer_id"),
    )

    wish_id: Mapped[int] = mapped_column(
        ForeignKey("wishes.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    voice_id: Mapped[int] = mapped_column(ForeignKey("voice_facts.voice_id", ondelete="CASCADE"), index=True)
    theme_id: Mapped[int] = mapped_column(Integer)
    customer_id: Mapped[int] = mapped_column(Integer)
    local_day: Mapped[int] = mapped_column(Integer)
    local_month: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(40))
    company: Mapped[str | None] = mapped_column(String(200))
    industry: Mapped[str | None] = mapped_column(String(200))
    segment: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8))


class InsightTopic(Base):
    """The bit of each topic in ``voice_facts.topic_mask``: the default taxonomy first, a company's own after."""

    __tablename__ = "insight_topics"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    bit: Mapped[int] = mapped_column(Integer, unique=True)


class InsightState(Base):
    """What the facts were written with: the time zone of their local days."""

    __tablename__ = "insight_state"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class InsightChange(Base):
    """Something the facts must take in: a reading written or changed (``reading``, the voice id), a case that
    changed (``case``), a wish added (``wish``). Database triggers (migration 0005) write these rows, whatever
    wrote the change; ``ombud.insight.facts.update_facts`` takes them in and deletes them."""

    __tablename__ = "insight_changes"
    __table_args__ = (Index("ix_insight_changes_kind_item", "kind", "item"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    item: Mapped[int] = mapped_column(Integer)


voice_facts_table = cast(Table, VoiceFact.__table__)
wish_facts_table = cast(Table, WishFact.__table__)
