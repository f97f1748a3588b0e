"""complaint_event kind 'unassigned': a job taken away from its field supervisor is in the history

Revision ID: 0012
Revises: 0011

Forwarding a complaint to another agency or city, reopening it, or a change of
category that moves it to another agency now drops its assignee (a supervisor
must not keep and close a job that is no longer their agency's); the history
records that as its own event. The check constraint is replaced without a long
lock: added NOT VALID, then validated (which only reads).
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

BEFORE = (
    "created",
    "routed",
    "verified",
    "forwarded",
    "assigned",
    "status_changed",
    "commented",
    "photo_added",
    "merged",
    "rerouted",
    "disputed",
)
AFTER = (*BEFORE, "unassigned")


def _replace(kinds: tuple[str, ...]) -> None:
    op.execute("SET LOCAL statement_timeout = 0")
    op.execute("ALTER TABLE complaint_event DROP CONSTRAINT complaint_event_kind_check")
    listed = ", ".join(f"'{k}'" for k in kinds)
    op.execute(
        f"ALTER TABLE complaint_event ADD CONSTRAINT complaint_event_kind_check CHECK (kind IN ({listed})) NOT VALID"
    )
    op.execute("ALTER TABLE complaint_event VALIDATE CONSTRAINT complaint_event_kind_check")


def upgrade() -> None:
    _replace(AFTER)


def downgrade() -> None:
    # The history is append-only: with any 'unassigned' event stored, validating the old list fails and nothing changes.
    _replace(BEFORE)
