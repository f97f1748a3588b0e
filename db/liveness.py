"""Whether a pooled connection is still worth using, told without a round trip to the server.

SQLAlchemy's ``pool_pre_ping`` sends ``SELECT 1`` on every checkout: a whole round trip before each
request's first statement, 0.15–0.17 ms of a report's 1.3 ms (issue 17). A connection whose server went
away has nearly always been told so: a restart, ``pg_terminate_backend``, a fail-over and an idle timeout all
send a FATAL message and close the socket. An idle connection has nothing else to expect, so anything waiting
on its socket means it is gone (or, rarely, that the server reported a setting: reconnecting costs little).
This is the check the Go MySQL driver makes before reusing a connection (``conncheck.go``), done here with
``poll`` on the socket, and wired in as SQLAlchemy documents a custom check: a pool ``checkout`` listener
that raises :class:`~sqlalchemy.exc.DisconnectionError`, after which the pool opens a fresh connection.

What it cannot see, a peer that vanished without closing (a cable pulled), a ping would only have seen after
TCP's own time-out; the statement fails instead, SQLAlchemy drops the pool's older connections, and the
door answers its plain 503 (api/errors.py).
"""

from __future__ import annotations

import select
from typing import Any

from psycopg import Connection as PsycopgConnection
from psycopg.pq import ConnStatus
from sqlalchemy import Engine, event
from sqlalchemy.exc import DisconnectionError


def hung_up(conn: PsycopgConnection[Any]) -> bool:
    """True when an idle connection is closed, broken, or has had anything sent to it since its last use."""
    if conn.closed or conn.pgconn.status != ConnStatus.OK:
        return True
    poller = select.poll()
    poller.register(conn.pgconn.socket, select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))


def check_on_checkout(engine: Engine) -> None:
    """Replace each pooled connection found :func:`hung_up` with a fresh one as it is checked out."""

    @event.listens_for(engine, "checkout")
    def _refuse_hung_up(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        if hung_up(dbapi_connection):
            raise DisconnectionError("the server closed this pooled connection")
