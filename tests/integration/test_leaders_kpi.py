"""The leaders' KPIs against hand-computed fixtures (working days across a holiday and a weekend)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import Connection, text

from db.filters import Scope, parse_filters, resolve
from db.leaders import RANK_MIN_REPORTS, dashboard
from layouts._pimpinan_wiring import request_body
from tests.integration.leaders_data import FIXTURE_WEEK, KELURAHAN, add, add_week


def figures(conn: Connection, scope: Scope | None = None, **params: str):  # type: ignore[no-untyped-def]
    return dashboard(conn, resolve(conn, parse_filters({**FIXTURE_WEEK, **params}), scope or Scope()))


def test_kpis_of_the_filtered_set_match_the_hand_computed_values(conn: Connection) -> None:
    add_week(conn)
    k = figures(conn).kpis
    assert (k.reports, k.followed_up, k.finished, k.on_time, k.open, k.overdue) == (6, 5, 3, 2, 2, 2)
    assert k.followed_up_share == pytest.approx(5 / 6)
    assert k.finished_share == pytest.approx(0.5)
    assert k.on_time_share == pytest.approx(2 / 3)
    # Responses 0, 0.25, 0.25, 1.0, 1.25: median 0.25, p90 at position 3.6 → 1.0 + 0.6 × 0.25.
    assert k.response_p50 == pytest.approx(0.25)
    assert k.response_p90 == pytest.approx(1.15)
    # Completions 2.0, 2.25, 3.5: median 2.25, p90 at position 1.8 → 2.25 + 0.8 × 1.25.
    assert k.completion_p50 == pytest.approx(2.25)
    assert k.completion_p90 == pytest.approx(3.25)


def test_kpis_per_opd_and_the_other_groupings(conn: Connection) -> None:
    add_week(conn)
    d = figures(conn)
    by_opd = {g.code: g.kpis for g in d.by_opd}
    assert set(by_opd) == {"3671.DBMSDA", "3671.BPBD"}
    assert (by_opd["3671.DBMSDA"].reports, by_opd["3671.DBMSDA"].completion_p50) == (2, pytest.approx(2.125))
    assert (by_opd["3671.BPBD"].reports, by_opd["3671.BPBD"].open, by_opd["3671.BPBD"].overdue) == (4, 2, 2)
    assert [(g.code, g.kpis.reports) for g in d.by_kecamatan] == [("367101", 6)]
    assert {g.code: g.kpis.reports for g in d.by_category} == {"jalan_rusak": 5, "bencana": 1}
    assert d.map_counts == {"367101": 6}
    # Reports per day and status: one each, on the WIB day they came in.
    assert (date(2025, 5, 3), "selesai", 1) in d.per_day
    assert sum(n for _, _, n in d.per_day) == 6


def test_filters_narrow_the_kpis(conn: Connection) -> None:
    add_week(conn)
    assert figures(conn, status="red").kpis.reports == 1
    assert figures(conn, status="green,grey").kpis.reports == 4
    assert figures(conn, channel="sms").kpis.reports == 1
    assert figures(conn, category="bencana").kpis.completion_p50 == pytest.approx(3.5)
    assert figures(conn, opd="3671.DBMSDA").kpis.reports == 2
    assert figures(conn, **{"from": "2025-05-03", "to": "2025-05-04"}).kpis.reports == 1
    assert figures(conn, kecamatan="367102").kpis.reports == 0
    # Days are WIB days: 05:00 WIB on the 8th is still the 7th in UTC.
    add(conn, "FX-EARLY", "baru", "2025-05-08 05:00+07")
    assert figures(conn, **{"from": "2025-05-08", "to": "2025-05-08"}).kpis.reports == 1
    assert figures(conn, **{"from": "2025-05-07", "to": "2025-05-07"}).kpis.reports == 1


def test_reports_outside_every_boundary_count_city_wide_but_in_no_area(conn: Connection) -> None:
    add_week(conn)
    conn.execute(
        text(
            "INSERT INTO complaint (tracking_code, geom, description, category_id, channel, status, created_at, due_at)"
            " SELECT 'FX-OUT', ST_SetSRID(ST_MakePoint(106.8456, -6.2088), 4326), 'fixture', id, 'web',"
            "        'luar_wilayah', '2025-05-06 09:00+07', '2025-05-15 09:00+07' FROM category WHERE code = 'sampah'"
        )
    )
    assert figures(conn).kpis.reports == 7
    assert figures(conn, category="sampah").kpis.reports == 1
    assert figures(conn, kota="3671").kpis.reports == 6
    assert figures(conn, kecamatan="367101").kpis.reports == 6


def test_working_day_clock_agrees_with_the_reference_function(conn: Connection) -> None:
    # Random pairs over 2025, a year with long Idul Fitri leave; the reference walks the days one by one.
    rows = conn.execute(
        text(
            """
            WITH pairs AS (
              SELECT a, a + random() * interval '40 days' AS b
                FROM (SELECT timestamptz '2025-01-01 00:00+07' + random() * interval '330 days' AS a
                        FROM generate_series(1, 400)) s
            ), cal AS (SELECT DATE '2024-12-01' AS lo, pantau_work_calendar(DATE '2024-12-01', DATE '2026-03-01') AS cum)
            SELECT pantau_working_days_between(a, b) AS expected,
                   pantau_work_clock(b, cum, lo) - pantau_work_clock(a, cum, lo) AS got
              FROM pairs, cal
            """
        )
    ).all()
    assert all(r.got == pytest.approx(r.expected, abs=1e-9) for r in rows)


def test_the_working_day_calendar_agrees_with_the_day_by_day_walk(conn: Connection) -> None:
    # Due times and elapsed working days come from the calendar table; the *_scan functions walk
    # the days one by one. Random moments over 2024-2026 (Idul Fitri leave, Christmas, weekends),
    # including a holiday added inside this transaction, which the calendar must follow.
    conn.execute(text("INSERT INTO holiday (day, name) VALUES ('2026-03-04', 'test holiday')"))
    rows = conn.execute(
        text(
            """
            SELECT pantau_add_working_days(a, n) AS due, pantau_add_working_days_scan(a, n) AS due_scan,
                   pantau_working_days_between(a, b) AS days, pantau_working_days_between_scan(a, b) AS days_scan
              FROM (SELECT a, a + random() * interval '40 days' AS b, 1 + floor(random() * 14)::integer AS n
                      FROM (SELECT timestamptz '2024-01-01 00:00+07' + random() * interval '1000 days' AS a
                              FROM generate_series(1, 2000)) s) pairs
            """
        )
    ).all()
    assert all(r.due == r.due_scan for r in rows)
    assert all(r.days == pytest.approx(r.days_scan, abs=1e-9) for r in rows)
    # Wednesday 4 March 2026 is now a holiday: one working day from Tuesday 10:00 is Thursday 10:00.
    due = conn.execute(text("SELECT pantau_add_working_days(timestamptz '2026-03-03 10:00+07', 1)")).scalar_one()
    assert due.isoformat().startswith("2026-03-05T03:00")


def test_one_report_does_not_make_a_champion(conn: Connection) -> None:
    # A lone report finished in 2 hours, beside two agencies with enough reports to be ranked.
    add(
        conn,
        "FX-LONE",
        "selesai",
        "2025-05-05 08:00+07",
        "2025-05-05 09:00+07",
        "2025-05-05 10:00+07",
        opd="3671.DISHUB",
    )
    for i in range(RANK_MIN_REPORTS):
        add(conn, f"FX-Q{i}", "selesai", "2025-05-05 08:00+07", "2025-05-05 09:00+07", "2025-05-06 08:00+07")
        add(
            conn,
            f"FX-S{i}",
            "selesai",
            "2025-05-05 08:00+07",
            "2025-05-05 09:00+07",
            "2025-05-08 08:00+07",
            opd="3671.BPBD",
        )
    d = figures(conn)
    flags = {g.code: (g.ranked, g.fastest, g.slowest) for g in d.by_opd}
    assert flags == {
        "3671.DISHUB": (False, False, False),
        "3671.DBMSDA": (True, True, False),
        "3671.BPBD": (True, False, True),
    }


def test_a_limited_leader_sees_only_their_kecamatan(conn: Connection) -> None:
    add_week(conn)
    add(conn, "FX-OTHER", "baru", "2025-05-06 09:00+07", kelurahan="3671021001")
    tangerang = conn.execute(text("SELECT id FROM area WHERE code = '367101'")).scalar_one()
    everyone = figures(conn).kpis.reports
    limited = figures(conn, scope=Scope(kecamatan_ids=(tangerang,))).kpis.reports
    assert (everyone, limited) == (7, 6)


def test_percentiles_are_within_half_a_hundredth_of_a_working_day_of_the_exact_ones(conn: Connection) -> None:
    # 400 reports around Idul Fitri 2025 (a week of holidays and leave), answered and finished at random.
    conn.execute(text("SELECT setseed(0.42)"))
    conn.execute(
        text(
            """
            INSERT INTO complaint (tracking_code, description, category_id, channel, status, kelurahan_id, kecamatan_id,
                                   jurisdiction_id, opd_id, created_at, first_response_at, completed_at, due_at)
            SELECT 'RND-' || i, 'fixture', cat.id, 'web', 'selesai', kel.id, kel.parent_id, kec.parent_id, o.id,
                   t, t + random() * interval '4 days', t + random() * interval '20 days', t + interval '7 days'
              FROM generate_series(1, 400) i
             CROSS JOIN LATERAL (SELECT timestamptz '2025-03-20 00:00+07' + random() * interval '20 days' + i * interval '0 s' AS t) s,
                   area kel JOIN area kec ON kec.id = kel.parent_id, category cat, opd o
             WHERE kel.code = :kel AND cat.code = 'sampah' AND o.code IN ('3671.DKP', '3671.BPBD')
               AND (o.code = '3671.DKP') = (i % 3 > 0)
            """
        ),
        {"kel": KELURAHAN},
    )
    exact = {
        r.opd: (r.response, r.completion)
        for r in conn.execute(
            text(
                """
                SELECT coalesce(o.code, 'all') AS opd,
                       percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY pantau_working_days_between(c.created_at, c.first_response_at)) AS response,
                       percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY pantau_working_days_between(c.created_at, c.completed_at)) AS completion
                  FROM complaint c JOIN opd o ON o.id = c.opd_id
                 WHERE c.tracking_code LIKE 'RND-%'
                 GROUP BY GROUPING SETS ((), (o.code))
                """
            )
        )
    }
    d = figures(conn, **{"from": "2025-03-20", "to": "2025-04-10"})
    got = {g.code: g.kpis for g in d.by_opd} | {"all": d.kpis}
    assert got["all"].reports == 400
    for opd, (response, completion) in exact.items():
        k = got[opd]
        assert [k.response_p50, k.response_p90] == pytest.approx(response, abs=0.0051)
        assert [k.completion_p50, k.completion_p90] == pytest.approx(completion, abs=0.0051)


def callback_body(lang: str = "en", **values: object) -> dict[str, object]:
    """The request the browser sends to /_dash-update-component when a filter changes."""
    return request_body(lang, **values)


def kpi_values(response: dict) -> dict[str, str]:  # type: ignore[type-arg]
    cards = response["response"]["pim-kpis"]["children"]
    return {
        part["props"]["id"]: part["props"]["children"]
        for card in cards
        for part in card["props"]["children"]
        if part["props"].get("id", "").startswith("pim-kpi-") and not part["props"]["id"].endswith(("-label", "-note"))
    }


def test_a_limited_leader_cannot_see_another_kecamatan_through_the_page(client, engine, committed) -> None:  # type: ignore[no-untyped-def]
    from db.accounts import create_user

    with engine.begin() as c:
        ids = [
            add(c, "PG-MINE", "baru", "2025-05-06 09:00+07"),
            add(c, "PG-OTHER", "baru", "2025-05-06 09:00+07", kelurahan="3671021001"),
        ]
        committed.extend(ids)
        if not c.execute(text("SELECT 1 FROM app_user WHERE username = 'page-camat'")).first():
            create_user(c, "page-camat", "rahasia-123", "leader", None, ["367101"])
    token = client.post("/api/v1/auth/token", json={"username": "page-camat", "password": "rahasia-123"}).get_json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    week = {"pim-period": "custom", "pim-dates.start_date": "2025-05-06", "pim-dates.end_date": "2025-05-06"}

    own = client.post("/_dash-update-component", json=callback_body(**week), headers=headers).get_json()
    assert kpi_values(own)["pim-kpi-reports"] == "1"
    assert [r["code"] for r in own["response"]["pim-rows"]["data"]["kecamatan"]] == ["367101"]

    # Asking for the neighbour's kecamatan, as a forged request would, shows nothing of it.
    other = client.post(
        "/_dash-update-component", json=callback_body(**week, **{"pim-kecamatan": "367102"}), headers=headers
    ).get_json()["response"]
    assert other["pim-error"]["children"] == "Your account may not see this area or agency."
    assert other["pim-kpis"]["children"] == [] and other["pim-rows"]["data"] is None
    assert "PG-OTHER" not in json.dumps(other)

    # A field supervisor's account gets no figures at all.
    with engine.begin() as c:
        if not c.execute(text("SELECT 1 FROM app_user WHERE username = 'page-field'")).first():
            create_user(c, "page-field", "rahasia-123", "field")
    token = client.post("/api/v1/auth/token", json={"username": "page-field", "password": "rahasia-123"}).get_json()
    field = client.post(
        "/_dash-update-component",
        json=callback_body(**week),
        headers={"Authorization": f"Bearer {token['access_token']}"},
    ).get_json()["response"]
    assert field["pim-kpis"]["children"] == [] and field["pim-error"]["children"]


def test_a_holiday_added_later_corrects_the_stored_working_days(conn: Connection) -> None:
    # Mon 2025-06-16 09:00 → Wed 2025-06-18 09:00: two working days, until the Monday becomes a holiday.
    complaint = add(conn, "FX-HOL", "selesai", "2025-06-16 09:00+07", "2025-06-18 09:00+07", "2025-06-18 09:00+07")

    def stored() -> tuple[float, float]:
        row = conn.execute(
            text("SELECT response_working_days, completion_working_days FROM complaint WHERE id = :id"),
            {"id": complaint},
        ).one()
        return row[0], row[1]

    assert stored() == (pytest.approx(2.0), pytest.approx(2.0))
    conn.execute(text("INSERT INTO holiday (day, name) VALUES ('2025-06-16', 'test holiday')"))
    # Now the Monday counts for nothing: Tuesday, and 9 hours of Wednesday.
    assert stored() == (pytest.approx(1 + 9 / 24), pytest.approx(1 + 9 / 24))
    conn.execute(text("DELETE FROM holiday WHERE day = '2025-06-16'"))
    assert stored() == (pytest.approx(2.0), pytest.approx(2.0))
