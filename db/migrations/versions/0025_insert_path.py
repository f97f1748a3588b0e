"""the single insert's path: pantau_create_complaint, and its helpers keep their plans; status counts skip jsonb

Revision ID: 0025
Revises: 0024

Why: 0025_insert_path.sql. The downgrade drops pantau_create_complaint and puts back the bodies of 0001, 0006
and 0009 (the app's db/sql/complaint_create.sql of this revision needs the function).
"""

from pathlib import Path

from alembic import op

from db.sql import fill_statuses, function_statement

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def _sql_body(revision_file: str, name: str) -> str:
    """The CREATE FUNCTION statement for ``name`` in an earlier revision's SQL file, as CREATE OR REPLACE."""
    return function_statement(Path(__file__).with_name(revision_file).read_text(), name)


def upgrade() -> None:
    op.execute(fill_statuses(Path(__file__).with_name("0025_insert_path.sql").read_text()))


def downgrade() -> None:
    op.execute(
        "DROP FUNCTION pantau_create_complaint(text, double precision, double precision, text, text, integer, text, "
        "text, text, text, boolean, boolean, timestamptz, text, jsonb, integer, text, text, text, text)"
    )
    # A function's language cannot change in place while its signature stays: OR REPLACE does it.
    op.execute(_sql_body("0001_functions.sql", "pantau_route_opd"))
    op.execute(_sql_body("0006_work_calendar.sql", "pantau_add_working_days"))
    op.execute(_sql_body("0009_status_counts.sql", "pantau_status_count_apply"))
