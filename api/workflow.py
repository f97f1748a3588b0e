"""The staff JSON API for the mobile app and scripts: jobs, actions on complaints, completion photos.

``{id}`` in every URL is the complaint's public tracking code (Open311's
``service_request_id``). Authenticate with a bearer token from
``POST /api/v1/auth/token`` (or the browser session plus its CSRF token).
Answers: 401 without credentials, 403 when the role or the complaint's agency
or assignee forbids it, 404 for an unknown complaint, 409 with the current
status when the status machine refuses, 400 for a malformed request, 413 for
an upload over the limit, 507 when the photo storage is full (api/errors.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, jsonify, request
from sqlalchemy import RowMapping
from werkzeug.exceptions import RequestEntityTooLarge

from api.auth import StaffUser, current_staff, require_roles
from api.permissions import (
    ALL_ACTIONS,
    PAGE_ROLES,
    RECATEGORISE,
    actions_of,
    assignee_refusal,
    may_see,
    photo_refusal,
    refusal,
    scope_of,
    sees_reporter,
)
from db.accounts import load_user
from db.complaints import NotFound
from db.engine import get_engine
from db.models import PHOTO_KINDS
from db.status import ACTIONS, COLOUR, Status, TransitionError
from db.workflow import (
    AGENCY_JOB_STATUSES,
    FIELD_JOB_STATUSES,
    BulkRequest,
    Outcome,
    apply_many,
    apply_one,
    detail,
    evidence,
    jobs,
    locked,
    nearby_duplicates,
    staff_events,
)
from i18n import current_lang, t
from photos.store import get_store
from photos.upload import PhotoError, save_photo
from settings import get_settings

bp = Blueprint("workflow", __name__, url_prefix="/api/v1")
BULK_MAX = 500
# What each action needs besides its name, checked before anything is locked.
_NEEDS = {"forward": ("opd", "kota"), "assign": ("assignee",), "duplicate": ("of",), RECATEGORISE: ("category",)}


def _error(http_status: int, error: str, /, **extra: Any) -> Any:
    return jsonify(error=error, code=http_status, **extra), http_status


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _colour(status: str | None) -> str | None:
    return COLOUR[Status(status)].value if status else None


def max_photo_bytes() -> int:
    return int(get_settings().max_photo_mb * 1024 * 1024)


def photo_json(row: Any) -> dict[str, Any]:
    distance = row["distance_m"]
    return {
        "id": row["id"],
        "kind": row["kind"],
        "url": f"/photos/{row['id']}",
        "thumb_url": f"/photos/{row['id']}/thumb",
        "uploader_role": row.get("uploader_role"),
        "created_at": _json(row.get("created_at")),
        "distance_m": None if distance is None else round(float(distance)),
    }


def _complaint_fields(row: RowMapping, lang: str) -> dict[str, Any]:
    """What every staff view of a complaint names: the job list's entries and the detail."""
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
        "created_at": _json(row["created_at"]),
        "due_at": _json(row["due_at"]),
        "overdue": bool(row["overdue"]),
    }


def job_json(row: RowMapping, lang: str) -> dict[str, Any]:
    code = row["tracking_code"]
    return {
        **_complaint_fields(row, lang),
        "distance_m": None if row["distance_m"] is None else round(float(row["distance_m"])),
        "links": {
            "self": f"/api/v1/complaints/{code}",
            "transition": f"/api/v1/complaints/{code}/transition",
            "photos": f"/api/v1/complaints/{code}/photos",
        },
    }


def _float_arg(name: str) -> float | None:
    try:
        value = float(request.args[name])
    except (KeyError, ValueError):
        return None
    return value if -180 <= value <= 180 else None


@bp.get("/jobs")
@require_roles("field", "opd", "operator")
def list_jobs() -> Any:
    """Open jobs: a field supervisor's own; an agency's or (operators) every agency's work in progress."""
    user = _user()
    lang = current_lang()
    statuses = FIELD_JOB_STATUSES if user.role == "field" else AGENCY_JOB_STATUSES
    try:
        limit = max(1, min(int(request.args.get("limit", 100)), 500))
    except ValueError:
        return _error(400, "limit must be a number")
    with get_engine().connect() as conn:
        rows = jobs(
            conn,
            scope_of(user),
            statuses,
            lon=_float_arg("lon"),
            lat=_float_arg("lat"),
            nearest=request.args.get("order", "nearest") != "oldest",
            limit=limit,
        )
    return jsonify(jobs=[job_json(r, lang) for r in rows])


def _user() -> StaffUser:
    user = current_staff()
    assert user is not None  # require_roles let the request in
    return user


@bp.get("/complaints/<code>")
@require_roles(*PAGE_ROLES["complaint"])
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
        nearby = nearby_duplicates(conn, row["id"]) if user.role in ("admin", "operator") else []
    body: dict[str, Any] = {
        **_complaint_fields(row, lang),
        "channel": row["channel"],
        "kota": row["kota_code"],
        "assignee": row["assignee"],
        "merged_into": row["merged_into"],
        "confidential": row["confidential"],
        "anonymous": row["anonymous"],
        "completed_at": _json(row["completed_at"]),
        "events": [
            {
                "kind": e["kind"],
                "at": _json(e["at"]),
                "actor_role": e["actor_role"],
                "actor": e["actor"],
                "from_status": e["from_status"],
                "to_status": e["to_status"],
                "note": e["note"],
                "data": e["data"],
            }
            for e in history
        ],
        "photos": [photo_json(p) for p in photos],
        "possible_duplicates": [
            {"id": d["tracking_code"], "status": d["status"], "distance_m": round(float(d["distance_m"]))}
            for d in nearby
        ],
    }
    if sees_reporter(user, row):
        body["reporter"] = {"name": row["reporter_name"], "contact": row["reporter_contact"]}
    return jsonify(body)


def _parse_action(body: Any) -> tuple[BulkRequest | None, str | None]:
    """The request's action and its arguments, or why it is malformed."""
    if not isinstance(body, dict):
        return None, "send a JSON object with at least 'action'"
    action = str(body.get("action") or "").strip()
    if action not in ALL_ACTIONS:
        return None, f"unknown action {action!r}; one of {', '.join(sorted(ALL_ACTIONS))}"

    def text_of(key: str) -> str | None:
        value = body.get(key)
        return (str(value).strip() or None) if value is not None else None

    req = BulkRequest(
        action=action,
        reason=text_of("reason"),
        note=text_of("note"),
        opd=text_of("opd"),
        kota=text_of("kota"),
        assignee=text_of("assignee"),
        of=text_of("of"),
        category=text_of("category"),
    )
    needs = _NEEDS.get(action, ())
    if needs and not any(getattr(req, k) for k in needs):
        return None, f"{action} needs {' or '.join(repr(k) for k in needs)}"
    if action in ACTIONS and ACTIONS[action].needs_reason and not req.reason:
        return None, f"{action} needs a 'reason'"
    return req, None


def _refuser(user: StaffUser, action: str) -> Any:
    return lambda row: refusal(user, action, row)


def _assignee_problem(user: StaffUser, req: BulkRequest) -> str | None:
    if req.action != "assign":
        return None
    with get_engine().connect() as conn:
        account = load_user(conn, username=req.assignee or "")
    return assignee_refusal(user, account)


@bp.post("/complaints/<code>/transition")
def complaint_transition(code: str) -> Any:
    """Apply one action: verify, forward, assign, start, complete, reject, duplicate, reopen (or recategorise)."""
    user = current_staff()
    if user is None:
        return _error(401, "authentication required")
    req, problem = _parse_action(request.get_json(silent=True))
    if req is None:
        return _error(400, problem or "bad request")
    if req.action not in actions_of(user):
        return _error(403, f"role {user.role!r} may not {req.action}")
    version = (request.get_json(silent=True) or {}).get("version")
    if isinstance(version, int):
        req.expected_versions[code.strip().upper()] = version
    problem = _assignee_problem(user, req)
    if problem:
        return _error(403, problem)
    with get_engine().begin() as conn:
        outcome = apply_one(conn, code.strip().upper(), req, user.actor, _refuser(user, req.action))
    return _outcome_response(outcome)


def _outcome_response(outcome: Outcome) -> Any:
    if outcome.kind == "not_found":
        return _error(404, outcome.error or "not found")
    if outcome.kind == "forbidden":
        return _error(403, outcome.error or "forbidden", status=outcome.status)
    if outcome.kind == "illegal":
        return _error(409, outcome.error or "refused", status=outcome.status, colour=_colour(outcome.status))
    with get_engine().connect() as conn:
        row = detail(conn, outcome.ref)
    return jsonify(
        id=row["tracking_code"],
        status=row["status"],
        colour=_colour(row["status"]),
        version=row["version"],
        opd=row["opd_code"],
        assignee=row["assignee"],
        category=row["category_code"],
    )


@bp.post("/complaints/bulk")
def complaints_bulk() -> Any:
    """One action on many complaints (``ids``: tracking codes) in one transaction; failures are listed."""
    user = current_staff()
    if user is None:
        return _error(401, "authentication required")
    body = request.get_json(silent=True)
    req, problem = _parse_action(body)
    if req is None:
        return _error(400, problem or "bad request")
    ids = body.get("ids") if isinstance(body, dict) else None
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        return _error(400, "'ids' must be a non-empty list of complaint ids")
    if len(ids) > BULK_MAX:
        return _error(400, f"at most {BULK_MAX} complaints at once")
    if req.action not in actions_of(user):
        return _error(403, f"role {user.role!r} may not {req.action}")
    problem = _assignee_problem(user, req)
    if problem:
        return _error(403, problem)
    with get_engine().begin() as conn:
        outcomes = apply_many(conn, ids, req, user.actor, _refuser(user, req.action))
    return jsonify(
        done=sum(o.ok for o in outcomes),
        failed=sum(not o.ok for o in outcomes),
        results=[
            {"id": o.ref, "ok": o.ok, "status": o.status, **({"error": o.error, "reason": o.kind} if o.error else {})}
            for o in outcomes
        ],
    )


@bp.post("/complaints/<code>/photos")
def complaint_photos(code: str) -> Any:
    """Add a photo (multipart: the image in ``file``, ``kind=completion|report``)."""
    user = current_staff()
    if user is None:
        return _error(401, "authentication required")
    lang = current_lang()
    upload = request.files.get("file")
    kind = (request.form.get("kind") or "completion").strip()
    if kind not in PHOTO_KINDS:
        return _error(400, f"kind must be one of {', '.join(PHOTO_KINDS)}", message=t("photo.bad_kind", lang))
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
            stored = save_photo(conn, get_store(), row["id"], data, kind, user.actor, max_photo_bytes())
        except PhotoError as exc:
            return _photo_error(exc, lang)
    body = {
        "id": stored.id,
        "kind": stored.kind,
        "url": f"/photos/{stored.id}",
        "thumb_url": f"/photos/{stored.id}/thumb",
        "width": stored.width,
        "height": stored.height,
        "distance_m": None if stored.distance_m is None else round(stored.distance_m),
        "duplicate": stored.duplicate,
    }
    return jsonify(photo=body), (200 if stored.duplicate else 201)


def _photo_error(exc: PhotoError, lang: str) -> Any:
    too_large = ("photo.too_large", "photo.too_many_pixels", "photo.far_too_many_pixels")
    status = 413 if exc.key in too_large else 415 if exc.key == "photo.not_image" else 400
    return _error(status, exc.detail, message=exc.message(lang))


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc: RequestEntityTooLarge) -> Any:
    mb = f"{get_settings().max_photo_mb:g}"
    return _error(413, f"the upload is too large; a photo may be at most {mb} MB", message=t("photo.too_large", mb=mb))


@bp.errorhandler(TransitionError)
def _refused(exc: TransitionError) -> Any:
    status = exc.current.value if exc.current else None
    return _error(409, str(exc), status=status, colour=_colour(status))
