"""api_key.rate: each Open311 client's own submission quota

Revision ID: 0013
Revises: 0012

Open311 ``POST requests`` was limited per IP address like the public form, so a
partner system forwarding many citizens' reports from one address was
throttled. A keyed client is now counted per key: its ``rate`` (e.g.
``600/minute``, set by ``api-key create NAME --rate``), or
``PANTAU_API_KEY_RATE`` when NULL.
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE api_key ADD COLUMN rate text")


def downgrade() -> None:
    op.execute("ALTER TABLE api_key DROP COLUMN rate")
