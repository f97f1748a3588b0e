"""the leaders' rollups by channel: 0020's three tables again with the channel in their key

Revision ID: 0030
Revises: 0029

Why: 0030_rollups_channel.sql. The downgrade drops the three tables and puts back 0020's functions and its
update trigger, which keep and rebuild 0020's tables alone.
"""

from pathlib import Path

from alembic import op

from db.sql import fill_statuses, function_statement

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

_0020 = Path(__file__).with_name("0020_rollups.sql")


def upgrade() -> None:
    op.execute("SET LOCAL statement_timeout = 0")  # the first rollup by channel reads every closed complaint
    op.execute(fill_statuses(Path(__file__).with_name("0030_rollups_channel.sql").read_text()))


def downgrade() -> None:
    script = _0020.read_text()
    for name in ("pantau_rollup_apply", "pantau_rollup_truncate", "pantau_rollup_rating", "pantau_rollup_rebuild"):
        op.execute(function_statement(script, name))
    op.execute("DROP TRIGGER pantau_rollup_update ON complaint")
    filled = fill_statuses(script)
    start = filled.index("CREATE TRIGGER pantau_rollup_update")
    op.execute(filled[start : filled.index(";", start) + 1])
    for table in ("leaders_rollup_hist_channel", "leaders_rollup_day_channel", "leaders_rollup_channel"):
        op.drop_table(table)
