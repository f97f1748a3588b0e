"""The leaders' dashboard figures and the exports of a filtered set of complaints.

Definitions (the README's "Leaders' dashboard" section repeats them):

- **followed up**: the complaint has a first response (``first_response_at``
  is set, which every status change does) or has left the statuses that mean
  nobody has acted yet (``baru``, ``luar_wilayah``).
- **finished**: status ``selesai``. **Finished on time**: finished, and
  ``completed_at`` no later than ``due_at`` (the category's handling target in
  working days from the report). Its share is of the finished reports.
- **open**: a red or yellow status; **overdue**: open and past ``due_at``.
- **time to first response / to completion**: working days (WIB; weekends and
  the ``holiday`` table excluded, fractional on the end days) from the report
  to ``first_response_at`` / to ``completed_at`` of finished reports; medians
  and 90th percentiles are ``percentile_cont`` (interpolated).
- **ranking**: an OPD or kecamatan is ranked only with at least
  ``RANK_MIN_REPORTS`` reports in the filtered set and a median time to
  completion; the lowest median is the fastest, the highest the slowest.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Connection, TextClause, text

from db.cache import cached
from db.engine import data_version, read_connection
from db.filters import WIB, Resolved, Scope
from db.ratings import satisfaction
from db.scope import scoped_sql
from db.sql import fill_statuses, raw_sql, sql
from db.status import COLOUR, OPEN_STATUSES, Status

RANK_MIN_REPORTS = 30
BLOCK_BYTES = 256 * 1024
# For the dashboard query's transaction only. The planner guesses millions of groups where there
# are tens of thousands (the keys are computed) and would sort a million rows rather than hash
# them; the covering index is in memory, so reading it in key order costs nothing like a disk
# seek. (Cheaper parallel plans were tried: they help the million-row view and slow the rest.)
PLANNER_SETTINGS = (
    "hash_mem_multiplier = 8",
    "random_page_cost = 1.1",
)
# Bitmap scans, on for a statement with rollups and off for a scan of every matching complaint (a period or
# filters the rollups cannot answer, or the exact scan). That scan reads only columns of covering indexes, but for
# a kelurahan, where the planner expects a few hundred reports and there are thousands, it would rather AND two
# indexes and read the table's pages one by one: a year of one kelurahan's reports lies on some 30,000 of them at
# 5,000,000. The rollups' own tables are read best by bitmap. Set either way, as the transaction may hold more
# than one view.
BITMAP_SCANS = {True: "enable_bitmapscan = on", False: "enable_bitmapscan = off"}
MAP_LEVELS = ("kota", "kecamatan", "kelurahan")
_EPOCH = date(1970, 1, 1)
# An OPD's label: two cities each have a Dishub, so its short name with its city's ("Dishub · Tangerang").
_OPD_LABEL = "o.short_name || coalesce(' · ' || regexp_replace(k.name, '^(Kota|Kabupaten) ', ''), '')"

# The status lists behind the definitions above, bound into every query.
DEFINITIONS: dict[str, list[str]] = {
    "not_followed_up": [Status.BARU.value, Status.LUAR_WILAYAH.value],
    "finished": [Status.SELESAI.value],
    "open": sorted(s.value for s in OPEN_STATUSES),
}


@cache
def _template(name: str) -> str:
    return raw_sql(name)


# The histograms' grouping sets (leaders_dashboard.sql), per OPD × kecamatan: one bin at a time wherever closed
# complaints are read one by one, both at once over the open complaints and the rollups, where no row has both.
_BIN_SETS = "(opd_id, kecamatan_id, rbin), (opd_id, kecamatan_id, cbin)"
_BIN_SETS_ROLLED = "(opd_id, kecamatan_id, rbin, cbin)"


def _sql(name: str, where: str) -> str:
    """The statement ``db/sql/<name>.sql`` for one WHERE clause (and the export query, where it nests it)."""
    parts = {"where": where, "live": "", "rolled": "", "bin_sets": _BIN_SETS}
    if "{export}" in _template(name):
        parts["export"] = _sql("leaders_export", where)
    return _template(name).format(**parts)


@cache
def _statement(name: str, where: str) -> TextClause:
    return text(_sql(name, where))


# The open complaints: read one by one when the rollups hold the closed ones.
_OPEN = fill_statuses("c.status NOT IN ({closed})")
_CLOSED = fill_statuses("c.status IN ({closed})")
_LIVE = f" AND {_OPEN}"
# Where a period cuts a month at an end, the closed complaints of the days between the end and the rollups' bound
# are read one by one: added (the cut days, inside the period) or taken away (the rest of a month the rollups read
# whole, outside the period). Each row weighs w in every grouping but the reports per day (wd), which the rollups
# give for exactly the period's days.
_END = " UNION ALL SELECT c.*, {sign} AS w, 0 AS wd FROM complaint c WHERE {where} AND " + _CLOSED + " AND {time}"
_END_TIME = {
    ("from", 1): "c.created_at < :rollup_from_ts",
    ("to", 1): "c.created_at >= :rollup_to_ts",
    ("from", -1): "c.created_at >= :rollup_from_ts AND c.created_at < :from_ts",
    ("to", -1): "c.created_at >= :to_ts AND c.created_at < :rollup_to_ts",
}


# What each set of rollups (db.filters.ROLLUP_TABLES) reads: its counts (0031's are 0020's, which have its keys),
# its reports per day, and its histograms, as a template and the table it fills in.
_ROLLUP_SOURCES: dict[str, tuple[str, str, str, str]] = {
    "": ("leaders_rollup", "leaders_rollup_day", "leaders_dashboard_rolled_hist", "leaders_rollup_hist"),
    "_channel": (
        "leaders_rollup_channel", "leaders_rollup_day_channel", "leaders_dashboard_rolled_hist",
        "leaders_rollup_hist_channel",
    ),
    "_detail": (
        "leaders_rollup", "leaders_rollup_day_detail", "leaders_dashboard_rolled_hist_detail",
        "leaders_rollup_hist_detail",
    ),
}  # fmt: skip


@cache
def _rolled_statement(
    where: str,
    where_besides_time: str,
    month_where: str,
    day_where: str,
    tables: str,
    ends: tuple[tuple[str, int], ...],
) -> TextClause:
    counts, days, hist_template, hist_table = _ROLLUP_SOURCES[tables]
    hist = _template(hist_template).format(table=hist_table, month_where=month_where)
    rolled = _template("leaders_dashboard_rolled").format(
        counts=counts, days=days, hist=hist.rstrip(), month_where=month_where, day_where=day_where
    )
    live = _LIVE + "".join(
        _END.format(sign=sign, where=where if sign > 0 else where_besides_time, time=_END_TIME[name, sign])
        for name, sign in ends
    )
    # A closed complaint read one by one has both bins, so then each bin is grouped on its own, as in a full scan.
    bin_sets = _BIN_SETS if ends else _BIN_SETS_ROLLED
    return text(_template("leaders_dashboard").format(where=where, live=live, rolled=f"\n{rolled}", bin_sets=bin_sets))


@dataclass(frozen=True)
class Rolled:
    """The dashboard query on the rollups and the parameters it adds."""

    statement: TextClause
    params: dict[str, Any]
    month_where: str  # the conditions on the counts table
    counts: str  # the counts table: leaders_rollup, or leaders_rollup_channel when a channel is chosen
    live_where: str  # the complaints read one by one and added: the open ones and those of the cut days
    taken_where: str | None  # the closed complaints read one by one and taken away from a month the rollups read


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


@dataclass(frozen=True)
class _End:
    """How the rollups meet one end of a period: their bound (a month's first day) and the days read one by one
    there, added (sign 1: the period cuts the month, the rollups start after it), taken away (sign -1: the rollups
    read the month whole) or none (sign 0: the period's end is a month's)."""

    name: str  # "from" or "to"
    day: date  # the period's bound: its first day, or the day after it
    month: date
    sign: int
    days: int


def _meetings(name: str, day: date, after_newest: date) -> list[_End]:
    """The ways the rollups may meet a period's end at ``day`` (its first day, or the day after it): at a month's
    first day there is nothing to read; otherwise the days of that month inside the period are added, or those
    outside taken away. Days from ``after_newest`` on hold no report, so they are not counted."""
    first, following = day.replace(day=1), _next_month(day)
    if day == first:
        return [_End(name, day, day, 0, 0)]
    before = max(0, (min(day, after_newest) - first).days)
    after = max(0, (min(following, after_newest) - day).days)
    (added, added_days), (taken, taken_days) = (
        ((following, after), (first, before)) if name == "from" else ((first, before), (following, after))
    )
    return [_End(name, day, added, 1, added_days), _End(name, day, taken, -1, taken_days)]


def _ends(start: date | None, end: date | None, after_newest: date) -> tuple[_End | None, _End | None] | None:
    """The ends that read the fewest days one by one (days stand for reports: a month's are spread over its days),
    or None when a scan of the period reads no more. ``end`` is the day after the period (None when it runs past
    every report), ``after_newest`` the day after the newest report."""
    heads: list[_End | None] = [None] if start is None else [*_meetings("from", start, after_newest)]
    tails: list[_End | None] = [None] if end is None else [*_meetings("to", end, after_newest)]
    choices = [
        (head, tail)
        for head in heads
        for tail in tails
        if head is None or tail is None or head.month < tail.month  # at least one month from the rollups
    ]
    if not choices:
        return None

    def read(ends: tuple[_End | None, _End | None]) -> tuple[int, int]:
        return sum(e.days for e in ends if e), sum(e.sign < 0 for e in ends if e)  # ties: add rather than take away

    best = min(choices, key=read)
    if start is not None and read(best)[0] >= (min(end or after_newest, after_newest) - start).days:
        return None  # the period is no longer than what the rollups would leave to read (today, a short week)
    return best


def rollup_query(conn: Connection, resolved: Resolved) -> Rolled | None:
    """The dashboard query that reads closed complaints from the rollups (migration 0020), when they can answer
    these filters (no key the rollups do not keep) and that reads fewer reports one by one than a scan of the
    period. The rollups give whole WIB months; where the period cuts a month at either end, the closed complaints
    of the cut days are read one by one and added, or those of the rest of that month taken away from the whole
    month, whichever are fewer days; the open ones are read one by one. A chosen channel is read from the rollups
    by channel (migration 0030), a kecamatan, an agency or a category from those of migration 0031."""
    tables = resolved.rollup_tables()
    if tables is None:
        return None
    # The newest report, rather than "any report from to_ts on": once psycopg prepares a statement, PostgreSQL
    # may plan it for any to_ts, and its generic plan for the EXISTS read every complaint when none is that new
    # (1.2 s at 5,000,000). max() is one probe of complaint_created_idx whatever the plan.
    newest = conn.execute(text("SELECT max(created_at) FROM complaint")).scalar_one()
    if newest is None:
        return None
    start = resolved.date_from
    # A period ending past every report (as "this year" does) has no end to meet.
    end = None
    if resolved.date_to is not None and newest >= resolved.params["to_ts"]:
        end = resolved.date_to + timedelta(days=1)
    ends = _ends(start, end, newest.astimezone(WIB).date() + timedelta(days=1))
    if ends is None:
        return None
    params: dict[str, Any] = {}
    month_time = day_time = ""
    read: list[tuple[str, int]] = []
    for bound, op in zip(ends, (">=", "<"), strict=True):
        if bound is None:
            continue
        params[f"rollup_{bound.name}_month"] = bound.month
        month_time += f" AND c.month {op} :rollup_{bound.name}_month"
        # The reports per day come from the rollups for exactly the period's days.
        params[f"rollup_{bound.name}_day"] = (bound.day - _EPOCH).days
        day_time += f" AND c.day {op} :rollup_{bound.name}_day"
        if bound.sign:
            params[f"rollup_{bound.name}_ts"] = datetime.combine(bound.month, time(), WIB)
            read.append((bound.name, bound.sign))
    rollup_where = resolved.rollup_where()
    month_where = rollup_where + month_time
    where, besides_time = resolved.where, resolved.where_besides_time
    statement = _rolled_statement(where, besides_time, month_where, rollup_where + day_time, tables, tuple(read))
    added = " OR ".join([_OPEN, *(_END_TIME[name, sign] for name, sign in read if sign > 0)])
    taken = [_END_TIME[name, sign] for name, sign in read if sign < 0]
    return Rolled(
        statement,
        params,
        month_where,
        _ROLLUP_SOURCES[tables][0],
        f"{where} AND ({added})",
        f"{besides_time} AND {_CLOSED} AND ({' OR '.join(taken)})" if taken else None,
    )


@dataclass
class Kpis:
    """The KPIs of one set of complaints (the whole filtered set, or one OPD, kecamatan…)."""

    reports: int = 0
    followed_up: int = 0
    finished: int = 0
    on_time: int = 0
    open: int = 0
    overdue: int = 0
    response_p50: float | None = None
    response_p90: float | None = None
    completion_p50: float | None = None
    completion_p90: float | None = None
    ratings: int = 0  # reporters who rated the finished work (db/ratings.py)
    satisfied: int = 0

    @property
    def satisfied_share(self) -> float | None:
        """Share of ratings that say PUAS, only from RANK_MIN_REPORTS ratings on (a few verdicts say little)."""
        return self.satisfied / self.ratings if self.ratings >= RANK_MIN_REPORTS else None

    @property
    def followed_up_share(self) -> float | None:
        return self.followed_up / self.reports if self.reports else None

    @property
    def finished_share(self) -> float | None:
        return self.finished / self.reports if self.reports else None

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.finished if self.finished else None


@dataclass
class Group:
    """One OPD, kecamatan, category or map area with its KPIs."""

    id: int | None
    code: str | None
    name: str
    kpis: Kpis
    ranked: bool = False
    fastest: bool = False
    slowest: bool = False


@dataclass
class Dashboard:
    kpis: Kpis
    by_opd: list[Group]
    by_kecamatan: list[Group]
    by_category: list[Group]
    # (WIB day, status, reports), for the reports-per-day chart.
    per_day: list[tuple[date, str, int]]
    map_level: str
    # Reports per area code of the map level (areas without reports are absent).
    map_counts: dict[str, int] = field(default_factory=dict)


def _kpis(row: Any) -> Kpis:
    response = row.response or [None, None]
    completion = row.completion or [None, None]
    return Kpis(
        reports=row.reports,
        followed_up=row.followed_up,
        finished=row.finished,
        on_time=row.on_time,
        open=row.open,
        overdue=row.overdue,
        response_p50=response[0],
        response_p90=response[1],
        completion_p50=completion[0],
        completion_p90=completion[1],
    )


def _names(conn: Connection, lang: str) -> dict[str, dict[int, tuple[str, str]]]:
    """(code, name) of every OPD, category and area, by id."""
    name_column = "name_en" if lang == "en" else "name_id"
    return {
        "opd": {
            r.id: (r.code, r.label)
            for r in conn.execute(
                text(
                    f"SELECT o.id, o.code, {_OPD_LABEL} AS label FROM opd o LEFT JOIN area k ON k.id = o.jurisdiction_id"
                )
            )
        },
        "category": {
            r.id: (r.code, r.name) for r in conn.execute(text(f"SELECT id, code, {name_column} AS name FROM category"))
        },
        "area": {r.id: (r.code, r.name) for r in conn.execute(text("SELECT id, code, name FROM area"))},
    }


def _map_counts(conn: Connection, per_kelurahan: dict[int, int], level: str) -> dict[str, int]:
    """Reports per area code of ``level``, from the reports per kelurahan id."""
    rows = conn.execute(
        text(
            "SELECT kel.id, CASE :level WHEN 'kelurahan' THEN kel.code WHEN 'kecamatan' THEN kec.code"
            "                           ELSE kota.code END AS code"
            "  FROM area kel"
            "  LEFT JOIN area kec ON kec.id = kel.parent_id"
            "  LEFT JOIN area kota ON kota.id = kec.parent_id"
            " WHERE kel.id = ANY(:ids)"
        ),
        {"level": level, "ids": list(per_kelurahan)},
    ).all()
    counts: dict[str, int] = {}
    for r in rows:
        if r.code is not None:
            counts[r.code] = counts.get(r.code, 0) + per_kelurahan[r.id]
    return counts


Ratings = dict[str, dict[int | None, tuple[int, int]]]  # (ratings, satisfied) per OPD and per kecamatan id


def _rolled_ratings(conn: Connection, rolled: Rolled, params: dict[str, Any]) -> Ratings:
    """The closed complaints' ratings in the rollups' months, in the shape of ``satisfaction``'s."""
    rows = conn.execute(
        text(
            "SELECT GROUPING(c.opd_id) AS by_kecamatan, c.opd_id, c.kecamatan_id, sum(c.ratings) AS ratings,"
            f" sum(c.satisfied) AS satisfied FROM {rolled.counts} c"
            f" WHERE {rolled.month_where} AND c.ratings <> 0"
            " GROUP BY GROUPING SETS ((c.opd_id), (c.kecamatan_id))"
        ),
        params,
    ).all()
    found: Ratings = {"opd": {}, "kecamatan": {}}
    for r in rows:
        kind, key = ("kecamatan", r.kecamatan_id) if r.by_kecamatan else ("opd", r.opd_id)
        found[kind][key] = (int(r.ratings), int(r.satisfied))
    return found


def _add_ratings(rated: Ratings, more: Ratings, sign: int = 1) -> None:
    """Add ``more`` to ``rated`` (sign 1), or take it away (sign -1)."""
    for kind, found in more.items():
        for key, (ratings, satisfied) in found.items():
            had_ratings, had_satisfied = rated[kind].get(key, (0, 0))
            rated[kind][key] = (had_ratings + sign * ratings, had_satisfied + sign * satisfied)


def rank(groups: list[Group], minimum: int = RANK_MIN_REPORTS) -> None:
    """Mark the groups that are ranked, and the fastest and slowest of them (median time to completion)."""
    ranked = [g for g in groups if g.kpis.reports >= minimum and g.kpis.completion_p50 is not None]
    for g in groups:
        g.ranked, g.fastest, g.slowest = g in ranked, False, False
    if len(ranked) >= 2:
        ordered = sorted(ranked, key=lambda g: (g.kpis.completion_p50, g.name))
        ordered[0].fastest = True
        ordered[-1].slowest = True


def dashboard(
    conn: Connection, resolved: Resolved, map_level: str = "kecamatan", lang: str = "id", *, exact: bool = False
) -> Dashboard:
    """Every figure of the dashboard for the filtered set, from one query: the closed complaints from the rollups
    when they can answer the filters, the rest (or, ``exact``, every complaint) one by one."""
    if map_level not in MAP_LEVELS:
        raise ValueError(f"map level: one of {', '.join(MAP_LEVELS)}")
    for setting in PLANNER_SETTINGS:
        conn.execute(text(f"SET LOCAL {setting}"))
    rolled = None if exact else rollup_query(conn, resolved)
    conn.execute(text(f"SET LOCAL {BITMAP_SCANS[rolled is not None]}"))
    statement = _statement("leaders_dashboard", resolved.where) if rolled is None else rolled.statement
    params = resolved.params if rolled is None else {**resolved.params, **rolled.params}
    rows = conn.execute(statement, {**params, **DEFINITIONS}).all()
    names = _names(conn, lang)
    total = Kpis()
    groups: dict[str, list[Group]] = {"opd": [], "kecamatan": [], "category": []}
    per_kelurahan: dict[int, int] = {}
    per_day: list[tuple[date, str, int]] = []
    for row in rows:
        if row.grouping == "all":
            total = _kpis(row)
        elif row.grouping == "day":
            per_day.append((_EPOCH + timedelta(days=row.day), row.status, row.reports))
        elif row.grouping == "kelurahan":
            if row.key_id is not None:
                per_kelurahan[row.key_id] = row.reports
        else:
            table = "area" if row.grouping == "kecamatan" else row.grouping
            code, name = names[table].get(row.key_id, (None, "—"))
            groups[row.grouping].append(Group(row.key_id, code, name, _kpis(row)))
    if rolled is None:
        rated = satisfaction(conn, resolved.where, resolved.params)
    else:
        rated = satisfaction(conn, rolled.live_where, params)
        _add_ratings(rated, _rolled_ratings(conn, rolled, params))
        if rolled.taken_where is not None:
            _add_ratings(rated, satisfaction(conn, rolled.taken_where, params), -1)
    for kind in ("opd", "kecamatan"):
        for g in groups[kind]:
            g.kpis.ratings, g.kpis.satisfied = rated[kind].get(g.id, (0, 0))
        groups[kind].sort(key=lambda g: (-g.kpis.reports, g.name))
        rank(groups[kind])
    total.ratings = sum(n for n, _ in rated["opd"].values())
    total.satisfied = sum(s for _, s in rated["opd"].values())
    groups["category"].sort(key=lambda g: (-g.kpis.reports, g.name))
    per_day.sort()
    return Dashboard(
        kpis=total,
        by_opd=groups["opd"],
        by_kecamatan=groups["kecamatan"],
        by_category=groups["category"],
        per_day=per_day,
        map_level=map_level,
        map_counts=_map_counts(conn, per_kelurahan, map_level) if per_kelurahan else {},
    )


# Emerging issues: the last 7 days against the 8 weeks before. A group is emerging when it has at least
# EMERGING_MIN_REPORTS reports this week, at least twice its usual weekly number, and so many that a Poisson
# count at its usual rate would reach it less than once in a thousand weeks. The usual rate is never taken below
# half a report a week, so one report after a quiet spell is no alarm.
EMERGING_MIN_REPORTS = 5
EMERGING_WEEKS = 8
EMERGING_P = 0.001
EMERGING_MIN_RATE = 0.5
EMERGING_TTL_S = 120  # the windows move with the clock even when no data changes


@dataclass(frozen=True)
class Emerging:
    """A category, a kecamatan, or a category in a kecamatan whose reports rose well above the usual."""

    category: str | None  # name, None for every category
    kecamatan: str | None  # name, None for every kecamatan
    kecamatan_code: str | None
    recent: int  # reports in the last 7 days
    usual: float  # reports per week over the 8 weeks before
    p_value: float  # chance of at least ``recent`` at the usual rate


def poisson_tail(count: int, rate: float) -> float:
    """P(X >= count) for X ~ Poisson(rate)."""
    if count <= 0:
        return 1.0
    term = math.exp(-rate)
    below = term
    for k in range(1, count):
        term *= rate / k
        below += term
    return max(0.0, 1.0 - below)


def area_points(conn: Connection, codes: list[str]) -> dict[str, tuple[float, float]]:
    """A point inside each area (``code`` → (lon, lat)), where an emerging issue is marked on a map."""
    if not codes:
        return {}
    rows = conn.execute(
        text(
            "SELECT code, ST_X(p) AS lon, ST_Y(p) AS lat FROM area, LATERAL ST_PointOnSurface(geom) p "
            "WHERE code = ANY(:codes)"
        ),
        {"codes": codes},
    ).all()
    return {r.code: (float(r.lon), float(r.lat)) for r in rows}


def emerging(conn: Connection, scope: Scope, lang: str = "id", now: datetime | None = None) -> list[Emerging]:
    """The groups whose last 7 days are well above their usual level (most surprising first)."""
    rows = conn.execute(
        scoped_sql("leaders_emerging"),
        {**scope.params(), "now": now or datetime.now(UTC), "min_recent": EMERGING_MIN_REPORTS},
    ).all()
    names = _names(conn, lang)
    found = []
    for r in rows:
        if r.any_category and r.any_kecamatan:
            continue
        usual = r.before / EMERGING_WEEKS
        rate = max(usual, EMERGING_MIN_RATE)
        p_value = poisson_tail(r.recent, rate)
        if r.recent < 2 * rate or p_value >= EMERGING_P:
            continue
        if not r.any_kecamatan and r.kecamatan_id is None:
            continue  # outside every boundary: counted in its category's row
        kecamatan = None if r.any_kecamatan else names["area"].get(r.kecamatan_id)
        category = None if r.any_category else names["category"].get(r.category_id, (None, "—"))[1]
        found.append(
            Emerging(
                category,
                kecamatan[1] if kecamatan else None,
                kecamatan[0] if kecamatan else None,
                r.recent,
                usual,
                p_value,
            )
        )
    found.sort(key=lambda e: (e.p_value, -e.recent, e.category or "", e.kecamatan or ""))
    return found


def cached_emerging(scope: Scope, lang: str) -> list[Emerging]:
    """``emerging`` as the snapshot it is read in shows it, computed once per data version, scope and language
    (db/cache.py ``cached``: once for all workers). At a million reports it scans the last nine weeks' rows:
    most of a second."""
    with read_connection() as conn:
        return list(
            cached(
                f"emerging:{data_version(conn)}:{lang}:{scope!r}", EMERGING_TTL_S, lambda: emerging(conn, scope, lang)
            )
        )


@dataclass(frozen=True)
class Area:
    """A kota, kecamatan or kelurahan as the filters and the map need it."""

    id: int
    code: str
    name: str
    level: str
    parent_id: int | None
    population: int | None
    geometry: dict[str, Any] | None = None
    bounds: tuple[float, float, float, float] | None = None


def areas(conn: Connection, map_level: str = "kecamatan", tolerance: float = 0.0002) -> list[Area]:
    """Every area, with the simplified outline of those at ``map_level``."""
    rows = conn.execute(sql("leaders_areas"), {"level": map_level, "tolerance": tolerance}).all()
    return [
        Area(
            r.id,
            r.code,
            r.name,
            r.level,
            r.parent_id,
            r.population,
            json.loads(r.geometry) if r.geometry else None,
            (r.west, r.south, r.east, r.north) if r.west is not None else None,
        )
        for r in rows
    ]


def areas_stamp(conn: Connection) -> str:
    """Changes whenever boundaries or populations are (re)loaded."""
    row = conn.execute(text("SELECT count(*), max(updated_at), sum(population) FROM area")).one()
    return f"{row[0]}:{row[1]}:{row[2]}"


def visible_areas(all_areas: list[Area], scope: Scope, kecamatan_id: int | None = None) -> list[Area]:
    """The areas a viewer may pick: all, or for an account limited to some kecamatan those, their kelurahan and kota;
    for an account limited to some cities, those and what lies in them."""
    if scope.kota_ids is not None:
        by_id = {a.id: a for a in all_areas}

        def city(area: Area) -> int | None:
            while area.parent_id is not None and area.parent_id in by_id:
                area = by_id[area.parent_id]
            return area.id

        all_areas = [a for a in all_areas if city(a) in scope.kota_ids]
    if scope.kecamatan_ids is None:
        return list(all_areas)
    allowed = set(scope.kecamatan_ids)
    by_id = {a.id: a for a in all_areas}
    kota = {by_id[k].parent_id for k in allowed if k in by_id}
    return [
        a for a in all_areas if a.id in allowed or a.id in kota or (a.level == "kelurahan" and a.parent_id in allowed)
    ]


def map_areas(all_areas: list[Area], level: str, resolved: Resolved) -> list[Area]:
    """The areas of ``level`` the map shows: those inside the chosen area (or holding it), within the viewer's scope."""
    by_id = {a.id: a for a in all_areas}

    def chain(area: Area) -> set[int]:
        ids = {area.id}
        while area.parent_id is not None and area.parent_id in by_id:
            area = by_id[area.parent_id]
            ids.add(area.id)
        return ids

    chosen = next(
        (resolved.params[k] for k in ("kelurahan_id", "kecamatan_id", "kota_id") if k in resolved.params), None
    )
    scope = set(resolved.scope.kecamatan_ids or ())
    shown = []
    for area in all_areas:
        if area.level != level or area.geometry is None:
            continue
        ancestors = chain(area)
        if chosen is not None and chosen not in ancestors and area.id not in chain(by_id[chosen]):
            continue
        if scope and not (ancestors & scope) and not any(area.id in chain(by_id[k]) for k in scope if k in by_id):
            continue
        if resolved.scope.kota_ids is not None and not ancestors & set(resolved.scope.kota_ids):
            continue
        shown.append(area)
    return shown


def agency_choices(conn: Connection, scope: Scope, lang: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(code, label) of the OPDs the viewer may pick (with their city) and of every category."""
    opds = conn.execute(
        text(
            f"SELECT o.code, {_OPD_LABEL} FROM opd o"
            "  LEFT JOIN area k ON k.id = o.jurisdiction_id"
            " WHERE CAST(:opd AS integer) IS NULL OR o.id = :opd ORDER BY k.code NULLS FIRST, o.short_name"
        ),
        {"opd": scope.opd_id},
    ).all()
    name = "name_en" if lang == "en" else "name_id"
    categories = conn.execute(text(f"SELECT code, {name} FROM category ORDER BY {name}")).all()
    return [(r[0], r[1]) for r in opds], [(r[0], r[1]) for r in categories]


def export_count(conn: Connection, resolved: Resolved) -> int:
    """How many complaints an export of this filtered set holds."""
    return int(
        conn.execute(text(f"SELECT count(*) FROM complaint c WHERE {resolved.where}"), resolved.params).scalar_one()
    )


def export_params(resolved: Resolved) -> dict[str, Any]:
    return {**resolved.params, **DEFINITIONS, "colours": json.dumps({s.value: c.value for s, c in COLOUR.items()})}


@dataclass(frozen=True)
class SheetWords:
    """What an export for people writes for codes, in the reader's language (translations from the caller)."""

    lang: str
    statuses: dict[str, str]
    colours: dict[str, str]
    channels: dict[str, str]
    yes: str
    no: str


def sheet_params(conn: Connection, resolved: Resolved, words: SheetWords) -> dict[str, Any]:
    """The parameters of ``leaders_export_sheet.sql``: the export's, and the names it writes beside codes."""
    name = "name_en" if words.lang == "en" else "name_id"
    categories = {code: label for code, label in conn.execute(text(f"SELECT code, {name} FROM category"))}
    return {
        **export_params(resolved),
        "status_names": json.dumps(words.statuses),
        "colour_names": json.dumps(words.colours),
        "channel_names": json.dumps(words.channels),
        "category_names": json.dumps(categories),
        "yes": words.yes,
        "no": words.no,
    }


def iter_export(conn: Connection, resolved: Resolved, geojson: bool = False, batch: int = 2000) -> Iterator[Any]:
    """The export rows (or GeoJSON feature texts), ``batch`` at a time through a server-side cursor."""
    statement = _statement("leaders_export_geojson" if geojson else "leaders_export", resolved.where)
    result = conn.execution_options(stream_results=True, yield_per=batch).execute(statement, export_params(resolved))
    yield from result


def sheet_columns(conn: Connection, resolved: Resolved, words: SheetWords) -> list[str]:
    """The column names of the export for people (the executor stops at LIMIT 0 before reading a row)."""
    query = f"SELECT * FROM ({_sql('leaders_export_sheet', resolved.where)}) s LIMIT 0"
    return list(conn.execute(text(query), sheet_params(conn, resolved, words)).keys())


def iter_sheet(conn: Connection, resolved: Resolved, words: SheetWords, batch: int = 2000) -> Iterator[Any]:
    """The rows of the export for people, ``batch`` at a time through a server-side cursor."""
    statement = _statement("leaders_export_sheet", resolved.where)
    params = sheet_params(conn, resolved, words)
    yield from conn.execution_options(stream_results=True, yield_per=batch).execute(statement, params)


def copy_csv(conn: Connection, resolved: Resolved, words: SheetWords) -> Iterator[bytes]:
    """The export for people as CSV rows (no header line), straight from PostgreSQL's COPY, chunk by chunk."""
    sheet = _sql("leaders_export_sheet", resolved.where)
    query = re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", sheet.replace("%", "%%"))
    params = sheet_params(conn, resolved, words)
    # Timestamps as 2025-04-30 10:00:00 whatever the server's default style.
    conn.execute(text("SET LOCAL datestyle = 'ISO, YMD'"))
    raw = conn.connection.driver_connection
    assert raw is not None
    # PostgreSQL sends a message per row; hand them on in blocks of about 256 kB.
    block = bytearray()
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", params) as copy,
    ):
        for chunk in copy:
            block += chunk
            if len(block) >= BLOCK_BYTES:
                yield bytes(block)
                block.clear()
    if block:
        yield bytes(block)


def rebuild_rollups(conn: Connection) -> int:
    """Recompute the leaders' rollups from the complaints (``flask --app app rollup rebuild``); returns the closed
    complaints they hold. Writers wait meanwhile (the complaints are locked in share mode)."""
    conn.execute(text("SET LOCAL statement_timeout = 0"))
    conn.execute(text("SELECT pantau_rollup_rebuild()"))
    return int(conn.execute(text("SELECT coalesce(sum(reports), 0) FROM leaders_rollup")).scalar_one())
