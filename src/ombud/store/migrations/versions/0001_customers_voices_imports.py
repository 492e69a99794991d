"""customers, their identities, voices and imports

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Times are stored as UTC without an offset (see ombud.store.types.UTCDateTime).
Time = sa.DateTime


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200)),
        sa.Column("preferred_language", sa.String(8)),
        sa.Column("created_at", Time(), nullable=False),
    )
    op.create_table(
        "customer_identities",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("value", sa.String(320), nullable=False),
        sa.UniqueConstraint("kind", "value", name="uq_customer_identities_kind_value"),
    )
    op.create_index("ix_customer_identities_customer_id", "customer_identities", ["customer_id"])
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("format", sa.String(20), nullable=False),
        sa.Column("channel", sa.String(40)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("started_at", Time(), nullable=False),
        sa.Column("finished_at", Time()),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("voices_added", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.Column("host", sa.String(255)),
        sa.Column("process_id", sa.Integer()),
    )
    op.create_table(
        "import_errors",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("import_id", sa.Integer(), sa.ForeignKey("imports.id", ondelete="CASCADE"), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("line", sa.Integer()),
        sa.Column("reason", sa.Text(), nullable=False),
    )
    op.create_index("ix_import_errors_import_id", "import_errors", ["import_id"])
    op.create_table(
        "voices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("channel", sa.String(40), nullable=False),
        sa.Column("received_at", Time(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text()),
        sa.Column("source_file", sa.Text()),
        sa.Column("source_line", sa.Integer()),
        sa.Column("message_id", sa.String(998)),
        sa.Column("in_reply_to", sa.String(998)),
        sa.Column("external_id", sa.String(200)),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("dedup_key", sa.String(100), nullable=False),
        sa.Column("metadata", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("import_id", sa.Integer(), sa.ForeignKey("imports.id", ondelete="SET NULL")),
        sa.Column("created_at", Time(), nullable=False),
        sa.UniqueConstraint("dedup_key", name="uq_voices_dedup_key"),
    )
    op.create_index("ix_voices_customer_received", "voices", ["customer_id", "received_at"])
    op.create_index("ix_voices_received_at", "voices", ["received_at"])
    for column in ("message_id", "in_reply_to"):
        present = sa.text(f"{column} IS NOT NULL")
        op.create_index(f"ix_voices_{column}", "voices", [column], sqlite_where=present, postgresql_where=present)


def downgrade() -> None:
    op.drop_table("voices")
    op.drop_table("import_errors")
    op.drop_table("imports")
    op.drop_table("customer_identities")
    op.drop_table("customers")
