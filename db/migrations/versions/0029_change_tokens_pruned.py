"""the change tokens' versions are pruned: complaint_change_pruned says up to which version they are gone

Revision ID: 0029
Revises: 0028

Why: complaint_change_version (0028) gains a row per writing transaction and was never emptied: at about
9,000 changes a day some 300 MB a year, read only by the wall's "changes since V", and a wall asks for no
more than the last few minutes (it redraws every ten). The delivery worker now deletes the tokens of
versions older than an hour (db/change_tokens.py); this one-row table says up to which version they are
gone, so that a wall asking for changes since an older version redraws instead of missing some, and holds
the mark (a data version and when it was current) that the next prune deletes up to.

The downgrade drops the table: 0028's wall then reads "changes since V" from the tokens that are left,
which is what it did for any V before 0028 anyway.
"""

from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE complaint_change_pruned (
          id integer PRIMARY KEY DEFAULT 1 CONSTRAINT complaint_change_pruned_single_row CHECK (id = 1),
          upto bigint NOT NULL DEFAULT 0,     -- the tokens of every version up to this one are deleted
          mark_version bigint,                -- the data version when mark_at was now: the next prune's upto
          mark_at timestamptz
        )
        """
    )
    op.execute(
        "COMMENT ON TABLE complaint_change_pruned IS"
        " 'Up to which data version complaint_change_version is pruned, and the next prune''s mark (db/change_tokens.py).'"
    )
    op.execute("INSERT INTO complaint_change_pruned DEFAULT VALUES")


def downgrade() -> None:
    op.execute("DROP TABLE complaint_change_pruned")
