"""Shared set-up for the staff tests (roles, queue, field work, photos): accounts, log-in, complaints, pages.

Accounts are committed (the app reads them on every request) and deleted at
teardown, after the complaints that refer to them are purged.
"""

from __future__ import annotations

import io
import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import Engine, text

from tests.conftest import purge

PASSWORD = "sandi-uji-rahasia"
# A point in Sukarasa, Kota Tangerang (kelurahan 3671011001): routed to the city's agencies.
SUKARASA = "3671011001"


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    role: str


class Accounts:
    """Creates committed staff accounts with unique names; ``delete`` removes them."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.ids: list[int] = []

    def __call__(
        self,
        role: str,
        opd: str | None = None,
        kecamatan: list[str] | None = None,
        kota: list[str] | None = None,
        email: str | None = None,
    ) -> Account:
        from db.accounts import create_user

        name = f"uji_{role}_{secrets.token_hex(4)}"
        with self.engine.begin() as conn:
            user_id = create_user(conn, name, PASSWORD, role, opd, kecamatan, kota=kota, email=email)
        self.ids.append(user_id)
        return Account(user_id, name, role)

    def delete(self) -> None:
        if self.ids:
            with self.engine.begin() as conn:
                conn.execute(text("DELETE FROM app_user WHERE id = ANY(:ids)"), {"ids": self.ids})


@pytest.fixture
def accounts(engine: Engine, committed: list[int]) -> Iterator[Accounts]:
    made = Accounts(engine)
    yield made
    purge(engine, committed)  # first the complaints whose events name these accounts
    made.delete()


def point_in(engine: Engine, kelurahan: str = SUKARASA, east_m: float = 0.0) -> tuple[float, float]:
    """(lon, lat) inside a kelurahan, moved ``east_m`` metres east."""
    with engine.connect() as conn:
        lon, lat = conn.execute(
            text(
                "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Project(ST_PointOnSurface(geom)::geography, :m, pi() / 2)::geometry p "
                "FROM area WHERE code = :c) x"
            ),
            {"c": kelurahan, "m": east_m},
        ).one()
    return float(lon), float(lat)


def new_complaint(
    engine: Engine,
    committed: list[int],
    category: str = "jalan_rusak",
    east_m: float = 0.0,
    **fields: Any,
) -> str:
    """A committed new complaint in Sukarasa; returns its tracking code."""
    from db.complaints import NewComplaint, create_complaint

    lon, lat = point_in(engine, east_m=east_m)
    description = fields.pop("description", f"uji alur kerja {secrets.token_hex(6)}")
    with engine.begin() as conn:
        created = create_complaint(
            conn, NewComplaint(category=category, description=description, lon=lon, lat=lat, **fields)
        )
    committed.append(created.id)
    return created.tracking_code


def status_of(engine: Engine, code: str) -> dict[str, Any]:
    with engine.connect() as conn:
        return dict(
            conn.execute(
                text(
                    "SELECT c.status, c.version, o.code AS opd, u.username AS assignee, cat.code AS category, "
                    "c.merged_into_id FROM complaint c LEFT JOIN opd o ON o.id = c.opd_id "
                    "LEFT JOIN app_user u ON u.id = c.assignee_id JOIN category cat ON cat.id = c.category_id "
                    "WHERE c.tracking_code = :c"
                ),
                {"c": code},
            )
            .mappings()
            .one()
        )


def bearer(client: Any, account: Account) -> dict[str, str]:
    """Authorization header for ``account`` from POST /api/v1/auth/token."""
    response = client.post("/api/v1/auth/token", json={"username": account.username, "password": PASSWORD})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


def act(client: Any, headers: dict[str, str], code: str, **body: Any) -> Any:
    return client.post(f"/api/v1/complaints/{code}/transition", json=body, headers=headers)


def csrf_token(client: Any) -> str:
    """The CSRF cookie the app sets on any response (Dash sends it back as X-CSRFToken)."""
    client.get("/healthz")
    cookie = client.get_cookie("_csrf_token")
    assert cookie is not None
    return str(cookie.value)


def session_login(client: Any, account: Account) -> None:
    """A browser session for ``account``: the signed session cookie flask-login itself would set."""
    from db.accounts import StaffUser, load_user
    from db.engine import get_engine

    with get_engine().connect() as conn:
        row = load_user(conn, user_id=account.id)
    with client.session_transaction() as session:
        session["_user_id"] = StaffUser.from_row(row).get_id()  # the id bound to the account's session secret
        session["_fresh"] = True


def login_callback(username: str, password: str) -> dict[str, Any]:
    """The body the /login page posts when "Masuk" is pressed (its Dash callback, as the browser sends it)."""
    return {
        "output": "..login-message.children...login-redirect.href..",
        "outputs": [{"id": "login-message", "property": "children"}, {"id": "login-redirect", "property": "href"}],
        "inputs": [
            {"id": "login-submit", "property": "n_clicks", "value": 1},
            {"id": "login-password", "property": "n_submit", "value": 0},
            {"id": "login-username", "property": "n_submit", "value": 0},
        ],
        "state": [
            {"id": "login-username", "property": "value", "value": username},
            {"id": "login-password", "property": "value", "value": password},
            {"id": "login-next", "property": "data", "value": {"next": "/operator", "lang": "en"}},
        ],
        "changedPropIds": ["login-submit.n_clicks"],
    }


def dash_call(client: Any, payload: dict[str, Any], csrf: bool = True) -> Any:
    headers = {"X-CSRFToken": csrf_token(client)} if csrf else {}
    return client.post("/_dash-update-component", json=payload, headers=headers)


def render_page(client: Any, path: str, search: str = "") -> dict[str, Any]:
    """The layout Dash renders for ``path`` (the pages router callback, as the browser calls it)."""
    client.get("/healthz")  # the router is registered on the first request
    response = dash_call(
        client,
        {
            "output": ".._pages_content.children..._pages_store.data..",
            "outputs": [
                {"id": "_pages_content", "property": "children"},
                {"id": "_pages_store", "property": "data"},
            ],
            "inputs": [
                {"id": "_pages_location", "property": "pathname", "value": path},
                {"id": "_pages_location", "property": "search", "value": search},
            ],
            "changedPropIds": ["_pages_location.pathname"],
            "state": [],
        },
    )
    assert response.status_code == 200, response.data[:500]
    return response.get_json()["response"]["_pages_content"]["children"]  # type: ignore[no-any-return]


def ids_in(layout: Any) -> set[str]:
    """Every string component id in a rendered layout."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            props = node.get("props")
            if isinstance(props, dict) and isinstance(props.get("id"), str):
                found.add(props["id"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(layout)
    return found


def text_of(layout: Any) -> str:
    """All text in a rendered layout, for checking what a person would read."""
    return json.dumps(layout, ensure_ascii=False)


def jpeg(size: tuple[int, int] = (64, 48), colour: tuple[int, int, int] = (30, 160, 60), exif: Any = None) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, colour)
    if exif is not None:
        image.save(out, "JPEG", exif=exif)
    else:
        image.save(out, "JPEG")
    return out.getvalue()


GPS_IFD = 0x8825


def _dms(value: float) -> tuple[Any, Any, Any]:
    from PIL.TiffImagePlugin import IFDRational

    value = abs(value)
    degrees, minutes = int(value), int((value - int(value)) * 60)
    seconds = (value - degrees - minutes / 60) * 3600
    return IFDRational(degrees, 1), IFDRational(minutes, 1), IFDRational(round(seconds * 10000), 10000)


def gps_jpeg(lon: float, lat: float, colour: tuple[int, int, int] = (30, 160, 60)) -> bytes:
    """A small JPEG whose EXIF says it was taken at (lon, lat), as a phone writes it."""
    exif = Image.Exif()
    exif[GPS_IFD] = {1: "S" if lat < 0 else "N", 2: _dms(lat), 3: "E" if lon > 0 else "W", 4: _dms(lon)}
    return jpeg(colour=colour, exif=exif)


def site_photo(conn: Any, ref: int | str, east_m: float = 0.0, colour: tuple[int, int, int] = (30, 160, 60)) -> bytes:
    """A completion photo taken ``east_m`` metres east of where complaint ``ref`` (id or tracking code) was
    reported: at the spot by default, so finishing with it closes the report at once."""
    lon, lat = conn.execute(
        text(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Project(geom::geography, :m, pi() / 2)::geometry p "
            "FROM complaint WHERE id::text = :r OR tracking_code = :r) x"
        ),
        {"r": str(ref), "m": east_m},
    ).one()
    if lon is None:  # a report without a place (outside every boundary): the photo has no position either
        return jpeg(colour=colour)
    return gps_jpeg(float(lon), float(lat), colour)


def upload(
    client: Any, headers: dict[str, str], code: str, data: bytes, name: str = "foto.jpg", kind: str = "completion"
) -> Any:
    return client.post(
        f"/api/v1/complaints/{code}/photos",
        data={"file": (io.BytesIO(data), name), "kind": kind},
        headers=headers,
        content_type="multipart/form-data",
    )
