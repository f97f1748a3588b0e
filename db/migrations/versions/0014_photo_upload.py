"""photo_upload: citizens' photos processed when chosen, waiting for their report (at most a day)

Revision ID: 0014
Revises: 0013

/lapor sends each photo on its own as soon as it is chosen, so one large photo
never costs the whole report and no request carries more than one photo. The
processed JPEG waits here under a random token until the report is sent; then
it moves to the photo store and the ``photo`` table. ``db/uploads.py`` deletes
rows older than a day.
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "photo_upload",
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("source_mime", sa.String(length=32), nullable=False),
        sa.Column("jpeg", sa.LargeBinary(), nullable=False),
        sa.Column("thumb", sa.LargeBinary(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("gps", Geometry("POINT", srid=4326, spatial_index=False), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("token"),
    )
    op.create_index("photo_upload_created_idx", "photo_upload", ["created_at"])


def downgrade() -> None:
    op.drop_table("photo_upload")
