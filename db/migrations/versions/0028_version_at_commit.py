"""a report takes its data version as it commits: change_seq is a token, complaint_change_version its version

Revision ID: 0028
Revises: 0027

Why: 0028_version_at_commit.sql. The downgrade drops pantau_file_report (the app's db/sql/complaint_create.sql
of this revision needs it), puts back pantau_txn_version of 0001 and the status counts' insert trigger of
0009, and moves the data version past every token, so that the versions it hands out again stay above every
change_seq.
"""

from pathlib import Path

from alembic import op

from db.sql import fill_statuses, function_statement

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(fill_statuses(Path(__file__).with_name("0028_version_at_commit.sql").read_text()))


def downgrade() -> None:
    op.execute(
        "UPDATE data_version SET version = greatest(version, (SELECT max(change_seq) FROM complaint)) WHERE id = 1"
    )
    op.execute(
        "DROP FUNCTION pantau_file_report(text, double precision, double precision, text, text, integer, text, "
        "text, text, text, boolean, boolean, timestamptz, text, jsonb, integer, text, text, text, text)"
    )
    op.execute("DROP TRIGGER complaint_status_count_insert ON complaint")
    op.execute(
        "CREATE TRIGGER complaint_status_count_insert AFTER INSERT ON complaint REFERENCING NEW TABLE AS new_rows"
        " FOR EACH STATEMENT EXECUTE FUNCTION pantau_status_count_apply()"
    )
    op.execute(function_statement(Path(__file__).with_name("0001_functions.sql").read_text(), "pantau_txn_version"))
    op.execute("DROP FUNCTION pantau_txn_publish()")
    op.execute("DROP TABLE complaint_change_version")
    op.execute("DROP SEQUENCE complaint_change_token")
