"""routing grid: a precomputed grid of cells that routes a million points without a probe per point

Revision ID: 0002
Revises: 0005 (written after 0003-0005, so it follows them)
"""

from pathlib import Path

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "route_grid",
        sa.Column("id", sa.Integer(), server_default="1", nullable=False),
        sa.Column("x0", sa.Float(), nullable=False),
        sa.Column("y0", sa.Float(), nullable=False),
        sa.Column("cell_size", sa.Float(), nullable=False),
        sa.Column("nx", sa.Integer(), nullable=False),
        sa.Column("ny", sa.Integer(), nullable=False),
        sa.Column("cells", postgresql.ARRAY(sa.SmallInteger()), nullable=False),
        sa.Column("kelurahan_ids", postgresql.ARRAY(sa.Integer()), nullable=False),
        sa.Column("fingerprint", sa.Text(), nullable=False),
        sa.Column("max_edge_m", sa.Float(), nullable=False),
        sa.Column("interior_cells", sa.Integer(), nullable=False),
        sa.Column("edge_cells", sa.Integer(), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("build_ms", sa.Float(), nullable=False),
        sa.CheckConstraint("id = 1", name="route_grid_single_row"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "route_edge",
        sa.Column("cell", sa.Integer(), nullable=False),
        sa.Column("kelurahan_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("cell", "kelurahan_id"),
    )
    op.execute(Path(__file__).with_name("0002_route_grid.sql").read_text())
    # Databases that already hold boundaries get their grid now.
    op.execute("SELECT pantau_route_grid_rebuild() WHERE EXISTS (SELECT 1 FROM area WHERE level = 'kelurahan')")


def downgrade() -> None:
    for fn in (
        "pantau_route_staged(regclass, name)",
        "pantau_route_staged_sql(regclass, name)",
        "pantau_route_grid_rebuild(double precision, integer, integer)",
        "pantau_route_grid_current()",
        "pantau_route_grid_fingerprint()",
    ):
        op.execute(f"DROP FUNCTION IF EXISTS {fn}")
    op.drop_table("route_edge")
    op.drop_table("route_grid")
