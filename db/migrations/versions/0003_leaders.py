"""leaders' dashboard: working-day calendar functions and the indexes its filters use

Revision ID: 0003
Revises: 0001
"""

from pathlib import Path

from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(Path(__file__).with_name("0003_leaders.sql").read_text())
    # min(created_at) for the calendar, and short date ranges ("today", "7 days") when rows did
    # not arrive in time order (imports, demo data), where the BRIN index cannot narrow anything.
    # (Revision 0005 replaces it with a covering index on the same column.)
    op.create_index("complaint_created_idx", "complaint", ["created_at"])


def downgrade() -> None:
    op.drop_index("complaint_created_idx", table_name="complaint")
    for fn in (
        "pantau_work_clock(timestamptz, double precision[], date)",
        "pantau_work_days(double precision, double precision[], date)",
        "pantau_wib_day(timestamptz)",
        "pantau_wib_days(timestamptz)",
        "pantau_work_calendar(date, date)",
    ):
        op.execute(f"DROP FUNCTION IF EXISTS {fn}")
