"""What the wall screen reads: markers within budget, counts, panels, changes since a version, cards, photos."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image
from sqlalchemy import Connection, Engine, text

from db import wall
from db.complaints import Actor, NewComplaint, create_complaint, transition
from db.engine import data_version
from db.map_rows import AreaStat, Marker, rank
from db.status import COLOUR, Status
from geo.figures import TRACE, marker_columns, troubled, wall_figure
from photos.store import get_store
from photos.upload import save_photo
from tests.conftest import inside
from tests.integration.staff import site_photo

KEL = "3671011001"  # a kelurahan of Kota Tangerang, kecamatan 367101
FIELD = Actor(role="field")


def _jpeg(shade: int = 90) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (shade, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def _new(conn: Connection, code: str = KEL, **overrides: object) -> int:
    lat, lon = inside(conn, code)
    values: dict[str, object] = {"category": "sampah", "description": f"Sampah menumpuk {code}", "lat": lat, "lon": lon}
    values.update(overrides)
    return create_complaint(conn, NewComplaint(**values)).id  # type: ignore[arg-type]


def _finish(conn: Connection, complaint_id: int, shade: int = 90) -> None:
    transition(conn, complaint_id, "verify")
    transition(conn, complaint_id, "forward", reason="urusan dinas", kota="3671")
    save_photo(
        conn,
        get_store(),
        complaint_id,
        site_photo(conn, complaint_id, colour=(shade, 0, 0)),
        "completion",
        FIELD,
        10_000_000,
    )
    transition(conn, complaint_id, "complete", FIELD)


def _db_colour_counts(conn: Connection) -> dict[str, int]:
    counts = {"red": 0, "yellow": 0, "green": 0, "grey": 0}
    for status, n in conn.execute(text("SELECT status, count(*) FROM complaint GROUP BY status")):
        counts[COLOUR[Status(status)].value] += n
    return counts


def test_markers_counts_and_panels_follow_the_statuses(conn: Connection) -> None:
    everything = wall.resolve(conn, wall.WallArea())
    red = _new(conn)
    yellow = _new(conn, description="Saluran tersumbat")
    transition(conn, yellow, "forward", reason="dinas", kota="3671")
    green = _new(conn, description="Lampu jalan mati")
    _finish(conn, green)
    grey = _new(conn, description="Laporan iseng")
    transition(conn, grey, "reject", reason="bukan pengaduan")

    colours = {m.id: COLOUR[Status(m.status)].value for m in wall.markers(conn, everything)}
    assert {colours[red], colours[yellow], colours[green], colours[grey]} == {"red", "yellow", "green", "grey"}
    assert colours[red] == "red" and colours[yellow] == "yellow" and colours[green] == "green"

    counts = wall.colour_counts(conn, everything)
    assert {k: counts[k] for k in ("red", "yellow", "green", "grey")} == _db_colour_counts(conn)

    newest, finished = wall.newest(conn, everything), wall.finished(conn, everything)
    assert [e.id for e in newest][:2] == [yellow, red]  # open only, newest first
    assert finished[0].id == green and finished[0].completion_photo is not None


def test_the_kept_status_counts_equal_a_fresh_count_through_every_kind_of_change(conn: Connection) -> None:
    # The legend reads counts that statement triggers keep (migration 0009); they must always equal
    # a count of the complaints themselves, for the whole map, a kota and a kecamatan.
    def fresh(scope: str) -> dict[str, int]:
        rows = conn.execute(text(f"SELECT status, count(*) FROM complaint c WHERE {scope} GROUP BY status")).all()
        counts = {"red": 0, "yellow": 0, "green": 0, "grey": 0}
        for status, n in rows:
            counts[COLOUR[Status(status)].value] += n
        return counts

    tangerang = conn.execute(text("SELECT id FROM area WHERE code = '3671'")).scalar_one()
    kecamatan = conn.execute(text("SELECT id FROM area WHERE code = '367101'")).scalar_one()
    scopes = {
        wall.WallArea(): "true",
        wall.WallArea(kota="3671"): f"c.jurisdiction_id = {tangerang}",
        wall.WallArea(kecamatan="367101"): f"c.kecamatan_id = {kecamatan}",
    }

    def check() -> None:
        for scope, where in scopes.items():
            kept = wall.colour_counts(conn, wall.resolve(conn, scope))
            assert {k: kept[k] for k in ("red", "yellow", "green", "grey")} == fresh(where), scope

    check()
    one = _new(conn)  # an insert
    two = _new(conn, code="3674011001", description="Sampah di Tangsel")
    _new(conn, lat=-6.2088, lon=106.8456, description="Sampah di Jakarta")  # outside every boundary
    check()
    transition(conn, one, "forward", reason="dinas", kota="3671")  # a status change
    _finish(conn, two)
    check()
    # A move to another kecamatan and city, several rows in one statement, then a delete.
    conn.execute(
        text(
            "UPDATE complaint SET kelurahan_id = k.id, kecamatan_id = k.parent_id, jurisdiction_id = kec.parent_id"
            "  FROM area k JOIN area kec ON kec.id = k.parent_id WHERE k.code = '3674011001' AND complaint.id = :id"
        ),
        {"id": one},
    )
    conn.execute(text("UPDATE complaint SET status = 'ditolak' WHERE id = ANY(:ids)"), {"ids": [one, two]})
    check()
    conn.execute(text("SET LOCAL session_replication_role = replica"))
    conn.execute(text("DELETE FROM complaint_event WHERE complaint_id = :id"), {"id": one})
    conn.execute(text("SET LOCAL session_replication_role = origin"))
    conn.execute(text("DELETE FROM complaint WHERE id = :id"), {"id": one})
    check()


def test_open_complaints_per_area_count_every_open_one(conn: Connection) -> None:
    everything = wall.resolve(conn, wall.WallArea())
    before = wall.area_counts(conn, "kelurahan", everything)
    for _ in range(3):
        _new(conn, description=f"Jalan rusak {_}")
    closed = _new(conn, description="Pohon tumbang")
    transition(conn, closed, "reject", reason="sudah ditangani warga")
    after = wall.area_counts(conn, "kelurahan", everything)
    assert after[KEL] == before.get(KEL, 0) + 3
    kecamatan = wall.area_counts(conn, "kecamatan", everything)
    assert kecamatan["367101"] >= 3
    kel_id = conn.execute(text("SELECT id FROM area WHERE code = :c"), {"c": KEL}).scalar_one()
    assert wall.area_counts(conn, "kelurahan", everything, [kel_id]) == {KEL: after[KEL]}


def test_areas_count_their_overdue_reports_and_the_most_troubled_are_named(conn: Connection) -> None:
    everything = wall.resolve(conn, wall.WallArea())
    before = wall.area_stats(conn, "kecamatan", everything)["367101"]
    late = [_new(conn, description=f"Jalan amblas {i}") for i in range(2)]
    _new(conn, description="Aspal retak")
    conn.execute(text("UPDATE complaint SET due_at = now() - interval '1 day' WHERE id = ANY(:ids)"), {"ids": late})
    stats = wall.area_stats(conn, "kecamatan", everything)
    assert stats["367101"] == AreaStat(before.open + 3, before.overdue + 2)
    layer = wall.boundaries(conn, "kecamatan", everything)
    named = troubled(layer.names, stats)
    assert all("label" not in f["properties"] for f in layer.geojson["features"])  # not sent to the browser
    assert named and named[0]["overdue"] == max(s.overdue for s in stats.values())
    assert all(area["overdue"] > 0 for area in named) and len(named) <= 5
    where = named[0]
    point = conn.execute(
        text("SELECT ST_Covers(geom, ST_SetSRID(ST_Point(:lon, :lat), 4326)) FROM area WHERE code = :c"),
        {"lon": where["lon"], "lat": where["lat"], "c": where["code"]},
    ).scalar_one()
    assert point  # the name is written inside its area


def test_the_marker_budget_keeps_the_newest_open_complaints(conn: Connection, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = [_new(conn, description=f"Genangan air nomor {i}") for i in range(5)]
    monkeypatch.setattr(wall, "OPEN_BUDGET", 2)
    drawn = [m.id for m in wall.markers(conn, wall.resolve(conn, wall.WallArea())) if Status(m.status) == Status.BARU]
    assert drawn == [ids[-1], ids[-2]]


def test_a_scope_keeps_one_kecamatan_and_unknown_codes_are_refused(conn: Connection) -> None:
    inside = _new(conn)
    elsewhere = _new(conn, code="3674011001", description="Sampah di Tangsel")
    one = wall.resolve(conn, wall.WallArea(kecamatan="367101"))
    drawn = {m.id for m in wall.markers(conn, one)}
    assert inside in drawn and elsewhere not in drawn
    kelurahan = wall.boundaries(conn, "kelurahan", one).geojson["features"]
    assert kelurahan and all(f["id"].startswith("367101") for f in kelurahan)
    assert [f["id"] for f in wall.boundaries(conn, "kecamatan", one).geojson["features"]] == ["367101"]
    kota = wall.resolve(conn, wall.WallArea(kota="3674"))
    assert {f["id"][:4] for f in wall.boundaries(conn, "kecamatan", kota).geojson["features"]} == {"3674"}
    with pytest.raises(wall.UnknownArea):
        wall.resolve(conn, wall.WallArea(kecamatan="999999"))


def test_boundaries_cover_every_loaded_area(conn: Connection) -> None:
    everything = wall.resolve(conn, wall.WallArea())
    for level in ("kecamatan", "kelurahan"):
        layer = wall.boundaries(conn, level, everything)
        loaded = conn.execute(text("SELECT count(*) FROM area WHERE level = :l"), {"l": level}).scalar_one()
        assert len(layer.geojson["features"]) == loaded
        assert layer.bounds is not None and layer.bounds.west < layer.bounds.east


def test_changes_since_a_version_are_what_was_committed_after_it(engine: Engine, committed: list[int]) -> None:
    everything = wall.Resolved("all")
    with engine.connect() as c:
        seen = data_version(c)
    with engine.begin() as c:
        first = _new(c, description="Jalan berlubang baru")
        committed.append(first)
    with engine.begin() as c:
        transition(c, first, "verify")
        second = _new(c, code="3674011001", description="Banjir di Tangsel")
        committed.append(second)
    with engine.connect() as c:
        now = data_version(c)
        changed = wall.changes(c, seen, now, everything).entries
        scoped = wall.changes(c, seen, now, wall.resolve(c, wall.WallArea(kota="3671"))).entries
        nothing = wall.changes(c, now, now, everything).entries
    assert [e.id for e in changed] == [first, second]  # each complaint once, in its latest state
    assert changed[0].marker.status == "terverifikasi"
    assert changed[0].marker.rank > rank(0, True)
    assert {e.id: e.marker.shown for e in scoped} == {first: True, second: False}
    assert nothing == []


def test_a_confidential_complaint_is_counted_but_has_no_marker_panel_entry_or_card(conn: Connection) -> None:
    everything = wall.resolve(conn, wall.WallArea())
    before = wall.colour_counts(conn, everything)["red"]
    secret = _new(conn, description="Laporan rahasia tentang pungli", confidential=True)
    save_photo(conn, get_store(), secret, _jpeg(30), "report", Actor(role="public"), 10_000_000)
    open_one = _new(conn, description="Jalan rusak dekat pasar")
    save_photo(conn, get_store(), open_one, _jpeg(60), "report", Actor(role="public"), 10_000_000)
    assert wall.colour_counts(conn, everything)["red"] == before + 2
    assert wall.card(conn, secret, everything) is None
    shown = wall.card(conn, open_one, everything)
    assert shown is not None and shown["description"] == "Jalan rusak dekat pasar" and shown["report_photo"]
    assert "reporter_name" not in shown and "reporter_contact" not in shown
    drawn = {m.id for m in wall.markers(conn, everything)}
    assert open_one in drawn and secret not in drawn
    panel = {e.id for e in wall.newest(conn, everything, n=50)}
    assert open_one in panel and secret not in panel


def test_photos_are_served_with_their_type_and_never_for_confidential_complaints(
    engine: Engine, committed: list[int], client
) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        public = _new(c, description="Trotoar rusak parah")
        secret = _new(c, description="Rahasia", confidential=True)
        committed += [public, secret]
        shown = save_photo(c, get_store(), public, _jpeg(120), "report", Actor(role="public"), 10_000_000)
        hidden = save_photo(c, get_store(), secret, _jpeg(10), "report", Actor(role="public"), 10_000_000)
    for path in (f"/photos/{shown.id}", f"/photos/{shown.id}/thumb"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.mimetype == "image/jpeg" and response.data[:2] == b"\xff\xd8"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "max-age=31536000" in response.headers["Cache-Control"]
    assert client.get(f"/photos/{hidden.id}").status_code == 404
    assert client.get(f"/photos/{hidden.id}/thumb").status_code == 404
    assert client.get("/photos/987654321").status_code == 404


def test_the_figure_puts_each_marker_in_its_colour_trace_and_stays_offline() -> None:
    markers = [
        Marker(1, "baru", rank(3, False), -6.2, 106.6),
        Marker(2, "dikerjakan", rank(4, True), -6.21, 106.61, overdue=True),
        Marker(3, "selesai", rank(5, False), -6.22, 106.62),
        Marker(4, "ditolak", rank(6, False), -6.23, 106.63),
        Marker(5, "baru", rank(7, False), -6.24, 106.64, shown=False),
    ]
    columns = marker_columns(markers)
    assert columns["red"]["customdata"] == [[1, 6]]
    assert columns["yellow"]["customdata"] == [[2, 9]] and columns["halo"]["customdata"] == [[2, 9]]
    assert columns["core"]["customdata"] == [[2, 9]]  # the yellow marker is a ring: a dot with a hole
    assert columns["green"]["customdata"] == [[3, 10]] and columns["grey"]["customdata"] == [[4, 12]]
    assert columns["gone"]["customdata"] == [[5, 14]]
    empty = {"type": "FeatureCollection", "features": []}
    figure = wall_figure(
        level="kecamatan",
        shaded=empty,
        other=empty,
        stats={},
        markers=markers,
        theme="dark",
        hovertemplate="%{z}",
        bounds=None,
    )
    assert [t["uid"] for t in figure["data"]] == list(TRACE)
    assert figure["data"][TRACE["grey"]]["visible"] is False
    style = json.dumps(figure["layout"]["map"]["style"])
    assert "glyphs" not in style and "http" not in style and figure["layout"]["uirevision"]


def test_the_card_shows_reminders_and_escalations_of_overdue_work_but_never_a_confidential_report(
    conn: Connection,
) -> None:
    from datetime import UTC, datetime, timedelta

    from db.chase import chase
    from layouts.live import card_body

    def text_of(components: object) -> str:
        return json.dumps(components, default=lambda c: c.to_plotly_json(), ensure_ascii=False)

    everything = wall.resolve(conn, wall.WallArea())
    long_ago = datetime.now(UTC) - timedelta(days=12)
    late = _new(conn, description="Sampah belum diangkut", created_at=long_ago)
    secret = _new(conn, description="Laporan rahasia lama", created_at=long_ago, confidential=True)
    on_time = _new(conn, description="Baru saja")
    chased = {(c.tracking_code, c.kind) for c in chase(conn, escalate_days=2)}
    codes = dict(
        conn.execute(
            text("SELECT id, tracking_code FROM complaint WHERE id IN (:a, :b)"), {"a": late, "b": secret}
        ).all()
    )
    assert (codes[late], "reminder") in chased and (codes[secret], "reminder") in chased

    card = wall.card(conn, late, everything)
    assert card is not None and {(c["stage"], c["kind"]) for c in card["chases"]} == {
        ("verify", "reminder"),
        ("complete", "reminder"),
    }
    shown = text_of(card_body(card, "id"))
    assert "Dikejar" in shown and "Diingatkan" in shown and "verifikasi" in shown and "penyelesaian" in shown
    # Escalated once the reminder is two working days old and the stage still overdue.
    conn.execute(text("UPDATE complaint_chase SET at = at - interval '10 days' WHERE complaint_id = :i"), {"i": late})
    chase(conn, escalate_days=2)
    shown = text_of(card_body(wall.card(conn, late, everything), "en"))
    assert "Escalated" in shown and "Reminded" in shown and "verification" in shown
    # A report within its targets shows nothing chased; a confidential one, chased or not, has no card at all.
    assert "Chased" not in text_of(card_body(wall.card(conn, on_time, everything), "en"))
    assert wall.card(conn, secret, everything) is None
