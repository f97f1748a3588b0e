"""The report form: placing the pin, listing photos, and checking and storing a submitted report.

Every field is checked again here (the browser's limits are only a
convenience) and each problem is named in the visitor's language. Submissions
count against ``PANTAU_SUBMIT_RATE`` per IP address (``api.limits``).
"""

from __future__ import annotations

import math
import secrets
from typing import Any

from dash import ALL, ClientsideFunction, Input, Output, State, callback, clientside_callback, html, no_update
from flask import current_app, request

from api.limits import allow_submission
from callbacks._upload import attach_files, register_staging
from db.complaints import Actor
from db.engine import get_engine
from db.places import kelurahan_point, place_at
from db.status import Status
from db.tracking import reporter_token
from i18n import t
from layouts.lapor import MAX_PHOTOS, questions, receipt
from photos.document import DOCUMENT_KIND, MAX_DOCUMENTS
from photos.upload import PhotoError
from services.intake import NewReport, Refused, check, file_report

PUBLIC = Actor(role="public")

# Each photo is sent, checked and kept as soon as it is chosen; the form sends their tokens.
register_staging("lapor", MAX_PHOTOS)

# Clicking anywhere on the map sets the pin; the pin and the map follow the coordinates; the device's location
# on request; the address asked for while the pin is the kelurahan list's: all in assets/lapor_location.js.
clientside_callback(
    ClientsideFunction("pantau_location", "listenForTaps"),
    Output("lapor-map-ready", "data"),
    Input("lapor-lang", "data"),
)

# The pin follows the coordinates, whoever set them (a tap, the device, the kelurahan list, typing);
# the map recentres unless the pin came from a tap. Plotly is driven directly: pure UI, no round trip.
clientside_callback(
    ClientsideFunction("pantau_location", "followPin"),
    Output("lapor-pin", "data"),
    Input("lapor-lat", "value"),
    Input("lapor-lon", "value"),
    prevent_initial_call=True,
)


# "Use my location" asks the browser only when tapped (never on page load).
clientside_callback(
    ClientsideFunction("pantau_location", "locate"),
    Output("lapor-geo-message", "children"),
    Input("lapor-locate", "n_clicks"),
    State("lapor-texts", "data"),
    prevent_initial_call=True,
)


@callback(
    Output("lapor-lat", "value", allow_duplicate=True),
    Output("lapor-lon", "value", allow_duplicate=True),
    Output("lapor-pin-source", "data"),
    Input("lapor-kelurahan", "value"),
    prevent_initial_call=True,
)
def place_in_kelurahan(code: str | None) -> tuple[Any, Any, Any]:
    """Choosing a kelurahan puts the pin at a point inside it, and remembers that point: while the pin stays
    there it marks no particular place, so the form asks for an address or landmark."""
    if not code:
        return no_update, no_update, no_update
    with get_engine().connect() as conn:
        point = kelurahan_point(conn, code)
    if point is None:
        return no_update, no_update, no_update
    lat, lon = f"{point[0]:.6f}", f"{point[1]:.6f}"
    return lat, lon, {"kelurahan": code, "lat": lat, "lon": lon}


def pin_from_list(source: Any, lat: Any, lon: Any) -> bool:
    """Whether the pin is still where the kelurahan list put it (``source``: the lapor-pin-source store)."""
    return (
        isinstance(source, dict)
        and source.get("lat") == str(lat or "").strip()
        and source.get("lon") == str(lon or "").strip()
    )


@callback(
    Output("lapor-place", "children"),
    Input("lapor-lat", "value"),
    Input("lapor-lon", "value"),
    State("lapor-lang", "data"),
    prevent_initial_call=True,
)
def name_the_place(raw_lat: str | None, raw_lon: str | None, lang: str) -> str:
    """Whoever moved the pin (a tap, the device, the list, typing), name the kelurahan it is in, as routing will."""
    lat, lon = _number(raw_lat), _number(raw_lon)
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return ""
    with get_engine().connect() as conn:
        place = place_at(conn, lon, lat)
    if place is None:
        return t("lapor.pin_outside", lang)
    return t("lapor.pin_in", lang, kelurahan=place.kelurahan, kecamatan=place.kecamatan, kota=place.kota)


# The address is required while the pin is where the list put it; the label and the message at the field say so.
clientside_callback(
    ClientsideFunction("pantau_location", "addressRequired"),
    Output("lapor-address-label", "children"),
    Output("lapor-address-message", "children"),
    Output("lapor-address", "required"),
    Input("lapor-lat", "value"),
    Input("lapor-lon", "value"),
    Input("lapor-pin-source", "data"),
    Input("lapor-address", "value"),
    State("lapor-texts", "data"),
    prevent_initial_call=True,
)


def _number(raw: str | None) -> float | None:
    try:
        value = float(str(raw).strip().replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


# In the form's order (assets/lapor.js fieldErrors takes them so).
ERROR_FIELDS = ("category", "answers", "location", "address", "description", "photos", "name", "contact")
# The form's fields an error is shown at (layouts/lapor.py ``lapor-<field>-error``), by the name
# services/intake.py gives a refused value; anything else is said above the button.
FIELD_OF = {
    "category": "category",
    "description": "description",
    "lat": "location",
    "lon": "location",
    "location": "location",
    "address": "address",
    "reporter_name": "name",
    "reporter_contact": "contact",
    "answers": "answers",
}


def check_form(values: dict[str, Any], lang: str) -> tuple[NewReport | None, list[dict[str, str]], dict[str, str]]:
    """The report the form describes, its staged photos, and every problem found (in ``lang``), by the field it
    is shown at (``FIELD_OF``; "form" for the rest).

    What only the form asks (a place and a description, an address for a pin from the kelurahan list, at
    most three photos) is checked here; everything else is services/intake.py's, as at every door."""
    errors: dict[str, list[str]] = {}

    def say(field: str, text: str) -> None:
        errors.setdefault(field, []).append(text)

    category = values.get("category")
    if not category:
        say("category", t("lapor.error.category", lang))
    description = (values.get("description") or "").strip()
    if not description:
        say("description", t("lapor.error.description", lang))
    raw_lat, raw_lon = (str(values.get(k) or "").strip() for k in ("lat", "lon"))
    if not raw_lat and not raw_lon:
        say("location", t("lapor.error.location", lang))
    texts = {k: (values.get(k) or "").strip() for k in ("name", "contact", "address")}
    if not texts["address"] and pin_from_list(values.get("pin_source"), raw_lat, raw_lon):
        say("address", t("lapor.error.address_needed", lang))
    photos = [p for p in values.get("photos") or [] if isinstance(p, dict) and isinstance(p.get("token"), str)]
    documents = sum(p.get("kind") == DOCUMENT_KIND for p in photos)
    if len(photos) - documents > MAX_PHOTOS:
        say("photos", t("lapor.error.photos_count", lang, n=MAX_PHOTOS))
    if documents > MAX_DOCUMENTS:
        say("photos", t("document.count", lang, n=MAX_DOCUMENTS))
    report, refused = check(
        category=str(category or ""),
        description=description,
        channel="web",
        lat=raw_lat or None,
        lon=raw_lon or None,
        address=texts["address"] or None,
        reporter_name=texts["name"] or None,  # dropped by the model when anonymous
        reporter_contact=texts["contact"] or None,
        anonymous="yes" in (values.get("anonymous") or []),
        confidential="yes" in (values.get("confidential") or []),
        idempotency_key=values.get("form_key"),
        answers=values.get("answers") or {},
        attributes={"lang": lang},  # messages to the reporter come in the language they wrote in
    )
    # A missing category or description is said once, in the form's own words, above.
    for r in refused:
        if r.code != "required":
            say(FIELD_OF.get(r.field, "form"), r.text(lang))
    if errors or report is None:
        return None, [], {field: " ".join(texts_) for field, texts_ in errors.items()}
    return report, photos, {}


def _receipt(code: str, status: Status, duplicate: bool, lang: str) -> html.Div:
    token = reporter_token(current_app.config["SECRET_KEY"], code)
    path = f"/lacak/{code}?k={token}&lang={lang}"
    return receipt(code, request.host_url.rstrip("/") + path, path, duplicate, status == Status.LUAR_WILAYAH, lang)


def _form_key(raw: Any) -> str:
    """The form's own key (layouts/lapor.py); without a well-formed one, a fresh key, so it matches nobody's report."""
    if isinstance(raw, str) and 16 <= len(raw) <= 64 and raw.replace("-", "").replace("_", "").isalnum():
        return raw
    return secrets.token_urlsafe(18)


clientside_callback(
    ClientsideFunction("pantau_lapor", "copyLink"),
    Output("lapor-copy-status", "children"),
    Input("lapor-copy", "n_clicks"),
    State("lapor-link", "data"),
    prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction("pantau_lapor", "shareLink"),
    Output("lapor-copy-status", "children", allow_duplicate=True),
    Input("lapor-share", "n_clicks"),
    State("lapor-link", "data"),
    prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction("pantau_lapor", "canShare"),
    Output("lapor-share", "hidden"),
    Input("lapor-link", "data"),
)


# Each refused field: its message beside it, aria-invalid, the focus on the first; gone once it is changed.
clientside_callback(
    ClientsideFunction("pantau_lapor", "fieldErrors"),
    *(Output(f"lapor-{field}-error", "children") for field in ERROR_FIELDS),
    Input("lapor-field-errors", "data"),
    Input("lapor-category", "value"),
    Input({"type": "lapor-answer", "code": ALL}, "value"),
    Input("lapor-lat", "value"),
    Input("lapor-lon", "value"),
    Input("lapor-address", "value"),
    Input("lapor-description", "value"),
    Input("lapor-photo-tokens", "data"),
    Input("lapor-name", "value"),
    Input("lapor-contact", "value"),
    prevent_initial_call=True,
)


@callback(
    Output("lapor-questions", "children"),
    Input("lapor-category", "value"),
    State("lapor-lang", "data"),
)
def ask(category: str | None, lang: str) -> Any:
    """The chosen category's own questions (db/open311.py QUESTIONS), as Open311 asks them."""
    return questions(category, lang)


@callback(
    Output("lapor-errors", "children"),
    Output("lapor-field-errors", "data"),
    Output("lapor-result", "children"),
    Output("lapor-form", "hidden"),
    Input("lapor-submit", "n_clicks"),
    State("lapor-category", "value"),
    State("lapor-lat", "value"),
    State("lapor-lon", "value"),
    State("lapor-address", "value"),
    State("lapor-description", "value"),
    State("lapor-photo-tokens", "data"),
    State("lapor-name", "value"),
    State("lapor-contact", "value"),
    State("lapor-anonymous", "value"),
    State("lapor-confidential", "value"),
    State("lapor-lang", "data"),
    State("lapor-form-key", "data"),
    State("lapor-pin-source", "data"),
    State({"type": "lapor-answer", "code": ALL}, "value"),
    State({"type": "lapor-answer", "code": ALL}, "id"),
    running=[(Output("lapor-submit", "disabled"), True, False)],
    prevent_initial_call=True,
)
def submit(
    _clicks: int,
    category: str | None,
    lat: str | None,
    lon: str | None,
    address: str | None,
    description: str | None,
    photos: list[dict[str, str]] | None,
    name: str | None,
    contact: str | None,
    anonymous: list[str] | None,
    confidential: list[str] | None,
    lang: str,
    form_key: str | None = None,
    pin_source: dict[str, str] | None = None,
    answer_values: list[Any] | None = None,
    answer_ids: list[dict[str, str]] | None = None,
) -> tuple[Any, ...]:
    values = {
        "category": category,
        "lat": lat,
        "lon": lon,
        "address": address,
        "description": description,
        "photos": photos,
        "name": name,
        "contact": contact,
        "anonymous": anonymous,
        "confidential": confidential,
        "pin_source": pin_source,
        "form_key": _form_key(form_key),
        "answers": {i["code"]: v for i, v in zip(answer_ids or [], answer_values or [], strict=False) if v},
    }
    new, photo_data, errors = check_form(values, lang)
    if new is None:
        # Each problem at its field (assets/lapor.js marks it and moves the focus to the first).
        return errors.pop("form", ""), errors, no_update, no_update
    if not allow_submission("lapor"):
        return t("lapor.error.rate", lang), {}, no_update, no_update
    photo: dict[str, str] = {}
    try:
        with get_engine().begin() as conn:
            created = file_report(conn, new, PUBLIC)
            for photo in photo_data:
                attach_files(conn, created, photo, PUBLIC)
    except PhotoError as exc:
        # The photo waited longer than a day, or went with another report: nothing is stored.
        return "", {"photos": f"{photo.get('name') or ''}: {exc.message(lang)}"}, no_update, no_update
    except Refused as exc:
        # Only what the database knows gets here (e.g. a category that no longer exists).
        if exc.field == "category":
            return "", {"category": t("lapor.error.category", lang)}, no_update, no_update
        return t("lapor.error.invalid", lang), {}, no_update, no_update
    return "", {}, _receipt(created.tracking_code, created.status, created.duplicate_submission, lang), True
