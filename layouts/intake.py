"""/operator/baru: the live room logs a report that came by phone, in person, by letter or on social media.

Keyboard-first: the fields follow the call (how it came, where, what, who), every control is reached with Tab,
the channel radios with the arrow keys, and Ctrl+Enter in the description sends it. The report is created as
the operator's (its history names them), then the form clears for the next call. Photos and PDF documents
(a letter, scanned) are checked as soon as they are chosen and stored with the report (callbacks/_upload.py).
"""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html

from db.engine import get_engine
from db.places import kelurahan_options
from db.workflow import catalogue_options
from i18n import LANGS, current_lang, t
from layouts._actions import dropdown_labels
from layouts._chrome import guard, page
from layouts._upload import report_photos
from settings import get_settings

dash.register_page(__name__, path="/operator/baru", title="Laporan baru · Pantau")

PATH = "/operator/baru"
MAX_PHOTOS = 3  # as on /lapor; PDF documents have their own limit (photos/document.py)
# How a report reached the live room: (choice, channel, source). Social media keep the platform as source, so
# the reporter is answered on WhatsApp when that is where they wrote.
INTAKE_CHANNELS = (
    ("telepon", "call_centre", None),
    ("datang", "walk_in", None),
    ("surat", "letter", None),
    ("whatsapp", "social", "WhatsApp"),
    ("facebook", "social", "Facebook"),
    ("x", "social", "X"),
    ("instagram", "social", "Instagram"),
    ("lainnya", "other", None),
)


def _field(label: str, control: Any, id_: str, hint: str | None = None) -> html.Div:
    return html.Div(
        [
            html.Label(label, htmlFor=id_),
            control,
            html.Div(hint, className="hint") if hint else None,
            html.Div(id=f"{id_}-error", className="field-error", role="alert"),
        ],
        className="intake-field",
    )


def layout(lang: str | None = None, **query: Any) -> html.Div:
    lang = lang if lang in LANGS else current_lang()
    denied = guard("intake", lang, PATH, query)
    if denied is not None:
        return denied
    with get_engine().connect() as conn:
        places = kelurahan_options(conn)
        options = catalogue_options(conn)
    name = "name_en" if lang == "en" else "name_id"
    categories = [{"label": c[name], "value": c["code"]} for c in options["category"]]
    form = html.Div(
        [
            html.Fieldset(
                [
                    html.Legend(t("intake.channel", lang)),
                    dcc.RadioItems(
                        id="oi-channel",
                        options=[{"label": t(f"intake.channel_{c}", lang), "value": c} for c, _, _ in INTAKE_CHANNELS],
                        value="telepon",
                        inline=True,
                        className="action-radios",
                    ),
                ],
                className="intake-channel",
            ),
            _field(
                t("intake.post_url", lang),
                dcc.Input(id="oi-post-url", type="url", autoComplete="off"),
                "oi-post-url",
                t("intake.post_url_hint", lang),
            ),
            _field(
                t("intake.kelurahan", lang),
                dcc.Dropdown(
                    id="oi-kelurahan",
                    options=places,
                    placeholder=t("intake.kelurahan_placeholder", lang),
                    labels=dropdown_labels(lang),
                ),
                "oi-kelurahan",
            ),
            _field(
                t("intake.coordinates", lang),
                dcc.Input(id="oi-coordinates", type="text", autoComplete="off"),
                "oi-coordinates",
                t("intake.coordinates_hint", lang),
            ),
            _field(
                t("intake.address", lang),
                dcc.Input(id="oi-address", type="text", autoComplete="off", maxLength=500),
                "oi-address",
            ),
            _field(
                t("intake.category", lang),
                dcc.Dropdown(
                    id="oi-category",
                    options=categories,
                    placeholder=t("form.choose", lang),
                    labels=dropdown_labels(lang),
                ),
                "oi-category",
            ),
            html.Div(id="oi-questions"),  # the category's own questions, as on /lapor
            _field(
                t("intake.description", lang),
                dcc.Textarea(id="oi-description", rows=4, maxLength=2000),
                "oi-description",
                t("intake.description_hint", lang),
            ),
            _field(
                t("intake.reporter_name", lang),
                dcc.Input(id="oi-name", type="text", autoComplete="off", maxLength=100),
                "oi-name",
            ),
            _field(
                t("intake.reporter_contact", lang),
                dcc.Input(id="oi-contact", type="text", autoComplete="off", maxLength=200),
                "oi-contact",
                t("intake.reporter_contact_hint", lang),
            ),
            report_photos("oi", MAX_PHOTOS, get_settings().max_photo_mb, lang),
            dcc.Checklist(
                id="oi-flags",
                options=[
                    {"label": t("intake.anonymous", lang), "value": "anonymous"},
                    {"label": t("intake.confidential", lang), "value": "confidential"},
                ],
                value=[],
                className="pim-checks",
            ),
            html.Button(t("intake.submit", lang), id="oi-submit", className="button primary", n_clicks=0),
        ],
        className="intake-form",
        id="oi-form",
    )
    return page(
        [
            html.H1(t("intake.title", lang)),
            html.P(t("intake.intro", lang), className="pim-intro"),
            # Above the form: after saving, the code is in sight while the cleared form waits for the next call.
            html.Div(id="oi-result", role="status", **{"aria-live": "polite"}),
            form,
            dcc.Store(id="oi-lang", data=lang),
            dcc.Store(id="oi-ctx", data={"lang": lang, "max_bytes": int(get_settings().max_photo_mb * 1048576)}),
        ],
        lang,
        PATH,
        query,
    )
