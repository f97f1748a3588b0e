"""db/models.py describes the schema the migrations build: ``alembic check`` and db/drift.py find nothing.

A migration that adds or changes a table, a column, an index or a constraint
without the matching change to the models (or a model change without its
migration) fails here, with one line per difference.
"""

from alembic import command
from alembic.config import Config
from sqlalchemy import CheckConstraint, Connection, Engine, Index, MetaData, text

from db.drift import schema_drift
from db.models import Base
from settings import PROJECT_ROOT


def test_models_match_the_migrated_database(conn: Connection) -> None:
    drift = schema_drift(conn)
    assert not drift, "db/models.py and the migrations differ:\n" + "\n".join(drift)


def test_alembic_check_finds_no_new_operations(engine: Engine) -> None:
    """`alembic check` as a developer runs it (through db/migrations/env.py): it raises on any difference."""
    config = Config(str(PROJECT_ROOT / "db" / "alembic.ini"))
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.check(config)


def test_a_missing_table_a_changed_index_and_a_changed_check_are_reported(conn: Connection) -> None:
    """What Alembic alone misses (an index's predicate, a check's condition) is reported too."""
    models = MetaData()
    for table in Base.metadata.sorted_tables:
        if table.name != "audit_event":
            table.to_metadata(models)
    complaint = models.tables["complaint"]
    complaint.indexes.remove(next(i for i in complaint.indexes if i.name == "complaint_merged_into_idx"))
    Index("complaint_merged_into_idx", complaint.c.merged_into_id, postgresql_where=text("merged_into_id > 0"))
    data_version = models.tables["data_version"]
    data_version.constraints.remove(next(c for c in data_version.constraints if c.name == "data_version_single_row"))
    data_version.append_constraint(CheckConstraint("id = 2", name="data_version_single_row"))

    assert sorted(schema_drift(conn, models)) == [
        "constraint data_version_single_row on data_version differs: migrations CHECK ((id = 1)); models CHECK ((id = 2))",
        "index complaint_merged_into_idx on complaint differs:"
        " migrations CREATE INDEX complaint_merged_into_idx ON complaint USING btree (merged_into_id)"
        " WHERE (merged_into_id IS NOT NULL);"
        " models CREATE INDEX complaint_merged_into_idx ON complaint USING btree (merged_into_id)"
        " WHERE (merged_into_id > 0)",
        "remove_index Index audit_event_actor_idx on audit_event",
        "remove_index Index audit_event_at_brin on audit_event",
        "remove_table table audit_event",
    ]
