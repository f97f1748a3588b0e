"""no working-days trigger on a new complaint that has no times to count

Revision ID: 0026
Revises: 0025

Why: 0026_insert_lean.sql. The downgrade puts back the trigger of 0005.
"""

from pathlib import Path

from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(Path(__file__).with_name("0026_insert_lean.sql").read_text())


def downgrade() -> None:
    op.execute("DROP TRIGGER complaint_working_days_insert ON complaint")
    op.execute("DROP TRIGGER complaint_working_days ON complaint")
    op.execute(
        "CREATE TRIGGER complaint_working_days BEFORE INSERT OR UPDATE OF created_at, first_response_at, "
        "completed_at ON complaint FOR EACH ROW EXECUTE FUNCTION pantau_complaint_working_days()"
    )
