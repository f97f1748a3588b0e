"""wall screen: indexes for its per-area counts and its recently finished complaints at a million rows

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

OPEN = "status NOT IN ('selesai', 'ditolak', 'duplikat')"


def upgrade() -> None:
    # Open complaints per area and the overdue count, read from the index alone (about a tenth of all rows).
    op.create_index(
        "complaint_open_area_idx",
        "complaint",
        ["kelurahan_id", "kecamatan_id", "jurisdiction_id"],
        postgresql_include=["due_at"],
        postgresql_where=OPEN,
    )
    # The most recently finished complaints: green markers and the "recently finished" panel.
    op.create_index("complaint_finished_idx", "complaint", ["completed_at"], postgresql_where="status = 'selesai'")


def downgrade() -> None:
    op.drop_index("complaint_finished_idx", table_name="complaint")
    op.drop_index("complaint_open_area_idx", table_name="complaint")
