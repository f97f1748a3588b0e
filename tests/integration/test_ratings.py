"""The reporter rates the finished work: PUAS / TIDAK PUAS and 1-5, on /lacak with their own link or by an SMS
reply; leaders see the share satisfied per agency once enough reporters have rated."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, text

from tests.integration.intake import finish
from tests.integration.staff import dash_call, new_complaint

pytestmark = pytest.mark.usefixtures("fresh_limits")

SECRET = "gateway-secret-for-ratings"


@pytest.fixture(autouse=True)
def sms_secret(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from settings import get_settings

    monkeypatch.setenv("PANTAU_SMS_SECRET", SECRET)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def number() -> str:
    return "+62812" + "".join(secrets.choice("0123456789") for _ in range(7))


def finished(engine: Engine, committed: list[int], **fields: Any) -> str:
    code = new_complaint(engine, committed, **fields)
    with engine.begin() as conn:
        finish(conn, code)
    return code


def token_for(code: str) -> str:
    from app import server
    from db.tracking import reporter_token

    return reporter_token(str(server.config["SECRET_KEY"]), code)


def lacak(code: str, token: str | None = None) -> Any:
    from app import server
    from layouts.lacak import tracked

    with server.test_request_context(f"/lacak/{code}"):
        return tracked(code, lang="id", k=token)


def rate(client: Any, code: str, token: str | None, satisfied: bool, score: int | None = None) -> str:
    button = "lacak-rate-yes" if satisfied else "lacak-rate-no"
    response = dash_call(
        client,
        {
            "output": "lacak-rate-message.children",
            "outputs": {"id": "lacak-rate-message", "property": "children"},
            "inputs": [
                {"id": "lacak-rate-yes", "property": "n_clicks", "value": 1 if satisfied else 0},
                {"id": "lacak-rate-no", "property": "n_clicks", "value": 0 if satisfied else 1},
            ],
            "state": [
                {"id": "lacak-score", "property": "value", "value": score},
                {"id": "lacak-rate-ref", "property": "data", "value": {"code": code, "token": token, "lang": "id"}},
            ],
            "changedPropIds": [f"{button}.n_clicks"],
        },
    )
    assert response.status_code == 200, response.data[:300]
    return str(response.get_json()["response"]["lacak-rate-message"]["children"])


def stored(engine: Engine, code: str) -> tuple[Any, ...] | None:
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT r.satisfied, r.score, r.via FROM complaint_rating r JOIN complaint c ON c.id = r.complaint_id "
                "WHERE c.tracking_code = :c"
            ),
            {"c": code},
        ).first()
    return tuple(row) if row else None


def sms(client: Any, sender: str, message: str) -> dict[str, Any]:
    response = client.post(
        "/api/v1/inbound/sms", data={"sender": sender, "text": message}, headers={"X-Pantau-Secret": SECRET}
    )
    assert response.status_code == 200, response.data
    return response.get_json()  # type: ignore[no-any-return]


def test_the_reporter_rates_on_lacak_with_their_link_and_may_change_it(
    client: Any, engine: Engine, committed: list[int]
) -> None:
    code = finished(engine, committed, reporter_contact=number(), confidential=True)
    token = token_for(code)
    assert "lacak-rating" in str(lacak(code, token))
    assert "lacak-rating" not in str(lacak(code))  # the public page (a confidential report, too) asks nobody
    assert rate(client, code, token, True, 4) == "Terima kasih, tercatat: PUAS (4/5)."
    assert stored(engine, code) == (True, 4, "link")
    said = rate(client, code, token, False)
    assert said.startswith("Terima kasih, tercatat: TIDAK PUAS.") and "sanggah di bawah" in said
    assert stored(engine, code) == (False, None, "link")
    assert "Hanya pelapor" in rate(client, code, "bukan-token", True)
    still_open = new_complaint(engine, committed)
    assert rate(client, still_open, token_for(still_open), True) == "Laporan ini belum selesai."


def test_an_sms_reply_rates_the_senders_newest_finished_report(
    client: Any, engine: Engine, committed: list[int]
) -> None:
    sender = number()
    code = finished(engine, committed, reporter_contact=sender)
    answer = sms(client, sender, "puas 5")
    assert answer["rated"] and answer["tracking_code"] == code and "PUAS (5/5)" in answer["reply"]
    assert stored(engine, code) == (True, 5, "sms")
    unhappy = sms(client, sender, "TIDAK PUAS")
    assert stored(engine, code) == (False, None, "sms") and f"lacak/{code}?k=" in unhappy["reply"]
    # A number with no finished report, and an anonymous report (no number kept), rate nothing and file nothing.
    anonymous = finished(engine, committed, reporter_contact=None, anonymous=True)
    with engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM complaint")).scalar()
    nobody = sms(client, number(), "PUAS")
    assert not nobody["rated"] and "Tidak ada laporan selesai" in nobody["reply"]
    assert stored(engine, anonymous) is None
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM complaint")).scalar() == before


def test_leaders_see_the_share_satisfied_once_enough_reporters_rated(engine: Engine, committed: list[int]) -> None:
    from db.filters import parse_filters, resolve
    from db.leaders import RANK_MIN_REPORTS, dashboard
    from db.scope import Scope

    day = "2023-05-09"
    created = datetime.fromisoformat(f"{day}T09:00:00").replace(tzinfo=ZoneInfo("Asia/Jakarta"))
    codes = [
        finished(engine, committed, reporter_contact=number(), created_at=created, east_m=10.0 * n)
        for n in range(RANK_MIN_REPORTS)
    ]
    with engine.begin() as conn:
        for n, code in enumerate(codes):
            conn.execute(
                text(
                    "INSERT INTO complaint_rating (complaint_id, satisfied, via) "
                    "SELECT id, :s, 'link' FROM complaint WHERE tracking_code = :c"
                ),
                {"s": n % 5 != 0, "c": code},  # 4 in 5 satisfied
            )

    def agency() -> Any:
        with engine.connect() as conn:
            figures = dashboard(conn, resolve(conn, parse_filters({"from": day, "to": day}), Scope()))
        return next(g.kpis for g in figures.by_opd if g.code == "3671.DBMSDA")

    enough = agency()
    assert (enough.ratings, enough.satisfied, enough.satisfied_share) == (30, 24, 0.8)
    with engine.begin() as conn:
        conn.execute(
            text(
                "DELETE FROM complaint_rating WHERE complaint_id = (SELECT id FROM complaint WHERE tracking_code = :c)"
            ),
            {"c": codes[0]},
        )
    assert agency().satisfied_share is None  # 29 ratings: too few to say
