"""The open complaints' indexes swell as complaints close; the delivery worker and ``flask reindex`` rebuild
them without blocking anyone, one run at a time (db/maintenance.py)."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import Engine, text

from db.complaints import NewComplaint, create_complaint
from db.maintenance import LOCK_KEY, OPEN_INDEXES, rebuild_open_indexes
from db.scope import Scope
from db.workflow import queue
from settings import Settings, get_settings
from tests.conftest import flask_cli, inside

CLOSED_BATCH = 1500


def _sizes(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: conn.execute(text("SELECT pg_relation_size(CAST(:n AS regclass))"), {"n": name}).scalar_one()
            for name in OPEN_INDEXES
        }


def _new(engine: Engine, committed: list[int], count: int, words: str) -> list[str]:
    with engine.begin() as conn:
        lat, lon = inside(conn, "3671011001")
        made = [
            create_complaint(conn, NewComplaint(category="sampah", description=f"{words} {i}", lat=lat, lon=lon))
            for i in range(count)
        ]
    committed.extend(m.id for m in made)
    return [m.tracking_code for m in made]


def test_swollen_open_indexes_are_rebuilt_on_the_workers_schedule_and_on_demand(
    engine: Engine, committed: list[int], configure: Callable[..., Settings]
) -> None:
    from app import server
    from notify.worker import Worker

    secret = str(server.config["SECRET_KEY"])
    assert Worker(engine, configure(PANTAU_REINDEX_INTERVAL_H="0"), secret).maintain() is None

    # A month's reports filed and closed: their entries leave the open indexes, the files keep their size.
    closed = _new(engine, committed, CLOSED_BATCH, "Sampah sudah diangkut")
    with engine.begin() as conn:
        conn.execute(text("UPDATE complaint SET status = 'ditolak' WHERE tracking_code = ANY(:c)"), {"c": closed})
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM complaint"))
    swollen = _sizes(engine)

    worker = Worker(engine, configure(PANTAU_REINDEX_INTERVAL_H="168"), secret)
    done = worker.maintain()
    assert done is not None and [r.name for r in done] == list(OPEN_INDEXES)
    for rebuilt in done:
        assert rebuilt.bytes_before == swollen[rebuilt.name]
        assert rebuilt.bytes_after * 2 <= rebuilt.bytes_before, rebuilt
    assert worker.maintain() is None  # it looks again in an hour, not on every message
    assert Worker(engine, get_settings(), secret).maintain() is None  # not due: rebuilt just now

    # On demand, whatever the schedule; and one run at a time across machines.
    shown = flask_cli("reindex")
    assert shown.returncode == 0, shown.stderr
    assert [line.split(":")[0] for line in shown.stdout.splitlines()] == list(OPEN_INDEXES)
    assert all(re.fullmatch(r"\S+: [0-9.]+ MB -> [0-9.]+ MB", line) for line in shown.stdout.splitlines())
    with engine.connect() as holder:
        holder.execute(text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
        assert rebuild_open_indexes(engine) is None
        busy = flask_cli("reindex")
        assert busy.returncode == 1 and "another rebuild is running" in busy.stderr
        assert "Traceback" not in busy.stderr
        holder.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
    with engine.connect() as conn:
        runs = conn.execute(text("SELECT detail FROM audit_event WHERE action = 'indexes_rebuilt' ORDER BY id")).all()
    assert len(runs) == 2 and set(runs[-1].detail) == set(OPEN_INDEXES)

    # The rebuilt indexes answer as before: the queue shows a report filed now and none of the closed ones.
    (fresh,) = _new(engine, committed, 1, "Lampu jalan mati")
    with engine.connect() as conn:
        codes = {row["tracking_code"] for row in queue(conn, Scope(), limit=10_000)}
    assert fresh in codes and not codes & set(closed)
