"""Report a problem (citizens): category, place, description, up to 3 photos, optional identity."""

from __future__ import annotations

import secrets
from typing import Any

import dash
from dash import dcc, html

from db.engine import get_engine
from db.open311 import QUESTIONS, services
from db.places import kelurahan_options, kelurahan_outlines
from geo.pin_map import pin_map
from i18n import current_lang, t
from layouts._chrome import page
from layouts._upload import report_photos
from services.intake import MAX_ADDRESS, MAX_ANSWER, MAX_CONTACT, MAX_DESCRIPTION, MAX_NAME
from settings import get_settings

dash.register_page(__name__, path="/lapor", title="Lapor · Pantau")

MAX_PHOTOS = 3


def questions(category: str | None, lang: str, kind: str = "lapor-answer") -> list[Any]:
    """The category's own questions (the answers services/intake.py checks), or nothing; each control's id is
    ``{"type": kind, "code": …}`` (/operator/baru asks them as ``oi-answer``)."""
    asked = QUESTIONS.get(category or "", ())
    if not asked:
        return []
    fields: list[Any] = [html.Legend(t("lapor.questions", lang))]
    for q in asked:
        control_id = {"type": kind, "code": q.code}
        label = q.description + ("" if q.required else f" ({t('lapor.optional', lang)})")
        control: Any
        if q.datatype == "singlevaluelist":
            control = dcc.RadioItems(id=control_id, options=[{"label": n, "value": k} for k, n in q.values])
        elif q.datatype == "multivaluelist":
            control = dcc.Checklist(id=control_id, options=[{"label": n, "value": k} for k, n in q.values])
        else:
            kind = "number" if q.datatype == "number" else "text"
            control = dcc.Input(id=control_id, type=kind, maxLength=MAX_ANSWER if kind == "text" else None)
        fields.append(html.Div([html.P(label, className="lapor-question"), control], className="lapor-field"))
    return [html.Fieldset(fields, className="lapor-fieldset")]


def field_error(field: str) -> html.P:
    """Where a refused field's message shows, beside it (filled and cleared by assets/lapor.js)."""
    return html.P(id=f"lapor-{field}-error", className="field-error")


def _field(label: str, control: Any, for_id: str, hint: str | None = None, error: str | None = None) -> html.Div:
    hint_id = f"{for_id}-hint"
    children: list[Any] = [html.Label(label, htmlFor=for_id)]
    if hint:
        children.append(html.P(hint, id=hint_id, className="hint"))
    children.append(control)
    if error:
        children.append(field_error(error))
    return html.Div(children, className="field")


def receipt(code: str, url: str, path: str, duplicate: bool, outside: bool, lang: str) -> html.Div:
    """What the reporter sees after sending: the code, their own link (``url``, with ``k``), what holding it means.

    Copy and share run in the browser (``assets/lapor.js``); share shows only where the device offers it.
    """
    return html.Div(
        [
            html.H2(t("lapor.sent_title", lang)),
            html.P(t("lapor.sent_code", lang)),
            html.P(code, className="tracking-code", id="lapor-code"),
            html.P(t("lapor.duplicate", lang), className="notice") if duplicate else None,
            html.P(t("lapor.outside", lang), className="notice", id="lapor-outside") if outside else None,
            html.P(t("lapor.keep_link", lang)),
            html.P(html.A(url, href=path, id="lapor-track-link"), className="tracking-url"),
            html.P(t("lapor.link_warning", lang), className="notice lapor-link-warning", id="lapor-link-warning"),
            html.Div(
                [
                    html.Button(t("lapor.copy_link", lang), id="lapor-copy", n_clicks=0, type="button"),
                    html.Button(
                        t("lapor.share_link", lang),
                        id="lapor-share",
                        n_clicks=0,
                        type="button",
                        className="button-secondary",
                        hidden=True,
                    ),
                ],
                className="lapor-link-actions",
            ),
            html.P(id="lapor-copy-status", role="status", className="hint", **{"aria-live": "polite"}),
            dcc.Store(
                id="lapor-link",
                data={
                    "url": url,
                    "title": t("lapor.share_title", lang, code=code),
                    "copied": t("lapor.copied", lang),
                    "failed": t("lapor.copy_failed", lang),
                },
            ),
            html.A(t("lapor.another", lang), href=f"/lapor?lang={lang}", className="button button-secondary"),
        ],
        className="lapor-receipt",
    )


def layout(lang: str | None = None, **query: Any) -> html.Div:
    lang = lang if lang in ("id", "en") else current_lang()
    with get_engine().connect() as conn:
        categories = services(conn)
        places = kelurahan_options(conn)
        outlines = kelurahan_outlines(conn)
    name = "name_en" if lang == "en" else "name_id"
    form = html.Div(
        [
            html.P(t("lapor.intro", lang), className="lead"),
            html.Fieldset(
                [
                    html.Legend(t("lapor.category", lang)),
                    # Above the long list, so that it is in view when the focus lands on the first choice.
                    field_error("category"),
                    dcc.RadioItems(
                        id="lapor-category",
                        options=[{"label": c[name], "value": c["code"]} for c in categories],
                        className="lapor-categories",
                    ),
                ],
                className="lapor-fieldset",
            ),
            html.Div(id="lapor-questions"),
            field_error("answers"),
            html.Fieldset(
                [
                    html.Legend(t("lapor.location", lang)),
                    html.P(t("lapor.location_hint", lang), className="hint", id="lapor-location-hint"),
                    html.Button(
                        t("lapor.use_my_location", lang),
                        id="lapor-locate",
                        n_clicks=0,
                        type="button",
                        className="button-secondary",
                    ),
                    html.Div(id="lapor-geo-message", className="hint", role="status"),
                    html.Div(
                        dcc.Graph(
                            id="lapor-map",
                            figure=pin_map(outlines, tile_url=get_settings().tile_url),
                            config={"displayModeBar": False, "scrollZoom": True},
                            className="lapor-map",
                        ),
                        role="region",
                        **{"aria-label": t("lapor.map_label", lang)},
                    ),
                    # The kelurahan the pin is in, named by the server as the pin moves (callbacks/lapor.py).
                    html.P(id="lapor-place", className="lapor-place", role="status", **{"aria-live": "polite"}),
                    _field(
                        t("lapor.kelurahan", lang),
                        dcc.Dropdown(
                            id="lapor-kelurahan",
                            options=places,
                            placeholder=t("lapor.kelurahan_placeholder", lang),
                            labels={
                                "search": t("lapor.kelurahan_search", lang),
                                "clear_search": t("lapor.kelurahan_clear_search", lang),
                                "clear_selection": t("lapor.kelurahan_clear", lang),
                                "no_options_found": t("lapor.kelurahan_none", lang),
                            },
                        ),
                        "lapor-kelurahan",
                    ),
                    html.Div(
                        [
                            _field(
                                t("lapor.lat", lang),
                                dcc.Input(id="lapor-lat", type="text", inputMode="decimal", autoComplete="off"),
                                "lapor-lat",
                            ),
                            _field(
                                t("lapor.lon", lang),
                                dcc.Input(id="lapor-lon", type="text", inputMode="decimal", autoComplete="off"),
                                "lapor-lon",
                            ),
                        ],
                        className="lapor-coords",
                    ),
                    field_error("location"),
                    # Required while the pin is where the kelurahan list put it (a point inside the kelurahan,
                    # not the problem's place): the label and the message follow (callbacks/lapor.py).
                    html.Div(
                        [
                            html.Label(t("lapor.address", lang), htmlFor="lapor-address", id="lapor-address-label"),
                            html.P(id="lapor-address-message", className="field-message", role="status"),
                            dcc.Input(id="lapor-address", type="text", maxLength=MAX_ADDRESS),
                            field_error("address"),
                        ],
                        className="field",
                    ),
                ],
                className="lapor-fieldset",
            ),
            _field(
                t("lapor.description", lang),
                dcc.Textarea(id="lapor-description", maxLength=MAX_DESCRIPTION, rows=5, className="lapor-textarea"),
                "lapor-description",
                t("lapor.description_hint", lang),
                error="description",
            ),
            report_photos("lapor", MAX_PHOTOS, get_settings().max_photo_mb, lang),
            field_error("photos"),
            html.Fieldset(
                [
                    html.Legend(t("lapor.identity", lang)),
                    _field(
                        t("lapor.name", lang),
                        dcc.Input(id="lapor-name", type="text", maxLength=MAX_NAME, autoComplete="name"),
                        "lapor-name",
                        error="name",
                    ),
                    _field(
                        t("lapor.contact", lang),
                        dcc.Input(id="lapor-contact", type="text", maxLength=MAX_CONTACT, autoComplete="tel"),
                        "lapor-contact",
                        t("lapor.contact_hint", lang),
                        error="contact",
                    ),
                    dcc.Checklist(
                        id="lapor-anonymous",
                        options=[{"label": t("lapor.anonymous", lang), "value": "yes"}],
                        value=[],
                        className="lapor-check",
                    ),
                    html.P(t("lapor.anonymous_hint", lang), className="hint"),
                    dcc.Checklist(
                        id="lapor-confidential",
                        options=[{"label": t("lapor.confidential", lang), "value": "yes"}],
                        value=[],
                        className="lapor-check",
                    ),
                    html.P(t("lapor.confidential_hint", lang), className="hint"),
                ],
                className="lapor-fieldset",
            ),
            # Only what belongs to no field (too many reports from here, a refusal the database made).
            html.Div(id="lapor-errors", role="alert", className="error lapor-errors", **{"aria-live": "assertive"}),
            dcc.Store(id="lapor-field-errors", data={}),
            html.Button(t("lapor.submit", lang), id="lapor-submit", n_clicks=0, className="lapor-submit"),
        ],
        id="lapor-form",
    )
    return page(
        html.Div(
            [
                html.H1(t("lapor.title", lang)),
                form,
                html.Div(id="lapor-result", role="status", **{"aria-live": "polite"}),
                dcc.Store(id="lapor-lang", data=lang),
                # This form's own key: sent twice (a double tap, a retry), it is one report; never another person's.
                dcc.Store(id="lapor-form-key", data=secrets.token_urlsafe(18)),
                dcc.Store(id="lapor-ctx", data={"lang": lang, "max_bytes": int(get_settings().max_photo_mb * 1048576)}),
                dcc.Store(
                    id="lapor-texts",
                    data={
                        "locating": t("lapor.locating", lang),
                        "unavailable": t("lapor.location_unavailable", lang),
                        "address_optional": t("lapor.address", lang),
                        "address_required": t("lapor.address_required", lang),
                        "address_needed": t("lapor.address_needed", lang),
                    },
                ),
                dcc.Store(id="lapor-map-ready"),
                dcc.Store(id="lapor-pin"),
                # The point the kelurahan list put the pin on, while it is there ({kelurahan, lat, lon}).
                dcc.Store(id="lapor-pin-source"),
            ],
            className="lapor",
        ),
        lang,
        "/lapor",
    )
