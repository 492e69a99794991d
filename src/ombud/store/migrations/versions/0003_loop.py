"""the loop: cases and their voices and events, the outbox of messages to customers, wish themes

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
Time = sa.DateTime


def upgrade() -> None:
    with op.batch_alter_table("customers") as customers:
        customers.add_column(sa.Column("contact_opt_out", sa.Boolean(), nullable=False, server_default=sa.false()))
        customers.add_column(sa.Column("erased_at", Time()))

    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("channel", sa.String(40), nullable=False),
        sa.Column("topic", sa.String(40)),
        sa.Column("subject", sa.Text()),
        sa.Column("language", sa.String(8)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("priority_reasons", Json, nullable=False),
        sa.Column("reading_priority", sa.Integer(), nullable=False),
        sa.Column("assignee", sa.String(200)),
        sa.Column("team", sa.String(100)),
        sa.Column("opened_at", Time(), nullable=False),
        sa.Column("last_customer_at", Time(), nullable=False),
        sa.Column("first_response_due", Time()),
        sa.Column("first_response_at", Time()),
        sa.Column("resolved_at", Time()),
        sa.Column("unanswered_since", Time()),
        sa.Column("reopened_count", sa.Integer(), nullable=False),
        sa.Column("created_at", Time(), nullable=False),
        sa.Column("updated_at", Time(), nullable=False),
    )
    op.create_index("ix_cases_status_due", "cases", ["status", "first_response_due"])
    op.create_index("ix_cases_customer_status", "cases", ["customer_id", "status"])

    op.create_table(
        "case_voices",
        sa.Column("voice_id", sa.Integer(), sa.ForeignKey("voices.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("added_at", Time(), nullable=False),
    )
    op.create_index("ix_case_voices_case_id", "case_voices", ["case_id"])

    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("at", Time(), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("actor", sa.String(200)),
        sa.Column("detail", Json, nullable=False),
    )
    op.create_index("ix_case_events_case_id", "case_events", ["case_id"])

    op.create_table(
        "outbound_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("idempotency_key", sa.String(200), nullable=False, unique=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id", ondelete="SET NULL")),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("channel", sa.String(40), nullable=False),
        sa.Column("recipient", sa.String(320)),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("message_id", sa.String(998), nullable=False, unique=True),
        sa.Column("in_reply_to", sa.String(998)),
        sa.Column("references", sa.Text()),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", Time()),
        sa.Column("last_error", sa.Text()),
        sa.Column("author", sa.String(200)),
        sa.Column("created_at", Time(), nullable=False),
        sa.Column("claimed_at", Time()),
        sa.Column("sent_at", Time()),
    )
    op.create_index("ix_outbound_messages_status_next", "outbound_messages", ["status", "next_attempt_at"])
    op.create_index("ix_outbound_messages_case_id", "outbound_messages", ["case_id"])
    op.create_index("ix_outbound_messages_customer_id", "outbound_messages", ["customer_id"])

    op.create_table(
        "wish_themes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("company", sa.String(200)),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("language", sa.String(8)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("status_note", sa.Text()),
        sa.Column("centroid", sa.LargeBinary()),
        sa.Column("encoder", sa.String(100)),
        sa.Column("merged_into_id", sa.Integer(), sa.ForeignKey("wish_themes.id", ondelete="SET NULL")),
        sa.Column("created_at", Time(), nullable=False),
        sa.Column("updated_at", Time(), nullable=False),
    )
    op.create_index("ix_wish_themes_status", "wish_themes", ["status"])
    op.create_index("ix_wish_themes_company", "wish_themes", ["company"])

    op.create_table(
        "wishes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("theme_id", sa.Integer(), sa.ForeignKey("wish_themes.id", ondelete="CASCADE"), nullable=False),
        sa.Column("voice_id", sa.Integer(), sa.ForeignKey("voices.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", Time(), nullable=False),
        sa.UniqueConstraint("voice_id", "position", name="uq_wishes_voice_position"),
    )
    op.create_index("ix_wishes_theme_id", "wishes", ["theme_id"])
    op.create_index("ix_wishes_customer_id", "wishes", ["customer_id"])

    op.create_table(
        "wish_theme_changes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("theme_id", sa.Integer(), sa.ForeignKey("wish_themes.id", ondelete="CASCADE"), nullable=False),
        sa.Column("status_from", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("note", sa.Text()),
        sa.Column("actor", sa.String(200)),
        sa.Column("changed_at", Time(), nullable=False),
    )
    op.create_index("ix_wish_theme_changes_theme_id", "wish_theme_changes", ["theme_id"])


def downgrade() -> None:
    for table in ("wish_theme_changes", "wishes", "wish_themes", "outbound_messages", "case_events", "case_voices"):
        op.drop_table(table)
    op.drop_table("cases")
    with op.batch_alter_table("customers") as customers:
        customers.drop_column("erased_at")
        customers.drop_column("contact_opt_out")
