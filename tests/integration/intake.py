"""Shared set-up for the intake tests (Open311, SMS, /lapor, /lacak): places, photos, finishing a report.

Fixtures are defined as ``*_fixture`` and named without the suffix; a test module
imports the ``*_fixture`` function to make the fixture available.
"""

from __future__ import annotations

import base64
import io
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import Connection, Engine, text

# Two real kelurahan, one in each city, both named "Babakan".
TANGERANG_BABAKAN = "3671011008"
TANGSEL_BABAKAN = "3674071005"
OUTSIDE = (-6.2088, 106.8456)  # central Jakarta: outside both cities


def jpeg(colour: tuple[int, int, int] = (200, 40, 40), size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def finish(conn: Connection, code: str) -> None:
    """Take a new report through the status machine to selesai, with a completion photo."""
    from db.complaints import Actor, resolve_id, transition
    from photos.store import get_store
    from photos.upload import save_photo
    from tests.integration.staff import site_photo

    complaint_id = resolve_id(conn, code)
    opd = conn.execute(
        text("SELECT o.code FROM complaint c JOIN opd o ON o.id = c.opd_id WHERE c.id = :i"), {"i": complaint_id}
    ).scalar_one()
    staff = Actor(role="opd")
    transition(conn, complaint_id, "forward", staff, reason="ditangani dinas", opd=opd)
    # Taken where the report is, so finishing closes it at once.
    photo = site_photo(conn, complaint_id)
    save_photo(conn, get_store(), complaint_id, photo, "completion", Actor(role="field"), 10**7)
    transition(conn, complaint_id, "complete", staff)


def complaint(conn: Connection, code: str) -> dict[str, Any]:
    row = conn.execute(
        text(
            "SELECT c.*, kel.code AS kelurahan_code, o.code AS opd_code, cat.code AS category_code"
            "  FROM complaint c LEFT JOIN area kel ON kel.id = c.kelurahan_id"
            "  LEFT JOIN opd o ON o.id = c.opd_id JOIN category cat ON cat.id = c.category_id"
            " WHERE c.tracking_code = :c"
        ),
        {"c": code},
    ).mappings()
    return dict(row.one())


@pytest.fixture(name="api_key")
def api_key_fixture(engine: Engine) -> Iterator[tuple[str, str]]:
    """A fresh Open311 key: (name, key)."""
    from db.accounts import create_api_key

    name = f"test-client-{uuid.uuid4().hex[:8]}"
    with engine.begin() as conn:
        key = create_api_key(conn, name)
    yield name, key


@pytest.fixture(name="fresh_limits")
def fresh_limits_fixture() -> Iterator[None]:
    """Every test starts with no submissions counted against its address."""
    from api.limits import limiter
    from app import server  # noqa: F401  (initialises the limiter)

    limiter.reset()
    yield
    limiter.reset()


def track_ids(engine: Engine, committed: list[int], *codes: str) -> None:
    """Register committed complaints (by tracking code) for purging after the test."""
    with engine.connect() as conn:
        for code in codes:
            committed.append(
                conn.execute(text("SELECT id FROM complaint WHERE tracking_code = :c"), {"c": code}).scalar_one()
            )


@pytest.fixture(name="many_submissions")
def many_submissions_fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A test that submits more than PANTAU_SUBMIT_RATE allows on purpose (e.g. every error case) raises it."""
    from settings import get_settings

    monkeypatch.setenv("PANTAU_SUBMIT_RATE", "1000/minute")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("PANTAU_SUBMIT_RATE")
    get_settings.cache_clear()


# --- /lapor over HTTP, as the page sends its callbacks ------------------------------------------------

LAPOR_STATES = (
    "lapor-category.value", "lapor-lat.value", "lapor-lon.value", "lapor-address.value", "lapor-description.value",
    "lapor-photo-tokens.data", "lapor-name.value", "lapor-contact.value", "lapor-anonymous.value",
    "lapor-confidential.value", "lapor-lang.data", "lapor-form-key.data", "lapor-pin-source.data",
)  # fmt: skip


def dash_post(
    client: Any,
    outputs: list[str],
    inputs: dict[str, Any],
    state: dict[str, Any],
    ip: str = "10.0.0.5",
    wildcards: list[list[dict[str, Any]]] | None = None,
) -> Any:
    """One Dash callback request (``id.property`` keys, in the callback's order) with the page's CSRF token;
    ``wildcards``: the pattern-matching (ALL) states after those, each the list of matched components."""
    from tests.integration.staff import csrf_token

    def items(values: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"id": k.split(".")[0], "property": k.split(".")[1], "value": v} for k, v in values.items()]

    payload = {
        "output": ".." + "...".join(outputs) + "..",
        "outputs": [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in outputs],
        "inputs": items(inputs),
        "changedPropIds": list(inputs),
        "state": [*items(state), *(wildcards or [])],
    }
    headers = {"X-CSRFToken": csrf_token(client)}
    return client.post("/_dash-update-component", json=payload, headers=headers, environ_base={"REMOTE_ADDR": ip})


def send_photo(
    client: Any, data: bytes, name: str = "foto.jpg", staged: list[dict[str, str]] | None = None,
    ip: str = "10.0.0.5", lang: str = "id",
) -> tuple[list[dict[str, str]], str]:  # fmt: skip
    """Choose one photo on /lapor: (the photos now waiting for the report, the message shown under the picker)."""
    from settings import get_settings

    contents = "data:image/jpeg;base64," + base64.b64encode(data).decode()
    response = dash_post(
        client,
        ["lapor-photo-tokens.data", "lapor-upload-msg.children", "lapor-upload.contents", "lapor-photo-thumbs.data"],
        {"lapor-pending.data": {"name": name, "bytes": len(data), "contents": contents, "at": 1}},
        {
            "lapor-photo-tokens.data": staged or [],
            "lapor-photo-thumbs.data": {},
            "lapor-ctx.data": {"lang": lang, "max_bytes": int(get_settings().max_photo_mb * 1048576)},
        },
        ip,
    )
    assert response.status_code == 200, response.data[:500]
    body = response.get_json()["response"]
    message = body["lapor-upload-msg"]["children"]["props"]["children"]
    return body.get("lapor-photo-tokens", {}).get("data", list(staged or [])), message


def send_report(client: Any, ip: str = "10.0.0.5", answers: dict[str, Any] | None = None, **fields: Any) -> Any:
    """Press "send" on /lapor with ``fields`` (category, lat, lon, description, photos=tokens, …) and the
    answers to the category's questions (``answers``: code to value); the response."""
    values = {key: None for key in LAPOR_STATES}
    values.update({"lapor-anonymous.value": [], "lapor-confidential.value": [], "lapor-lang.data": "id"})
    special = {"photos": "lapor-photo-tokens.data", "lang": "lapor-lang.data"}
    for key, value in fields.items():
        values[special.get(key, f"lapor-{key}.value")] = value
    return dash_post(
        client,
        ["lapor-errors.children", "lapor-field-errors.data", "lapor-result.children", "lapor-form.hidden"],
        {"lapor-submit.n_clicks": 1},
        values,
        ip,
        [
            [
                {"id": {"type": "lapor-answer", "code": c}, "property": "value", "value": v}
                for c, v in (answers or {}).items()
            ],
            [
                {
                    "id": {"type": "lapor-answer", "code": c},
                    "property": "id",
                    "value": {"type": "lapor-answer", "code": c},
                }
                for c in (answers or {})
            ],
        ],
    )
