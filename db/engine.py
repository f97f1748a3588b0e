"""One engine per process for the database, one for its replica if there is one, built from the settings.

Writes, and reads that must see the writes just made (a report just filed, a transition's answer, the
complaint page after a save), use :func:`get_engine`: the primary. Reads that may run a little behind (the
leaders' dashboard, exports, /statistik, Open311 listings, the wall) use :func:`read_connection`: the
replica of ``PANTAU_READ_DATABASE_URL`` while it keeps up (db/replica.py), else the primary.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from db import liveness, replica
from settings import Settings, get_settings, local_database_url

# A replica that does not answer should cost a read this long at most before it goes to the primary.
REPLICA_CONNECT_TIMEOUT_S = 3


def _psycopg(url: str) -> str:
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def database_url(settings: Settings) -> str:
    """DATABASE_URL, or the project-local cluster's socket under PANTAU_DATA_DIR/pg."""
    if settings.database_url:
        return _psycopg(settings.database_url)
    return local_database_url("pantau", settings.data_dir)


def read_database_url(settings: Settings) -> str | None:
    """PANTAU_READ_DATABASE_URL, or None when every read goes to the primary."""
    return _psycopg(settings.read_database_url) if settings.read_database_url else None


def make_engine(url: str, settings: Settings | None = None, connect_timeout_s: int | None = None) -> Engine:
    settings = settings or get_settings()
    timeout = {} if connect_timeout_s is None else {"connect_timeout": connect_timeout_s}
    engine = create_engine(
        url,
        pool_size=settings.pool_size,
        max_overflow=settings.pool_size,
        # Well under gunicorn's timeout: a request that cannot get a connection gets a clear 503.
        pool_timeout=settings.pool_timeout_s,
        pool_recycle=1800,
        hide_parameters=True,  # SQL errors end up in logs: never with a reporter's name or number in them
        connect_args={"options": f"-c statement_timeout={settings.statement_timeout_ms} -c timezone=UTC", **timeout},
    )
    # Each pooled connection is checked as it is checked out, without a round trip (instead of pool_pre_ping).
    liveness.check_on_checkout(engine)
    return engine


@lru_cache(maxsize=4)
def _engine_for(url: str) -> Engine:
    return make_engine(url)


def get_engine() -> Engine:
    """The process-wide engine for the configured database."""
    return _engine_for(database_url(get_settings()))


@lru_cache(maxsize=4)
def _replica_engine_for(url: str) -> Engine:
    return make_engine(url, connect_timeout_s=REPLICA_CONNECT_TIMEOUT_S)


def replica_state(*, fresh: bool = False) -> replica.ReplicaState:
    """The replica's state as this process last checked it (``fresh``: check now); ``OFF`` without one."""
    settings = get_settings()
    url = read_database_url(settings)
    if url is None:
        return replica.OFF
    return replica.current(url, _replica_engine_for(url), get_engine(), settings.max_replica_lag_s, fresh=fresh)


def _snapshot(engine: Engine) -> Connection:
    conn = engine.connect()
    # One snapshot for the whole read: a data version read in it describes every row read in it. (Not
    # postgresql_readonly: the pool would reset it to READ WRITE, which a standby refuses.)
    return conn.execution_options(isolation_level="REPEATABLE READ")


def data_version(conn: Connection) -> int:
    """The data version ``conn`` sees (migration 0001): it moves with every committed change to complaints."""
    return int(conn.execute(text("SELECT version FROM data_version WHERE id = 1")).scalar_one())


def _open_read(at_least: int | None) -> Connection:
    settings = get_settings()
    url = read_database_url(settings)
    if url is not None and replica_state().usable:
        try:
            conn = _snapshot(_replica_engine_for(url))
        except OperationalError as exc:
            replica.mark_unreachable(url, settings.max_replica_lag_s, exc)
        else:
            try:
                if at_least is None or data_version(conn) >= at_least:
                    return conn
            except OperationalError as exc:
                replica.mark_unreachable(url, settings.max_replica_lag_s, exc)
            # Not yet at the version asked for: what it shows would be cached under a version it has not seen.
            conn.close()
    return _snapshot(get_engine())


@contextmanager
def read_connection(at_least: int | None = None) -> Iterator[Connection]:
    """A read-only connection, in one snapshot, for reads that may run a little behind the last write.

    The replica while it keeps up, else the primary. ``at_least``: a data version the snapshot must have
    reached (a cache key made elsewhere, e.g. by another app machine on the primary); a replica that has not
    reached it yet hands the read to the primary.
    """
    conn = _open_read(at_least)
    try:
        yield conn
    finally:
        conn.close()


@contextmanager
def committed_per_statement(engine: Engine | None = None) -> Iterator[Connection]:
    """A connection on which each statement is its own transaction, committed before the server answers it.

    For a door whose one write is one statement (a report stored by ``pantau_file_report``): its commit
    travels with it. In a transaction the COMMIT is a second round trip, and until it arrives the writer holds
    the data-version row every writer queues on (migrations 0001, 0028) while its own process is between
    statements, or waiting for a core. Reads on it see each statement's own snapshot, as in READ COMMITTED.
    """
    with (engine or get_engine()).connect() as conn:
        yield conn.execution_options(isolation_level="AUTOCOMMIT")


@contextmanager
def transaction(engine: Engine | None = None) -> Iterator[Connection]:
    """A connection inside a transaction that commits on success."""
    with (engine or get_engine()).begin() as conn:
        yield conn
