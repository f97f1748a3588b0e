"""Several processes storing reports at once, as several app workers do: how many a second the database takes.

Each writer is a process of its own (``spawn``: a clean interpreter, as a gunicorn worker is), with its own
engine, storing its reports one statement each (``committed_per_statement``, as the doors do) once every
writer is ready. Threads of one process would measure Python's global lock instead of the database.
"""

from __future__ import annotations

import multiprocessing
import time
from typing import Any

from sqlalchemy import Engine

from bench.common import remove_complaints
from db.complaints import NewComplaint, category_ids, create_complaint
from db.engine import committed_per_statement


def _writer(url: str, points: list[tuple[float, float]], writer: int, each: int, ready: Any) -> tuple[float, list[int]]:
    """One writer process: its own engine, then ``each`` complaints once every writer is ready."""
    from db.engine import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        categories = category_ids(conn)
    codes = sorted(categories)
    ids: list[int] = []
    ready.wait()  # every writer has imported the app and opened its connection
    for i in range(each):
        lat, lon = points[(writer * each + i) % len(points)]
        new = NewComplaint(category=codes[i % len(codes)], description=f"bench writer {writer} {i}", lat=lat, lon=lon)
        with committed_per_statement(engine) as conn:
            ids.append(create_complaint(conn, new, categories=categories).id)
    finished = time.monotonic()
    engine.dispose()
    return finished, ids


def writers_per_s(engine: Engine, points: list[tuple[float, float]], writers: int, each: int) -> float:
    """Complaints per second stored by ``writers`` processes at once, ``each`` apiece, at ``points`` in turn;
    the complaints are removed afterwards."""
    url = engine.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        ready = manager.Barrier(writers + 1)
        with context.Pool(writers) as pool:
            pending = [pool.apply_async(_writer, (url, points, w, each, ready)) for w in range(writers)]
            ready.wait(timeout=300)
            started = time.monotonic()
            results = [p.get(timeout=600) for p in pending]
    elapsed = max(finished for finished, _ in results) - started
    remove_complaints(engine, [i for _, ids in results for i in ids])
    return writers * each / elapsed
