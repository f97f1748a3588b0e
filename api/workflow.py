"""The staff JSON API for the mobile app and scripts: jobs, actions on complaints, completion photos.

``{id}`` in every URL is the complaint's public tracking code (Open311's
``service_request_id``). Authenticate with a bearer token from
``POST /api/v1/auth/token`` (or the browser session plus its CSRF token).
Actions are taken through ``services.actions`` like every other door's.
Answers: 401 without credentials, 403 when the role or the complaint's agency,
area or assignee forbids it (``services/permissions.py``), 404 for an unknown
complaint, 409 with the current status when the status machine refuses, 400
for a malformed request, 413 for an upload over the limit, 507 when the photo
storage is full (api/errors.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Blueprint, Response, jsonify, request
from sqlalchemy import RowMapping
from werkzeug.exceptions import RequestEntityTooLarge

from api import schemas
from api.auth import audit, current_staff
from api.openapi import MULTIPART, operation
from api.schemas import answer
from db import documents
from db.accounts import StaffUser
from db.complaints import NotFound
from db.engine import get_engine
from db.models import PHOTO_KINDS
from db.status import COLOUR, Status, TransitionError
from db.workflow import detail, evidence, jobs, locked, nearby_duplicates, staff_events
from i18n import current_lang, t
from photos.document import DOCUMENT_KIND, StoredDocument, save_document
from photos.store import get_store
from photos.upload import PhotoError, save_photo
from services.actions import MAX_CODE, Outcome, Refused, act, act_many
from services.handover import HandoverRefused, handover_feature, handover_of, handover_pdf
from services.notes import add_note
from services.permissions import (
    job_statuses,
    may_open,
    may_see,
    photo_refusal,
    scope_of,
    sees_duplicates,
    sees_reporter,
)
from settings import get_settings

bp = Blueprint("workflow", __name__, url_prefix="/api/v1")
BULK_MAX = 500
F = TypeVar("F", bound=Callable[..., Any])
# What the staff API's errors mean, for the document.
BAD = "A malformed request (field names the one at fault)."
NO_CREDENTIALS = "No credentials."
FORBIDDEN = "The role, agency or assignment forbids it."
NOT_FOUND = "No such complaint."
ILLEGAL = "The status machine refuses the action (the current status is given)."


def _error(http_status: int, error: str, /, **extra: Any) -> Any:
    return jsonify(answer(schemas.Error(error=error, code=http_status, **extra))), http_status


def _colour(status: str | None) -> str | None:
    return COLOUR[Status(status)].value if status else None


def max_photo_bytes() -> int:
    return int(get_settings().max_photo_mb * 1024 * 1024)


def _metres(distance: Any) -> int | None:
    return None if distance is None else round(float(distance))


def listed_document(document_id: int, pages: int, byte_size: int, **duplicate: bool) -> schemas.Document:
    """A document as the API lists it; ``duplicate`` only in the answer to an upload."""
    return schemas.Document(
        id=document_id, url=f"/documents/{document_id}", pages=pages, byte_size=byte_size, **duplicate
    )


def evidence_photo(row: Any) -> schemas.EvidencePhoto:
    return schemas.EvidencePhoto(
        id=row["id"],
        kind=row["kind"],
        url=f"/photos/{row['id']}",
        thumb_url=f"/photos/{row['id']}/thumb",
        uploader_role=row.get("uploader_role"),
        created_at=row.get("created_at"),
        distance_m=_metres(row["distance_m"]),
    )


def _complaint_fields(row: RowMapping, lang: str) -> dict[str, Any]:
    """What every staff view of a complaint names (``schemas.ComplaintFields``): the job list's entries and the
    detail."""
    return {
        "id": row["tracking_code"],
        "status": row["status"],
        "colour": _colour(row["status"]),
        "version": row["version"],
        "category": row["category_code"],
        "category_name": row["category_name_en" if lang == "en" else "category_name_id"],
        "description": row["description"],
        "address": row["address"],
        "kelurahan": row["kelurahan"],
        "kecamatan": row["kecamatan"],
        "opd": row["opd_code"],
        "lat": row["lat"],
        "lon": row["lon"],
        "created_at": row["created_at"],
        "due_at": row["due_at"],
        "overdue": bool(row["overdue"]),
    }


def job(row: RowMapping, lang: str) -> schemas.Job:
    code = row["tracking_code"]
    return schemas.Job(
        **_complaint_fields(row, lang),
        distance_m=_metres(row["distance_m"]),
        links=schemas.JobLinks(
            self=f"/api/v1/complaints/{code}",
            transition=f"/api/v1/complaints/{code}/transition",
            notes=f"/api/v1/complaints/{code}/notes",
            photos=f"/api/v1/complaints/{code}/photos",
        ),
    )


def _degrees_arg(name: str, bound: float) -> float | None:
    """The query parameter ``name`` in degrees within ±``bound``, None when absent; ValueError otherwise."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number of degrees") from None
    if not -bound <= value <= bound:  # also refuses nan
        raise ValueError(f"{name} must be between -{bound:g} and {bound:g}")
    return value


def _staff_page(page: str) -> Callable[[F], F]:
    """401 without credentials, 403 for an account that may not use ``page`` (``services.permissions.may_open``)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_staff()
            if user is None:
                return _error(401, "authentication required")
            if not may_open(user, page):
                return _error(403, f"role {user.role!r} may not do this")
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorate


@bp.get("/jobs")
@operation(
    "Open jobs: a field supervisor's own; an agency's (or, for operators, every agency's) work in progress.",
    tag="Staff",
    bearer=True,
    query=schemas.JobsQuery,
    responses={200: ("Jobs.", schemas.JobList), 400: BAD, 401: NO_CREDENTIALS, 403: FORBIDDEN},
)
@_staff_page("jobs")
def list_jobs() -> Any:
    """Open jobs: a field supervisor's own; an agency's or (operators) every agency's work in progress."""
    user = _user()
    lang = current_lang()
    try:
        limit = max(1, min(int(request.args.get("limit", 100)), 500))
    except ValueError:
        return _error(400, "limit must be a number")
    try:
        lat, lon = _degrees_arg("lat", 90), _degrees_arg("lon", 180)
    except ValueError as exc:
        return _error(400, str(exc))
    with get_engine().connect() as conn:
        rows = jobs(
            conn,
            scope_of(user),
            job_statuses(user),
            lon=lon,
            lat=lat,
            nearest=request.args.get("order", "nearest") != "oldest",
            limit=limit,
        )
    return jsonify(answer(schemas.JobList(jobs=[job(r, lang) for r in rows])))


def _user() -> StaffUser:
    user = current_staff()
    assert user is not None  # _staff_page let the request in
    return user


@bp.get("/complaints/<code>")
@operation(
    "One complaint for staff: details, history, photos, possible duplicates (reporter only where allowed).",
    tag="Staff",
    bearer=True,
    responses={
        200: ("The complaint.", schemas.ComplaintDetail),
        400: BAD,
        401: NO_CREDENTIALS,
        403: FORBIDDEN,
        404: NOT_FOUND,
    },
)
@_staff_page("complaint")
def complaint_detail(code: str) -> Any:
    """One complaint for staff: details, history, photos and possible duplicates."""
    user = _user()
    lang = current_lang()
    with get_engine().connect() as conn:
        try:
            row = detail(conn, code)
        except NotFound:
            return _error(404, f"no complaint {code!r}")
        if not may_see(user, row):
            return _error(403, "this complaint is outside your reach")
        history = staff_events(conn, row["id"])
        photos = evidence(conn, row["id"])
        docs = documents.listed(conn, row["id"])
        nearby = nearby_duplicates(conn, scope_of(user), row["id"]) if sees_duplicates(user) else []
    body = schemas.ComplaintDetail(
        **_complaint_fields(row, lang),
        channel=row["channel"],
        kota=row["kota_code"],
        assignee=row["assignee"],
        merged_into=row["merged_into"],
        confidential=row["confidential"],
        anonymous=row["anonymous"],
        completed_at=row["completed_at"],
        events=[
            schemas.Event(
                kind=e["kind"],
                at=e["at"],
                actor_role=e["actor_role"],
                actor=e["actor"],
                from_status=e["from_status"],
                to_status=e["to_status"],
                note=e["note"],
                note_public=e["note_public"],
                data=e["data"],
            )
            for e in history
        ],
        photos=[evidence_photo(p) for p in photos],
        documents=[listed_document(d["id"], d["page_count"], d["byte_size"]) for d in docs],
        answers=row["answers"] or {},
        possible_duplicates=[
            schemas.PossibleDuplicate(
                id=d["tracking_code"], status=d["status"], distance_m=round(float(d["distance_m"]))
            )
            for d in nearby
        ],
    )
    if sees_reporter(user, row):
        body.reporter = schemas.Reporter(name=row["reporter_name"], contact=row["reporter_contact"])
    return jsonify(answer(body))


@bp.post("/complaints/<code>/transition")
@operation(
    "Apply one action: verify, forward, assign, start, complete, confirm, reject, duplicate, reopen or recategorise.",
    tag="Staff",
    bearer=True,
    body=schemas.Action,
    responses={
        200: ("The complaint after the action.", schemas.ActionResult),
        400: BAD,
        401: NO_CREDENTIALS,
        403: FORBIDDEN,
        404: NOT_FOUND,
        409: ILLEGAL,
    },
)
def complaint_transition(code: str) -> Any:
    """Take one action (``services.actions.act``): verify, forward, assign, start, complete, recategorise, reject,
    duplicate or reopen."""
    user = current_staff()
    if user is None:
        return _error(401, "authentication required")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _error(400, "send a JSON object with at least 'action'")
    try:
        outcome = act(user, code, body.get("action"), body)
    except Refused as exc:
        return _refusal(exc)
    return _outcome_response(outcome)


def _refusal(exc: Refused) -> Any:
    if exc.kind in ("invalid", "missing"):
        return _error(400, exc.message, **({"field": exc.field} if exc.field else {}))
    return _error(403, exc.message)


def _outcome_response(outcome: Outcome) -> Any:
    if outcome.kind == "not_found":
        return _error(404, outcome.error or "not found")
    if outcome.kind == "forbidden":
        return _error(403, outcome.error or "forbidden", status=outcome.status)
    if outcome.kind == "missing":
        # Needed by this complaint as it is (a far completion photo needs a reason): the request lacks it.
        return _error(400, outcome.error or "missing", field=outcome.field, status=outcome.status)
    if outcome.kind == "illegal":
        return _error(409, outcome.error or "refused", status=outcome.status, colour=_colour(outcome.status))
    with get_engine().connect() as conn:
        row = detail(conn, outcome.ref)
    result = schemas.ActionResult(
        id=row["tracking_code"],
        status=row["status"],
        colour=_colour(row["status"]),
        version=row["version"],
        opd=row["opd_code"],
        assignee=row["assignee"],
        category=row["category_code"],
    )
    return jsonify(answer(result))


HANDOVER_TYPES = {"pdf": "application/pdf", "geojson": "application/geo+json"}


@bp.get("/complaints/<code>/handover.<any(pdf, geojson):fmt>")
@operation(
    "A report handed over by hand, for the office it went to: a one-page PDF or a GeoJSON Feature (a Point).",
    description="Code, dates, category, place, address, description and report photos (the PDF's thumbnails), and "
    "the office, contact and follow-up day of the handover. Never the reporter; a confidential report's place "
    "and category only. ?lang=id|en for the PDF's words.",
    tag="Staff",
    bearer=True,
    params={"fmt": "pdf or geojson."},
    responses={
        200: {
            "description": "The file (Content-Disposition: attachment).",
            "content": {
                HANDOVER_TYPES["pdf"]: {"schema": {"type": "string", "format": "binary"}},
                HANDOVER_TYPES["geojson"]: {"schema": {"type": "object"}},
            },
        },
        401: NO_CREDENTIALS,
        403: "Only operators and admins, for a complaint in their reach.",
        404: NOT_FOUND,
        409: "Not handed over by hand (no forward to a jurisdiction without a door; the current status is given).",
    },
)
def complaint_handover(code: str, fmt: str) -> Any:
    """The handover export (``services.handover``), audited."""
    user = current_staff()
    if user is None:
        return _error(401, "authentication required")
    try:
        with get_engine().begin() as conn:
            handed = handover_of(conn, user, code)
            audit(conn, "export", user.actor, f"handover.{fmt}", rows=1)
    except NotFound:
        return _error(404, f"no complaint {code[:MAX_CODE]!r}")
    except HandoverRefused as exc:
        if exc.kind == "forbidden":
            return _error(403, exc.message)
        return _error(409, exc.message, status=exc.status, colour=_colour(exc.status))
    if fmt == "pdf":
        body = handover_pdf(handed, current_lang())
    else:
        body = json.dumps(handover_feature(handed), ensure_ascii=False).encode()
    response = Response(body, content_type=HANDOVER_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="serah-terima-{handed.code}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/complaints/<code>/notes")
@operation(
    "Add a note to the history: internal (the default) or, with public true, a reply to the reporter "
    "(shown on /lacak, in Open311's status_notes, and sent as a message).",
    tag="Staff",
    bearer=True,
    body=schemas.Note,
    responses={
        201: ("The note was added.", schemas.NoteAdded),
        400: BAD,
        401: NO_CREDENTIALS,
        403: FORBIDDEN,
        404: NOT_FOUND,
    },
)
def complaint_note(code: str) -> Any:
    """Add a note to the history (``services.notes.add_note``): internal unless ``"public": true``, a reply
    the reporter reads on /lacak and is sent."""
    user = current_staff()
    if user is None:
        return _error(401, "authentication required")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _error(400, "send a JSON object with 'text' and optionally 'public'")
    try:
        outcome = add_note(user, code, body.get("text"), body.get("public", False))
    except Refused as exc:
        return _refusal(exc)
    if not outcome.ok:
        return _outcome_response(outcome)
    added = schemas.NoteAdded(id=outcome.ref, status=outcome.status, public=body.get("public") is True)
    return jsonify(answer(added)), 201


@bp.post("/complaints/bulk")
@operation(
    f"One action on many complaints (ids: tracking codes, at most {BULK_MAX}) in one transaction.",
    tag="Staff",
    bearer=True,
    body=schemas.BulkAction,
    responses={
        200: ("What happened to each complaint.", schemas.BulkResult),
        400: BAD,
        401: NO_CREDENTIALS,
        403: FORBIDDEN,
    },
)
def complaints_bulk() -> Any:
    """One action on many complaints (``ids``: tracking codes) in one transaction; failures are listed."""
    user = current_staff()
    if user is None:
        return _error(401, "authentication required")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _error(400, "send a JSON object with 'ids' and 'action'")
    ids = body.get("ids")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        return _error(400, "'ids' must be a non-empty list of complaint ids")
    if len(ids) > BULK_MAX:
        return _error(400, f"at most {BULK_MAX} complaints at once")
    if any("\x00" in i or len(i) > MAX_CODE for i in ids):
        return _error(400, f"each id is a tracking code: at most {MAX_CODE} characters, no NUL", field="ids")
    try:
        outcomes = act_many(user, ids, body.get("action"), body)
    except Refused as exc:
        return _refusal(exc)
    result = schemas.BulkResult(
        done=sum(o.ok for o in outcomes),
        failed=sum(not o.ok for o in outcomes),
        results=[
            schemas.BulkItem(
                id=o.ref, ok=o.ok, status=o.status, **({"error": o.error, "reason": o.kind} if o.error else {})
            )
            for o in outcomes
        ],
    )
    return jsonify(answer(result))


@bp.post("/complaints/<code>/photos")
@operation(
    "Add a photo (kind=completion, the default, or report) or a PDF document (kind=document): multipart, in 'file'.",
    tag="Staff",
    bearer=True,
    body={MULTIPART: schemas.PhotoUpload},
    responses={
        201: ("Stored.", schemas.PhotoStored),
        200: ("The same photo or document was stored already.", schemas.PhotoStored),
        400: BAD,
        401: NO_CREDENTIALS,
        403: FORBIDDEN,
        404: NOT_FOUND,
        413: "The upload is too large.",
        415: "Not a JPEG, PNG, WebP or HEIC image (or, for a document, not a readable PDF).",
        507: "The photo store is full or cannot be written; nothing was stored (try again later).",
    },
)
def complaint_photos(code: str) -> Any:
    """Add a photo (multipart: the image in ``file``, ``kind=completion|report``) or a PDF (``kind=document``)."""
    user = current_staff()
    if user is None:
        return _error(401, "authentication required")
    lang = current_lang()
    upload = request.files.get("file")
    kind = (request.form.get("kind") or "completion").strip()
    if kind not in (*PHOTO_KINDS, DOCUMENT_KIND):
        kinds = ", ".join((*PHOTO_KINDS, DOCUMENT_KIND))
        return _error(400, f"kind must be one of {kinds}", message=t("photo.bad_kind", lang))
    if upload is None:
        return _error(400, "send the image as multipart form data in the field 'file'")
    data = upload.read()
    with get_engine().begin() as conn:
        try:
            row = locked(conn, code.strip().upper())
        except NotFound:
            return _error(404, f"no complaint {code!r}")
        why = photo_refusal(user, kind, row)
        if why is not None:
            return _error(403, why)
        try:
            if kind == DOCUMENT_KIND:
                saved: StoredDocument = save_document(conn, get_store(), row["id"], data, user.actor)
            else:
                stored = save_photo(conn, get_store(), row["id"], data, kind, user.actor, max_photo_bytes())
        except PhotoError as exc:
            return _photo_error(exc, lang)
    if kind == DOCUMENT_KIND:
        document = listed_document(saved.id, saved.pages, saved.byte_size, duplicate=saved.duplicate)
        return jsonify(answer(schemas.PhotoStored(document=document))), (200 if saved.duplicate else 201)
    photo = schemas.StoredPhoto(
        id=stored.id,
        kind=stored.kind,
        url=f"/photos/{stored.id}",
        thumb_url=f"/photos/{stored.id}/thumb",
        width=stored.width,
        height=stored.height,
        distance_m=_metres(stored.distance_m),
        duplicate=stored.duplicate,
    )
    return jsonify(answer(schemas.PhotoStored(photo=photo))), (200 if stored.duplicate else 201)


def _photo_error(exc: PhotoError, lang: str) -> Any:
    too_large = ("photo.too_large", "photo.too_many_pixels", "photo.far_too_many_pixels", "document.too_large")
    status = 413 if exc.key in too_large else 415 if exc.key in ("photo.not_image", "document.not_pdf") else 400
    return _error(status, exc.detail, message=exc.message(lang))


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc: RequestEntityTooLarge) -> Any:
    mb = f"{get_settings().max_photo_mb:g}"
    return _error(413, f"the upload is too large; a photo may be at most {mb} MB", message=t("photo.too_large", mb=mb))


@bp.errorhandler(TransitionError)
def _refused(exc: TransitionError) -> Any:
    status = exc.current.value if exc.current else None
    return _error(409, str(exc), status=status, colour=_colour(status))
