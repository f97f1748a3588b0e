"""The filter parameters shared by the leaders' page URL and the export API: one parser, one validator.

Parameters (all optional; anything else in the query string is ignored):

- ``kota``, ``kecamatan``, ``kelurahan``: official Kemendagri codes (``3671``,
  ``367101``, ``3671011001``); ``kota`` matches the complaint's jurisdiction.
- ``opd``: an OPD code (``3671.DBMSDA``); ``category``: a category code.
- ``status``: comma-separated colours (``red``, ``yellow``, ``green``,
  ``grey``) and/or statuses (``baru``…), matched as "any of".
- ``channel``: one channel (``web``, ``app``…).
- ``from``, ``to``: WIB days ``YYYY-MM-DD``, both inclusive, from 1900-01-01
  to 2999-12-31.
- ``period``: ``today``, ``7d``, ``30d``, ``month`` or ``year``, a range ending
  today (WIB) that moves with the calendar, so a bookmarked "last 7 days"
  stays the last 7 days. ``from``/``to`` win over it.

``parse_filters`` checks the syntax; ``resolve`` checks codes against the
database and the viewer's ``Scope`` (``db/scope.py``, decided by
``services.permissions.scope_of``) and turns the filters and the scope into one SQL
WHERE clause with bound parameters, used by every dashboard query and every
export.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, text

from db.models import CHANNELS
from db.scope import BOUND_CONDITIONS, Scope
from db.status import COLOUR, Colour, Status, statuses_of

WIB = ZoneInfo("Asia/Jakarta")
PERIODS = ("today", "7d", "30d", "month", "year")
# Days a filter may name: past either end, a day in WIB plus a day or a time zone no longer fits Python's dates.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)
_COLOURS = frozenset(c.value for c in Colour)
_STATUSES = frozenset(s.value for s in Status)
_CODE_PATTERNS = {
    "kota": re.compile(r"\d{4}"),
    "kecamatan": re.compile(r"\d{6}"),
    "kelurahan": re.compile(r"\d{10}"),
    "opd": re.compile(r"[A-Za-z0-9._-]{1,32}"),
    "category": re.compile(r"[a-z0-9_]{1,32}"),
}


class FilterError(ValueError):
    """A filter parameter that cannot be used; ``param`` names it."""

    def __init__(self, param: str, message: str):
        super().__init__(f"{param}: {message}")
        self.param = param
        self.message = message


class ScopeError(PermissionError):
    """The filters ask for an area or agency outside what the viewer may see."""


@dataclass(frozen=True)
class Filters:
    kota: str | None = None
    kecamatan: str | None = None
    kelurahan: str | None = None
    opd: str | None = None
    category: str | None = None
    status: tuple[str, ...] = ()
    channel: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    period: str | None = None

    def to_query(self) -> dict[str, str]:
        """The filters as URL parameters, in a fixed order (the inverse of ``parse_filters``)."""
        out: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value in (None, ()):
                continue
            name = {"date_from": "from", "date_to": "to"}.get(f.name, f.name)
            out[name] = ",".join(value) if isinstance(value, tuple) else str(value)
        return out

    def statuses(self) -> list[str]:
        """The statuses the ``status`` parameter stands for (empty: all)."""
        wanted: set[str] = set()
        for item in self.status:
            wanted |= {s.value for s in statuses_of(item)} if item in _COLOURS else {item}
        return [s.value for s in Status if s.value in wanted]

    def date_range(self, today: date | None = None) -> tuple[date | None, date | None]:
        """The inclusive WIB days the filters cover (None: open-ended)."""
        if self.date_from or self.date_to or not self.period:
            return self.date_from, self.date_to
        today = today or datetime.now(WIB).date()
        start = {
            "today": today,
            "7d": today - timedelta(days=6),
            "30d": today - timedelta(days=29),
            "month": today.replace(day=1),
            "year": today.replace(month=1, day=1),
        }[self.period]
        return start, today


def _one(args: Mapping[str, Any], name: str) -> str | None:
    value = args.get(name)
    if isinstance(value, list | tuple):
        value = value[-1] if value else None
    value = str(value).strip() if value is not None else ""
    return value or None


def _day(args: Mapping[str, Any], name: str) -> date | None:
    value = _one(args, name)
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise FilterError(name, f"not a date (YYYY-MM-DD): {value!r}") from None
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise FilterError(name, f"{day} is outside {EARLIEST_DAY}..{LATEST_DAY}")
    return day


def from_controls(
    kota: str | None,
    kecamatan: str | None,
    kelurahan: str | None,
    opd: str | None,
    category: str | None,
    status: list[str] | None,
    channel: str | None,
    period: str | None,
    start: str | None,
    end: str | None,
) -> dict[str, str]:
    """The leaders' page filter controls' values as the URL parameters ``parse_filters`` reads."""
    query = {
        "kota": kota,
        "kecamatan": kecamatan,
        "kelurahan": kelurahan,
        "opd": opd,
        "category": category,
        "status": ",".join(status or []),
        "channel": channel,
    }
    if period == "custom":
        query.update({"from": (start or "")[:10], "to": (end or "")[:10]})
    elif period in PERIODS:
        query["period"] = period
    return {k: v for k, v in query.items() if v}


def parse_filters(args: Mapping[str, Any]) -> Filters:
    """Filters from URL parameters (a dict of str or lists of str); raises FilterError on bad syntax."""
    codes: dict[str, str | None] = {}
    for name, pattern in _CODE_PATTERNS.items():
        value = _one(args, name)
        if value is not None and not pattern.fullmatch(value):
            raise FilterError(name, f"not a valid code: {value!r}")
        codes[name] = value
    status: list[str] = []
    for item in (_one(args, "status") or "").split(","):
        item = item.strip().lower()
        if not item:
            continue
        if item not in _COLOURS and item not in _STATUSES:
            known = [c.value for c in Colour] + [s.value for s in Status]
            raise FilterError("status", f"unknown colour or status {item!r}; known: {', '.join(known)}")
        if item not in status:
            status.append(item)
    channel = _one(args, "channel")
    if channel is not None and channel not in CHANNELS:
        raise FilterError("channel", f"unknown channel {channel!r}; known: {', '.join(CHANNELS)}")
    period = _one(args, "period")
    if period is not None and period not in PERIODS:
        raise FilterError("period", f"unknown period {period!r}; known: {', '.join(PERIODS)}")
    date_from, date_to = _day(args, "from"), _day(args, "to")
    if date_from and date_to and date_from > date_to:
        raise FilterError("to", f"{date_to} is before from={date_from}")
    return Filters(
        kota=codes["kota"],
        kecamatan=codes["kecamatan"],
        kelurahan=codes["kelurahan"],
        opd=codes["opd"],
        category=codes["category"],
        status=tuple(status),
        channel=channel,
        date_from=date_from,
        date_to=date_to,
        period=None if (date_from or date_to) else period,
    )


# Every condition the filters can add, with the parameter it binds. ``c`` is the complaint.
_CONDITIONS: dict[str, str] = {
    # Always present: the kecamatan the rows may come from (0 for reports outside every boundary),
    # the leading key of complaint_leaders_idx (migration 0007), so a scan reads index ranges.
    "kecamatan_keys": "coalesce(c.kecamatan_id, 0) = ANY(:kecamatan_keys)",
    "kota_id": "c.jurisdiction_id = :kota_id",
    "kecamatan_id": "c.kecamatan_id = :kecamatan_id",
    "kelurahan_id": "c.kelurahan_id = :kelurahan_id",
    "opd_id": "c.opd_id = :opd_id",
    "category_id": "c.category_id = :category_id",
    "statuses": "c.status = ANY(:statuses)",
    "channel": "c.channel = :channel",
    "from_ts": "c.created_at >= :from_ts",
    "to_ts": "c.created_at < :to_ts",
    # The viewer's limits (db/scope.py), those that apply.
    **BOUND_CONDITIONS,
}


# The filters the rollups can answer, by the tables that answer them (their name's suffix): the city, statuses and
# days from 0020's, with a channel from 0030's, with a kecamatan, an agency or a category from 0031's; each within
# a city or province limit, and 0031's within a kecamatan or agency limit too. The first that can answer is read.
_ROLLUP_BASE = frozenset(
    {"kecamatan_keys", "kota_id", "statuses", "from_ts", "to_ts", "scope_kota_ids", "scope_nothing"}
)
ROLLUP_TABLES: dict[str, frozenset[str]] = {
    "": _ROLLUP_BASE,
    "_channel": _ROLLUP_BASE | {"channel"},
    "_detail": _ROLLUP_BASE | {"kecamatan_id", "opd_id", "category_id", "scope_kecamatan_ids", "scope_opd_id"},
}
_TIME = ("from_ts", "to_ts")


@dataclass(frozen=True)
class Resolved:
    """Filters checked against the database and the scope: a WHERE clause and its parameters."""

    filters: Filters
    scope: Scope
    params: dict[str, Any] = field(default_factory=dict)
    date_from: date | None = None
    date_to: date | None = None

    def _conditions(self, leave_out: tuple[str, ...] = ()) -> str:
        kept = [_CONDITIONS[name] for name in _CONDITIONS if name in self.params and name not in leave_out]
        return " AND ".join(kept) or "true"

    @property
    def where(self) -> str:
        return self._conditions()

    @property
    def where_besides_time(self) -> str:
        """``where`` without the period: for the days next to it, which db.leaders may take away from a month."""
        return self._conditions(_TIME)

    def rollup_tables(self) -> str | None:
        """The suffix of the rollup tables that can answer these filters (``ROLLUP_TABLES``), or None when they need
        a key no rollup keeps (a kelurahan, a channel with an area, agency or category, an assignee)."""
        return next((suffix for suffix, keys in ROLLUP_TABLES.items() if set(self.params) <= keys), None)

    def rollup_where(self) -> str:
        """The conditions besides time on the rollups of ``rollup_tables`` (for filters they can answer)."""
        # The kecamatan keys only repeat a condition that is there too (the city's, the chosen kecamatan's or the
        # viewer's limit), so the rollups, some of which have no kecamatan, need no key condition.
        return self._conditions(("kecamatan_keys", *_TIME))

    def key(self) -> str:
        """A cache key: the same key means the same rows, for the same viewer."""
        return f"{sorted(self.params.items())!r}"


_AREA_LOOKUP = text(
    "SELECT a.id, a.level, a.parent_id, "
    "CASE a.level WHEN 'kota' THEN a.id WHEN 'kecamatan' THEN a.parent_id ELSE p.parent_id END AS kota_id "
    "FROM area a LEFT JOIN area p ON p.id = a.parent_id WHERE a.code = :code"
)


def resolve(conn: Connection, filters: Filters, scope: Scope, today: date | None = None) -> Resolved:
    """Check codes and scope, and build the SQL; raises FilterError (unknown code) or ScopeError."""
    params: dict[str, Any] = {}
    for name, level in (("kota", "kota"), ("kecamatan", "kecamatan"), ("kelurahan", "kelurahan")):
        code = getattr(filters, name)
        if code is None:
            continue
        row = conn.execute(_AREA_LOOKUP, {"code": code}).first()
        if row is None or row.level != level:
            raise FilterError(name, f"no {level} with code {code!r}")
        params[f"{name}_id"] = row.id
        if scope.kecamatan_ids is not None:
            kecamatan_id = row.id if level == "kecamatan" else row.parent_id if level == "kelurahan" else None
            if kecamatan_id is not None and kecamatan_id not in scope.kecamatan_ids:
                raise ScopeError(f"{name} {code} is outside the kecamatan this account may see")
        if scope.kota_ids is not None and row.kota_id not in scope.kota_ids:
            raise ScopeError(f"{name} {code} is outside the cities this account may see")
    for name, table in (("opd", "opd"), ("category", "category")):
        code = getattr(filters, name)
        if code is None:
            continue
        found = conn.execute(text(f"SELECT id FROM {table} WHERE code = :code"), {"code": code}).scalar()
        if found is None:
            raise FilterError(name, f"no {name} with code {code!r}")
        params[f"{name}_id"] = found
    if scope.opd_id is not None and params.get("opd_id", scope.opd_id) != scope.opd_id:
        raise ScopeError(f"opd {filters.opd} is not this account's agency")
    if filters.status:
        params["statuses"] = filters.statuses()
    if filters.channel:
        params["channel"] = filters.channel
    date_from, date_to = filters.date_range(today)
    if date_from:
        params["from_ts"] = datetime.combine(date_from, time(), WIB)
    if date_to:
        params["to_ts"] = datetime.combine(date_to + timedelta(days=1), time(), WIB)
    params.update(scope.bound())
    params["kecamatan_keys"] = _kecamatan_keys(conn, params)
    return Resolved(filters, scope, params, date_from, date_to)


_KECAMATAN_KEYS = text(
    "SELECT coalesce(array_agg(kec.id ORDER BY kec.id), '{}') FROM area kec"
    " WHERE kec.level = 'kecamatan'"
    "   AND (CAST(:kecamatan_id AS integer) IS NULL OR kec.id = :kecamatan_id)"
    "   AND (CAST(:kelurahan_id AS integer) IS NULL OR kec.id = (SELECT parent_id FROM area WHERE id = :kelurahan_id))"
    "   AND (CAST(:scope AS integer[]) IS NULL OR kec.id = ANY(:scope))"
)


def _kecamatan_keys(conn: Connection, params: dict[str, Any]) -> list[int]:
    """The kecamatan ids the filtered rows may have, with 0 (no kecamatan) when no area narrows them.

    A city (``kota``) is the complaint's jurisdiction, not where it lies: a report forwarded from a kecamatan of
    one city to another city belongs to the other (like ``Scope.kota_ids``). So a city narrows the keys to the
    kecamatan (or 0) its complaints lie in, which the per-status counts (migration 0009) know as they change."""
    keys: list[int] = conn.execute(
        _KECAMATAN_KEYS,
        {
            "kecamatan_id": params.get("kecamatan_id"),
            "kelurahan_id": params.get("kelurahan_id"),
            "scope": params.get("scope_kecamatan_ids"),
        },
    ).scalar_one()
    narrowed = any(k in params for k in ("kecamatan_id", "kelurahan_id", "scope_kecamatan_ids"))
    if narrowed:
        return keys
    if "kota_id" in params:
        held = set(conn.execute(_CITY_KECAMATAN, {"kota_id": params["kota_id"]}).scalars())
        return [k for k in [*keys, 0] if k in held]
    return [*keys, 0]


_CITY_KECAMATAN = text(
    "SELECT DISTINCT kecamatan_key FROM complaint_status_count WHERE jurisdiction_key = :kota_id AND n > 0"
)


def colour_of(status: str) -> str:
    return COLOUR[Status(status)].value
