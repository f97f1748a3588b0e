"""Messages to reporters: how fast the worker delivers, and what writing the message adds to a status change.

Figures, each suffixed with the database size:

- ``status_change_p95_ms``: p95 of one ``verify`` (lock, change, event, commit; the commit not waiting
  for the disk flush, which is one flush with or without the message) on a report whose reporter is
  anonymous, so nothing is written to the outbox;
- ``status_change_outbox_p95_ms``: the same change on a report with an SMS contact (the message row is
  written in the same transaction);
- ``outbox_added_p95_ms``: the difference (target: under 1 ms); on a busy machine the noise of both
  p95s can be larger than the difference, so
- ``outbox_write_p95_ms`` and ``outbox_write_median_ms``: the outbox write alone (channel choice and the
  INSERT, one round trip to the database), timed inside a transaction that is rolled back;
- ``outbox_delivery_rate``: messages per second one worker (``notify.worker.Worker``, in this process)
  claims, sends to a loopback HTTP receiver standing in for the SMS gateway, and records, over 1,000
  queued SMS (one per report); ``outbox_delivery_rate_4_threads``: the same with four workers side by
  side, as ``flask --app app notify`` runs by default.

The two kinds of change alternate, 1,000 of each, each in its own transaction. Everything the bench
creates is removed afterwards. ``PANTAU_BENCH_OUTBOX_SIZES`` (default ``100000``) picks the sizes.
"""

from __future__ import annotations

import json
import os
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlalchemy import Engine, text

from bench.common import bench_database, emit, log, remove_complaints
from db.status import Status
from loopback import free_port

CHANGES = 1000  # status changes of each kind; then one message for each report with a contact
FACTS = json.dumps({"status": Status.TERVERIFIKASI})


@contextmanager
def receiver() -> Iterator[tuple[str, list[int]]]:
    """A loopback HTTP/1.1 receiver that answers 200 to every POST; yields its URL and a one-item counter."""
    count = [0]
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real gateway would allow
        disable_nagle_algorithm = True  # headers and body leave at once, not 40 ms apart

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                count[0] += 1
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sms", count
    finally:
        server.shutdown()
        server.server_close()


def _new_reports(engine: Engine, n: int) -> tuple[list[int], list[int]]:
    """``n`` new reports with an SMS contact and ``n`` anonymous ones, committed; their ids."""
    from db.complaints import NewComplaint, category_ids, create_complaint

    with engine.begin() as conn:
        categories = category_ids(conn)
        lon, lat = conn.execute(
            text("SELECT ST_X(p), ST_Y(p) FROM area, ST_PointOnSurface(geom) p WHERE level = 'kelurahan' LIMIT 1")
        ).one()
        made: dict[bool, list[int]] = {True: [], False: []}
        for i in range(2 * n):
            anonymous = i % 2 == 1
            new = NewComplaint(
                category="sampah",
                description=f"bench outbox {time.time_ns()} {i}",
                lon=float(lon),
                lat=float(lat),
                reporter_contact=None if anonymous else f"+62812{i:07d}",
                anonymous=anonymous,
            )
            made[anonymous].append(create_complaint(conn, new, categories=categories).id)
    return made[False], made[True]


def _change_ms(engine: Engine, complaint_id: int) -> float:
    from db.complaints import Actor, transition

    with engine.begin() as conn:
        # The wait for the disk flush at commit is the same with or without the message (one flush either
        # way) and on a shared disk its jitter is larger than what is measured here: leave it out of both.
        conn.execute(text("SET LOCAL synchronous_commit = off"))
        started = time.perf_counter()
        transition(conn, complaint_id, "verify", Actor(role="operator"))
    return (time.perf_counter() - started) * 1000


def _write_ms(engine: Engine, complaint_ids: list[int]) -> list[float]:
    """The outbox write alone (channel choice and INSERT) for each report, in one transaction rolled back."""
    from db.outbox import RECIPIENT_COLUMNS, enqueue

    samples = []
    with engine.connect() as conn, conn.begin() as transaction:
        for complaint_id in complaint_ids:
            row = (
                conn.execute(text(f"SELECT {RECIPIENT_COLUMNS} FROM complaint WHERE id = :i"), {"i": complaint_id})
                .mappings()
                .one()
            )
            started = time.perf_counter()
            enqueue(conn, row, "verified", {"status": Status.TERVERIFIKASI})
            samples.append((time.perf_counter() - started) * 1000)
        transaction.rollback()
    return samples


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18]


def _delivery(engine: Engine, size: int, complaint_ids: list[int], threads: int) -> None:
    """Queue one SMS for each of ``complaint_ids`` and time ``threads`` workers delivering them to the receiver."""
    from notify.worker import crew, side_by_side
    from settings import get_settings

    with engine.begin() as conn:
        conn.execute(text("DELETE FROM notification WHERE complaint_id = ANY(:ids)"), {"ids": complaint_ids})
        conn.execute(
            text(
                "INSERT INTO notification (complaint_id, kind, channel, recipient, facts) "
                "VALUES (:cid, 'verified', 'sms', :to, CAST(:facts AS jsonb))"
            ),
            [{"cid": cid, "to": f"+62813{i:07d}", "facts": FACTS} for i, cid in enumerate(complaint_ids)],
        )
    with receiver() as (url, count):
        os.environ["PANTAU_SMS_OUTBOUND_URL"] = url
        get_settings.cache_clear()
        workers = crew(engine, get_settings(), "bench-secret-key", threads)
        started = time.perf_counter()
        delivered = sum(side_by_side(workers, "drain"))
        elapsed = time.perf_counter() - started
    log(f"outbox, {threads} worker thread(s): {delivered} messages handled, {count[0]} reached the receiver")
    name = "outbox_delivery_rate" if threads == 1 else f"outbox_delivery_rate_{threads}_threads"
    emit(f"{name}_{size}", delivered / elapsed, "msg/s")


def _measure(engine: Engine, size: int) -> None:
    with_contact, anonymous = _new_reports(engine, CHANGES)
    try:
        timed: dict[bool, list[float]] = {True: [], False: []}
        for told, quiet in zip(with_contact, anonymous, strict=True):
            timed[False].append(_change_ms(engine, quiet))
            timed[True].append(_change_ms(engine, told))
        without, with_outbox = _p95(timed[False]), _p95(timed[True])
        emit(f"status_change_p95_ms_{size}", without, "ms")
        emit(f"status_change_outbox_p95_ms_{size}", with_outbox, "ms")
        emit(f"outbox_added_p95_ms_{size}", with_outbox - without, "ms")
        writes = _write_ms(engine, with_contact)
        emit(f"outbox_write_p95_ms_{size}", _p95(writes), "ms")
        emit(f"outbox_write_median_ms_{size}", statistics.median(writes), "ms")
        for threads in (1, 4):
            _delivery(engine, size, with_contact, threads)
    finally:
        remove_complaints(engine, with_contact + anonymous)  # their messages go with them


def run() -> None:
    sizes = [int(s) for s in os.environ.get("PANTAU_BENCH_OUTBOX_SIZES", "100000").split(",") if s.strip()]
    for size in sizes:
        engine = bench_database(size)
        _measure(engine, size)
        engine.dispose()
