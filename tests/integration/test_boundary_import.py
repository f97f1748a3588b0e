"""Importing a city's boundary file: any CRS, repair of invalid polygons, clear errors, re-routing."""

import json
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Polygon
from sqlalchemy import Connection, text

from db.boundaries import load_boundaries
from db.complaints import NewComplaint, create_complaint, events
from geo.boundaries.reader import BoundaryFileError, read_boundaries
from settings import get_settings
from tests.conftest import inside

SHARED = get_settings().boundaries_dir


def kelurahan_frame() -> gpd.GeoDataFrame:
    return gpd.read_file(SHARED / "kota_tangerang_kelurahan.geojson")


def test_a_file_in_utm_48s_is_reprojected_and_upserted_by_code(conn: Connection, tmp_path: Path) -> None:
    source = kelurahan_frame().head(3)
    path = tmp_path / "tiga_kelurahan.gpkg"
    source.to_crs(32748).to_file(path, driver="GPKG")
    before = conn.execute(text("SELECT count(*) FROM area")).scalar()

    rows = read_boundaries(path, "kelurahan")
    report = load_boundaries(conn, rows, str(path))

    assert rows.reprojected and "32748" in rows.source_crs
    assert report.features == 3 and "reprojected from" in report.lines()[0]
    assert conn.execute(text("SELECT count(*) FROM area")).scalar() == before  # same codes: updated, not added
    drift = conn.execute(
        text("SELECT max(ST_HausdorffDistance(a.geom, ST_GeomFromText(:wkt, 4326))) FROM area a WHERE a.code = :code"),
        {"wkt": source.geometry.iloc[0].wkt, "code": source["kode_kelurahan"].iloc[0]},
    ).scalar()
    assert drift < 1e-7  # degrees: the round trip through UTM changes nothing a map could show


def test_a_self_intersecting_polygon_is_repaired_and_reported(conn: Connection, tmp_path: Path) -> None:
    bowtie = Polygon([(106.60, -6.30), (106.61, -6.31), (106.61, -6.30), (106.60, -6.31), (106.60, -6.30)])
    frame = gpd.GeoDataFrame(
        {
            "kode_kelurahan": ["3671019901"],
            "kelurahan": ["Uji Kupu-Kupu"],
            "kode_kecamatan": ["367101"],
            "kecamatan": ["Tangerang"],
            "kode_kota": ["3671"],
            "kota": ["Kota Tangerang"],
        },
        geometry=[bowtie],
        crs=4326,
    )
    path = tmp_path / "bowtie.geojson"
    frame.to_file(path, driver="GeoJSON")

    report = load_boundaries(conn, read_boundaries(path, "kelurahan"), str(path))

    assert [(code, name) for code, name, _ in report.repaired] == [("3671019901", "Uji Kupu-Kupu")]
    assert "Self-intersection" in report.repaired[0][2]
    assert any("repaired 1 invalid" in line for line in report.lines())
    valid, kind, area = conn.execute(
        text("SELECT ST_IsValid(geom), GeometryType(geom), ST_Area(geom) FROM area WHERE code = '3671019901'")
    ).one()
    assert valid and kind == "MULTIPOLYGON" and area > 0


def test_an_unknown_property_layout_names_the_missing_fields(tmp_path: Path) -> None:
    frame = kelurahan_frame().head(2)[["geometry"]].assign(KODE=["1", "2"], NAMA=["A", "B"])
    path = tmp_path / "asing.geojson"
    frame.to_file(path, driver="GeoJSON")
    with pytest.raises(BoundaryFileError) as err:
        read_boundaries(path, "kelurahan")
    message = str(err.value)
    for field in ("kode_kelurahan", "kelurahan", "kecamatan", "kota"):
        assert field in message
    assert "KODE" in message and "--field" in message


def test_field_mapping_reads_any_layout(tmp_path: Path) -> None:
    source = kelurahan_frame().head(2)
    frame = gpd.GeoDataFrame(
        {
            "KODE": source["kode_kemendagri"],  # dotted codes are normalised
            "NAMA": source["kelurahan"],
            "KEC": source["kecamatan"],
            "KAB": source["kota"],
        },
        geometry=source.geometry,
        crs=4326,
    )
    path = tmp_path / "kota.shp"
    frame.to_file(path)
    rows = read_boundaries(
        path, "kelurahan", {"kode_kelurahan": "KODE", "kelurahan": "NAMA", "kecamatan": "KEC", "kota": "KAB"}
    )
    assert list(rows.frame["code"]) == list(source["kode_kelurahan"])
    assert list(rows.frame["kecamatan_code"]) == [c[:6] for c in source["kode_kelurahan"]]


def test_a_file_that_is_not_geodata_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "catatan.geojson"
    path.write_text("bukan geojson")
    with pytest.raises(BoundaryFileError, match="not a readable"):
        read_boundaries(path, "kelurahan")
    points = tmp_path / "titik.geojson"
    points.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"kode_kelurahan": "3671011001", "kelurahan": "X", "kecamatan": "Y", "kota": "Z"},
                        "geometry": {"type": "Point", "coordinates": [106.6, -6.2]},
                    }
                ],
            }
        )
    )
    with pytest.raises(BoundaryFileError, match="must be polygons"):
        read_boundaries(points, "kelurahan")


def test_reimporting_boundaries_reroutes_open_complaints_with_an_event(conn: Connection, tmp_path: Path) -> None:
    frame = kelurahan_frame()
    first, second = "3671011001", "3671061001"  # Sukarasa (Tangerang) and a kelurahan of another kecamatan
    lat, lon = inside(conn, first)
    created = create_complaint(
        conn, NewComplaint(category="sampah", description="Sampah menumpuk uji", lat=lat, lon=lon)
    )

    # The city re-surveys: the two kelurahan trade places.
    swapped = frame[frame["kode_kelurahan"].isin([first, second])].copy()
    geoms = dict(zip(swapped["kode_kelurahan"], swapped.geometry, strict=True))
    swapped["geometry"] = [geoms[second] if c == first else geoms[first] for c in swapped["kode_kelurahan"]]
    path = tmp_path / "survei_ulang.geojson"
    gpd.GeoDataFrame(swapped, geometry="geometry", crs=4326).to_file(path, driver="GeoJSON")

    report = load_boundaries(conn, read_boundaries(path, "kelurahan"), str(path))

    routed = conn.execute(
        text("SELECT a.code FROM complaint c JOIN area a ON a.id = c.kelurahan_id WHERE c.id = :id"), {"id": created.id}
    ).scalar()
    assert routed == second
    assert report.reroute is not None and report.reroute.changed >= 1
    history = events(conn, created.id)
    assert [e["kind"] for e in history] == ["created", "routed", "rerouted"]
    assert history[-1]["data"]["from_kelurahan"] == first and history[-1]["data"]["to_kelurahan"] == second


def test_re_routing_sends_a_report_outside_every_boundary_to_triage_and_back_through_the_machine(
    conn: Connection,
) -> None:
    from db.complaints import transition
    from db.routing import reroute_open_complaints

    sukarasa = "3671011001"
    lat, lon = inside(conn, sukarasa)
    new, verified, forwarded = (
        create_complaint(conn, NewComplaint(category="sampah", description=f"uji batas {i}", lat=lat, lon=lon)).id
        for i in range(3)
    )
    transition(conn, verified, "verify")
    transition(conn, forwarded, "forward", opd="3671.DKP", reason="dinas kebersihan")

    def statuses() -> dict[int, tuple[str, str | None]]:
        rows = conn.execute(
            text(
                "SELECT c.id, c.status, a.code FROM complaint c LEFT JOIN area a ON a.id = c.kelurahan_id WHERE c.id = ANY(:ids)"
            ),
            {"ids": [new, verified, forwarded]},
        )
        return {row.id: (row.status, row.code) for row in rows}

    # The kelurahan is re-surveyed far away: the reports are now outside every boundary.
    shift = text("UPDATE area SET geom = ST_Translate(geom, :dx, 0) WHERE code = :c")
    conn.execute(shift, {"dx": 5.0, "c": sukarasa})
    reroute_open_complaints(conn)
    # Not yet with an agency: back to the operators (reroute_out). Forwarded: stays with the agency it went to.
    assert statuses() == {
        new: ("luar_wilayah", None),
        verified: ("luar_wilayah", None),
        forwarded: ("diteruskan", None),
    }
    assert events(conn, new)[-1]["data"]["action"] == "reroute_out"
    assert "action" not in events(conn, forwarded)[-1]["data"]

    # The survey is corrected: the reports are inside again and come back as new (reroute_in).
    conn.execute(shift, {"dx": -5.0, "c": sukarasa})
    reroute_open_complaints(conn)
    assert statuses() == {new: ("baru", sukarasa), verified: ("baru", sukarasa), forwarded: ("diteruskan", sukarasa)}
    last = events(conn, verified)[-1]
    assert (last["kind"], last["from_status"], last["to_status"], last["data"]["action"]) == (
        "rerouted",
        "luar_wilayah",
        "baru",
        "reroute_in",
    )
