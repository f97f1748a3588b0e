"""the open complaints' created_at index carries what the operators' queue orders, counts and scopes by

Revision ID: 0027
Revises: 0026

Why: the queue (db/sql/queue_list.sql) reads every open complaint's status, due dates and scope columns
to order and count them. At 1,000,000 reports (108,000 open) with a cold cache, the first operator's page
after a restart was a bitmap heap scan of 51,000 blocks: 3.4 s. Carried in the open complaints' index,
which the wall already walks by created_at, it is an index-only scan of 9 MB: 0.11-0.15 s cold.

The new index is built beside the old one and takes its name in the same transaction: reads keep an index
throughout; new reports wait for the build (about 2 s at 1,000,000).
"""

from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

OPEN = "status NOT IN ('selesai', 'ditolak', 'duplikat')"
CARRIED = "id, status, due_at, handover_due, category_id, opd_id, kecamatan_id, jurisdiction_id, assignee_id"


def _replace(include: str) -> None:
    op.execute(f"CREATE INDEX complaint_open_created_new ON complaint (created_at){include} WHERE {OPEN}")
    op.execute("DROP INDEX complaint_open_created_idx")
    op.execute("ALTER INDEX complaint_open_created_new RENAME TO complaint_open_created_idx")


def upgrade() -> None:
    _replace(f" INCLUDE ({CARRIED})")


def downgrade() -> None:
    _replace("")
