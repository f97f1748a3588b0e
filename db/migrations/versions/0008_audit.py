"""audit log: one append-only row for every staff action (log-ins, exports, accounts, CLI loads)

Revision ID: 0008
Revises: 0007

Changes to complaints stay in complaint_event; this table holds what happens
around them. ``detail`` never holds a password, a token or a reporter's
details. Rows are never updated or deleted (0008_audit.sql), except that
deleting a staff account clears ``actor_user_id`` on its rows.
"""

from pathlib import Path

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_role", sa.String(length=16), server_default="system", nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("target", sa.Text(), nullable=True),
        sa.Column(
            "detail", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("client", sa.Text(), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["actor_user_id"], ["app_user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("audit_event_at_brin", "audit_event", ["at"], postgresql_using="brin")
    op.create_index("audit_event_actor_idx", "audit_event", ["actor_user_id", "at"])
    op.execute(Path(__file__).with_name("0008_audit.sql").read_text())


def downgrade() -> None:
    op.drop_table("audit_event")  # its triggers go with it
    op.execute("DROP FUNCTION pantau_audit_immutable()")
