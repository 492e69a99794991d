"""wish board: the token vectors wishes are compared by, and when an agent arranged a theme (loop/wishes.py)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07

Wishes stored before have no tokens; the wish board embeds them again on its next update (their themes name an
older model). A theme an agent merged into or split (``arranged_at``) is never regrouped by the board.
"""

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
    with op.batch_alter_table("wish_themes") as table:
        table.add_column(sa.Column("arranged_at", sa.DateTime()))


def downgrade() -> None:
    with op.batch_alter_table("wish_themes") as table:
        table.drop_column("arranged_at")
    op.drop_table("wish_tokens")
