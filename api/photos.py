"""Stored photos and documents over HTTP: ``GET /photos/<id>``, ``/photos/<id>/thumb`` and ``/documents/<id>``.

Photos of confidential complaints answer 404 to everyone but the staff who
reach that complaint and its reporter, whose own link's ``k`` (see
``db/tracking.py``) is added to the address (the wall screen never shows
them); so do documents. A document is always sent as a download (``attachment``), never shown in the
app's own origin. Photo bytes never change under an id, so public ones are cached for a year.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request

from db.documents import document
from db.engine import get_engine
from db.tracking import is_reporter
from db.wall import photo
from photos.store import get_store

bp = Blueprint("photos", __name__)

PUBLIC_CACHE = "public, max-age=31536000, immutable"
PRIVATE_CACHE = "private, max-age=600"


def _may_see_confidential(complaint: dict[str, object]) -> bool:
    from api.auth import current_staff
    from services.permissions import may_see

    return may_see(current_staff(), complaint)


def _is_its_reporter(complaint: dict[str, object]) -> bool:
    token = request.args.get("k")
    return bool(token) and is_reporter(current_app.config["SECRET_KEY"], str(complaint["tracking_code"]), token)


def _serve(photo_id: int, thumb: bool) -> Response:
    with get_engine().connect() as conn:
        found = photo(conn, photo_id)
    if found is None or (found["confidential"] and not (_is_its_reporter(found) or _may_see_confidential(found))):
        abort(404)
    key = (found["thumb_key"] or found["storage_key"]) if thumb else found["storage_key"]
    try:
        data = get_store().get(key)
    except (FileNotFoundError, KeyError):
        abort(404)
    response = Response(data, mimetype=found["mime_type"])
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = PRIVATE_CACHE if found["confidential"] else PUBLIC_CACHE
    response.set_etag(f"{found['sha256']}{'-thumb' if thumb else ''}")
    response.make_conditional(request)
    return response


@bp.get("/photos/<int:photo_id>")
def full(photo_id: int) -> Response:
    return _serve(photo_id, thumb=False)


@bp.get("/photos/<int:photo_id>/thumb")
def thumbnail(photo_id: int) -> Response:
    return _serve(photo_id, thumb=True)


@bp.get("/documents/<int:document_id>")
def document_file(document_id: int) -> Response:
    with get_engine().connect() as conn:
        found = document(conn, document_id)
    if found is None or (found["confidential"] and not (_is_its_reporter(found) or _may_see_confidential(found))):
        abort(404)
    try:
        data = get_store().get(found["storage_key"])
    except (FileNotFoundError, KeyError):
        abort(404)
    response = Response(data, mimetype="application/pdf")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="pantau-{found["tracking_code"]}-{document_id}.pdf"'
    )
    response.headers["Cache-Control"] = PRIVATE_CACHE if found["confidential"] else PUBLIC_CACHE
    response.set_etag(found["sha256"])
    response.make_conditional(request)
    return response
