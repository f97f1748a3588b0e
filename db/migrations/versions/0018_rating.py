"""ratings: the reporter says whether the finished work satisfies them (PUAS / TIDAK PUAS, and 1-5)

Revision ID: 0018_rating
Revises: 0017

One row per rated report (the reporter's own report), replaced when the reporter changes their mind within the
dispute window. ``via`` says how it came: the reporter's link on /lacak, or an SMS reply from their number.
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_rating"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "complaint_rating",
        sa.Column("complaint_id", sa.BigInteger(), sa.ForeignKey("complaint.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("satisfied", sa.Boolean(), nullable=False),
        sa.Column("score", sa.SmallInteger()),
        sa.Column("via", sa.String(8), nullable=False),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name="complaint_rating_score_check"),
        sa.CheckConstraint("via IN ('link', 'sms')", name="complaint_rating_via_check"),
    )


def downgrade() -> None:
    op.drop_table("complaint_rating")
