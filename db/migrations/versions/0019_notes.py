"""staff notes are internal unless they reply to the reporter: complaint_event.note_public

Revision ID: 0019
Revises: 0018

A note on a complaint's history is shown on /lacak, in Open311 and in messages only when ``note_public``
is true: a reply to the reporter, or the reason for a rejection, a duplicate or a forward. Existing notes
become internal except those reasons (0019_notes.sql, tested by tests/integration/test_notes_migration.py).
"""

from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

RULE = Path(__file__).with_name("0019_notes.sql")


def upgrade() -> None:
    op.execute("SET LOCAL statement_timeout = 0")  # the rule reads every event once
    # A constant default: no rewrite of the table.
    op.add_column("complaint_event", sa.Column("note_public", sa.Boolean(), server_default="false", nullable=False))
    op.execute(RULE.read_text())


def downgrade() -> None:
    op.drop_column("complaint_event", "note_public")
