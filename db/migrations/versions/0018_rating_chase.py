"""ratings and chasing: the reporter's verdict on finished work, and overdue stages reminded and escalated

Revision ID: 0018
Revises: 0017

One row per rated report (the reporter's own report), replaced when the reporter changes their mind within the
dispute window. ``via`` says how it came: the reporter's link on /lacak, or an SMS reply from their number.

Overdue work is chased (``db/chase.py``): each category gets its stage targets (verification and the agency's
follow-up, in working days; completion stays ``target_days``), ``complaint_chase`` remembers each reminder and
escalation sent for a stage of a complaint (so none goes twice), accounts get an optional ``email`` to be told
at, the history gains the events ``reminded`` and ``escalated`` and the outbox the staff messages ``reminder``
and ``escalation``.
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


EVENTS = (
    "created", "routed", "verified", "forwarded", "assigned", "status_changed", "commented", "photo_added",
    "merged", "rerouted", "disputed", "unassigned",
)  # fmt: skip
MESSAGES = (
    "received", "verified", "forwarded", "assigned", "in_progress", "finished", "rejected", "duplicate",
    "reopened", "reply",
)  # fmt: skip


def _check(table: str, name: str, column: str, values: tuple[str, ...]) -> None:
    op.execute("SET LOCAL statement_timeout = 0")
    op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    listed = ", ".join(f"'{v}'" for v in values)
    op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({column} IN ({listed})) NOT VALID")
    op.execute(f"ALTER TABLE {table} VALIDATE CONSTRAINT {name}")


def upgrade() -> None:
    op.add_column("app_user", sa.Column("email", sa.Text()))
    op.add_column("category", sa.Column("verify_days", sa.Integer(), nullable=False, server_default="3"))
    op.add_column("category", sa.Column("follow_up_days", sa.Integer(), nullable=False, server_default="5"))
    op.create_table(
        "complaint_chase",
        sa.Column("complaint_id", sa.BigInteger(), sa.ForeignKey("complaint.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("stage", sa.String(16), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.Column("recipients", sa.Integer(), nullable=False, server_default="0"),
        sa.CheckConstraint("stage IN ('verify', 'follow_up', 'complete')", name="complaint_chase_stage_check"),
        sa.CheckConstraint("kind IN ('reminder', 'escalation')", name="complaint_chase_kind_check"),
    )
    _check("complaint_event", "complaint_event_kind_check", "kind", (*EVENTS, "reminded", "escalated"))
    _check("notification", "notification_kind_check", "kind", (*MESSAGES, "reminder", "escalation"))
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
    op.execute("DELETE FROM complaint_event WHERE kind IN ('reminded', 'escalated')")
    op.execute("DELETE FROM notification WHERE kind IN ('reminder', 'escalation')")
    _check("notification", "notification_kind_check", "kind", MESSAGES)
    _check("complaint_event", "complaint_event_kind_check", "kind", EVENTS)
    op.drop_table("complaint_chase")
    op.drop_column("category", "follow_up_days")
    op.drop_column("category", "verify_days")
    op.drop_column("app_user", "email")
    op.drop_table("complaint_rating")
