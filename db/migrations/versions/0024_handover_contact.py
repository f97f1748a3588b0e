"""handover contact: who a report handed over by hand was given to

Revision ID: 0024
Revises: 0023

A report forwarded to a jurisdiction without a door is handed over by hand (migration 0016): the operator
records the office it went to and a contact there (a person's name, optional, and a phone number or e-mail
address), so the follow-up on ``handover_due`` knows whom to ask. Nullable text columns: adding them
rewrites nothing.
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("complaint", sa.Column("handover_office", sa.Text()))
    op.add_column("complaint", sa.Column("handover_person", sa.Text()))
    op.add_column("complaint", sa.Column("handover_contact", sa.Text()))


def downgrade() -> None:
    op.drop_column("complaint", "handover_contact")
    op.drop_column("complaint", "handover_person")
    op.drop_column("complaint", "handover_office")
