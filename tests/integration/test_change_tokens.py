"""The change tokens the wall reads are pruned once they are an hour old, and say where they stop.

A wall learns what changed since the version it shows from the tokens' versions (migration 0028). Kept for
ever they grow with every write; pruned (db/change_tokens.py, migration 0029) a wall that saw a version
older than what is kept must be told, or it would silently miss those changes.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, text

from db import wall
from db.change_tokens import prune
from db.engine import data_version
from notify.worker import Worker
from settings import get_settings
from tests.integration.staff import new_complaint

NOW = timedelta(0)  # a mark is ripe at once


def _file(engine: Engine, committed: list[int], description: str) -> int:
    """A committed report (tests/integration/staff.py) and its id."""
    new_complaint(engine, committed, category="sampah", description=description)
    return committed[-1]


def _token_version(engine: Engine, complaint_id: int) -> int | None:
    """The data version kept for the complaint's last change, None once pruned."""
    with engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT v.version FROM complaint c LEFT JOIN complaint_change_version v ON v.token = c.change_seq"
                " WHERE c.id = :id"
            ),
            {"id": complaint_id},
        ).scalar_one()


def test_pruning_deletes_up_to_an_old_mark_and_a_wall_behind_it_is_told_to_redraw(
    engine: Engine, committed: list[int]
) -> None:
    everything = wall.Resolved("all")
    with engine.begin() as conn:
        prune(conn, NOW)  # a mark now; whatever an earlier mark held goes
    with engine.connect() as conn:
        seen = data_version(conn)
    first = _file(engine, committed, "Sampah di bahu jalan, pertama")
    first_version = _token_version(engine, first)
    assert first_version is not None and first_version > seen

    with engine.begin() as conn:
        kept = prune(conn)  # the default keeps an hour: the mark is seconds old
    assert kept.deleted == 0 and kept.mark <= seen
    assert _token_version(engine, first) == first_version

    with engine.begin() as conn:
        moved = prune(conn, NOW)  # up to the mark from before the first report, which stays; a new mark
    assert moved.upto <= seen and moved.mark >= first_version
    assert _token_version(engine, first) == first_version

    second = _file(engine, committed, "Sampah di bahu jalan, kedua")
    with engine.begin() as conn:
        gone = prune(conn, NOW)
    assert gone.upto == moved.mark and gone.deleted >= 1
    assert _token_version(engine, first) is None
    assert _token_version(engine, second) is not None

    with engine.connect() as conn:
        now = data_version(conn)
        behind = wall.changes(conn, seen, now, everything)
        after = wall.changes(conn, gone.upto, now, everything)
    assert not behind.complete  # the first report's change is gone: the wall redraws (callbacks/live.py)
    assert after.complete and [e.id for e in after.entries] == [second]

    with engine.begin() as conn:
        again = prune(conn)
    assert (again.upto, again.deleted, again.mark) == (gone.upto, 0, gone.mark)


def test_the_delivery_worker_prunes_and_then_waits_before_looking_again(engine: Engine) -> None:
    worker = Worker(engine, get_settings(), "test-secret")
    looked = worker.prune()
    assert looked is not None
    with engine.connect() as conn:
        state = conn.execute(text("SELECT upto, mark_version FROM complaint_change_pruned")).one()
    assert (looked.upto, looked.mark) == (state.upto, state.mark_version)
    assert worker.prune() is None  # next look in PRUNE_LOOK_S
