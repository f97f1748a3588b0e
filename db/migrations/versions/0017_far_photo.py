"""complaint status 'perlu_konfirmasi': a completion photo far from the report waits for an operator

Revision ID: 0017
Revises: 0016

Finishing a job whose completion photos were all taken more than PANTAU_PHOTO_MAX_DISTANCE_M from the report
(or carry no GPS position) no longer closes it: with the field supervisor's reason it waits, yellow, as
``perlu_konfirmasi`` until an operator confirms it (``selesai``) or sends it back (``reopen``). Only the
status CHECK constraint changes; it is replaced without a long lock (added NOT VALID, then validated).
"""

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

BEFORE = (
    "baru",
    "terverifikasi",
    "luar_wilayah",
    "diteruskan",
    "ditugaskan",
    "dikerjakan",
    "selesai",
    "ditolak",
    "duplikat",
)
AFTER = (*BEFORE[:6], "perlu_konfirmasi", *BEFORE[6:])


def _replace(statuses: tuple[str, ...]) -> None:
    op.execute("SET LOCAL statement_timeout = 0")
    op.execute("ALTER TABLE complaint DROP CONSTRAINT complaint_status_check")
    listed = ", ".join(f"'{s}'" for s in statuses)
    op.execute(f"ALTER TABLE complaint ADD CONSTRAINT complaint_status_check CHECK (status IN ({listed})) NOT VALID")
    op.execute("ALTER TABLE complaint VALIDATE CONSTRAINT complaint_status_check")


def upgrade() -> None:
    _replace(AFTER)


def downgrade() -> None:
    # With a complaint still waiting for confirmation, validating the old list fails and nothing changes.
    _replace(BEFORE)
