"""a leaner single insert: the OPD and due-time rules inlined into pantau_create_complaint; no working-days
trigger on a new complaint that has no times to count

Revision ID: 0026
Revises: 0025

Why: 0026_insert_lean.sql. The downgrade puts back the bodies of 0025 and the trigger of 0005, then drops the
row functions.
"""

from pathlib import Path

from alembic import op

from db.sql import fill_statuses

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def _sql_body(revision_file: str, name: str) -> str:
    """The CREATE [OR REPLACE] FUNCTION statement for ``name`` in an earlier revision's SQL file, as CREATE OR
    REPLACE."""
    text = Path(__file__).with_name(revision_file).read_text()
    for head in (f"CREATE OR REPLACE FUNCTION {name}(", f"CREATE FUNCTION {name}("):
        if head in text:
            start = text.index(head)
            break
    else:
        raise LookupError(f"{name} not in {revision_file}")
    end = text.index("$$;", text.index("$$", text.index("AS $$", start) + 5)) + 3
    return "CREATE OR REPLACE FUNCTION " + text[start + len(head) - len(name) - 1 : end]


def upgrade() -> None:
    op.execute(fill_statuses(Path(__file__).with_name("0026_insert_lean.sql").read_text()))


def downgrade() -> None:
    for name in ("pantau_create_complaint", "pantau_route_opd", "pantau_add_working_days"):
        op.execute(fill_statuses(_sql_body("0025_insert_path.sql", name)))
    op.execute("DROP TRIGGER complaint_working_days_insert ON complaint")
    op.execute("DROP TRIGGER complaint_working_days ON complaint")
    op.execute(
        "CREATE TRIGGER complaint_working_days BEFORE INSERT OR UPDATE OF created_at, first_response_at, "
        "completed_at ON complaint FOR EACH ROW EXECUTE FUNCTION pantau_complaint_working_days()"
    )
    op.execute("DROP FUNCTION pantau_route_opd_row(integer, integer, geometry)")
    op.execute("DROP FUNCTION pantau_add_working_days_row(timestamptz, integer)")
