"""Long SQL lives here as .sql files, one statement each, loaded by name."""

from functools import cache
from importlib.resources import files

from sqlalchemy import TextClause, text


@cache
def sql(name: str) -> TextClause:
    """The statement in ``db/sql/<name>.sql``, ready to execute with bound parameters."""
    return text(files(__package__).joinpath(f"{name}.sql").read_text())
