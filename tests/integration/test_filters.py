"""The dashboard's filter parameters: one parser for the page URL and the exports, round-tripping through the URL."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from sqlalchemy import Connection

from db.filters import FilterError, Filters, Scope, ScopeError, from_controls, parse_filters, resolve


def _from_url(url: str) -> Filters:
    """What the page does on load: the query string, as Dash hands it to layout(**query)."""
    query = {k: v[0] if len(v) == 1 else v for k, v in parse_qs(urlparse(url).query).items()}
    return parse_filters(query)


def test_every_filter_round_trips_through_the_url() -> None:
    chosen = from_controls(
        kota="3671",
        kecamatan="367101",
        kelurahan="3671011001",
        opd="3671.DBMSDA",
        category="jalan_rusak",
        status=["red", "yellow"],
        channel="sms",
        period="custom",
        start="2025-04-28",
        end="2025-05-09T00:00:00",
    )
    url = "/pimpinan?" + urlencode(parse_filters(chosen).to_query())
    assert _from_url(url) == Filters(
        kota="3671",
        kecamatan="367101",
        kelurahan="3671011001",
        opd="3671.DBMSDA",
        category="jalan_rusak",
        status=("red", "yellow"),
        channel="sms",
        date_from=date(2025, 4, 28),
        date_to=date(2025, 5, 9),
    )
    # And back again: the same URL, so a bookmark stays the same bookmark.
    assert "/pimpinan?" + urlencode(_from_url(url).to_query()) == url


def test_a_preset_period_stays_relative_in_the_url() -> None:
    filters = parse_filters(from_controls(None, None, None, None, None, [], None, "7d", "2025-01-01", "2025-01-07"))
    assert filters.to_query() == {"period": "7d"}
    assert filters.date_range(date(2026, 3, 10)) == (date(2026, 3, 4), date(2026, 3, 10))
    assert parse_filters({"period": "month"}).date_range(date(2026, 3, 10)) == (date(2026, 3, 1), date(2026, 3, 10))
    assert parse_filters({"period": "year"}).date_range(date(2026, 3, 10)) == (date(2026, 1, 1), date(2026, 3, 10))
    assert parse_filters({"period": "today"}).date_range(date(2026, 3, 10)) == (date(2026, 3, 10), date(2026, 3, 10))
    # Explicit dates win over a preset.
    assert parse_filters({"period": "7d", "from": "2026-01-01"}).period is None


def test_status_colours_and_statuses_expand_to_statuses() -> None:
    assert parse_filters({"status": "red"}).statuses() == ["baru", "terverifikasi", "luar_wilayah", "gagal_diteruskan"]
    assert parse_filters({"status": "green,ditolak"}).statuses() == ["selesai", "ditolak"]


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"kecamatan": "3671"}, "kecamatan"),
        ({"kelurahan": "'; DROP TABLE complaint; --"}, "kelurahan"),
        ({"status": "purple"}, "status"),
        ({"channel": "pigeon"}, "channel"),
        ({"from": "23-11-2026"}, "from"),
        ({"from": "2026-02-01", "to": "2026-01-01"}, "to"),
        ({"period": "decade"}, "period"),
    ],
)
def test_bad_parameters_are_refused_with_their_name(params: dict[str, str], param: str) -> None:
    with pytest.raises(FilterError) as refused:
        parse_filters(params)
    assert refused.value.param == param


def test_unknown_codes_and_areas_outside_the_scope_are_refused(conn: Connection) -> None:
    with pytest.raises(FilterError):
        resolve(conn, parse_filters({"kecamatan": "999999"}), Scope())
    with pytest.raises(FilterError):
        resolve(conn, parse_filters({"opd": "3671.NOPE"}), Scope())
    with pytest.raises(FilterError):
        resolve(conn, parse_filters({"kota": "9999"}), Scope())
    chain = resolve(conn, parse_filters({"kota": "3671", "kecamatan": "367101", "kelurahan": "3671011001"}), Scope())
    assert set(chain.params) == {"kota_id", "kecamatan_id", "kelurahan_id", "kecamatan_keys"}
    tangerang = resolve(conn, parse_filters({"kecamatan": "367101"}), Scope()).params["kecamatan_id"]
    assert chain.params["kecamatan_keys"] == [tangerang]
    limited = Scope(kecamatan_ids=(tangerang,))
    assert resolve(conn, parse_filters({"kelurahan": "3671011001"}), limited).params["scope_kecamatan_ids"] == [
        tangerang
    ]
    with pytest.raises(ScopeError):
        resolve(conn, parse_filters({"kecamatan": "367102"}), limited)
    with pytest.raises(ScopeError):
        resolve(conn, parse_filters({"kelurahan": "3671021001"}), limited)
