"""what ombud read in each voice and each of its sentences

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "voice_analyses",
        sa.Column("voice_id", sa.Integer(), sa.ForeignKey("voices.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("model", sa.String(100), nullable=False),
        sa.Column("tier", sa.String(20), nullable=False),
        sa.Column("analysed_at", sa.DateTime(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("language_confidence", sa.Float(), nullable=False),
        sa.Column("dominant_act", sa.String(20), nullable=False),
        sa.Column("acts", Json, nullable=False),
        sa.Column("sentiment", sa.String(10), nullable=False),
        sa.Column("sentiment_score", sa.Float(), nullable=False),
        sa.Column("emotions", Json, nullable=False),
        sa.Column("topics", Json, nullable=False),
        sa.Column("expectation_gap", sa.Boolean(), nullable=False),
        sa.Column("legal_claim", sa.Boolean(), nullable=False),
        sa.Column("churn_risk", sa.Boolean(), nullable=False),
        sa.Column("details", Json, nullable=False),
    )
    op.create_index("ix_voice_analyses_dominant_act", "voice_analyses", ["dominant_act"])
    op.create_table(
        "sentence_analyses",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "voice_id", sa.Integer(), sa.ForeignKey("voice_analyses.voice_id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("act", sa.String(20), nullable=False),
        sa.Column("act_probability", sa.Float(), nullable=False),
        sa.Column("sentiment", sa.String(10), nullable=False),
        sa.Column("sentiment_score", sa.Float(), nullable=False),
        sa.Column("topics", Json, nullable=False),
        sa.UniqueConstraint("voice_id", "position", name="uq_sentence_analyses_voice_position"),
    )
    op.create_index("ix_sentence_analyses_act", "sentence_analyses", ["act"])


def downgrade() -> None:
    op.drop_table("sentence_analyses")
    op.drop_table("voice_analyses")
