"""import errors keep their problem's code and parameters, so the pages say them in the reader's language

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07

Rows stored before keep their English reason alone (code and params NULL), which the pages show as it is.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("import_errors") as table:
        table.add_column(sa.Column("code", sa.String(40)))
        table.add_column(sa.Column("params", Json))


def downgrade() -> None:
    with op.batch_alter_table("import_errors") as table:
        table.drop_column("params")
        table.drop_column("code")
