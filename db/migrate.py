"""Apply the Alembic migrations from code (make run, make test, the test suite)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from db.engine import get_engine
from settings import PROJECT_ROOT


def migrate_database(engine: Engine | None = None) -> None:
    """Bring the database schema to the newest revision."""
    config = Config(str(PROJECT_ROOT / "db" / "alembic.ini"))
    with (engine or get_engine()).begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
