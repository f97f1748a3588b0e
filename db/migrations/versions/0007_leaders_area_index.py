"""leaders' covering index keyed by coalesce(kecamatan_id, 0), so every dashboard scan is a set of index ranges

Revision ID: 0007
Revises: 0006

The index of revision 0005 was keyed by (kecamatan_id, created_at). A view
without a kecamatan (the whole city, a kota, an agency, a category) could not
use its time key and read all of it: a million entries for "sampah, this
month". Now every filtered set names the kecamatan it may come from
(``coalesce(kecamatan_id, 0) = ANY(...)``, with 0 for the reports outside every
boundary; see db/filters.py), which PostgreSQL turns into one index descent per
kecamatan, each reading only the chosen period.
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

INCLUDE = (
    "kecamatan_id, status, channel, jurisdiction_id, kelurahan_id, opd_id, category_id,"
    " response_working_days, completion_working_days, completed_at, due_at"
)


def upgrade() -> None:
    op.execute("SET LOCAL statement_timeout = 0")
    op.execute("DROP INDEX complaint_leaders_idx")
    op.execute(
        f"CREATE INDEX complaint_leaders_idx ON complaint ((coalesce(kecamatan_id, 0)), created_at) INCLUDE ({INCLUDE})"
    )


def downgrade() -> None:
    op.execute("SET LOCAL statement_timeout = 0")
    op.execute("DROP INDEX complaint_leaders_idx")
    op.execute(
        "CREATE INDEX complaint_leaders_idx ON complaint (kecamatan_id, created_at)"
        f" INCLUDE ({INCLUDE.replace('kecamatan_id, ', '', 1)})"
    )
