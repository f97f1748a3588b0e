"""Open311 GeoReport v2 at ``/open311/v2/``, in XML and JSON, so existing clients and SP4N-LAPOR! can talk to Pantau.

- services = categories (``group`` is the OPD); a category with extra
  questions has a service definition (``metadata`` true);
- ``service_request_id`` is the complaint's public tracking code;
- ``status`` is ``open`` for red and yellow, ``closed`` for green and grey,
  with Pantau's own status in ``status_notes`` (and, with ``extensions=true``,
  in ``extended_attributes``);
- POST needs an ``api_key`` (``flask --app app api-key create NAME``); the
  request is stored and routed like every complaint, channel ``api``, with
  the key's name as its source; POSTs are counted per key (the key's own
  ``--rate`` or ``PANTAU_API_KEY_RATE``), only once the key is accepted;
- listings never show confidential reports, nor any reporter's identity.

Pantau's extensions: ``page`` / ``page_size`` and ``bbox`` on GET requests,
``extensions=true`` for extended attributes, ``anonymous`` / ``confidential``
on POST, and an ``Idempotency-Key`` header so a retried POST is stored once.
A client's own id for a report, ``attribute[external_id]`` on POST (another
Pantau sends its tracking code), makes the POST idempotent per API key (the
same id again answers the same ``service_request_id``) and can be looked up
with ``external_id=…&api_key=…`` on GET requests.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, Response, request
from sqlalchemy import Connection

from api import schemas
from api.errors import printable
from api.limits import allow_api_key
from api.open311_format import errors, respond, w3c
from api.openapi import FORM, operation
from db.accounts import api_key_client, api_key_name
from db.complaints import WIB, Actor
from db.engine import committed_per_statement, get_engine, read_connection
from db.filters import EARLIEST_DAY, LATEST_DAY
from db.open311 import (
    MAX_PAGE_SIZE,
    QUESTIONS,
    Question,
    RequestFilter,
    kota_codes,
    list_requests,
    notice_facts,
    services,
    statuses_for,
)
from db.places import kelurahan_by_name
from db.status import COLOUR, OPEN_STATUSES, Status
from federation.doors import EXTERNAL_ID
from i18n import LANGS, current_lang, t
from services.intake import NewReport, Refused, file_report, new_report
from services.templates import public_text
from settings import get_settings

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
FMT = "<any(xml, json):fmt>"
FORMAT = "Answer format: xml (the spec's required format) or json."
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-23T00:00:00+07:00"  # when this endpoint's behaviour last changed
DEFAULT_SPAN = timedelta(days=90)
MAX_FIELD = 200
MAX_URL = 2000
_ATTRIBUTE = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")
# ComplaintError fields under their Open311 parameter names.
_PARAM = {
    "category": "service_code", "lon": "long", "location": "lat/long", "answers": "attribute",
    "reporter_name": "first_name/last_name", "reporter_contact": "email/phone", "address": "address_string",
}  # fmt: skip


class BadRequest(Exception):
    """A missing or bad parameter: answered 400 (or ``status``) with the spec's error list."""

    def __init__(self, description: str, status: int = 400):
        super().__init__(description)
        self.description = description
        self.status = status


# --- discovery and services -------------------------------------------------


@bp.get(f"/discovery.{FMT}")
@operation(
    "Service discovery: specification, URL, formats.",
    tag="Open311",
    params={"fmt": FORMAT},
    responses={200: ("The discovery document.", schemas.Discovery)},
)
def discovery(fmt: str) -> Response:
    """Where this API lives, which specification it follows, in which formats."""
    url = request.url_root.rstrip("/") + "/open311/v2/"
    return respond(
        fmt,
        "discovery",
        {
            "changeset": CHANGESET,
            "contact": f"Operator Pantau, {request.url_root}",
            "key_service": "API keys are issued by the Pantau administrator (flask --app app api-key create NAME).",
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": url,
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


@bp.get(f"/services.{FMT}")
@operation(
    "One service per complaint category; group is the OPD that handles it.",
    tag="Open311",
    params={"fmt": FORMAT},
    query=schemas.Open311Jurisdiction,
    responses={200: ("The services.", list[schemas.Service]), 404: "Unknown jurisdiction."},
)
def service_list(fmt: str) -> Response:
    """One service per category; ``group`` names the OPD(s) that handle it."""
    with read_connection() as conn:
        try:
            kota = _jurisdiction(conn, status=404)
        except BadRequest as exc:
            return errors(fmt, exc.status, exc.description)
        rows = services(conn, kota)
    return respond(
        fmt,
        "services",
        [
            {
                "service_code": row["code"],
                "service_name": row["name_id"],
                "description": f"{row['name_id']} ({row['name_en']}); target {row['target_days']} hari kerja.",
                "metadata": row["code"] in QUESTIONS,
                "type": "realtime",
                "keywords": row["name_en"].lower(),
                "group": row["opds"] or "",
            }
            for row in rows
        ],
    )


def _attribute(order: int, q: Question) -> dict[str, Any]:
    return {
        "variable": True,
        "code": q.code,
        "datatype": q.datatype,
        "required": q.required,
        "datatype_description": None,
        "order": order,
        "description": q.description,
        "values": [{"key": key, "name": name} for key, name in q.values],
    }


@bp.get(f"/services/<service_code>.{FMT}")
@operation(
    "A service definition: the category's extra questions (attributes).",
    tag="Open311",
    params={"fmt": FORMAT},
    responses={200: ("The definition.", schemas.ServiceDefinition), 404: "Unknown service."},
)
def service_definition(service_code: str, fmt: str) -> Response:
    """The extra questions of one service."""
    with read_connection() as conn:
        known = {row["code"] for row in services(conn)}
    if service_code not in known:
        return errors(fmt, 404, f"service_code {service_code!r} not found")
    questions = QUESTIONS.get(service_code, ())
    return respond(
        fmt,
        "service_definition",
        {"service_code": service_code, "attributes": [_attribute(i, q) for i, q in enumerate(questions, 1)]},
    )


# --- POST a service request ------------------------------------------------------


def _float(name: str, raw: str, limit: float) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise BadRequest(f"{name} is not a number: {raw!r}") from None
    if not math.isfinite(value):
        raise BadRequest(f"{name} is not a number: {raw!r}")
    if not -limit <= value <= limit:
        raise BadRequest(f"{name} {value} is outside -{limit:g}..{limit:g}")
    return value


def _short(name: str, max_len: int = MAX_FIELD) -> str | None:
    value = (request.values.get(name) or "").strip()
    if len(value) > max_len:
        raise BadRequest(f"{name} is longer than {max_len} characters")
    return value or None


def _given(name: str) -> str | None:
    """A parameter whose limit is the report's own (services/intake.py), the same at every door."""
    return (request.values.get(name) or "").strip() or None


def _flag(name: str) -> bool:
    return (request.values.get(name) or "").strip().lower() in ("1", "true", "yes", "ya")


def _answers() -> dict[str, Any]:
    """The ``attribute[CODE]`` answers as given; services/intake.py checks them against the service definition."""
    given: dict[str, Any] = {}
    for key in request.values:
        match = _ATTRIBUTE.match(key)
        if match:
            values = [v.strip() for v in request.values.getlist(key) if v.strip()]
            given[match.group(1)] = values if match.group(2) else (values[0] if values else "")
    return given


def _new_request(conn: Connection, key_name: str) -> NewReport:
    """The complaint a POST describes; raises BadRequest naming the first bad parameter."""
    for param, given in request.values.items(multi=True):
        if "\x00" in param or "\x00" in given:
            raise BadRequest(f"{printable(param)}: contains a NUL character (\\x00)")
    _jurisdiction(conn, status=400)
    service_code = (request.values.get("service_code") or "").strip()
    if not service_code:
        raise BadRequest("service_code is required")
    names = {row["code"]: row["name_id"] for row in services(conn)}
    if service_code not in names:
        raise BadRequest(f"service_code {service_code!r} not found")
    raw_lat, raw_lon = (request.values.get(k, "").strip() for k in ("lat", "long"))
    address = _given("address_string")
    address_id = _short("address_id")
    if bool(raw_lat) != bool(raw_lon):
        raise BadRequest("give both lat and long")
    lat = _float("lat", raw_lat, math.inf) if raw_lat else None  # its range: services/intake.py
    lon = _float("long", raw_lon, math.inf) if raw_lon else None
    if lat is None and not address and not address_id:
        raise BadRequest("a location is required: lat and long, or address_string, or address_id")
    attributes: dict[str, Any] = {"api_key": key_name}
    if request.values.get("lang") in LANGS:
        attributes["lang"] = request.values["lang"]  # messages to the reporter in that language
    if lat is None and address:
        places = kelurahan_by_name(conn, address)
        if len(places) == 1:
            lat, lon = places[0].lat, places[0].lon
            attributes["location_from"] = "kelurahan_name"
    media_url = _short("media_url", MAX_URL)
    if media_url and not re.match(r"^https?://\S+$", media_url):
        raise BadRequest("media_url must be an http(s) URL")
    for name in ("media_url", "device_id", "account_id", "address_id"):
        value = media_url if name == "media_url" else _short(name)
        if value:
            attributes[name] = value
    external = _answers().get(EXTERNAL_ID)
    if external is not None:
        if not isinstance(external, str) or not external or len(external) > MAX_FIELD:
            raise BadRequest(f"attribute[{EXTERNAL_ID}] must be one id of at most {MAX_FIELD} characters")
        attributes[EXTERNAL_ID] = external
    person = " ".join(p for p in (_given("first_name"), _given("last_name")) if p)
    contact = ", ".join(p for p in (_given("email"), _given("phone")) if p)
    description = (request.values.get("description") or "").strip() or names[service_code]
    return new_report(
        category=service_code,
        description=description,
        channel="api",
        lat=lat,
        lon=lon,
        address=address,
        reporter_name=person or None,
        reporter_contact=contact or None,
        anonymous=_flag("anonymous"),
        confidential=_flag("confidential"),
        source=key_name,
        idempotency_key=(request.headers.get("Idempotency-Key") or "").strip()[:MAX_FIELD] or None,
        answers={k: v for k, v in _answers().items() if k != EXTERNAL_ID},
        attributes=attributes,
    )


def refusal(exc: Refused) -> str:
    """A refused report as Open311 says it: the parameter's own name, then what is wrong."""
    if exc.field == "answers":
        key = str(exc.params.get("question_code"))
        return f"attribute[{key}]{exc.message.removeprefix(key)}"  # e.g. "attribute[menutup_jalan] is required: …"
    return f"{_PARAM.get(exc.field, exc.field)}: {exc.message}"


@bp.post(f"/requests.{FMT}")
@operation(
    "File a service request; routed like every complaint (channel api).",
    tag="Open311",
    params={"fmt": FORMAT},
    headers={"Idempotency-Key": ("A retried POST with the same key returns the first request.", False)},
    body={FORM: schemas.NewServiceRequest},
    responses={
        200: ("The new request's id and notice.", list[schemas.ServiceRequestCreated]),
        400: "A missing or bad parameter.",
        403: "Missing or wrong api_key.",
        429: "Too many submissions with this api_key (its own rate, or PANTAU_API_KEY_RATE).",
    },
)
def create_request(fmt: str) -> Response:
    """File a service request; answers its ``service_request_id`` and a ``service_notice``."""
    lang = current_lang()
    # Reads, then the report's one statement, committed as it is stored (db/engine.py committed_per_statement).
    with committed_per_statement() as conn:
        # The key first (from the query string when given there, so a body is not even parsed): nothing is
        # counted or checked for a client that has not proved itself. Then its own quota, per key, not per
        # address: a partner system forwards many citizens' reports from one address.
        client = api_key_client(conn, request.args.get("api_key") or request.form.get("api_key"))
        if client is None:
            return errors(fmt, 403, "api_key is missing or not valid")
        rate = client["rate"] or get_settings().api_key_rate
        if not allow_api_key(client["name"], rate):
            return errors(fmt, 429, f"too many requests with this api_key (limit {rate}); try again later")
        try:
            # Anonymous: no name, contact, account_id or device_id is kept, nor echoed back below.
            new = _new_request(conn, client["name"])
            created = file_report(conn, new, Actor(role="api"))
        except BadRequest as exc:
            return errors(fmt, exc.status, exc.description)
        except Refused as exc:
            return errors(fmt, 400, refusal(exc))
    # After the commit: a report holds the data-version row from its end until its commit (db/complaints.py).
    with get_engine().connect() as conn:
        row = notice_facts(conn, created.id)
    return respond(
        fmt,
        "service_requests",
        [
            {
                "service_request_id": created.tracking_code,
                "service_notice": _notice(row, lang),
                "account_id": new.attributes.get("account_id"),
            }
        ],
    )


# --- GET service requests -----------------------------------------------------------


def _jurisdiction(conn: Connection, status: int) -> str | None:
    wanted = (request.values.get("jurisdiction_id") or "").strip()
    if wanted and wanted not in kota_codes(conn):
        raise BadRequest(f"jurisdiction_id {wanted!r} not found", status)
    return wanted or None


def _moment(name: str) -> datetime | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "+", 1) if "T" in raw else raw)
    except ValueError:
        raise BadRequest(f"{name} is not a W3C datetime (e.g. 2025-01-31T08:00:00+07:00): {raw!r}") from None
    if not EARLIEST_DAY <= moment.date() <= LATEST_DAY:
        raise BadRequest(f"{name} {moment.date()} is outside {EARLIEST_DAY}..{LATEST_DAY}")
    return moment if moment.tzinfo else moment.replace(tzinfo=WIB)


def _int(name: str, default: int, low: int, high: int) -> int:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise BadRequest(f"{name} must be a whole number from {low} to {high}")
    return int(raw)


def _list(name: str) -> list[str] | None:
    raw = request.args.get(name)
    if raw is None or not raw.strip():
        return None
    return [part.strip() for part in raw.split(",") if part.strip()]


def _bbox() -> tuple[float, float, float, float] | None:
    parts = _list("bbox")
    if parts is None:
        return None
    if len(parts) != 4:
        raise BadRequest("bbox must be min_long,min_lat,max_long,max_lat")
    x0, y0, x1, y1 = (_float("bbox", p, 180.0) for p in parts)
    if not (-90 <= y0 <= 90 and -90 <= y1 <= 90) or x0 >= x1 or y0 >= y1:
        raise BadRequest("bbox must be min_long,min_lat,max_long,max_lat with min < max")
    return (x0, y0, x1, y1)


def _request_filter(conn: Connection, viewer: str | None) -> RequestFilter:
    kota = _jurisdiction(conn, status=404)
    codes = _list("service_request_id")
    external = (request.args.get(EXTERNAL_ID) or "").strip()
    if external and codes is None:
        if viewer is None:
            raise BadRequest(f"{EXTERNAL_ID} is looked up only with the api_key that sent it")
        return RequestFilter(external_id=external[:MAX_FIELD], viewer=viewer, page_size=MAX_PAGE_SIZE)
    if codes is not None:
        # The spec: a list of ids overrides every other argument.
        return RequestFilter(codes=codes, viewer=viewer, page_size=MAX_PAGE_SIZE)
    service_codes = _list("service_code")
    if service_codes:
        known = {row["code"] for row in services(conn)}
        unknown = [c for c in service_codes if c not in known]
        if unknown:
            raise BadRequest(f"service_code {', '.join(unknown)} not found")
    statuses: list[str] | None = None
    wanted = _list("status")
    if wanted:
        if any(s not in ("open", "closed") for s in wanted):
            raise BadRequest("status must be open or closed (or both, comma separated)")
        statuses = sorted({s for w in set(wanted) for s in statuses_for(w)})
    start, end = _moment("start_date"), _moment("end_date")
    if start is None and end is None:
        start = datetime.now(WIB) - DEFAULT_SPAN
    elif start is None and end is not None:
        start = end - DEFAULT_SPAN
    elif end is None and start is not None:
        end = start + DEFAULT_SPAN
    if start is not None and end is not None and end < start:
        raise BadRequest("end_date is before start_date")
    return RequestFilter(
        service_codes=service_codes,
        statuses=statuses,
        start=start,
        end=end,
        bbox=_bbox(),
        kota=kota,
        viewer=viewer,
        page=_int("page", 1, 1, 1_000_000),
        page_size=_int("page_size", MAX_PAGE_SIZE, 1, MAX_PAGE_SIZE),
    )


def _viewer(conn: Connection) -> str | None:
    key = request.args.get("api_key")
    if key is None:
        return None
    name = api_key_name(conn, key)
    if name is None:
        raise BadRequest("api_key is not valid", 403)
    return name


def _notice(row: Any, lang: str) -> str:
    if row["opd_name"] is None:
        return t("open311.notice_outside", lang)
    due = row["due_at"].astimezone(WIB).strftime("%d-%m-%Y") if row["due_at"] else "-"
    return t("open311.notice", lang, opd=row["opd_name"], due=due)


def _status_notes(row: Any, lang: str) -> str:
    label = t(f"status.{row['status']}", lang)
    if row["status"] == Status.DUPLIKAT.value and row["merged_into"]:
        return t("open311.duplicate_of", lang, status=label, code=row["merged_into"])
    if row["status"] in (Status.DITOLAK.value, Status.DUPLIKAT.value, Status.SELESAI.value) and row["status_note"]:
        return f"{label}: {public_text(row['status_note'], lang)}"
    return label


def record(row: Any, lang: str, extended: bool, root_url: str) -> dict[str, Any]:
    """One complaint as a GeoReport v2 service request, fields in the spec's order."""
    photo = f"{root_url}photos/{{}}"
    media = row["media_url"] or (photo.format(row["report_photo_id"]) if row["report_photo_id"] else None)
    place = ", ".join(
        f"{prefix} {name}" if prefix else name
        for prefix, name in (("Kel.", row["kelurahan"]), ("Kec.", row["kecamatan"]), ("", row["kota"]))
        if name
    )
    out: dict[str, Any] = {
        "service_request_id": row["tracking_code"],
        "status": "open" if Status(row["status"]) in OPEN_STATUSES else "closed",
        "status_notes": _status_notes(row, lang),
        "service_name": row["service_name"],
        "service_code": row["service_code"],
        "description": row["description"],
        "agency_responsible": row["opd_name"],
        "service_notice": _notice(row, lang),
        "requested_datetime": w3c(row["created_at"]),
        "updated_datetime": w3c(row["updated_at"]),
        "expected_datetime": w3c(row["due_at"]),
        "address": row["address"] or place or None,
        "address_id": None,
        "zipcode": None,
        "lat": row["lat"],
        "long": row["lon"],
        "media_url": media,
    }
    if extended:
        status = Status(row["status"])
        out["extended_attributes"] = {
            "detailed_status": status.value,
            "status_color": COLOUR[status].value,
            "kode_kelurahan": row["kode_kelurahan"],
            "kelurahan": row["kelurahan"],
            "kode_kecamatan": row["kode_kecamatan"],
            "kecamatan": row["kecamatan"],
            "kode_kota": row["kode_kota"],
            "kota": row["kota"],
            "completion_photo_urls": [photo.format(i) for i in row["completion_photo_ids"]],
            EXTERNAL_ID: row["external_id"],
        }
    return out


@bp.get(f"/requests.{FMT}")
@operation(
    "Service requests, newest first. Confidential reports are never listed.",
    description=schemas.RequestsQuery.__doc__,
    tag="Open311",
    params={"fmt": FORMAT},
    query=schemas.RequestsQuery,
    responses={
        200: ("The matching requests.", list[schemas.ServiceRequest]),
        400: "A missing or bad parameter.",
        403: "Wrong api_key.",
        404: "Unknown jurisdiction.",
    },
)
def request_list(fmt: str) -> Response:
    """Service requests, newest first: by id, or filtered by service, dates, status and bbox, paged."""
    lang = current_lang()
    try:
        viewer = None
        if request.args.get("api_key") is not None:
            with get_engine().connect() as conn:
                viewer = _viewer(conn)  # a key made a moment ago is on the primary before any replica
        # By id is how a client looks up what it has just filed: from the primary, which has it already.
        by_id = request.args.get("service_request_id") is not None
        with get_engine().connect() if by_id else read_connection() as conn:
            rows = list_requests(conn, _request_filter(conn, viewer))
    except BadRequest as exc:
        return errors(fmt, exc.status, exc.description)
    extended = _flag("extensions")
    return respond(fmt, "service_requests", [record(r, lang, extended, request.url_root) for r in rows])


@bp.get(f"/requests/<service_request_id>.{FMT}")
@operation(
    "One service request by its id (the tracking code).",
    tag="Open311",
    params={"fmt": FORMAT},
    query=schemas.Open311Extensions,
    responses={
        200: ("A list holding the request.", list[schemas.ServiceRequest]),
        403: "Wrong api_key.",
        404: "No such request.",
    },
)
def request_detail(service_request_id: str, fmt: str) -> Response:
    """One service request by its id (the tracking code)."""
    lang = current_lang()
    with get_engine().connect() as conn:
        try:
            rows = list_requests(conn, RequestFilter(codes=[service_request_id], viewer=_viewer(conn)))
        except BadRequest as exc:
            return errors(fmt, exc.status, exc.description)
    if not rows:
        return errors(fmt, 404, f"service_request_id {service_request_id!r} not found")
    return respond(fmt, "service_requests", [record(rows[0], lang, _flag("extensions"), request.url_root)])
