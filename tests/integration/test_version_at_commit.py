"""A report takes its data version as it commits (migration 0028): the wall still sees every change in commit
order, each complaint's marker rank still grows, the legend's counts stay right, and nothing deadlocks."""

import threading
import time

from sqlalchemy import Connection, Engine, text

from db import wall
from db.complaints import Actor, NewComplaint, create_complaint, transition
from db.engine import committed_per_statement, data_version
from tests.conftest import inside

OPERATOR = Actor(role="operator")
KELURAHAN = "3671011001"  # Sukarasa, Kota Tangerang
ELSEWHERE = "3674011001"  # a kelurahan of another city, so of another kecamatan


def _report(conn: Connection, description: str, kelurahan: str = KELURAHAN, **overrides: object) -> NewComplaint:
    lat, lon = inside(conn, kelurahan)
    return NewComplaint(category="jalan_rusak", description=description, lat=lat, lon=lon, **overrides)  # type: ignore[arg-type]


def _versions(conn: Connection, ids: list[int]) -> dict[int, int]:
    rows = conn.execute(
        text(
            "SELECT c.id, v.version FROM complaint c JOIN complaint_change_version v ON v.token = c.change_seq"
            " WHERE c.id = ANY(:ids)"
        ),
        {"ids": ids},
    )
    return {r.id: r.version for r in rows}


def _counts_match(conn: Connection) -> bool:
    """The legend's kept counts (complaint_status_count) against a count of the complaints themselves."""
    kept = conn.execute(
        text("SELECT jurisdiction_key, kecamatan_key, status, n FROM complaint_status_count WHERE n <> 0")
    ).all()
    counted = conn.execute(
        text(
            "SELECT coalesce(jurisdiction_id, 0), coalesce(kecamatan_id, 0), status, count(*) FROM complaint"
            " GROUP BY 1, 2, 3"
        )
    ).all()
    return sorted(map(tuple, kept)) == sorted(map(tuple, counted))


def _wait_until_someone_waits_for(engine: Engine, holder: int, thread: threading.Thread) -> None:
    """Until another session waits for a lock the session ``holder`` (a backend pid) holds, or ``thread`` ends.

    Each look is its own transaction: within one, pg_stat_activity keeps showing the sessions of its first read.
    """
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        for _ in range(200):
            if not thread.is_alive():
                return
            waiting = c.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE CAST(:holder AS integer) = ANY(pg_blocking_pids(pid))"
                ),
                {"holder": holder},
            ).scalar_one()
            if waiting:
                return
            time.sleep(0.05)
        seen = c.execute(
            text(
                "SELECT pid, state, wait_event_type, wait_event, pg_blocking_pids(pid), left(query, 50)"
                " FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).all()
    raise AssertionError(f"the report never queued for the data version (holder {holder}): {seen}")


def test_a_report_filed_during_an_operators_change_comes_after_it_and_the_wall_misses_neither(
    engine: Engine, committed: list[int]
) -> None:
    with engine.begin() as c:
        first = create_complaint(c, _report(c, "Jalan berlubang, laporan pertama")).id
        second = create_complaint(c, _report(c, "Jalan berlubang, laporan kedua", ELSEWHERE)).id
        committed += [first, second]
    with engine.connect() as c:
        seen = data_version(c)
    stored: list[int] = []
    failed: list[BaseException] = []

    def citizen() -> None:
        try:
            with committed_per_statement(engine) as c:
                new = _report(c, "Lampu jalan mati, dilaporkan saat operator bekerja", ELSEWHERE)
                stored.append(create_complaint(c, new).id)
        except BaseException as exc:  # handed to the test's thread
            failed.append(exc)

    with engine.begin() as operator:
        transition(operator, first, "verify", OPERATOR)  # holds the data version until it commits
        filing = threading.Thread(target=citizen)
        filing.start()
        _wait_until_someone_waits_for(engine, operator.execute(text("SELECT pg_backend_pid()")).scalar_one(), filing)
        assert filing.is_alive() and not failed, failed
        # The report's rows are written and it waits for its version: the operator goes on in the report's
        # kecamatan, moving the count of new reports the waiting report adds to, and is not blocked by it.
        transition(operator, second, "verify", OPERATOR)
    filing.join(30)
    assert not filing.is_alive() and not failed
    committed += stored
    with engine.connect() as c:
        now = data_version(c)
        versions = _versions(c, [first, second, *stored])
        everything = wall.Resolved("all")
        operators = [e.id for e in wall.changes(c, seen, seen + 1, everything).entries]
        citizens = [e.id for e in wall.changes(c, seen + 1, now, everything).entries]
        assert _counts_match(c)
    assert now == seen + 2
    assert versions == {first: seen + 1, second: seen + 1, stored[0]: seen + 2}
    assert operators == [first, second] and citizens == stored


def test_a_complaint_changed_after_a_report_in_one_transaction_ranks_above_its_last_change(
    engine: Engine, committed: list[int]
) -> None:
    with engine.begin() as c:
        older = create_complaint(c, _report(c, "Saluran tersumbat")).id
        committed.append(older)
    with engine.connect() as c:
        before = c.execute(text("SELECT change_seq FROM complaint WHERE id = :id"), {"id": older}).scalar_one()
        seen = data_version(c)
    with engine.begin() as c:
        # As an import does: a report, then a change to a complaint already on the wall.
        newer = create_complaint(c, _report(c, "Saluran tersumbat lagi")).id
        committed.append(newer)
        transition(c, older, "verify", OPERATOR)
    with engine.connect() as c:
        seqs = dict(
            c.execute(text("SELECT id, change_seq FROM complaint WHERE id = ANY(:ids)"), {"ids": [older, newer]}).all()
        )
        versions = _versions(c, [older, newer])
        changed = {e.id: e.marker for e in wall.changes(c, seen, data_version(c), wall.Resolved("all")).entries}
    assert seqs[older] > before and seqs[older] > seqs[newer]  # drawn once it held the data version
    assert versions == {older: seen + 1, newer: seen + 1}
    assert changed[older].status == "terverifikasi" and changed[newer].status == "baru"


def test_a_repeated_submission_moves_nothing_on_the_wall(engine: Engine, committed: list[int]) -> None:
    with engine.connect() as c:
        first_try = _report(c, "Pohon tumbang menutup jalan", idempotency_key="hp-7781-0001")
    with committed_per_statement(engine) as c:
        created = create_complaint(c, first_try)
        committed.append(created.id)
    with engine.connect() as c:
        seen = data_version(c)
    with committed_per_statement(engine) as c:
        again = create_complaint(c, first_try)
    with engine.connect() as c:
        assert again.id == created.id and again.duplicate_submission
        assert data_version(c) == seen
        assert _counts_match(c)
