"""PDF supporting documents: tables ``document`` and ``document_upload``, event kind 'document_added'

Revision ID: 0023
Revises: 0022

A report may carry PDF documents (a letter, a receipt, a permit) beside its photos. ``document`` holds the
stored ones (the file itself is in the photo store, its document information and XMP metadata removed);
``document_upload`` keeps a citizen's document, checked, until the report it belongs to is sent (a day at
most), as ``photo_upload`` does for photos. Neither keeps the file's name: it may name the reporter. The
history's kind check gains 'document_added', replaced without a long lock (NOT VALID, then validated).
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

BEFORE = (
    "created", "routed", "verified", "forwarded", "assigned", "status_changed", "commented", "photo_added",
    "merged", "rerouted", "disputed", "unassigned", "reminded", "escalated", "remote",
)  # fmt: skip
AFTER = (*BEFORE, "document_added")


def _replace(kinds: tuple[str, ...]) -> None:
    op.execute("SET LOCAL statement_timeout = 0")
    op.execute("ALTER TABLE complaint_event DROP CONSTRAINT complaint_event_kind_check")
    listed = ", ".join(f"'{k}'" for k in kinds)
    op.execute(
        f"ALTER TABLE complaint_event ADD CONSTRAINT complaint_event_kind_check CHECK (kind IN ({listed})) NOT VALID"
    )
    op.execute("ALTER TABLE complaint_event VALIDATE CONSTRAINT complaint_event_kind_check")


def upgrade() -> None:
    op.create_table(
        "document",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("complaint_id", sa.BigInteger(), nullable=False),
        sa.Column("storage_key", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=False),
        sa.Column("uploader_id", sa.Integer(), nullable=True),
        sa.Column("uploader_role", sa.String(length=16), server_default="public", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["complaint_id"], ["complaint.id"]),
        sa.ForeignKeyConstraint(["uploader_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("complaint_id", "sha256", name="document_complaint_sha256_key"),
    )
    op.create_index("document_complaint_idx", "document", ["complaint_id"], unique=False)
    op.create_table(
        "document_upload",
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("token"),
    )
    op.create_index("document_upload_created_idx", "document_upload", ["created_at"], unique=False)
    _replace(AFTER)


def downgrade() -> None:
    # The history is append-only: with any 'document_added' event stored, validating the old list fails.
    _replace(BEFORE)
    op.drop_index("document_upload_created_idx", table_name="document_upload")
    op.drop_table("document_upload")
    op.drop_index("document_complaint_idx", table_name="document")
    op.drop_table("document")
