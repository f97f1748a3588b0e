"""The whole permission matrix: every role with every limit ``users create`` accepts, on every staff path.

For each account, four complaints of one day are made, all assigned to a field
supervisor, so that each lies inside or outside one limit:

- ``inside``: kecamatan Tangerang (367101), agency DBMSDA, assigned to the field account under test
  (for other roles, to a field supervisor of no agency);
- ``other_kecamatan``: the same in kecamatan Jatiuwung (367102);
- ``other_agency``: in Tangerang, but a rubbish report, routed to DKP;
- ``other_assignee``: in Tangerang, DBMSDA, assigned to another field supervisor;
- ``other_city``: the same road report in Kota Tangerang Selatan (Ciater), routed to that city's agency.

The case says which of them the account reaches. Every path must agree: the
detail API and the staff page answer only those (403 and the "outside" notice
otherwise), actions and photos are refused (403) on the others, and the job
list, the operators' queue, the leaders' figures and all three exports list
exactly those.
"""

from __future__ import annotations

import io
import secrets
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from layouts._pimpinan_wiring import request_body
from tests.integration.staff import (
    Account,
    Accounts,
    bearer,
    dash_call,
    ids_in,
    jpeg,
    point_in,
    render_page,
    session_login,
    status_of,
    text_of,
    upload,
)

TANGERANG, JATIUWUNG = "367101", "367102"
SUKARASA, KERONCONG, CIATER = "3671011001", "3671021001", "3674011001"
DBMSDA, DKP = "3671.DBMSDA", "3671.DKP"
# A day no other test uses, so the leaders' figures and the exports of that day hold only this test's complaints.
DAY = "2023-03-14"
ALL = frozenset({"inside", "other_kecamatan", "other_agency", "other_assignee", "other_city"})
NOT_KECAMATAN = ALL - {"other_kecamatan", "other_city"}
NOT_AGENCY = ALL - {"other_agency", "other_city"}
NOT_ASSIGNEE = ALL - {"other_assignee"}
NOT_CITY = ALL - {"other_city"}
# What each role may open: the job list API, the operators' queue, the field page, the leaders' page and exports.
OPENS = {
    "admin": {"jobs", "operator", "field", "leaders"},
    "operator": {"jobs", "operator", "leaders"},
    "opd": {"jobs", "operator", "leaders"},
    "field": {"jobs", "field"},
    "leader": {"leaders"},
}
WORKS = {"admin", "operator", "opd", "field"}  # may finish a job and add its completion photo


@dataclass(frozen=True)
class Case:
    role: str
    opd: str | None
    kecamatan: tuple[str, ...]
    reaches: frozenset[str]
    kota: tuple[str, ...] = ()  # users create --kota (4 digits) or --provinsi (2 digits)

    @property
    def id(self) -> str:
        parts = [self.role, self.opd or "any-opd", "+".join(self.kecamatan) or "any-kecamatan"]
        return "-".join(parts + (["kota" + "+".join(self.kota)] if self.kota else []))


CASES = [
    Case("admin", None, (), ALL),
    Case("operator", None, (), ALL),
    Case("operator", None, (TANGERANG,), NOT_KECAMATAN),
    Case("operator", None, (TANGERANG, JATIUWUNG), NOT_CITY),
    Case("opd", None, (), ALL),
    Case("opd", DBMSDA, (), NOT_AGENCY),
    Case("opd", None, (TANGERANG,), NOT_KECAMATAN),
    Case("opd", DBMSDA, (TANGERANG,), NOT_AGENCY & NOT_KECAMATAN),
    Case("field", None, (), NOT_ASSIGNEE),
    Case("field", DBMSDA, (), NOT_ASSIGNEE & NOT_AGENCY),
    Case("field", None, (TANGERANG,), NOT_ASSIGNEE & NOT_KECAMATAN),
    Case("field", DBMSDA, (TANGERANG,), frozenset({"inside"})),
    Case("leader", None, (), ALL),
    Case("leader", DBMSDA, (), NOT_AGENCY),
    Case("leader", None, (TANGERANG,), NOT_KECAMATAN),
    Case("leader", DBMSDA, (TANGERANG,), NOT_AGENCY & NOT_KECAMATAN),
    # Cities as tenants: an account of one city, of another, of a province, of a city Pantau does not serve.
    Case("operator", None, (), NOT_CITY, kota=("3671",)),
    Case("opd", None, (), frozenset({"other_city"}), kota=("3674",)),
    Case("field", None, (), NOT_ASSIGNEE & NOT_CITY, kota=("3671",)),
    Case("leader", None, (), ALL, kota=("36",)),
    Case("operator", None, (), frozenset(), kota=("3171",)),
]


def _complaint(
    engine: Engine, committed: list[int], kelurahan: str, category: str, assignee: Account, token: str
) -> str:
    """A report of DAY in ``kelurahan``, verified and assigned to ``assignee`` (set up as the system would)."""
    from db.complaints import NewComplaint, create_complaint, transition

    lon, lat = point_in(engine, kelurahan)
    created_at = datetime.fromisoformat(f"{DAY}T10:00:00").replace(tzinfo=ZoneInfo("Asia/Jakarta"))
    with engine.begin() as conn:
        made = create_complaint(
            conn,
            NewComplaint(
                category=category,
                description=f"{token} {secrets.token_hex(4)}",
                lon=lon,
                lat=lat,
                created_at=created_at,
            ),
        )
        committed.append(made.id)
        transition(conn, made.id, "verify")
        transition(conn, made.id, "assign", assignee=assignee.username)
    return made.tracking_code


def _xlsx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return "".join(book.read(name).decode() for name in book.namelist() if name.endswith(".xml"))


def _queue(client: Any, token: str) -> str:
    """The operators' queue as its callback renders it, searched for this case's reports."""
    inputs = {
        "opf-q.value": token, "opf-status.value": None, "opf-category.value": None, "opf-kecamatan.value": None,
        "opf-opd.value": None, "opf-overdue.value": [], "op-poll.n_intervals": None, "op-done.data": 0,
    }  # fmt: skip
    response = dash_call(
        client,
        {
            "output": "..op-rows.data...op-count.children...op-map.figure...op-version.data..",
            "outputs": [
                {"id": "op-rows", "property": "data"},
                {"id": "op-count", "property": "children"},
                {"id": "op-map", "property": "figure"},
                {"id": "op-version", "property": "data"},
            ],
            "inputs": [
                {"id": key.split(".")[0], "property": key.split(".")[1], "value": value}
                for key, value in inputs.items()
            ],
            "state": [
                {"id": "op-version", "property": "data", "value": None},
                {"id": "op-lang", "property": "data", "value": "en"},
            ],
            "changedPropIds": ["opf-q.value"],
        },
    )
    assert response.status_code == 200, response.data[:300]
    return text_of(response.get_json()["response"])


def _dashboard(client: Any, headers: dict[str, str], **filters: Any) -> dict[str, Any]:
    day = {"pim-period": "custom", "pim-dates.start_date": DAY, "pim-dates.end_date": DAY}
    response = client.post("/_dash-update-component", json=request_body("en", **day, **filters), headers=headers)
    assert response.status_code == 200
    return response.get_json()["response"]  # type: ignore[no-any-return]


def _reports(figures: dict[str, Any]) -> str:
    """The "reports" number on the leaders' page."""
    return next(
        part["props"]["children"]
        for card in figures["pim-kpis"]["children"]
        for part in card["props"]["children"]
        if part["props"].get("id") == "pim-kpi-reports"
    )


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_every_path_reaches_exactly_the_complaints_the_account_is_limited_to(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts, case: Case
) -> None:
    me = accounts(case.role, opd=case.opd, kecamatan=list(case.kecamatan), kota=list(case.kota))
    mine = me if case.role == "field" else accounts("field")
    someone_else = accounts("field")
    token = f"matriks{secrets.token_hex(5)}"
    codes = {
        "inside": _complaint(engine, committed, SUKARASA, "jalan_rusak", mine, token),
        "other_kecamatan": _complaint(engine, committed, KERONCONG, "jalan_rusak", mine, token),
        "other_agency": _complaint(engine, committed, SUKARASA, "sampah", mine, token),
        "other_assignee": _complaint(engine, committed, SUKARASA, "jalan_rusak", someone_else, token),
        "other_city": _complaint(engine, committed, CIATER, "jalan_rusak", mine, token),
    }
    reached = {codes[name] for name in case.reaches}
    acts = case.role in WORKS
    may = {page: page in OPENS[case.role] for page in ("jobs", "operator", "field", "leaders")}
    headers = bearer(client, me)
    session_login(client, me)

    # One complaint: the detail API and the staff page.
    for code in codes.values():
        detail = client.get(f"/api/v1/complaints/{code}", headers=headers)
        assert detail.status_code == (200 if code in reached else 403), (code, detail.get_json())
        assert code in reached or detail.get_json().keys() == {"error", "code"}
        shown = ids_in(render_page(client, f"/pengaduan/{code}"))
        assert ("cp-ctx" in shown, "cp-outside" in shown) == (code in reached, code not in reached), code

    # Actions, one and many: finishing without a completion photo is refused by the status machine (409) where
    # the account reaches, and by the permissions (403) where it does not; nothing changes either way.
    for code in codes.values():
        answer = client.post(f"/api/v1/complaints/{code}/transition", json={"action": "complete"}, headers=headers)
        assert answer.status_code == (409 if acts and code in reached else 403), (code, answer.get_json())
    bulk = client.post(
        "/api/v1/complaints/bulk", json={"ids": list(codes.values()), "action": "complete"}, headers=headers
    )
    if acts:
        results = {r["id"]: r["reason"] for r in bulk.get_json()["results"]}
        assert results == {code: "illegal" if code in reached else "forbidden" for code in codes.values()}
    else:
        assert bulk.status_code == 403
    assert {status_of(engine, code)["status"] for code in codes.values()} == {"ditugaskan"}

    # Lists: the job list, the operators' queue, the field page's job view.
    lat_lon = dict(zip(("lon", "lat"), point_in(engine, SUKARASA), strict=True))
    jobs = client.get("/api/v1/jobs", query_string={**lat_lon, "limit": 500}, headers=headers)
    if may["jobs"]:
        assert {j["id"] for j in jobs.get_json()["jobs"]} & set(codes.values()) == reached
    else:
        assert jobs.status_code == 403
    queue = _queue(client, token)
    if may["operator"]:
        assert {code for code in codes.values() if code in queue} == reached
    else:
        assert "may not open this page" in queue and not any(code in queue for code in codes.values())
    if may["field"]:
        for code in codes.values():
            assert ("fj-not-yours" in ids_in(render_page(client, "/field", f"?job={code}"))) == (code not in reached)

    # The leaders' figures and the exports of that day count and hold exactly the reached complaints.
    figures = _dashboard(client, headers)
    if may["leaders"]:
        assert _reports(figures) == str(len(reached))
        if case.kecamatan == (TANGERANG,):
            refused = _dashboard(client, headers, **{"pim-kecamatan": JATIUWUNG})
            assert refused["pim-error"]["children"] == "Your account may not see this area or agency."
        if case.kota == ("3671",):
            refused = _dashboard(client, headers, **{"pim-kota": "3674"})
            assert refused["pim-error"]["children"] == "Your account may not see this area or agency."
        if case.opd:
            refused = _dashboard(client, headers, **{"pim-opd": DKP})
            assert refused["pim-error"]["children"] == "Your account may not see this area or agency."
    else:
        assert figures["pim-kpis"]["children"] == [] and figures["pim-error"]["children"]
    for fmt in ("csv", "geojson", "xlsx"):
        export = client.get(f"/api/v1/export.{fmt}", query_string={"from": DAY, "to": DAY}, headers=headers)
        if not may["leaders"]:
            assert export.status_code == 403
            continue
        assert export.status_code == 200
        body = _xlsx_text(export.data) if fmt == "xlsx" else export.data.decode()
        assert {code for code in codes.values() if code in body} == reached, fmt
        assert export.headers["X-Total-Count"] == str(len(reached))

    # Photos: a completion photo only where the account may work (admin, operator, opd, field).
    for code in codes.values():
        answer = upload(client, headers, code, jpeg(colour=(10, 20, secrets.randbelow(255))))
        assert answer.status_code == (201 if acts and code in reached else 403), (code, answer.get_json())
