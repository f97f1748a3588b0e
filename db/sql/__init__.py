"""Long SQL lives here as .sql files, one statement each, loaded by name.

A statement never types a status name: it names the list it means as a placeholder
(``{closed}``, ``{forward.target}``, ``{status.baru}``…) that the loader fills from the
status machine (``db.status.status_lists``). A placeholder the machine does not know is
left for the module that fills its own (``{scope}``, ``{level}``…);
``tests/unit/test_sql_statuses.py`` checks that every one is known to someone.
"""

import re
from collections.abc import Iterable
from functools import cache
from importlib.resources import files

from sqlalchemy import Connection, TextClause, text
from sqlalchemy.engine import Dialect

from db.status import Status, status_lists

_PLACEHOLDER = re.compile(r"\{([a-z_]+(?:\.[a-z_]+)?)\}")


def statuses_sql(statuses: Iterable[Status]) -> str:
    """Statuses as a quoted SQL list (each value in single quotes, comma-separated) in lifecycle order."""
    chosen = set(statuses)
    return ", ".join(f"'{s.value}'" for s in Status if s in chosen)


@cache
def _lists() -> dict[str, str]:
    return {name: statuses_sql(statuses) for name, statuses in status_lists().items()}


def fill_statuses(statement: str) -> str:
    """``statement`` with every status placeholder the machine knows replaced by its quoted list."""
    lists = _lists()
    return _PLACEHOLDER.sub(lambda m: lists.get(m.group(1), m.group(0)), statement)


def function_statement(script: str, name: str) -> str:
    """The statement in ``script`` (a migration's SQL file) that makes function ``name``, as CREATE OR REPLACE
    with its status lists filled: how a later revision's downgrade puts an earlier body back."""
    script = fill_statuses(script)
    made = re.search(rf"CREATE (?:OR REPLACE )?FUNCTION ({re.escape(name)}\()", script)
    if made is None:
        raise ValueError(f"no CREATE FUNCTION {name} in the script")
    end = script.index("$$;", script.index("$$", script.index("AS $$", made.start()) + 5)) + 3
    return "CREATE OR REPLACE FUNCTION " + script[made.start(1) : end]


def raw_sql(name: str) -> str:
    """The text of ``db/sql/<name>.sql`` with its status lists filled in (other placeholders left as they are)."""
    return fill_statuses(files(__package__).joinpath(f"{name}.sql").read_text())


@cache
def sql(name: str) -> TextClause:
    """The statement in ``db/sql/<name>.sql``, ready to execute with bound parameters."""
    return text(raw_sql(name))


def driver_sql(name: str, conn: Connection) -> str:
    """``sql(name)`` in the driver's own parameter style, for ``conn.exec_driver_sql`` on a hot path.

    It skips SQLAlchemy's per-call compile-cache lookup and parameter processing (about 0.1 ms of
    Python per call); errors, pooling and transactions stay SQLAlchemy's.
    """
    return _compiled(name, conn.dialect)


@cache
def _compiled(name: str, dialect: Dialect) -> str:
    return str(sql(name).compile(dialect=dialect))
