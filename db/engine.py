"""One engine per process, built from the settings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Connection, Engine, create_engine

from settings import Settings, get_settings, local_database_url


def database_url(settings: Settings) -> str:
    """DATABASE_URL, or the project-local cluster's socket under PANTAU_DATA_DIR/pg."""
    if settings.database_url:
        url = settings.database_url
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url
    return local_database_url("pantau", settings.data_dir)


def make_engine(url: str, settings: Settings | None = None) -> Engine:
    settings = settings or get_settings()
    return create_engine(
        url,
        pool_size=settings.pool_size,
        max_overflow=settings.pool_size,
        # Well under gunicorn's timeout: a request that cannot get a connection gets a clear 503.
        pool_timeout=settings.pool_timeout_s,
        pool_pre_ping=True,
        pool_recycle=1800,
        hide_parameters=True,  # SQL errors end up in logs: never with a reporter's name or number in them
        connect_args={"options": f"-c statement_timeout={settings.statement_timeout_ms} -c timezone=UTC"},
    )


@lru_cache(maxsize=4)
def _engine_for(url: str) -> Engine:
    return make_engine(url)


def get_engine() -> Engine:
    """The process-wide engine for the configured database."""
    return _engine_for(database_url(get_settings()))


@contextmanager
def transaction(engine: Engine | None = None) -> Iterator[Connection]:
    """A connection inside a transaction that commits on success."""
    with (engine or get_engine()).begin() as conn:
        yield conn
