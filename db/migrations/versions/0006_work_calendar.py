"""working-day calendar: due times and working days by index probe instead of a walk over the days

Revision ID: 0006
Revises: 0002
"""

from pathlib import Path

from alembic import op

revision = "0006"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(Path(__file__).with_name("0006_work_calendar.sql").read_text())


def downgrade() -> None:
    for event in ("inserted", "updated", "deleted"):
        op.execute(f"DROP TRIGGER holidays_{event} ON holiday")
    op.execute("DROP FUNCTION pantau_holidays_changed()")
    op.execute("DROP FUNCTION pantau_working_days_between(timestamptz, timestamptz)")
    op.execute("DROP FUNCTION pantau_working_clock(timestamptz)")
    op.execute("DROP FUNCTION pantau_add_working_days(timestamptz, integer)")
    op.execute("ALTER FUNCTION pantau_add_working_days_scan(timestamptz, integer) RENAME TO pantau_add_working_days")
    op.execute(
        "ALTER FUNCTION pantau_working_days_between_scan(timestamptz, timestamptz) RENAME TO pantau_working_days_between"
    )
    op.execute("DROP FUNCTION pantau_work_calendar_refresh()")
    op.drop_table("work_calendar")
    # The per-row holiday trigger of revision 0005, as it was.
    sql = Path(__file__).with_name("0005_working_days.sql").read_text()
    start = sql.index("CREATE FUNCTION pantau_holiday_changed()")
    op.execute(sql[start:])
