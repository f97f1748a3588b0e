"""doors: forwarding to another jurisdiction's own system (Open311), and the handover it sends

Revision ID: 0021
Revises: 0020

``door`` is a destination jurisdiction's system: its protocol (``open311`` first), base URL, its own
``jurisdiction_id``, the API key Pantau uses there (encrypted with the app's secret, never stored in plain
text) and the mapping from Pantau's categories to its service codes. ``handover`` is one report sent (or
being sent) through a door: its state, attempts, last error, the remote ``service_request_id`` and when the
remote status is fetched next. A report whose handover failed is ``gagal_diteruskan`` (red: an operator
retries it or sends it elsewhere); history entries from the other system are ``remote``.
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

STATUSES = (
    "baru", "terverifikasi", "luar_wilayah", "diteruskan", "ditugaskan", "dikerjakan", "perlu_konfirmasi",
    "selesai", "ditolak", "duplikat",
)  # fmt: skip
EVENTS = (
    "created", "routed", "verified", "forwarded", "assigned", "status_changed", "commented", "photo_added",
    "merged", "rerouted", "disputed", "unassigned", "reminded", "escalated",
)  # fmt: skip


def _check(table: str, name: str, column: str, values: tuple[str, ...]) -> None:
    op.execute("SET LOCAL statement_timeout = 0")
    op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    listed = ", ".join(f"'{v}'" for v in values)
    op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({column} IN ({listed})) NOT VALID")
    op.execute(f"ALTER TABLE {table} VALIDATE CONSTRAINT {name}")


def upgrade() -> None:
    _check("complaint", "complaint_status_check", "status", (*STATUSES[:4], "gagal_diteruskan", *STATUSES[4:]))
    _check("complaint_event", "complaint_event_kind_check", "kind", (*EVENTS, "remote"))
    op.create_table(
        "door",
        sa.Column("jurisdiction_code", sa.String(4), sa.ForeignKey("jurisdiction.code"), primary_key=True),
        sa.Column("protocol", sa.String(16), nullable=False),
        sa.Column("base_url", sa.Text(), nullable=False),
        sa.Column("remote_jurisdiction", sa.Text(), nullable=True),
        sa.Column("api_key_encrypted", sa.Text(), nullable=False),
        sa.Column("service_map", sa.dialects.postgresql.JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("protocol IN ('open311')", name="door_protocol_check"),
    )
    op.create_table(
        "handover",
        sa.Column("complaint_id", sa.BigInteger(), sa.ForeignKey("complaint.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("jurisdiction_code", sa.String(4), sa.ForeignKey("jurisdiction.code"), nullable=False),
        sa.Column("state", sa.String(16), server_default="queued", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("remote_id", sa.Text(), nullable=True),
        sa.Column("remote_status", sa.Text(), nullable=True),
        sa.Column("next_poll_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("poll_failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(
            "state IN ('queued', 'sending', 'sent', 'failed', 'closed', 'cancelled')", name="handover_state_check"
        ),
    )
    op.create_index(
        "handover_due_idx",
        "handover",
        ["next_attempt_at"],
        postgresql_where=sa.text("state IN ('queued', 'sending', 'failed')"),
    )
    op.create_index("handover_poll_idx", "handover", ["next_poll_at"], postgresql_where=sa.text("state = 'sent'"))


def downgrade() -> None:
    op.drop_table("handover")
    op.drop_table("door")
    _check("complaint_event", "complaint_event_kind_check", "kind", EVENTS)
    _check("complaint", "complaint_status_check", "status", STATUSES)
