"""insight: the facts of each analysed voice and each wish on narrow, indexed rows; topic bits; the changes the
facts must take in, noted by triggers

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07

The facts are written by ``ombud.insight.facts.update_facts`` (which every insight function calls), not here:
their local days need the time zone setting. This revision notes every reading already stored as a change, so
a store read before it gets its facts on first use.

Triggers note what the facts must take in (``insight_changes``), whichever code writes it: a reading written or
rewritten, a voice whose time, channel, customer or metadata changed, a case that changed, got a voice or an
event, a wish added. A wish moved to another theme (a merge or split) moves its fact at once.
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

FILTERS = ["local_month", "local_day", "channel", "company", "industry", "language", "segment"]


def _covering(*leading: str) -> list[str]:
    return [*leading, *(column for column in FILTERS if column not in leading)]


VOICE_FACT_INDEXES = {
    "ix_voice_facts_timeline": _covering(
        "local_month", "segment", "dominant_act", "strength", "churn_risk", "expectation_gap", "legal_claim"
    ),
    "ix_voice_facts_places": _covering("channel", "company", "industry", "language", "segment", "dominant_act"),
    "ix_voice_facts_feelings": _covering("topic_mask", "emotion_mask", "sentiment", "expectation_gap"),
    "ix_voice_facts_presence": _covering(
        "channel",
        "opens_case",
        "first_response_minutes",
        "answered",
        "case_resolved",
        "first_response_due",
        "case_id",
    ),
    "ix_voice_facts_received": ["received_at"],
}
# trigger: (when, table, kind of change, the item's column in the new row)
CHANGES = {
    "insight_reading_written": ("AFTER INSERT", "voice_analyses", "reading", "voice_id"),
    "insight_reading_rewritten": ("AFTER UPDATE", "voice_analyses", "reading", "voice_id"),
    "insight_voice_changed": (
        "AFTER UPDATE OF customer_id, channel, received_at, metadata",
        "voices",
        "reading",
        "id",
    ),
    "insight_case_changed": ("AFTER UPDATE", "cases", "case", "id"),
    "insight_case_voice_added": ("AFTER INSERT", "case_voices", "case", "case_id"),
    "insight_case_voice_moved": ("AFTER UPDATE", "case_voices", "case", "case_id"),
    "insight_case_event_added": ("AFTER INSERT", "case_events", "case", "case_id"),
    "insight_wish_added": ("AFTER INSERT", "wishes", "wish", "id"),
}
WISH_FACT_INDEXES = {
    "ix_wish_facts_demand": _covering("theme_id", "customer_id"),
    "ix_wish_facts_customers": _covering("customer_id"),
    "ix_wish_facts_voice_id": ["voice_id"],
}


def _places() -> list[sa.Column[Any]]:
    return [
        sa.Column("local_day", sa.Integer(), nullable=False),
        sa.Column("local_month", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(40), nullable=False),
        sa.Column("company", sa.String(200)),
        sa.Column("industry", sa.String(200)),
        sa.Column("segment", sa.String(200)),
        sa.Column("language", sa.String(8), nullable=False),
    ]


def _create_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, (when, table, kind, column) in CHANGES.items():
            op.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"INSERT INTO insight_changes (kind, item) VALUES ('{kind}', NEW.{column}); RETURN NULL; END $$"
            )
            op.execute(f"CREATE TRIGGER {name} {when} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()")
        op.execute(
            "CREATE FUNCTION insight_wish_moved() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "UPDATE wish_facts SET theme_id = NEW.theme_id WHERE wish_id = NEW.id; RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER insight_wish_moved AFTER UPDATE OF theme_id ON wishes FOR EACH ROW "
            "EXECUTE FUNCTION insight_wish_moved()"
        )
        return
    for name, (when, table, kind, column) in CHANGES.items():
        op.execute(
            f"CREATE TRIGGER {name} {when} ON {table} BEGIN "
            f"INSERT INTO insight_changes (kind, item) VALUES ('{kind}', NEW.{column}); END"
        )
    op.execute(
        "CREATE TRIGGER insight_wish_moved AFTER UPDATE OF theme_id ON wishes BEGIN "
        "UPDATE wish_facts SET theme_id = NEW.theme_id WHERE wish_id = NEW.id; END"
    )


def _drop_triggers() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, (_, table, _, _) in [*CHANGES.items(), ("insight_wish_moved", ("", "wishes", "", ""))]:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgresql else ""))
        if postgresql:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")


def upgrade() -> None:
    op.create_table(
        "voice_facts",
        sa.Column(
            "voice_id",
            sa.Integer(),
            sa.ForeignKey("voice_analyses.voice_id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        *_places(),
        sa.Column("dominant_act", sa.String(20), nullable=False),
        sa.Column("sentiment", sa.String(10), nullable=False),
        sa.Column("sentiment_score", sa.Float(), nullable=False),
        sa.Column("strength", sa.Integer(), nullable=False),
        sa.Column("expectation_gap", sa.Boolean(), nullable=False),
        sa.Column("legal_claim", sa.Boolean(), nullable=False),
        sa.Column("churn_risk", sa.Boolean(), nullable=False),
        sa.Column("emotion_mask", sa.Integer(), nullable=False),
        sa.Column("topic_mask", sa.BigInteger(), nullable=False),
        sa.Column("case_id", sa.Integer()),
        sa.Column("answered", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("opens_case", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("first_response_minutes", sa.Integer()),
        sa.Column("first_response_due", sa.DateTime()),
        sa.Column("case_resolved", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    for name, columns in VOICE_FACT_INDEXES.items():
        op.create_index(name, "voice_facts", columns)
    op.create_table(
        "wish_facts",
        sa.Column(
            "wish_id",
            sa.Integer(),
            sa.ForeignKey("wishes.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("voice_id", sa.Integer(), sa.ForeignKey("voice_facts.voice_id", ondelete="CASCADE"), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        *_places(),
    )
    for name, columns in WISH_FACT_INDEXES.items():
        op.create_index(name, "wish_facts", columns)
    op.create_table(
        "insight_topics",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("bit", sa.Integer(), nullable=False, unique=True),
    )
    op.create_table(
        "insight_state",
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )
    op.create_table(
        "insight_changes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("item", sa.Integer(), nullable=False),
    )
    op.create_index("ix_insight_changes_kind_item", "insight_changes", ["kind", "item"])
    op.execute("INSERT INTO insight_changes (kind, item) SELECT 'reading', voice_id FROM voice_analyses")
    _create_triggers()


def downgrade() -> None:
    _drop_triggers()
    for table in ("insight_changes", "insight_state", "insight_topics", "wish_facts", "voice_facts"):
        op.drop_table(table)
