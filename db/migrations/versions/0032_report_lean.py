"""a leaner report: pantau_file_report holds the insert, reads no row back and assigns its settings

Revision ID: 0032
Revises: 0031

Why: 0032_report_lean.sql. The downgrade puts back pantau_create_complaint of 0025 and the three functions of 0028.
"""

from pathlib import Path

from alembic import op

from db.sql import fill_statuses, function_statement

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(fill_statuses(Path(__file__).with_name("0032_report_lean.sql").read_text()))


def downgrade() -> None:
    here = Path(__file__).parent
    op.execute(function_statement((here / "0025_insert_path.sql").read_text(), "pantau_create_complaint"))
    script = (here / "0028_version_at_commit.sql").read_text()
    for name in ("pantau_txn_version", "pantau_txn_publish", "pantau_file_report"):
        op.execute(function_statement(script, name))
