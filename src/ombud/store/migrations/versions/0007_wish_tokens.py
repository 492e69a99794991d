"""wish board: the token vectors wishes are compared by, and when an agent arranged a theme (loop/wishes.py)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07

Wishes stored before have no tokens; the wish board embeds them again on its next update (their themes name an
older model). A theme an agent merged into or split (``arranged_at``) is never regrouped by the board.
"""

import sqlite3

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wish_tokens",
        sa.Column("wish_id", sa.Integer(), sa.ForeignKey("wishes.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("tokens", sa.LargeBinary(), nullable=False),
    )
    # A plain ADD COLUMN on both databases (SQLite has it): no table is rebuilt. A downgrade on an SQLite older
    # than 3.35 leaves the column in place (see below), so it may be there already.
    columns = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("wish_themes")}
    if "arranged_at" not in columns:
        op.add_column("wish_themes", sa.Column("arranged_at", sa.DateTime()))


def downgrade() -> None:
    op.drop_table("wish_tokens")
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_column("wish_themes", "arranged_at")
    elif sqlite3.sqlite_version_info >= (3, 35, 0):
        # Not batch mode: rebuilding wish_themes would drop it, and with foreign keys on that deletes every wish
        # (wishes.theme_id cascades). SQLite 3.35+ drops a column in place.
        op.execute("ALTER TABLE wish_themes DROP COLUMN arranged_at")
    # An older SQLite keeps the column: a nullable one that the schema before this migration never reads.
