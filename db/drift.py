"""Does db/models.py describe the schema the migrations build? ``alembic check``, and then some.

Alembic's autogenerate compares tables, columns (types, nullability, server
defaults, comments), primary, unique and foreign keys, and index names and
columns. It does not compare an index's method, predicate or INCLUDE list, nor a
check constraint's condition, so ``schema_drift`` also builds the models in a
scratch schema (rolled back) and compares every index and constraint as
PostgreSQL prints it. What models cannot say stays the migrations' alone and is
left out: functions and triggers (neither tool looks at them) and the tables in
``NOT_OURS``.
"""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Connection, Index, MetaData, Table, text
from sqlalchemy.schema import Constraint

from db.models import Base
from db.sql import sql

# CREATE EXTENSION postgis makes spatial_ref_sys (the coordinate systems); PostGIS owns it.
NOT_OURS = frozenset({"spatial_ref_sys"})
_SCRATCH = "pantau_models_check"


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """What autogenerate looks at (db/migrations/env.py uses it too): all but the tables in NOT_OURS."""
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return not (isinstance(table, Table) and table.name in NOT_OURS)


# How db/migrations/env.py configures autogenerate, so `alembic check` and the test agree.
COMPARE_OPTIONS: dict[str, Any] = {
    "include_object": include_object,
    "compare_type": True,
    "compare_server_default": True,
}


def schema_drift(connection: Connection, metadata: MetaData = Base.metadata) -> list[str]:
    """Every difference between ``metadata`` and the migrated database, one line each; empty when they agree."""
    context = MigrationContext.configure(connection, opts=COMPARE_OPTIONS)
    found = [_describe(diff) for diff in compare_metadata(context, metadata)]
    return found + _definition_drift(connection, metadata)


def _definition_drift(connection: Connection, metadata: MetaData) -> list[str]:
    tables = set(metadata.tables) - NOT_OURS
    migrated = _definitions(connection, "public", tables)
    savepoint = connection.begin_nested()
    try:
        connection.execute(text(f"CREATE SCHEMA {_SCRATCH}"))
        # Other tables (PostGIS's geometry type, for one) still resolve through public.
        connection.execute(text(f"SET LOCAL search_path TO {_SCRATCH}, public"))
        metadata.create_all(connection.execution_options(schema_translate_map={None: _SCRATCH}), checkfirst=False)
        modelled = _definitions(connection, _SCRATCH, tables)
    finally:
        savepoint.rollback()
    found = []
    for key in sorted(migrated.keys() | modelled.keys()):
        table, kind, name = key
        ours, theirs = migrated.get(key), modelled.get(key)
        if ours == theirs:
            continue
        if theirs is None:
            found.append(f"{kind} {name} on {table}: in the migrations, not in the models: {ours}")
        elif ours is None:
            found.append(f"{kind} {name} on {table}: in the models, not in the migrations: {theirs}")
        else:
            found.append(f"{kind} {name} on {table} differs: migrations {ours}; models {theirs}")
    return found


def _definitions(connection: Connection, schema: str, tables: set[str]) -> dict[tuple[str, str, str], str]:
    rows = connection.execute(sql("schema_definitions"), {"schema": schema})
    return {(r.table_name, r.kind, r.name): r.definition for r in rows if r.table_name in tables}


def _describe(diff: Any) -> str:
    """One of compare_metadata's diffs as a line (a column's changes come as a list of tuples)."""
    if isinstance(diff, list):
        return "; ".join(
            f"{op} {table}.{column}: migrations {old!r}, models {new!r}"
            for op, _schema, table, column, _existing, old, new in diff
        )
    op, *rest = diff
    return " ".join([op, *(_name(part) for part in rest if part is not None)])


def _name(part: Any) -> str:
    if isinstance(part, Table):
        return f"table {part.name}"
    if isinstance(part, Column):
        return f"column {part.table.name}.{part.name}"
    if isinstance(part, Index | Constraint):
        table = part.table.name if isinstance(part.table, Table) else "?"
        return f"{type(part).__name__} {part.name} on {table}"
    return str(part)
