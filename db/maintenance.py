"""Rebuilding the open complaints' indexes, which swell as complaints close.

Three indexes hold only open complaints (``OPEN_INDEXES``): the wall, the operators' queue and the leaders'
live figures read all of them. A report enters when it is filed and leaves when it is closed, so most
entries leave again; VACUUM frees their space but the file keeps its size, and the entries left behind
spread thinly over it. At 1,000,000 reports (108,000 open) the leaders' live index had grown to 120 MB for
10 MB of entries, and with a cold cache the leaders' first view read all of it: 1.8 s of its 3.2 s.

``rebuild_open_indexes`` rebuilds them with ``REINDEX INDEX CONCURRENTLY``: reports are filed and
read meanwhile, nothing waits on it. The delivery worker does it every ``PANTAU_REINDEX_INTERVAL_H``
hours (notify/worker.py), ``flask --app app reindex`` at once. One run at a time across every machine
(an advisory lock); a run broken off leaves an invalid copy, which the next run drops first. Each run is
an ``indexes_rebuilt`` audit event with the sizes before and after, which is also how the worker knows
when the last one was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Connection, Engine, text

from db.audit import record

OPEN_INDEXES = ("complaint_open_created_idx", "complaint_open_area_idx", "complaint_leaders_live_idx")
LOCK_KEY = 7_406_733_101  # pg_advisory_lock key: one rebuild at a time, on any machine
ACTION = "indexes_rebuilt"


@dataclass(frozen=True)
class Rebuilt:
    name: str
    bytes_before: int
    bytes_after: int


def _size(conn: Connection, name: str) -> int:
    return int(conn.execute(text("SELECT pg_relation_size(CAST(:name AS regclass))"), {"name": name}).scalar_one())


def due(conn: Connection, every: timedelta) -> bool:
    """Whether the last rebuild is older than ``every`` (or there has been none)."""
    return bool(
        conn.execute(
            text("SELECT coalesce(max(at) < now() - :every, true) FROM audit_event WHERE action = :action"),
            {"every": every, "action": ACTION},
        ).scalar_one()
    )


def rebuild_open_indexes(engine: Engine) -> list[Rebuilt] | None:
    """Rebuild ``OPEN_INDEXES`` without blocking anyone; None when another run holds the lock."""
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")  # REINDEX CONCURRENTLY refuses a transaction
        if not conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}).scalar_one():
            return None
        try:
            # An earlier run broken off (a restart, a cancelled statement) left its copy invalid: drop it.
            for (left,) in conn.execute(
                text(
                    "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
                    " WHERE x.indrelid = CAST('complaint' AS regclass) AND NOT x.indisvalid"
                    " AND i.relname LIKE ANY(CAST(:names AS text[]))"
                ),
                {"names": [f"{name}_ccnew%" for name in OPEN_INDEXES]},
            ).all():
                conn.execute(text(f'DROP INDEX CONCURRENTLY IF EXISTS "{left}"'))
            done = []
            for name in OPEN_INDEXES:
                before = _size(conn, name)
                conn.execute(text(f"REINDEX INDEX CONCURRENTLY {name}"))
                done.append(Rebuilt(name, before, _size(conn, name)))
            record(
                conn,
                ACTION,
                actor=None,
                detail={r.name: {"bytes_before": r.bytes_before, "bytes_after": r.bytes_after} for r in done},
            )
            return done
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})


def settle_after_bulk_load(engine: Engine) -> None:
    """Vacuum and analyse the database, then rebuild every index of the complaints, without blocking anyone.

    For after ``seed-demo``, which stores its reports and then moves most of them along their lifecycle in
    one UPDATE: each moved report leaves a dead entry in every index of the complaints (its status is in
    them, so the update cannot be HOT), where a city whose reports close one by one over months has vacuum
    reuse the space as it goes. At 5,000,000 demo reports the leaders' live index held its 557,009 open
    reports in 598 MB (54 MB rebuilt) and the leaders' covering index took 1,187 MB (504 MB rebuilt); the
    leaders' all-time view took 1.61 s, and 1.15 s once they were rebuilt (docs/SCALING.md).
    """
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")  # VACUUM and REINDEX CONCURRENTLY refuse one
        conn.execute(text("SET statement_timeout = 0"))  # a one-off over every row: past the app's limit at 5M
        try:
            conn.execute(text("VACUUM ANALYZE"))
            conn.execute(text("REINDEX TABLE CONCURRENTLY complaint"))
        finally:
            conn.execute(text("RESET statement_timeout"))
