"""the leaders' rollups: closed complaints summed per month (and day), kept by the transactions that change them

Revision ID: 0020
Revises: 0019

What the tables hold, and why triggers rather than a job: 0020_rollups.sql and docs/SCALING.md.
"""

from pathlib import Path

from alembic import op

from db.sql import fill_statuses

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "SET LOCAL statement_timeout = 0"
    )  # the first rollup and the open complaints' index read every complaint
    op.execute(fill_statuses(Path(__file__).with_name("0020_rollups.sql").read_text()))


def downgrade() -> None:
    op.execute("DROP TRIGGER pantau_rollup_rating ON complaint_rating")
    op.execute("DROP TRIGGER pantau_rollup_truncate ON complaint")
    op.execute("DROP FUNCTION pantau_rollup_truncate()")
    for event in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER pantau_rollup_{event} ON complaint")
    op.execute("DROP FUNCTION pantau_rollup_rebuild()")
    op.execute("DROP FUNCTION pantau_rollup_rating()")
    op.execute("DROP FUNCTION pantau_rollup_complaint()")
    op.execute("DROP FUNCTION pantau_rollup_apply(complaint, integer, boolean)")
    op.execute("DROP FUNCTION pantau_rollup_flags(complaint)")
    op.execute("DROP FUNCTION pantau_wib_month(timestamptz)")
    op.execute("DROP INDEX complaint_leaders_live_idx")
    for table in ("leaders_rollup_hist", "leaders_rollup_day", "leaders_rollup"):
        op.drop_table(table)
