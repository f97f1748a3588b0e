"""the leaders' rollups by kecamatan, agency and category, and the open complaints read by channel

Revision ID: 0031
Revises: 0030

Why: 0031_rollups_detail.sql. The downgrade drops the two tables and the index and puts back 0030's functions.
"""

from pathlib import Path

from alembic import op

from db.sql import fill_statuses, function_statement

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SET LOCAL statement_timeout = 0")  # the first rollups read every closed complaint
    op.execute(fill_statuses(Path(__file__).with_name("0031_rollups_detail.sql").read_text()))


def downgrade() -> None:
    script = Path(__file__).with_name("0030_rollups_channel.sql").read_text()
    for name in ("pantau_rollup_apply", "pantau_rollup_truncate", "pantau_rollup_rebuild"):
        op.execute(function_statement(script, name))
    op.execute("DROP INDEX complaint_leaders_live_channel_idx")
    for table in ("leaders_rollup_hist_detail", "leaders_rollup_day_detail"):
        op.drop_table(table)
