"""accounts: a per-account session secret that ends tokens and sessions; log-in back-off per (address, name)

Revision ID: 0011
Revises: 0010

``app_user.session_secret`` is bound into every bearer token and session
cookie; setting a new password or deactivating the account replaces it, so
what was issued before stops working at once.

The per-account lock-out (``failed_logins``, ``locked_until``) told an
attacker which names exist (only a real account could be "locked") and let
anyone lock anyone out. It is replaced by ``login_backoff``: failures are
counted per client address and typed name, known or not, so a stranger's
guesses slow down only the stranger.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# gen_random_uuid() draws from the server's strong random source (PostgreSQL 13+).
NEW_SECRET = "replace(gen_random_uuid()::text, '-', '')"


def upgrade() -> None:
    op.add_column(
        "app_user",
        sa.Column("session_secret", sa.String(length=64), server_default=sa.text(NEW_SECRET), nullable=False),
    )
    op.drop_column("app_user", "failed_logins")
    op.drop_column("app_user", "locked_until")
    op.create_table(
        "login_backoff",
        sa.Column("client", sa.Text(), nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("client", "username"),
    )
    op.create_index("login_backoff_username_idx", "login_backoff", ["username"])
    op.create_index("login_backoff_last_failed_idx", "login_backoff", ["last_failed_at"])


def downgrade() -> None:
    op.drop_table("login_backoff")
    op.add_column("app_user", sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
    op.add_column("app_user", sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False))
    op.drop_column("app_user", "session_secret")
