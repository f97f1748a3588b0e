"""The report form: placing the pin, listing photos, and checking and storing a submitted report.

Every field is checked again here (the browser's limits are only a
convenience) and each problem is named in the visitor's language. Submissions
count against ``PANTAU_SUBMIT_RATE`` per IP address (``api.limits``).
"""

from __future__ import annotations

import base64
import binascii
import math
from typing import Any

from dash import Input, Output, State, callback, clientside_callback, html, no_update
from flask import current_app, request

from api.limits import allow_submission
from db.complaints import MAX_DESCRIPTION, Actor, ComplaintError, NewComplaint, create_complaint
from db.engine import get_engine
from db.places import kelurahan_point
from db.status import Status
from db.tracking import reporter_token
from i18n import t
from layouts.lapor import MAX_ADDRESS, MAX_NAME, MAX_PHOTOS
from photos.store import get_store
from photos.upload import PhotoError, process_image, save_photo
from settings import get_settings

PUBLIC = Actor(role="public")

# Clicking anywhere on the map sets the pin: plotly reports clicks only on drawn
# points, so listen to MapLibre's own click event. Dash may re-mount the graph,
# so a light timer (re)attaches the listener to whichever map is current.
clientside_callback(
    """
    function(_lang) {
        if (window._pantauPinTimer) { return true; }
        const attach = () => {
            const host = document.getElementById('lapor-map');
            const gd = host && host.querySelector('.js-plotly-plot');
            const sub = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
            const map = sub && sub.map;
            if (!map || map._pantauPin) { return; }
            map._pantauPin = true;
            map.getCanvas().style.cursor = 'crosshair';
            map.on('click', (e) => {
                window._pantauPinFromClick = true;
                window.dash_clientside.set_props('lapor-lat', {value: e.lngLat.lat.toFixed(6)});
                window.dash_clientside.set_props('lapor-lon', {value: e.lngLat.lng.toFixed(6)});
            });
            host.setAttribute('data-pin-ready', '1');
        };
        window._pantauPinTimer = setInterval(attach, 400);
        return true;
    }
    """,
    Output("lapor-map-ready", "data"),
    Input("lapor-lang", "data"),
)

# The pin follows the coordinates, whoever set them (a tap, the device, the kelurahan list, typing);
# the map recentres unless the pin came from a tap. Plotly is driven directly: pure UI, no round trip.
clientside_callback(
    """
    function(lat, lon) {
        const gd = document.querySelector('#lapor-map .js-plotly-plot');
        if (!gd || !window.Plotly || !gd._fullLayout || !gd._fullLayout.map) { return window.dash_clientside.no_update; }
        const num = (v) => { const x = parseFloat(String(v === null || v === undefined ? '' : v).replace(',', '.'));
                             return Number.isFinite(x) ? x : null; };
        const la = num(lat), lo = num(lon);
        const ok = la !== null && lo !== null && Math.abs(la) <= 90 && Math.abs(lo) <= 180;
        window.Plotly.restyle(gd, {lat: [ok ? [la] : []], lon: [ok ? [lo] : []]}, [0]);
        if (ok && !window._pantauPinFromClick) {
            window.Plotly.relayout(gd, {'map.center': {lat: la, lon: lo}, 'map.zoom': Math.max(gd._fullLayout.map.zoom, 15)});
        }
        window._pantauPinFromClick = false;
        return ok ? [la, lo] : null;
    }
    """,
    Output("lapor-pin", "data"),
    Input("lapor-lat", "value"),
    Input("lapor-lon", "value"),
    prevent_initial_call=True,
)


# "Use my location" asks the browser only when tapped (never on page load).
clientside_callback(
    """
    function(n, texts) {
        if (!n) { return window.dash_clientside.no_update; }
        if (!navigator.geolocation) { return texts.unavailable; }
        navigator.geolocation.getCurrentPosition(
            (p) => {
                window.dash_clientside.set_props('lapor-lat', {value: p.coords.latitude.toFixed(6)});
                window.dash_clientside.set_props('lapor-lon', {value: p.coords.longitude.toFixed(6)});
                window.dash_clientside.set_props('lapor-geo-message', {children: ''});
            },
            () => window.dash_clientside.set_props('lapor-geo-message', {children: texts.unavailable}),
            {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000}
        );
        return texts.locating;
    }
    """,
    Output("lapor-geo-message", "children"),
    Input("lapor-locate", "n_clicks"),
    State("lapor-texts", "data"),
    prevent_initial_call=True,
)


@callback(
    Output("lapor-lat", "value", allow_duplicate=True),
    Output("lapor-lon", "value", allow_duplicate=True),
    Input("lapor-kelurahan", "value"),
    prevent_initial_call=True,
)
def place_in_kelurahan(code: str | None) -> tuple[Any, Any]:
    """Choosing a kelurahan puts the pin at a point inside it."""
    if not code:
        return no_update, no_update
    with get_engine().connect() as conn:
        point = kelurahan_point(conn, code)
    if point is None:
        return no_update, no_update
    return f"{point[0]:.6f}", f"{point[1]:.6f}"


@callback(
    Output("lapor-photo-list", "children"),
    Input("lapor-photos", "filename"),
    State("lapor-lang", "data"),
    prevent_initial_call=True,
)
def list_photos(names: list[str] | str | None, lang: str) -> list[html.Li]:
    names = [names] if isinstance(names, str) else list(names or [])
    items = [html.Li(name) for name in names]
    if len(names) > MAX_PHOTOS:
        items.append(html.Li(t("lapor.error.photos_count", lang, n=MAX_PHOTOS), className="error"))
    return items


def _number(raw: str | None) -> float | None:
    try:
        value = float(str(raw).strip().replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _photo_bytes(contents: list[str], names: list[str], lang: str, errors: list[str]) -> list[bytes]:
    """Decode and check each upload; problems are appended to ``errors``."""
    max_bytes = int(get_settings().max_photo_mb * 1024 * 1024)
    photos = []
    for content, name in zip(contents, names, strict=False):
        try:
            data = base64.b64decode(content.split(",", 1)[1], validate=True)
            process_image(data, max_bytes)
        except (IndexError, binascii.Error):
            errors.append(f"{name}: {t('photo.not_image', lang)}")
            continue
        except PhotoError as exc:
            errors.append(f"{name}: {t(exc.key, lang, mb=f'{get_settings().max_photo_mb:g}')}")
            continue
        photos.append(data)
    return photos


def check_form(values: dict[str, Any], lang: str) -> tuple[NewComplaint | None, list[bytes], list[str]]:
    """The report the form describes, its photos, and every problem found (in ``lang``)."""
    errors: list[str] = []
    category = values.get("category")
    if not category:
        errors.append(t("lapor.error.category", lang))
    description = (values.get("description") or "").strip()
    if not description:
        errors.append(t("lapor.error.description", lang))
    elif len(description) > MAX_DESCRIPTION:
        errors.append(t("lapor.error.description_long", lang, n=MAX_DESCRIPTION))
    raw_lat, raw_lon = (str(values.get(k) or "").strip() for k in ("lat", "lon"))
    lat, lon = _number(raw_lat), _number(raw_lon)
    if not raw_lat and not raw_lon:
        errors.append(t("lapor.error.location", lang))
    elif lat is None or lon is None:
        errors.append(t("lapor.error.not_number", lang))
    elif not (-90 <= lat <= 90 and -180 <= lon <= 180):
        errors.append(t("lapor.error.out_of_range", lang))
    texts = {k: (values.get(k) or "").strip() for k in ("name", "contact", "address")}
    for key, limit in (("name", MAX_NAME), ("contact", MAX_NAME), ("address", MAX_ADDRESS)):
        if len(texts[key]) > limit:
            errors.append(t("lapor.error.too_long", lang, field=t(f"lapor.{key}", lang), n=limit))
    contents = list(values.get("photos") or [])
    names = list(values.get("photo_names") or [])
    photos: list[bytes] = []
    if len(contents) > MAX_PHOTOS:
        errors.append(t("lapor.error.photos_count", lang, n=MAX_PHOTOS))
    else:
        photos = _photo_bytes(contents, names or [f"#{i + 1}" for i in range(len(contents))], lang, errors)
    if errors:
        return None, [], errors
    anonymous = "yes" in (values.get("anonymous") or [])
    new = NewComplaint(
        category=str(category),
        description=description,
        channel="web",
        lat=lat,
        lon=lon,
        address=texts["address"] or None,
        # Anonymous: the identity is dropped here already, so it never reaches the database.
        reporter_name=None if anonymous else texts["name"] or None,
        reporter_contact=None if anonymous else texts["contact"] or None,
        anonymous=anonymous,
        confidential="yes" in (values.get("confidential") or []),
        attributes={"lang": lang},  # messages to the reporter come in the language they wrote in
    )
    return new, photos, []


def _receipt(code: str, status: Status, duplicate: bool, lang: str) -> html.Div:
    token = reporter_token(current_app.config["SECRET_KEY"], code)
    path = f"/lacak/{code}?k={token}&lang={lang}"
    return html.Div(
        [
            html.H2(t("lapor.sent_title", lang)),
            html.P(t("lapor.sent_code", lang)),
            html.P(code, className="tracking-code", id="lapor-code"),
            html.P(t("lapor.duplicate", lang), className="notice") if duplicate else None,
            html.P(t("lapor.outside", lang), className="notice", id="lapor-outside")
            if status == Status.LUAR_WILAYAH
            else None,
            html.P(t("lapor.keep_link", lang)),
            html.P(
                html.A(request.host_url.rstrip("/") + path, href=path, id="lapor-track-link"), className="tracking-url"
            ),
            html.A(t("lapor.another", lang), href=f"/lapor?lang={lang}", className="button button-secondary"),
        ],
        className="lapor-receipt",
    )


@callback(
    Output("lapor-errors", "children"),
    Output("lapor-result", "children"),
    Output("lapor-form", "hidden"),
    Input("lapor-submit", "n_clicks"),
    State("lapor-category", "value"),
    State("lapor-lat", "value"),
    State("lapor-lon", "value"),
    State("lapor-address", "value"),
    State("lapor-description", "value"),
    State("lapor-photos", "contents"),
    State("lapor-photos", "filename"),
    State("lapor-name", "value"),
    State("lapor-contact", "value"),
    State("lapor-anonymous", "value"),
    State("lapor-confidential", "value"),
    State("lapor-lang", "data"),
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
    photos: list[str] | str | None,
    photo_names: list[str] | str | None,
    name: str | None,
    contact: str | None,
    anonymous: list[str] | None,
    confidential: list[str] | None,
    lang: str,
) -> tuple[Any, Any, Any]:
    values = {
        "category": category,
        "lat": lat,
        "lon": lon,
        "address": address,
        "description": description,
        "photos": [photos] if isinstance(photos, str) else photos,
        "photo_names": [photo_names] if isinstance(photo_names, str) else photo_names,
        "name": name,
        "contact": contact,
        "anonymous": anonymous,
        "confidential": confidential,
    }
    new, photo_data, errors = check_form(values, lang)
    if new is None:
        return html.Ul([html.Li(e) for e in errors]), no_update, no_update
    if not allow_submission("lapor"):
        return t("lapor.error.rate", lang), no_update, no_update
    max_bytes = int(get_settings().max_photo_mb * 1024 * 1024)
    try:
        with get_engine().begin() as conn:
            created = create_complaint(conn, new, PUBLIC)
            if not created.duplicate_submission:
                store = get_store()
                for data in photo_data:
                    save_photo(conn, store, created.id, data, "report", PUBLIC, max_bytes)
    except ComplaintError as exc:
        # Only input that bypassed the form's own checks gets here (e.g. a category that no longer exists).
        return (
            t("lapor.error.category" if exc.field == "category" else "lapor.error.invalid", lang),
            no_update,
            no_update,
        )
    return "", _receipt(created.tracking_code, created.status, created.duplicate_submission, lang), True
