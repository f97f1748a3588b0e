"""The operators' and field workflow queries on a large database.

Figures, each suffixed with the database size:

- ``queue_ms``: the operators' queue (open complaints, most urgent first, 200 rows), median of 10;
- ``queue_agency_ms``: the same for one agency's staff;
- ``queue_search_ms``: the queue searched by a word of the description;
- ``nearby_duplicates_ms``: open complaints of the same category within 250 m of one, median over 20;
- ``field_jobs_nearest_ms``: an agency's open jobs, nearest to a point first;
- ``bulk_forward_50_ms``: one bulk forward of 50 open complaints (each locked, checked, changed and
  given its event), in a transaction that is then rolled back so the database keeps its state.

``PANTAU_BENCH_WORKFLOW_SIZES`` (default ``1000000``) picks the database sizes.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, text

from bench.common import bench_database, emit, log


def _median_ms(run: Callable[[], Any], times: int) -> float:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _measure(conn: Connection, size: int) -> None:
    from db.complaints import Actor
    from db.sql import fill_statuses
    from db.workflow import (
        AGENCY_JOB_STATUSES,
        BulkRequest,
        QueueFilter,
        Scope,
        apply_many,
        jobs,
        nearby_duplicates,
        queue,
    )

    agency = conn.execute(text("SELECT id FROM opd WHERE code = '3671.DBMSDA'")).scalar_one()
    run = [queue(conn, Scope()) for _ in range(2)]  # warm-up
    log(f"queue at {size}: {run[0][0]['total'] if run[0] else 0} open complaints")
    emit(f"queue_ms_{size}", _median_ms(lambda: queue(conn, Scope()), 10), "ms")
    emit(f"queue_agency_ms_{size}", _median_ms(lambda: queue(conn, Scope(opd_id=agency)), 10), "ms")
    emit(f"queue_search_ms_{size}", _median_ms(lambda: queue(conn, Scope(), QueueFilter(q="genangan")), 10), "ms")

    open_ids = [
        r.id
        for r in conn.execute(
            text(
                fill_statuses(
                    "SELECT id FROM complaint WHERE status IN ({status.baru}, {status.terverifikasi}, {status.diteruskan}) "
                    "AND geom IS NOT NULL ORDER BY id DESC LIMIT 20"
                )
            )
        )
    ]
    probes = iter(open_ids * 2)
    emit(f"nearby_duplicates_ms_{size}", _median_ms(lambda: nearby_duplicates(conn, Scope(), next(probes)), 20), "ms")
    emit(
        f"field_jobs_nearest_ms_{size}",
        _median_ms(lambda: jobs(conn, Scope(opd_id=agency), AGENCY_JOB_STATUSES, lon=106.63, lat=-6.18), 10),
        "ms",
    )

    codes = [
        r.tracking_code
        for r in conn.execute(
            text(
                fill_statuses(
                    "SELECT tracking_code FROM complaint WHERE status IN ({status.baru}, {status.terverifikasi}) "
                    "ORDER BY id DESC LIMIT 50"
                )
            )
        )
    ]
    transaction = conn.begin_nested()
    started = time.perf_counter()
    outcomes = apply_many(
        conn,
        codes,
        BulkRequest(action="forward", opd="3671.DISHUB", reason="bench"),
        Actor(role="operator"),
        lambda row: None,
    )
    elapsed = (time.perf_counter() - started) * 1000
    transaction.rollback()
    log(f"bulk forward: {sum(o.ok for o in outcomes)} of {len(codes)} forwarded, then rolled back")
    emit(f"bulk_forward_{len(codes)}_ms_{size}", elapsed, "ms")


def run() -> None:
    sizes = [int(s) for s in os.environ.get("PANTAU_BENCH_WORKFLOW_SIZES", "1000000").split(",") if s.strip()]
    for size in sizes:
        engine = bench_database(size)
        with engine.connect() as conn, conn.begin():
            _measure(conn, size)
            conn.rollback()
        engine.dispose()
