"""complaints per status kept by statement triggers, so the wall's legend does not count every complaint

Revision ID: 0009
Revises: 0008
"""

from pathlib import Path

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SET LOCAL statement_timeout = 0")  # the first count reads every complaint
    op.execute(Path(__file__).with_name("0009_status_counts.sql").read_text())


def downgrade() -> None:
    for event in ("insert", "update", "delete", "truncate"):
        op.execute(f"DROP TRIGGER complaint_status_count_{event} ON complaint")
    op.execute("DROP FUNCTION pantau_status_count_apply()")
    op.drop_table("complaint_status_count")
