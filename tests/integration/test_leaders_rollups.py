"""The leaders' rollups (migration 0020): every figure equals the exact scan, whatever the filters and the changes.

The dashboard reads closed complaints from the rollups when the filters allow it (db/leaders.py
``rollup_query``) and every complaint otherwise; ``dashboard(..., exact=True)`` always reads every complaint.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, text

from db.filters import WIB, Scope, ScopeError, parse_filters, resolve
from db.leaders import dashboard, rollup_query
from db.status import Status
from photos.store import LocalStore
from services.demo import seed_demo
from tests.conftest import flask_cli

CLOSED = [Status.SELESAI.value, Status.DITOLAK.value, Status.DUPLIKAT.value]
CHANNELS = ["web", "app", "sms", "social", "call_centre", "walk_in"]
# Kelurahan Sukarasa, Kecamatan Tangerang, Kota Tangerang.
KELURAHAN = "3671011001"
KOTA_TANGERANG, TANGSEL = "3671", "3674"

_ROLLUPS = {
    "leaders_rollup": "SELECT month, jurisdiction_id, kecamatan_id, kelurahan_id, opd_id, category_id, status, flags,"
    " reports, ratings, satisfied FROM leaders_rollup WHERE (reports, ratings, satisfied) <> (0, 0, 0)",
    "leaders_rollup_day": "SELECT day, jurisdiction_id, opd_id, status, reports FROM leaders_rollup_day"
    " WHERE reports <> 0",
    "leaders_rollup_hist": "SELECT month, jurisdiction_id, status, part, key_id, bin, n FROM leaders_rollup_hist"
    " WHERE n <> 0",
    "leaders_rollup_channel": "SELECT month, jurisdiction_id, kecamatan_id, kelurahan_id, opd_id, category_id,"
    " channel, status, flags, reports, ratings, satisfied FROM leaders_rollup_channel"
    " WHERE (reports, ratings, satisfied) <> (0, 0, 0)",
    "leaders_rollup_day_channel": "SELECT day, jurisdiction_id, opd_id, channel, status, reports"
    " FROM leaders_rollup_day_channel WHERE reports <> 0",
    "leaders_rollup_hist_channel": "SELECT month, jurisdiction_id, channel, status, part, key_id, bin, n"
    " FROM leaders_rollup_hist_channel WHERE n <> 0",
    "leaders_rollup_day_detail": "SELECT day, jurisdiction_id, kecamatan_id, opd_id, category_id, status, reports"
    " FROM leaders_rollup_day_detail WHERE reports <> 0",
    "leaders_rollup_hist_detail": "SELECT month, jurisdiction_id, kecamatan_id, opd_id, category_id, status, kind,"
    " bin, n FROM leaders_rollup_hist_detail WHERE n <> 0",
}


def _rollups(conn: Connection) -> dict[str, set[tuple[Any, ...]]]:
    return {table: {tuple(r) for r in conn.execute(text(query))} for table, query in _ROLLUPS.items()}


def _seed(conn: Connection, tmp_path: Path) -> None:
    """Demo complaints over 90 days, then what happens to closed ones later: ratings given, changed and removed,
    reports reopened, forwarded to the other city, recategorised, deleted."""
    seed_demo(conn, LocalStore(tmp_path), 400, seed=5)
    finished = list(
        conn.execute(
            text("SELECT id FROM complaint WHERE status = :s ORDER BY id"), {"s": Status.SELESAI.value}
        ).scalars()
    )
    assert len(finished) > 100
    for i, complaint_id in enumerate(finished[:80]):
        conn.execute(
            text("INSERT INTO complaint_rating (complaint_id, satisfied, score, via) VALUES (:id, :s, NULL, 'link')"),
            {"id": complaint_id, "s": i % 3 != 0},
        )
    conn.execute(text("UPDATE complaint_rating SET satisfied = NOT satisfied WHERE complaint_id = ANY(:ids)"),
                 {"ids": finished[:10]})  # fmt: skip
    conn.execute(text("DELETE FROM complaint_rating WHERE complaint_id = ANY(:ids)"), {"ids": finished[10:15]})
    # Reopened, then some finished again a day later.
    conn.execute(text("UPDATE complaint SET status = :s WHERE id = ANY(:ids)"),
                 {"s": Status.TERVERIFIKASI.value, "ids": finished[15:30]})  # fmt: skip
    conn.execute(
        text("UPDATE complaint SET status = :s, completed_at = completed_at + interval '1 day' WHERE id = ANY(:ids)"),
        {"s": Status.SELESAI.value, "ids": finished[15:20]},
    )
    # Closed reports from Kota Tangerang handed to Tangerang Selatan, and some put in another category.
    conn.execute(
        text("UPDATE complaint SET jurisdiction_id = (SELECT id FROM area WHERE code = :k) WHERE id = ANY(:ids)"),
        {"k": TANGSEL, "ids": finished[30:40]},
    )
    conn.execute(
        text("UPDATE complaint SET category_id = (SELECT min(id) FROM category) WHERE id = ANY(:ids)"),
        {"ids": finished[40:50]},
    )
    # Deleted with their ratings (a rated one among them).
    doomed = finished[50:55] + finished[:2]
    conn.execute(text("SET LOCAL session_replication_role = replica"))  # the history is append-only
    for table in ("complaint_event", "photo"):
        conn.execute(text(f"DELETE FROM {table} WHERE complaint_id = ANY(:ids)"), {"ids": doomed})
    conn.execute(text("SET LOCAL session_replication_role = origin"))
    conn.execute(text("UPDATE complaint SET merged_into_id = NULL WHERE merged_into_id = ANY(:ids)"), {"ids": doomed})
    conn.execute(text("DELETE FROM complaint WHERE id = ANY(:ids)"), {"ids": doomed})


def _random_filters(conn: Connection, rng: random.Random) -> tuple[dict[str, str], Scope]:
    """Filters a leader could set, leaning towards those the rollups answer (a city, statuses, whole months)."""
    today = datetime.now(WIB).date()
    months = _recent_months(5)
    query: dict[str, str] = {}
    if rng.random() < 0.4:
        query["kota"] = rng.choice([KOTA_TANGERANG, TANGSEL])
    if rng.random() < 0.4:
        query["status"] = ",".join(rng.sample(["red", "yellow", "green", "grey", *CLOSED], rng.choice([1, 2])))
    roll = rng.random()
    if roll < 0.25:
        query["period"] = rng.choice(["today", "7d", "30d", "month", "year"])
    elif roll < 0.6:
        start = rng.choice(months)
        query["from"] = start.isoformat()
        end = rng.choice([m for m in months if m >= start])
        last = _month_end(end)
        query["to"] = rng.choice([last, today, last + timedelta(days=rng.randrange(-5, 5))]).isoformat()
        if query["to"] < query["from"]:
            del query["to"]
    elif roll < 0.7:
        query["from"] = (today - timedelta(days=rng.randrange(90))).isoformat()
    # A kecamatan, an agency or a category: answered from the rollups of migration 0031 (without a channel).
    if rng.random() < 0.35:
        kind, sql = rng.choice(
            [
                ("kecamatan", "SELECT code FROM area WHERE level = 'kecamatan'"),
                ("opd", "SELECT code FROM opd"),
                ("category", "SELECT code FROM category"),
            ]
        )
        query[kind] = rng.choice(list(conn.execute(text(sql)).scalars()))
    # Sometimes a key no rollup keeps: the whole figure comes from the scan, and must still agree.
    if rng.random() < 0.1:
        query["kelurahan"] = rng.choice(
            list(conn.execute(text("SELECT code FROM area WHERE level = 'kelurahan'")).scalars())
        )
    if rng.random() < 0.25:  # answered from the rollups by channel (migration 0030)
        query["channel"] = rng.choice(CHANNELS)
    scope = Scope()
    roll = rng.random()
    if roll < 0.2:
        city = query.get("kota") or rng.choice([KOTA_TANGERANG, TANGSEL])
        kota = conn.execute(text("SELECT id FROM area WHERE code = :c"), {"c": city})
        scope = Scope(kota_ids=(kota.scalar_one(),))
    elif roll < 0.3:  # a camat's account: one or two kecamatan
        kecamatan = list(conn.execute(text("SELECT id FROM area WHERE level = 'kecamatan' ORDER BY id")).scalars())
        scope = Scope(kecamatan_ids=tuple(rng.sample(kecamatan, rng.choice([1, 2]))))
    elif roll < 0.35:  # an agency's account
        scope = Scope(opd_id=rng.choice(list(conn.execute(text("SELECT id FROM opd")).scalars())))
    return query, scope


def test_every_figure_equals_the_exact_scan_on_random_filters(conn: Connection, tmp_path: Path) -> None:
    _seed(conn, tmp_path)
    rng = random.Random(20261204)
    answered = 0
    for _ in range(80):
        query, scope = _random_filters(conn, rng)
        try:
            resolved = resolve(conn, parse_filters(query), scope)
        except ScopeError:
            continue  # a kecamatan of the other city for an account limited to one: refused, nothing to compare
        level = rng.choice(["kota", "kecamatan", "kelurahan"])
        if rollup_query(conn, resolved) is not None:
            answered += 1
        from_rollups = dashboard(conn, resolved, level)
        exact = dashboard(conn, resolved, level, exact=True)
        assert from_rollups == exact, (query, scope)
    # Most of these filters are answered from the rollups, so the comparison tests them.
    assert answered >= 40


def test_the_all_time_view_reads_closed_complaints_from_the_rollups(conn: Connection, tmp_path: Path) -> None:
    _seed(conn, tmp_path)
    resolved = resolve(conn, parse_filters({}), Scope())
    assert rollup_query(conn, resolved) is not None
    before = dashboard(conn, resolved)
    closed = conn.execute(text("SELECT count(*) FROM complaint WHERE status = ANY(:c)"), {"c": CLOSED}).scalar_one()
    assert conn.execute(text("SELECT sum(reports) FROM leaders_rollup")).scalar_one() == closed
    # A change the triggers do not see (replica mode) shows that the figures come from the rollups...
    conn.execute(text("SET LOCAL session_replication_role = replica"))
    conn.execute(text("UPDATE complaint SET status = :r WHERE id = (SELECT min(id) FROM complaint WHERE status = :s)"),
                 {"r": Status.DITOLAK.value, "s": Status.SELESAI.value})  # fmt: skip
    conn.execute(text("SET LOCAL session_replication_role = origin"))
    assert dashboard(conn, resolved).kpis.finished == before.kpis.finished
    assert dashboard(conn, resolved, exact=True).kpis.finished == before.kpis.finished - 1
    # ...and a rebuild catches up with it.
    conn.execute(text("SELECT pantau_rollup_rebuild()"))
    assert dashboard(conn, resolved) == dashboard(conn, resolved, exact=True)


def test_a_channel_view_reads_closed_complaints_from_the_rollups_by_channel(conn: Connection, tmp_path: Path) -> None:
    _seed(conn, tmp_path)
    resolved = resolve(conn, parse_filters({"channel": "sms", "kota": KOTA_TANGERANG}), Scope())
    rolled = rollup_query(conn, resolved)
    assert rolled is not None and rolled.counts == "leaders_rollup_channel"
    before = dashboard(conn, resolved)
    assert before == dashboard(conn, resolved, exact=True)
    assert before.kpis.finished > 0
    by_channel = text("SELECT channel, sum(reports) FROM leaders_rollup_channel GROUP BY channel")
    closed = text("SELECT channel, count(*) FROM complaint WHERE status = ANY(:c) GROUP BY channel")
    assert dict(conn.execute(by_channel).all()) == dict(conn.execute(closed, {"c": CLOSED}).all())
    # A change the triggers do not see (replica mode) shows that the figures come from the rollups by channel.
    conn.execute(text("SET LOCAL session_replication_role = replica"))
    conn.execute(
        text(
            "UPDATE complaint SET status = :r WHERE id = (SELECT min(id) FROM complaint WHERE status = :s"
            " AND channel = 'sms' AND jurisdiction_id = (SELECT id FROM area WHERE code = :k))"
        ),
        {"r": Status.DITOLAK.value, "s": Status.SELESAI.value, "k": KOTA_TANGERANG},
    )
    conn.execute(text("SET LOCAL session_replication_role = origin"))
    assert dashboard(conn, resolved).kpis.finished == before.kpis.finished
    assert dashboard(conn, resolved, exact=True).kpis.finished == before.kpis.finished - 1


def test_a_kecamatan_agency_or_category_view_reads_closed_complaints_from_their_rollups(
    conn: Connection, tmp_path: Path
) -> None:
    _seed(conn, tmp_path)
    kecamatan = conn.execute(
        text("SELECT a.code FROM complaint c JOIN area a ON a.id = c.kecamatan_id WHERE c.status = :s"
             " GROUP BY a.code ORDER BY count(*) DESC LIMIT 1"),
        {"s": Status.SELESAI.value},
    ).scalar_one()  # fmt: skip
    category, opd = conn.execute(
        text("SELECT k.code, o.code FROM complaint c JOIN category k ON k.id = c.category_id"
             " JOIN opd o ON o.id = c.opd_id WHERE c.status = :s GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1"),
        {"s": Status.SELESAI.value},
    ).one()  # fmt: skip
    views = [{"kecamatan": kecamatan}, {"category": category}, {"opd": opd}, {"category": category, "status": "green"}]
    before = []
    for query in views:
        resolved = resolve(conn, parse_filters(query), Scope())
        rolled = rollup_query(conn, resolved)
        assert rolled is not None and rolled.counts == "leaders_rollup", query
        shown = dashboard(conn, resolved)
        assert shown == dashboard(conn, resolved, exact=True), query
        assert shown.kpis.finished > 0 and shown.kpis.completion_p50 is not None, query
        before.append(shown)
    # Changes the triggers do not see (replica mode) show that the percentiles come from the rollups.
    conn.execute(text("SET LOCAL session_replication_role = replica"))
    conn.execute(text("UPDATE complaint SET completion_working_days = completion_working_days + 50 WHERE status = :s"),
                 {"s": Status.SELESAI.value})  # fmt: skip
    conn.execute(text("SET LOCAL session_replication_role = origin"))
    for query, shown in zip(views, before, strict=True):
        resolved = resolve(conn, parse_filters(query), Scope())
        assert dashboard(conn, resolved).kpis.completion_p50 == shown.kpis.completion_p50, query
        assert dashboard(conn, resolved, exact=True).kpis.completion_p50 != shown.kpis.completion_p50, query


def test_a_period_that_cuts_a_month_reads_the_fewer_days_of_it_one_by_one(conn: Connection, tmp_path: Path) -> None:
    """Where a period cuts a month, the closed complaints of the cut days are read one by one and added to the
    rollups' whole months, or, when the rest of that month is fewer days, the month comes whole from the rollups
    and the rest's complaints are read one by one and taken away."""
    _seed(conn, tmp_path)
    this_month, last_month, before_last = _recent_months(3)
    day = timedelta(days=1)
    # name: (first day, last day, days read one by one: added or taken away, days the rollups give)
    periods = {
        "start cut": (before_last + 24 * day, this_month - day, "added", (before_last + 24 * day, last_month - day),
                      (last_month, _month_end(last_month))),
        "end cut": (before_last, last_month + 4 * day, "added", (last_month, last_month + 4 * day),
                    (before_last, _month_end(before_last))),
        "both cut": (before_last - 3 * day, last_month + 4 * day, "added", (last_month, last_month + 4 * day),
                     (before_last, _month_end(before_last))),
        "start taken": (last_month + 5 * day, this_month - day, "taken", (last_month, last_month + 4 * day),
                        (last_month + 5 * day, _month_end(last_month))),
        "end taken": (before_last, last_month + 22 * day, "taken", (last_month + 23 * day, this_month - day),
                      (last_month, last_month + 22 * day)),
    }  # fmt: skip
    finished = text(
        "SELECT min(id) FROM complaint WHERE status = :s AND (created_at AT TIME ZONE 'Asia/Jakarta')::date"
        " BETWEEN :a AND :b"
    )

    def one_finished(first: date, last: date) -> int:
        found = conn.execute(finished, {"s": Status.SELESAI.value, "a": first, "b": last}).scalar_one()
        assert found is not None, (first, last)
        return int(found)

    for name, (start, end, way, one_by_one, from_rollups) in periods.items():
        resolved = resolve(conn, parse_filters({"from": start.isoformat(), "to": end.isoformat()}), Scope())
        rolled = rollup_query(conn, resolved)
        assert rolled is not None and (rolled.taken_where is not None) == (way == "taken"), name
        read, given = one_finished(*one_by_one), one_finished(*from_rollups)
        # Rated, so the ratings of the days read one by one are added or taken away too.
        conn.execute(
            text(
                "INSERT INTO complaint_rating (complaint_id, satisfied, score, via) SELECT id, true, NULL, 'link'"
                " FROM complaint WHERE id = ANY(:ids) ON CONFLICT DO NOTHING"
            ),
            {"ids": [read, given]},
        )
        shown = dashboard(conn, resolved)
        assert shown == dashboard(conn, resolved, exact=True), name
        # Changes the triggers do not see (replica mode): the view follows a change to a report read one by one,
        # in the direction it is read (added, or taken away), and not to one the rollups give.
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text("UPDATE complaint SET status = :r WHERE id = ANY(:ids)"),
                     {"r": Status.DITOLAK.value, "ids": [read, given]})  # fmt: skip
        conn.execute(text("SET LOCAL session_replication_role = origin"))
        followed = -1 if way == "added" else 1
        assert dashboard(conn, resolved).kpis.finished == shown.kpis.finished + followed, name
        inside = 2 if way == "added" else 1  # a day taken away lies outside the period
        assert dashboard(conn, resolved, exact=True).kpis.finished == shown.kpis.finished - inside, name
        conn.execute(text("SELECT pantau_rollup_rebuild()"))
        assert dashboard(conn, resolved) == dashboard(conn, resolved, exact=True), name


def _recent_months(n: int) -> list[date]:
    """The first days of this WIB month and of the n - 1 before it, newest first."""
    months = [datetime.now(WIB).date().replace(day=1)]
    while len(months) < n:
        months.append((months[-1] - timedelta(days=1)).replace(day=1))
    return months


def _month_end(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def test_the_rollups_kept_by_each_change_equal_a_rebuild(conn: Connection, tmp_path: Path) -> None:
    _seed(conn, tmp_path)
    kept = _rollups(conn)
    assert all(kept.values())
    conn.execute(text("SELECT pantau_rollup_rebuild()"))
    assert _rollups(conn) == kept


def test_rollup_rebuild_command_recomputes_them(engine: Engine) -> None:
    with engine.begin() as c:
        c.execute(text("DELETE FROM leaders_rollup"))
        closed = c.execute(text("SELECT count(*) FROM complaint WHERE status = ANY(:c)"), {"c": CLOSED}).scalar_one()
    result = flask_cli("rollup", "rebuild")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"rollups rebuilt: {closed} closed complaints"


_FORWARDED = text(
    """
    INSERT INTO complaint (tracking_code, geom, description, category_id, channel, status,
                           kelurahan_id, kecamatan_id, jurisdiction_id, opd_id, created_at, completed_at, due_at)
    SELECT :code, ST_PointOnSurface(kel.geom), 'forwarded', (SELECT min(id) FROM category), 'web', :status,
           kel.id, kel.parent_id, (SELECT id FROM area WHERE code = :kota), NULL, now() - interval '2 days',
           CASE WHEN :finished THEN now() END, now() + interval '5 days'
      FROM area kel
     WHERE kel.code = :kelurahan AND kel.level = 'kelurahan'
    """
)


def test_the_city_filter_counts_a_report_forwarded_to_the_other_city_there(conn: Connection) -> None:
    """A report from a Kota Tangerang kecamatan handed to Tangerang Selatan is Tangerang Selatan's."""

    def reports(kota: str, scope: Scope | None = None, **more: str) -> int:
        resolved = resolve(conn, parse_filters({"kota": kota, **more}), scope or Scope())
        return dashboard(conn, resolved).kpis.reports

    tangsel = conn.execute(text("SELECT id FROM area WHERE code = :c"), {"c": TANGSEL}).scalar_one()
    views = {
        "tangsel_7d": lambda: reports(TANGSEL, period="7d"),
        "tangsel_finished_7d": lambda: reports(TANGSEL, period="7d", status="green"),
        "tangerang_7d": lambda: reports(KOTA_TANGERANG, period="7d"),
        # An account limited to Tangerang Selatan, all time (the closed one from the rollups).
        "tangsel_account": lambda: reports(TANGSEL, Scope(kota_ids=(tangsel,))),
        "tangerang_all": lambda: reports(KOTA_TANGERANG),
    }
    before = {name: view() for name, view in views.items()}
    for code, status in (("FWD-OPEN", Status.DITERUSKAN.value), ("FWD-DONE", Status.SELESAI.value)):
        conn.execute(
            _FORWARDED,
            {
                "code": code,
                "status": status,
                "kota": TANGSEL,
                "kelurahan": KELURAHAN,
                "finished": status == Status.SELESAI.value,
            },
        )
    after = {name: view() for name, view in views.items()}
    assert {name: after[name] - before[name] for name in views} == {
        "tangsel_7d": 2,
        "tangsel_finished_7d": 1,
        "tangerang_7d": 0,
        "tangsel_account": 2,
        "tangerang_all": 0,
    }
    assert rollup_query(conn, resolve(conn, parse_filters({"kota": TANGSEL}), Scope(kota_ids=(tangsel,))))
