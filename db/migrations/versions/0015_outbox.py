"""outbox: the messages a reporter is sent about their report, and every attempt to deliver each

Revision ID: 0015
Revises: 0014

A row in ``notification`` is written in the same transaction as the change it
tells about (``db/outbox.py``); the delivery worker (``notify/worker.py``)
sends it later. ``status`` is ``queued`` (not tried yet), ``sending`` (claimed
by a worker: ``next_attempt_at`` is then the end of its lease), ``failed``
(the last attempt failed; tried again at ``next_attempt_at``), ``sent``,
``dead`` (given up: shown to admins) or ``off`` (its channel is not
configured: recorded, never sent). ``idempotency_key`` goes with every
delivery of the message (``Idempotency-Key`` header, e-mail ``Message-ID``)
so a gateway can drop a second delivery after a worker died mid-send.
``notification_attempt`` has one row per attempt, written before the send.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

KINDS = (
    "received", "verified", "forwarded", "assigned", "in_progress", "finished", "rejected", "duplicate",
    "reopened", "reply",
)  # fmt: skip
CHANNELS = ("sms", "whatsapp", "email")
STATUSES = ("queued", "sending", "failed", "sent", "dead", "off")
OUTCOMES = ("sending", "sent", "failed", "dead", "off", "lost")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "notification",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("complaint_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=True),
        sa.Column("confidential", sa.Boolean(), server_default="false", nullable=False),
        sa.Column(
            "facts", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column(
            "idempotency_key",
            sa.String(length=64),
            server_default=sa.text("replace(gen_random_uuid()::text, '-', '')"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=16), server_default="queued", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(_in("kind", KINDS), name="notification_kind_check"),
        sa.CheckConstraint(_in("channel", CHANNELS), name="notification_channel_check"),
        sa.CheckConstraint(_in("status", STATUSES), name="notification_status_check"),
        sa.ForeignKeyConstraint(["complaint_id"], ["complaint.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key", name="notification_idempotency_key_key"),
    )
    op.create_index("notification_complaint_idx", "notification", ["complaint_id", "id"])
    # What a worker scans for: only rows still to be sent, by when they are due.
    op.create_index(
        "notification_due_idx",
        "notification",
        ["next_attempt_at"],
        postgresql_where=sa.text("status IN ('queued', 'sending', 'failed')"),
    )
    op.create_index(
        "notification_problem_idx",
        "notification",
        ["created_at"],
        postgresql_where=sa.text("status IN ('failed', 'dead')"),
    )
    op.create_table(
        "notification_attempt",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("notification_id", sa.BigInteger(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=16), server_default="sending", nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("worker", sa.Text(), nullable=True),
        sa.CheckConstraint(_in("outcome", OUTCOMES), name="notification_attempt_outcome_check"),
        sa.ForeignKeyConstraint(["notification_id"], ["notification.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("notification_id", "attempt", name="notification_attempt_number_key"),
    )


def downgrade() -> None:
    op.drop_table("notification_attempt")
    op.drop_table("notification")
