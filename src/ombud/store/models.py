"""The tables of ombud's store. Alembic migrations under ``migrations/`` create them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
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
