"""Routing a point to its kelurahan, kecamatan, jurisdiction and OPD, in PostGIS."""

from sqlalchemy import Connection, text

from db.complaints import NewComplaint, create_complaint
from db.routing import route_point
from db.status import Status
from tests.conftest import inside


def test_every_kelurahan_point_on_surface_routes_to_itself(conn: Connection) -> None:
    rows = conn.execute(
        text(
            "SELECT a.code, kel.code AS routed, r.method "
            "FROM area a CROSS JOIN LATERAL pantau_route_point(ST_PointOnSurface(a.geom)) r "
            "LEFT JOIN area kel ON kel.id = r.kelurahan_id WHERE a.level = 'kelurahan'"
        )
    ).all()
    assert len(rows) == 158
    wrong = [(code, routed) for code, routed, _ in rows if code != routed]
    assert not wrong, f"kelurahan routed elsewhere: {wrong[:5]}"


def test_route_gives_kecamatan_and_city_from_the_kelurahan(conn: Connection) -> None:
    # Sukarasa, Kecamatan Tangerang, Kota Tangerang.
    lat, lon = inside(conn)
    route = route_point(conn, lon, lat)
    assert (route.kelurahan_code, route.kecamatan_code, route.kota_code, route.method) == (
        "3671011001",
        "367101",
        "3671",
        "within",
    )


def test_a_point_on_a_shared_edge_routes_to_exactly_one_kelurahan_always_the_same(conn: Connection) -> None:
    # A boundary vertex of one kelurahan that the neighbour's polygon also touches.
    lon, lat, codes = conn.execute(
        text(
            "SELECT ST_X(v.geom), ST_Y(v.geom), array_agg(b.code ORDER BY b.code) "
            "FROM area a CROSS JOIN LATERAL ST_DumpPoints(a.geom) v "
            "JOIN area b ON b.level = 'kelurahan' AND ST_Intersects(b.geom, v.geom) "
            "WHERE a.level = 'kelurahan' AND a.code LIKE '3674%' "
            "GROUP BY a.code, v.path, v.geom HAVING count(*) = 2 ORDER BY a.code, v.path LIMIT 1"
        )
    ).one()
    routes = {
        conn.execute(
            text(
                "SELECT count(*) OVER (), r.kelurahan_id FROM pantau_route_point(ST_SetSRID(ST_MakePoint(:x, :y), 4326)) r"
            ),
            {"x": lon, "y": lat},
        ).one()
        for _ in range(3)
    }
    assert len(routes) == 1
    (count, _), = routes  # fmt: skip
    assert count == 1
    assert route_point(conn, lon, lat).kelurahan_code == codes[0]


def test_a_point_in_a_sliver_gap_goes_to_a_neighbour_within_25_m(conn: Connection) -> None:
    lon, lat, nearest_m = conn.execute(
        text(
            "WITH city AS (SELECT ST_Union(geom) g FROM area WHERE level = 'kelurahan' AND code LIKE '3671%'), "
            "part AS (SELECT (ST_Dump(g)).geom g FROM city), "
            "hole AS (SELECT ST_MakePolygon(ST_InteriorRingN(g, n)) h FROM part, generate_series(1, ST_NumInteriorRings(g)) n) "
            "SELECT ST_X(p), ST_Y(p), (SELECT min(ST_Distance(a.geom::geography, p::geography)) FROM area a WHERE a.level = 'kelurahan') "
            "FROM (SELECT ST_PointOnSurface(h) p FROM hole ORDER BY ST_Area(h) DESC LIMIT 1) x"
        )
    ).one()
    assert 0 < nearest_m <= 25
    covering = conn.execute(
        text(
            "SELECT count(*) FROM area WHERE level = 'kelurahan' AND ST_Intersects(geom, ST_SetSRID(ST_MakePoint(:x, :y), 4326))"
        ),
        {"x": lon, "y": lat},
    ).scalar()
    assert covering == 0
    route = route_point(conn, lon, lat)
    assert route.method == "nearest"
    assert route.kelurahan_code is not None and route.kelurahan_code.startswith("3671")


def test_a_point_in_jakarta_is_kept_as_luar_wilayah(conn: Connection) -> None:
    assert not route_point(conn, 106.8456, -6.2088).inside  # Monas
    created = create_complaint(
        conn, NewComplaint(category="sampah", description="Sampah di Monas", lat=-6.2088, lon=106.8456)
    )
    row = conn.execute(
        text("SELECT status, kelurahan_id, opd_id, geom IS NOT NULL AS has_point FROM complaint WHERE id = :id"),
        {"id": created.id},
    ).one()
    assert created.status == Status.LUAR_WILAYAH
    assert (row.status, row.kelurahan_id, row.opd_id, row.has_point) == ("luar_wilayah", None, None, True)


def test_opd_follows_the_category_and_the_city(conn: Connection) -> None:
    def opd_of(lat: float, lon: float, category: str) -> str:
        created = create_complaint(
            conn, NewComplaint(category=category, description=f"uji {category} {lat}", lat=lat, lon=lon)
        )
        return conn.execute(
            text("SELECT o.code FROM complaint c JOIN opd o ON o.id = c.opd_id WHERE c.id = :id"), {"id": created.id}
        ).scalar_one()

    tangerang = inside(conn, "3671011001")
    tangsel = inside(conn, "3674011001")
    assert opd_of(*tangerang, "jalan_rusak") == "3671.DBMSDA"
    assert opd_of(*tangsel, "jalan_rusak") == "3674.DSDABMBK"
    assert opd_of(*tangerang, "sampah") == "3671.DKP"
    assert opd_of(*tangsel, "adminduk") == "3674.DUKCAPIL"


def test_an_opd_service_area_narrows_routing(conn: Connection) -> None:
    # A second roads agency that serves only Kecamatan Tangerang (367101).
    conn.execute(
        text(
            "INSERT INTO opd (code, name, short_name, jurisdiction_id) "
            "SELECT 'UPT.JALAN.TGR', 'UPT Jalan Wilayah Tangerang', 'UPT Jalan', id FROM area WHERE code = '3671'"
        )
    )
    conn.execute(
        text(
            "INSERT INTO opd_service_area (opd_id, name, geom) "
            "SELECT o.id, 'Kec. Tangerang', a.geom FROM opd o, area a WHERE o.code = 'UPT.JALAN.TGR' AND a.code = '367101'"
        )
    )
    conn.execute(
        text(
            "INSERT INTO category_opd (category_id, opd_id) "
            "SELECT c.id, o.id FROM category c, opd o WHERE c.code = 'jalan_rusak' AND o.code = 'UPT.JALAN.TGR'"
        )
    )

    def opd_at(code: str) -> str:
        lat, lon = inside(conn, code)
        created = create_complaint(
            conn, NewComplaint(category="jalan_rusak", description=f"jalan {code}", lat=lat, lon=lon)
        )
        return conn.execute(
            text("SELECT o.code FROM complaint c JOIN opd o ON o.id = c.opd_id WHERE c.id = :id"), {"id": created.id}
        ).scalar_one()

    assert opd_at("3671011001") == "UPT.JALAN.TGR"  # inside Kecamatan Tangerang
    assert opd_at("3671021001") == "3671.DBMSDA"  # Jatiuwung: outside the service area
