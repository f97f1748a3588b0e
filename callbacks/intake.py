"""/operator/baru: turn what the operator typed into a new report, created as theirs, and clear the form."""

from __future__ import annotations

from typing import Any

from dash import ALL, Input, Output, State, callback, html, no_update

from api.auth import current_staff
from callbacks._upload import attach_files, register_staging
from db.complaints import Actor, category_ids
from db.engine import get_engine
from db.places import kelurahan_point
from db.status import INTAKE_OUTSIDE
from geo.coordinates import CoordinateError, parse_coordinates
from i18n import t
from layouts.intake import INTAKE_CHANNELS, MAX_PHOTOS
from layouts.lapor import questions
from photos.upload import PhotoError
from services.intake import Refused, file_report, new_report
from services.permissions import may_open

FIELDS = ("oi-coordinates", "oi-category", "oi-description", "oi-name", "oi-contact", "oi-post-url")
CLEARED = ("oi-kelurahan", "oi-coordinates", "oi-address", "oi-category", "oi-description", "oi-name", "oi-contact")
_DROPDOWNS = {"oi-kelurahan", "oi-category"}
_SOCIAL = {choice for choice, channel, _ in INTAKE_CHANNELS if channel == "social"}
# ComplaintError's field → the form field that shows it.
_FIELD_OF = {"description": "oi-description", "category": "oi-category", "reporter_name": "oi-name"}
_FIELD_OF |= {"answers": "oi-category"}  # a required question unanswered: said under the category
_FIELD_OF |= {"reporter_contact": "oi-contact", "lat": "oi-coordinates", "lon": "oi-coordinates"}


register_staging("oi", MAX_PHOTOS)


@callback(Output("oi-questions", "children"), Input("oi-category", "value"), State("oi-lang", "data"))
def ask(category: str | None, lang: str | None) -> Any:
    """The chosen category's own questions, asked as /lapor and Open311 ask them (a required one must be answered)."""
    return questions(category, lang or "id", kind="oi-answer")


def _errors(found: dict[str, str]) -> list[Any]:
    return [html.Span(found[f], className="error") if f in found else "" for f in FIELDS]


@callback(
    Output("oi-result", "children"),
    *(Output(f"{f}-error", "children") for f in FIELDS),
    *(Output(f, "value") for f in CLEARED),
    Output("oi-flags", "value"),
    Output("oi-post-url", "value"),
    Output("oi-photo-tokens", "data"),
    Input("oi-submit", "n_clicks"),
    State("oi-channel", "value"),
    State("oi-post-url", "value"),
    State("oi-kelurahan", "value"),
    State("oi-coordinates", "value"),
    State("oi-address", "value"),
    State("oi-category", "value"),
    State("oi-description", "value"),
    State("oi-name", "value"),
    State("oi-contact", "value"),
    State("oi-flags", "value"),
    State("oi-lang", "data"),
    State("oi-photo-tokens", "data"),
    State({"type": "oi-answer", "code": ALL}, "value"),
    State({"type": "oi-answer", "code": ALL}, "id"),
    prevent_initial_call=True,
)
def log_report(
    _clicks: int,
    choice: str | None,
    post_url: str | None,
    kelurahan: str | None,
    coordinates: str | None,
    address: str | None,
    category: str | None,
    description: str | None,
    name: str | None,
    contact: str | None,
    flags: list[str] | None,
    lang: str | None,
    staged: list[dict[str, str]] | None = None,
    answer_values: list[Any] | None = None,
    answer_ids: list[dict[str, str]] | None = None,
) -> tuple[Any, ...]:
    lang = lang or "id"
    keep = (no_update,) * (len(CLEARED) + 3)
    user = current_staff()
    if user is None or not may_open(user, "intake"):
        return (html.Span(t("guard.forbidden", lang), className="error"), *_errors({}), *keep)
    found: dict[str, str] = {}
    channel, source = next(((c, s) for k, c, s in INTAKE_CHANNELS if k == choice), ("call_centre", None))
    lat = lon = None
    if (coordinates or "").strip():
        try:
            lat, lon = parse_coordinates(coordinates or "")
        except CoordinateError as exc:
            found["oi-coordinates"] = t(f"intake.coordinates_{exc.reason}", lang)
    if not category:
        found["oi-category"] = t("intake.need_category", lang)
    if not (description or "").strip():
        found["oi-description"] = t("intake.need_description", lang)
    url = (post_url or "").strip()
    if url and not url.startswith(("http://", "https://")):
        found["oi-post-url"] = t("intake.post_url_bad", lang)
    if found:
        return (html.Span(t("intake.fix", lang), className="error"), *_errors(found), *keep)
    anonymous = "anonymous" in (flags or [])
    try:
        with get_engine().begin() as conn:
            if lat is None and kelurahan:
                point = kelurahan_point(conn, kelurahan)
                if point is not None:
                    lat, lon = point
            new = new_report(
                category=category or "",
                description=description or "",
                channel=channel,
                source=source,
                lat=lat,
                lon=lon,
                address=(address or "").strip() or None,
                reporter_name=(name or "").strip() or None,
                reporter_contact=(contact or "").strip() or None,
                anonymous=anonymous,
                confidential="confidential" in (flags or []),
                answers={i["code"]: v for i, v in zip(answer_ids or [], answer_values or [], strict=False) if v},
                attributes={"entered_by": user.username, **({"post_url": url} if url and choice in _SOCIAL else {})},
            )
            actor = Actor(role=user.role, user_id=user.id)
            created = file_report(conn, new, actor, category_ids(conn))
            for item in staged or []:
                attach_files(conn, created, item, actor)
    except Refused as exc:
        where = _FIELD_OF.get(exc.field, "oi-description")
        return (html.Span(t("intake.fix", lang), className="error"), *_errors({where: exc.text(lang)}), *keep)
    except PhotoError as exc:
        # A file waited longer than a day: the transaction is rolled back, nothing is stored, the form stays.
        return (html.Span(exc.message(lang), className="error"), *_errors({}), *keep)
    outside = created.status == INTAKE_OUTSIDE
    done = html.P(
        [
            t("intake.done_outside" if outside else "intake.done", lang, code=created.tracking_code),
            " ",
            html.A(
                t("intake.open", lang),
                href=f"/pengaduan/{created.tracking_code}?lang={lang}",
                id="oi-created",
                **{"data-code": created.tracking_code},
            ),
        ],
        className="notice done",
    )
    # Dropdowns are emptied with None, text boxes with "" (a None leaves the browser's text in place).
    return (done, *_errors({}), *(None if f in _DROPDOWNS else "" for f in CLEARED), [], "", [])
