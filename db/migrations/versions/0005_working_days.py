"""working days to first response and to completion stored on each complaint, and the dashboard's covering index

Revision ID: 0005
Revises: 0004
"""

from pathlib import Path

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Everything the leaders' dashboard reads of a complaint, so its scans read this
# index (about a third of the table) and not the wide rows. Keyed by kecamatan
# then time: a kecamatan (or a leader limited to some) is a range of it, and a
# period within one a narrower range.
LEADERS_INCLUDE = [
    "status",
    "channel",
    "jurisdiction_id",
    "kelurahan_id",
    "opd_id",
    "category_id",
    "response_working_days",
    "completion_working_days",
    "completed_at",
    "due_at",
]


def upgrade() -> None:
    # The backfill touches every complaint: minutes for a million, past the app's per-statement limit.
    op.execute("SET LOCAL statement_timeout = 0")
    op.execute(Path(__file__).with_name("0005_working_days.sql").read_text())
    op.create_index(
        "complaint_leaders_idx", "complaint", ["kecamatan_id", "created_at"], postgresql_include=LEADERS_INCLUDE
    )


def downgrade() -> None:
    op.drop_index("complaint_leaders_idx", table_name="complaint")
    op.execute("DROP TRIGGER IF EXISTS holiday_changed ON holiday")
    op.execute("DROP TRIGGER IF EXISTS complaint_working_days ON complaint")
    op.execute("DROP FUNCTION IF EXISTS pantau_holiday_changed()")
    op.execute("DROP FUNCTION IF EXISTS pantau_complaint_working_days()")
    op.drop_column("complaint", "completion_working_days")
    op.drop_column("complaint", "response_working_days")
