"""Behaviour of the photo upload widget (``layouts/_upload.py``): size check in the browser, storing on the server."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from dash import Input, Output, State, callback, clientside_callback, html, no_update

from api.auth import current_staff
from api.permissions import photo_refusal
from db.complaints import NotFound
from db.engine import get_engine
from db.workflow import evidence, locked
from i18n import t
from layouts._evidence import distance_text
from layouts._upload import stored_photos
from photos.store import get_store
from photos.upload import PhotoError, save_photo
from settings import get_settings


def decode_upload(contents: str) -> bytes:
    """The bytes of a ``data:…;base64,…`` URL from dcc.Upload; raises PhotoError if it is not one."""
    _, _, payload = contents.partition(",")
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PhotoError("photo.not_image", "the upload is not base64 data") from exc


def register_upload(prefix: str) -> None:
    """Register the widget's callbacks for the page whose ids start with ``prefix``; ``<prefix>-ctx`` holds
    ``{"code", "lang", "max_bytes"}``."""

    # Too large a file is not sent at all: only its size goes to the server, which answers with the message.
    clientside_callback(
        """
        function(contents, filename, ctx) {
            if (!contents) { return window.dash_clientside.no_update; }
            var bytes = Math.floor((contents.length - contents.indexOf(',') - 1) * 3 / 4);
            var max = (ctx && ctx.max_bytes) || Infinity;
            if (bytes > max) { return {name: filename, bytes: bytes, too_large: true, at: Date.now()}; }
            return {name: filename, bytes: bytes, contents: contents, at: Date.now()};
        }
        """,
        Output(f"{prefix}-pending", "data"),
        Input(f"{prefix}-upload", "contents"),
        State(f"{prefix}-upload", "filename"),
        State(f"{prefix}-ctx", "data"),
    )

    # dcc.Upload's file input has no label of its own: give it the visible one.
    clientside_callback(
        """
        function(ctx) {
            var root = document.getElementById('__P__-upload');
            var input = root && root.querySelector('input[type=file]');
            var hint = document.getElementById('__P__-upload-hint');
            if (input) {
                input.setAttribute('aria-label', root.textContent.trim());
                if (hint) { input.setAttribute('aria-describedby', '__P__-upload-hint'); }
            }
            return '';
        }
        """.replace("__P__", prefix),
        Output(f"{prefix}-upload-a11y", "children"),
        Input(f"{prefix}-ctx", "data"),
    )

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
        mb = f"{get_settings().max_photo_mb:g}"
        if not pending:
            return no_update, no_update, no_update, no_update
        user = current_staff()
        try:
            if pending.get("too_large"):
                raise PhotoError("photo.too_large", "refused in the browser")
            data = decode_upload(pending.get("contents") or "")
            with get_engine().begin() as conn:
                row = locked(conn, page["code"])
                why = photo_refusal(user, "completion", row)
                if why is not None:
                    return no_update, html.Span(t("action.forbidden", lang), className="error"), no_update, None
                stored = save_photo(
                    conn, get_store(), row["id"], data, "completion", user.actor,  # type: ignore[union-attr]
                    int(get_settings().max_photo_mb * 1048576),
                )  # fmt: skip
                rows = [r for r in evidence(conn, row["id"]) if r["kind"] == "completion" and not r["from_survivor"]]
        except PhotoError as exc:
            return no_update, html.Span(t(exc.key, lang, mb=mb), className="error"), no_update, None
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
