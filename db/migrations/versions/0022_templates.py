"""reply templates per category, managed by admins; a resent message points at the one it replaces

Revision ID: 0022
Revises: 0021

``response_template`` holds the replies admins prepare for staff (``db/templates.py``): a title, a text with
placeholders ({nama}, {kode}, {kantor}…, filled by ``services/templates.py``) and the category it is for
(none: every category). ``notification.resend_of``: "Kirim ulang" on a failed or given-up message writes a
new message, with its own idempotency key, that names the original; the original stays as it was, as
history (``db/outbox.py`` ``resend``).
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "response_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["category_id"], ["category.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["updated_by"], ["app_user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("response_template_category_idx", "response_template", ["category_id"])
    op.add_column("notification", sa.Column("resend_of", sa.BigInteger(), nullable=True))
    op.create_foreign_key(
        "notification_resend_of_fkey", "notification", "notification", ["resend_of"], ["id"], ondelete="SET NULL"
    )


def downgrade() -> None:
    op.drop_constraint("notification_resend_of_fkey", "notification", type_="foreignkey")
    op.drop_column("notification", "resend_of")
    op.drop_table("response_template")
