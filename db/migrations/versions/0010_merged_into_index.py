"""index complaint.merged_into_id: removing a complaint checked every other one for duplicates merged into it

Revision ID: 0010
Revises: 0009

The foreign key from a duplicate to the complaint it was merged into had no
index, so deleting a complaint (the benchmarks' clean-up, an erasure request)
scanned the whole table once per deleted row, and listing a complaint's merged
duplicates did the same. Few complaints are duplicates: a partial index.
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SET LOCAL statement_timeout = 0")
    op.execute("CREATE INDEX complaint_merged_into_idx ON complaint (merged_into_id) WHERE merged_into_id IS NOT NULL")


def downgrade() -> None:
    op.execute("DROP INDEX complaint_merged_into_idx")
