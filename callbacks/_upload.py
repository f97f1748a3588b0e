"""Behaviour of the photo upload widgets (``layouts/_upload.py``): size check in the browser, then the server.

Each chosen photo travels on its own (one request, one photo): a staff member's
completion photo is stored with its complaint at once (``register_upload``); a
citizen's photo on /lapor is processed and kept under a token until the report
is sent (``register_staging``), so a refused or large photo never costs the
report, and the form itself carries only tokens.
"""

from __future__ import annotations

import binascii
from typing import Any

from dash import ALL, ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, html, no_update
from sqlalchemy import Connection

from api.auth import current_staff
from api.limits import allow_submission
from db.complaints import Actor, Created, NotFound
from db.engine import get_engine
from db.uploads import discard_upload
from db.workflow import evidence, locked
from i18n import t
from layouts._evidence import distance_text
from layouts._upload import staged_list, stored_photos
from photos.document import (
    DOCUMENT_KIND,
    MAX_DOCUMENTS,
    attach_staged_document,
    discard_staged_document,
    looks_like_pdf,
    stage_document,
)
from photos.store import get_store
from photos.upload import PhotoError, attach_staged, save_photo, stage_photo
from services.permissions import photo_refusal
from settings import get_settings

MAX_NAME = 120  # characters of a file name shown back


def decode_upload(contents: str) -> bytes:
    """The bytes of a ``data:…;base64,…`` URL from dcc.Upload; raises PhotoError if it is not one."""
    _, _, payload = contents.partition(",")
    try:
        # binascii reads an ASCII str in place (base64.b64decode would copy it to bytes first: 20 MB more).
        return binascii.a2b_base64(payload, strict_mode=True)
    except (binascii.Error, ValueError) as exc:
        raise PhotoError("photo.not_image", "the upload is not base64 data") from exc


def max_photo_bytes() -> int:
    return int(get_settings().max_photo_mb * 1048576)


def _too_large() -> PhotoError:
    mb = f"{get_settings().max_photo_mb:g}"
    return PhotoError("photo.too_large", "refused in the browser", mb=mb)


def register_size_check(prefix: str) -> None:
    """The browser side of a widget whose ids start with ``prefix``; ``<prefix>-ctx`` holds ``{"max_bytes"}``."""

    # Too large a file is not sent at all: only its size goes to the server, which answers with the message.
    clientside_callback(
        ClientsideFunction("pantau_upload", "pending"),
        Output(f"{prefix}-pending", "data"),
        Input(f"{prefix}-upload", "contents"),
        State(f"{prefix}-upload", "filename"),
        State(f"{prefix}-ctx", "data"),
    )

    # dcc.Upload's file input has no label of its own: give it the visible one.
    clientside_callback(
        ClientsideFunction("pantau_upload", "label"),
        Output(f"{prefix}-upload-a11y", "children"),
        Input(f"{prefix}-ctx", "data"),
        State(f"{prefix}-upload", "id"),
    )


def register_upload(prefix: str) -> None:
    """Completion photos of the complaint in ``<prefix>-ctx`` (``{"code", "lang", "max_bytes"}``), stored at once."""
    register_size_check(prefix)

    @callback(
        Output(f"{prefix}-photos", "children"),
        Output(f"{prefix}-upload-msg", "children"),
        Output(f"{prefix}-photo-count", "data"),
        Output(f"{prefix}-upload", "contents"),
        Input(f"{prefix}-pending", "data"),
        State(f"{prefix}-ctx", "data"),
        prevent_initial_call=True,
    )
    def store_photo(pending: dict[str, Any] | None, page: dict[str, Any]) -> tuple[Any, ...]:
        lang = page.get("lang", "id")
        if not pending:
            return no_update, no_update, no_update, no_update
        user = current_staff()
        try:
            if pending.get("too_large"):
                raise _too_large()
            data = decode_upload(pending.get("contents") or "")
            with get_engine().begin() as conn:
                row = locked(conn, page["code"])
                why = photo_refusal(user, "completion", row)
                if why is not None:
                    return no_update, html.Span(t("action.forbidden", lang), className="error"), no_update, None
                stored = save_photo(
                    conn, get_store(), row["id"], data, "completion", user.actor,  # type: ignore[union-attr]
                    max_photo_bytes(),
                )  # fmt: skip
                rows = [r for r in evidence(conn, row["id"]) if r["kind"] == "completion" and not r["from_survivor"]]
        except PhotoError as exc:
            return no_update, html.Span(exc.message(lang), className="error"), no_update, None
        except NotFound:
            return (
                no_update,
                html.Span(t("complaint.not_found", lang, code=page["code"]), className="error"),
                no_update,
                None,
            )
        key = "upload.duplicate" if stored.duplicate else "upload.stored"
        message = t(key, lang, name=pending.get("name") or "", distance=distance_text(stored.distance_m, lang))
        return stored_photos(rows, lang), html.Span(message, className="done"), len(rows), None


def register_staging(prefix: str, max_photos: int, max_documents: int = MAX_DOCUMENTS) -> None:
    """A report's photos and PDF documents, not sent yet: ``<prefix>-photo-tokens`` holds
    ``[{"token", "name", "kind"?}]`` (``kind`` is ``"document"`` for a PDF).

    What a file is comes from its bytes (a PDF's header), never its name. Every
    file sent counts against ``PANTAU_SUBMIT_RATE`` (``max_photos`` per report)
    before its bytes are even decoded from base64.
    """
    register_size_check(prefix)

    @callback(
        Output(f"{prefix}-photo-tokens", "data"),
        Output(f"{prefix}-upload-msg", "children"),
        Output(f"{prefix}-upload", "contents"),
        Output(f"{prefix}-photo-thumbs", "data"),
        Input(f"{prefix}-pending", "data"),
        State(f"{prefix}-photo-tokens", "data"),
        State(f"{prefix}-photo-thumbs", "data"),
        State(f"{prefix}-ctx", "data"),
        prevent_initial_call=True,
    )
    def stage(
        pending: dict[str, Any] | None,
        staged: list[dict[str, str]] | None,
        thumbs: dict[str, str] | None,
        page: dict[str, Any],
    ) -> Any:
        lang = page.get("lang", "id")
        if not pending:
            return no_update, no_update, no_update, no_update
        staged = list(staged or [])
        name = str(pending.get("name") or "")[:MAX_NAME]
        documents = sum(p.get("kind") == DOCUMENT_KIND for p in staged)
        try:
            if not allow_submission(f"{prefix}-photo", per_report=max_photos + max_documents):
                raise PhotoError("photo.rate", "too many photos from this address")
            if pending.get("too_large"):
                raise _too_large()
            data = decode_upload(pending.get("contents") or "")
            is_pdf = looks_like_pdf(data)
            if is_pdf and documents >= max_documents:
                raise PhotoError("document.count", f"at most {max_documents} documents", n=max_documents)
            if not is_pdf and len(staged) - documents >= max_photos:
                raise PhotoError("lapor.error.photos_count", f"at most {max_photos} photos", n=max_photos)
            with get_engine().begin() as conn:
                if is_pdf:
                    token, _ = stage_document(conn, data)
                else:
                    token, processed = stage_photo(conn, data, max_photo_bytes())
        except PhotoError as exc:
            return no_update, html.Span(f"{name}: {exc.message(lang)}", className="error"), None, no_update
        staged.append({"token": token, "name": name, **({"kind": DOCUMENT_KIND} if is_pdf else {})})
        done = html.Span(t("document.staged" if is_pdf else "upload.staged", lang, name=name), className="done")
        if is_pdf:
            return staged, done, None, no_update
        # The thumbnail of the photo as kept (upright, without EXIF), the few kilobytes the page shows.
        thumb = "data:image/jpeg;base64," + binascii.b2a_base64(processed.thumb, newline=False).decode("ascii")
        return staged, done, None, {**(thumbs or {}), token: thumb}

    @callback(
        Output(f"{prefix}-photo-list", "children"),
        Input(f"{prefix}-photo-tokens", "data"),
        State(f"{prefix}-photo-thumbs", "data"),
        State(f"{prefix}-ctx", "data"),
    )
    def show(staged: list[dict[str, str]] | None, thumbs: dict[str, str] | None, page: dict[str, Any]) -> Any:
        return staged_list(prefix, staged or [], page.get("lang", "id"), thumbs)

    @callback(
        Output(f"{prefix}-photo-tokens", "data", allow_duplicate=True),
        Output(f"{prefix}-upload-msg", "children", allow_duplicate=True),
        Input({"type": f"{prefix}-photo-remove", "index": ALL}, "n_clicks"),
        State(f"{prefix}-photo-tokens", "data"),
        prevent_initial_call=True,
    )
    def remove(clicks: list[int | None], staged: list[dict[str, str]] | None) -> Any:
        # A newly drawn button fires this too, unclicked.
        if not ctx.triggered_id or not ctx.triggered[0]["value"]:
            return no_update, no_update
        token = ctx.triggered_id["index"]
        with get_engine().begin() as conn:
            discard_upload(conn, token)  # a token is a photo's or a document's: forgetting both is harmless
            discard_staged_document(conn, token)
        return [p for p in staged or [] if p["token"] != token], ""


def attach_files(conn: Connection, created: Created, staged: dict[str, str], actor: Actor) -> None:
    """Store a staged photo or document (``callbacks/_upload.py``) with the report just filed."""
    document = staged.get("kind") == DOCUMENT_KIND
    if created.duplicate_submission:  # the first submission has its files
        (discard_staged_document if document else discard_upload)(conn, staged["token"])
    elif document:
        attach_staged_document(conn, get_store(), created.id, staged["token"], actor)
    else:
        attach_staged(conn, get_store(), created.id, staged["token"], "report", actor)
