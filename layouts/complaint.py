"""One complaint for staff: the facts, what may be done now, photo evidence, possible duplicates, the history."""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html

from api.auth import current_staff
from db import documents
from db.accounts import StaffUser
from db.complaints import NotFound
from db.engine import get_engine
from db.jurisdictions import suggestion
from db.open311 import answered
from db.outbox import messages_of
from db.status import CLOSED_STATUSES, Status
from db.templates import templates_for
from db.workflow import (
    cached_kecamatan_outline,
    catalogue_options,
    detail,
    evidence,
    field_users,
    merged_reports,
    nearby_duplicates,
    staff_events,
)
from geo.job_map import job_map
from i18n import current_lang, t
from layouts._actions import action_form
from layouts._chrome import guard, page
from layouts._confirm import confirmation_panel
from layouts._evidence import documents_list, evidence_panel
from layouts._merge import duplicates_section, merge_dialog, merge_notice
from layouts._messages import messages_panel
from layouts._note import note_box
from layouts._timeline import handed_to_text, status_badge, timeline
from layouts._upload import upload_widget
from layouts._when import iso, wib
from services.actions import STEPS, available_actions, available_steps
from services.permissions import (
    ASSIGNEE_ROLES,
    STAFF_ACTIONS,
    assignable_opd,
    handover_refusal,
    may_manage_templates,
    may_reply,
    may_see,
    note_refusal,
    photo_refusal,
    reach_refusal,
    resend_refusal,
    scope_of,
    sees_duplicates,
    sees_reporter,
)
from settings import get_settings

dash.register_page(__name__, path_template="/pengaduan/<code>", title="Pengaduan · Pantau")


def _fact(label: str, value: Any) -> list[Any]:
    return [html.Dt(label), html.Dd(value if value not in (None, "", []) else "—")]


def _destination_note(row: Any, suggested: Any, lang: str, exports: bool = False) -> html.P | None:
    """Where the report went when it left the city by hand (whom it was given to, and whether its follow-up is
    late; ``exports``: with the links to its export for that office), or, for a report outside the areas
    served, where it could go."""
    if row["handover_to"]:
        # A late follow-up first; otherwise whether it went through the destination's door or by hand.
        key = (
            "complaint.handover_overdue"
            if row["handover_overdue"]
            else "complaint.handover_door"
            if row["door_state"] is not None
            else "complaint.handover"
        )
        return html.P(
            [
                t(key, lang, name=row["handover_name"], code=row["handover_to"], due=wib(row["handover_due"], lang)),
                _door_line(row, lang),
                _handed_line(row, lang, exports),
            ],
            className="notice handover" + (" overdue" if row["handover_overdue"] else ""),
            id="cp-handover",
        )
    if suggested is None:
        return None
    if suggested["distance_m"] == 0:
        text_ = t("complaint.suggest_inside", lang, name=suggested["name"], code=suggested["code"])
    else:
        km = f"{float(suggested['distance_m']) / 1000:.1f}".replace(".", "," if lang == "id" else ".")
        text_ = t("complaint.suggest_destination", lang, name=suggested["name"], code=suggested["code"], km=km)
    return html.P(text_, className="notice suggestion", id="cp-suggestion")


def _sentence(words: str) -> str:
    return words[:1].upper() + words[1:] + "."


def _handed_line(row: Any, lang: str, exports: bool) -> html.Span | None:
    """Whom a report handed over by hand was given to, and its export for that office (services/handover.py)."""
    if row["door_state"] is not None:
        return None
    parts: list[Any] = []
    if row["handover_office"]:
        parts += [
            html.Br(),
            html.Span(
                # A sentence of its own here; the history adds the same words after the forward.
                _sentence(
                    handed_to_text(row["handover_office"], row["handover_person"], row["handover_contact"], lang)
                ),
                id="cp-handed-to",
            ),
        ]
    if exports:
        base = f"/api/v1/complaints/{row['tracking_code']}/handover"
        parts += [
            html.Br(),
            html.A(t("complaint.handover_pdf", lang), href=f"{base}.pdf?lang={lang}", id="cp-handover-pdf"),
            " · ",
            html.A(t("complaint.handover_geojson", lang), href=f"{base}.geojson", id="cp-handover-geojson"),
        ]
    return html.Span(parts) if parts else None


def _door_line(row: Any, lang: str) -> html.Span | None:
    """How far sending it through the destination's door got (db/doors.py): sent, waiting, or why it failed."""
    name = row["handover_name"]
    if row["status"] == Status.GAGAL_DITERUSKAN and row["door_error"]:
        text_ = t("complaint.handover_failed", lang, to=name, attempts=row["door_attempts"], error=row["door_error"])
        return html.Span([html.Br(), text_], className="handover-error", id="cp-handover-error")
    if row["door_remote_id"]:
        return html.Span([html.Br(), t("complaint.handover_sent", lang, to=name, remote_id=row["door_remote_id"])])
    if row["door_state"] in ("queued", "sending", "failed"):
        return html.Span([html.Br(), t("complaint.handover_queued", lang, to=name)])
    return None


def _reporter(user: StaffUser, row: Any, lang: str) -> str:
    if row["anonymous"]:
        return t("complaint.anonymous", lang)
    if not sees_reporter(user, row):
        return t("complaint.confidential_hidden", lang)
    return " · ".join(x for x in (row["reporter_name"], row["reporter_contact"]) if x) or "—"


def layout(
    code: str | None = None, lang: str | None = None, done: str | None = None, merged: str | None = None, **query: Any
) -> html.Div:
    lang = lang if lang in ("id", "en") else current_lang()
    code = (code or "").strip().upper()
    path = f"/pengaduan/{code}"
    denied = guard("complaint", lang, path, query)
    if denied is not None:
        return denied
    user = current_staff()
    assert user is not None
    body = complaint_body(user, code, lang, done, merged)
    if body is None:
        return page(html.P(t("complaint.not_found", lang, code=code), className="notice", id="cp-missing"), lang, path)
    if not body:
        return page(html.P(t("complaint.outside", lang), className="notice", id="cp-outside"), lang, path)
    return page(
        html.Div(
            [html.Div(body, id="cp-body"), dcc.Location(id="cp-reload", refresh=True), merge_dialog(lang)],
            className="complaint-page",
        ),
        lang,
        path,
        wide=True,
    )


def complaint_body(
    user: StaffUser, code: str, lang: str, done: str | None = None, merged: str | None = None
) -> list[Any] | None:
    """Everything the page shows of complaint ``code`` as it is now: drawn on load, and again in place after each
    action (``done``: the action just taken; ``merged``: the report just merged into this one). None when there
    is no such complaint, empty when it is out of ``user``'s reach."""
    with get_engine().connect() as conn:
        try:
            row = detail(conn, code)
        except NotFound:
            return None
        if not may_see(user, row):
            return []
        history = staff_events(conn, row["id"])
        messages = messages_of(conn, row["id"])
        templates = templates_for(conn, row["category_code"]) if may_reply(user, row) else []
        photos = evidence(conn, row["id"])
        files = documents.listed(conn, row["id"])
        scope = scope_of(user)
        merging = sees_duplicates(user)
        is_open = Status(row["status"]) not in CLOSED_STATUSES
        nearby = nearby_duplicates(conn, scope, row["id"]) if merging and is_open else []
        absorbed = merged_reports(conn, scope, row["id"])
        actions = available_actions(user, row)
        # The common job in one step first ("verifikasi & tugaskan"), then each action on its own.
        offered = available_steps(user, row) + actions
        options = catalogue_options(conn)
        suggested = suggestion(conn, row["id"]) if "forward" in actions and row["jurisdiction_id"] is None else None
        assigning = "assign" in actions or "verify_assign" in offered
        users = field_users(conn, ASSIGNEE_ROLES, assignable_opd(user)) if assigning else []
    users = [u for u in users if reach_refusal(u, row) is None]
    cat = "category_name_en" if lang == "en" else "category_name_id"
    categories = {c["code"]: c["name_en" if lang == "en" else "name_id"] for c in options["category"]}
    opds = {o["code"]: f"{o['short_name']} ({o['kota']})" if o["kota"] else o["short_name"] for o in options["opd"]}
    place = ", ".join(p for p in (row["kelurahan"], row["kecamatan"], row["kota"]) if p)
    facts = [
        *_fact(t("complaint.category", lang), row[cat]),
        *_fact(t("complaint.channel", lang), t(f"channel.{row['channel']}", lang)),
        *_fact(t("complaint.created", lang), html.Time(wib(row["created_at"], lang), dateTime=iso(row["created_at"]))),
        *_fact(
            t("complaint.due", lang),
            [html.Time(wib(row["due_at"], lang), dateTime=iso(row["due_at"]))]
            + ([" ", html.Span(t("queue.overdue", lang), className="overdue-tag")] if row["overdue"] else []),
        ),
        *_fact(t("complaint.place", lang), place or t("queue.no_place", lang)),
        *_fact(t("complaint.address", lang), row["address"]),
        *_fact(t("complaint.opd", lang), row["opd_name"]),
        *_fact(t("complaint.assignee", lang), row["assignee"]),
        *_fact(t("complaint.reporter", lang), _reporter(user, row, lang)),
    ]
    answers = answered(row["category_code"], row["answers"])
    if answers:
        facts += _fact(
            t("complaint.answers", lang),
            html.Ul([html.Li(f"{question}: {answer}") for question, answer in answers], id="cp-answers"),
        )
    if row["merged_into"]:
        facts += _fact(
            t("complaint.merged_into", lang),
            html.A(row["merged_into"], href=f"/pengaduan/{row['merged_into']}?lang={lang}"),
        )
    if row["confidential"]:
        facts += _fact(t("complaint.confidential", lang), t("complaint.confidential_yes", lang))
    destination_note = _destination_note(row, suggested, lang, exports=handover_refusal(user, row) is None)
    completion = [p for p in photos if p["kind"] == "completion" and not p["from_survivor"]]
    may_upload = "complete" in actions or (is_open and photo_refusal(user, "report", row) is None)
    figure = (
        job_map(
            [row],
            height=240,
            outline=cached_kecamatan_outline(),
            width=480,
            tile_url=get_settings().tile_url,
        )
        if row["lat"] is not None
        else None
    )
    body: list[Any] = [
        html.Div(
            [
                html.H1([t("complaint.title", lang), " ", html.Span(row["tracking_code"], className="code")]),
                status_badge(row["status"], lang, id="cp-badge"),
            ],
            className="complaint-head",
        ),
        # The way to the action panel by keyboard: this link, its access key, or the key A (assets/complaint_keys.js).
        html.P(
            html.A(t("complaint.to_actions", lang), href="#cp-actions", accessKey="a", id="cp-to-actions"),
            className="hint cp-to-actions",
        )
        if offered
        else None,
        merge_notice(row, absorbed, merged, lang),
        destination_note,
        html.Div(
            [
                html.Div(
                    [
                        html.Blockquote(row["description"], className="complaint-description"),
                        html.Dl(facts, className="facts"),
                    ],
                    className="complaint-facts",
                ),
                html.Div(
                    dcc.Graph(figure=figure, config={"displayModeBar": False}, style={"height": "240px"}),
                    className="complaint-map",
                    role="img",
                    **{"aria-label": t("field.map_one", lang)},
                )
                if figure
                else None,
            ],
            className="complaint-top",
        ),
    ]
    if done in STAFF_ACTIONS or done in STEPS:
        # Where the action was taken: the page is drawn again in place, so this is what the eye is on.
        body.append(
            html.P(
                t("complaint.saved", lang, action=t(f"action.{done}", lang)),
                className="notice",
                role="status",
                id="cp-saved",
            )
        )
    body.append(confirmation_panel(row, history, "confirm" in actions, lang))
    if offered:
        body.append(
            html.Section(
                [
                    html.H2(t("complaint.actions", lang), id="cp-actions-title"),
                    action_form(
                        "cp", offered, options, users, lang, t("complaint.save", lang), reply=may_reply(user, row)
                    ),
                ],
                className="complaint-actions",
                id="cp-actions",
                tabIndex="-1",
                **{"aria-labelledby": "cp-actions-title"},
            )
        )
    if may_upload:
        body.append(upload_widget("cp", completion, get_settings().max_photo_mb, lang))
    body.append(evidence_panel(photos, lang, id="cp-evidence"))
    body.append(documents_list(files, lang, id="cp-documents"))
    if merging:
        body.append(duplicates_section(row, nearby, absorbed, lang, can_merge=is_open))
    if not (merging and is_open and nearby):
        # The merge buttons' callback reads the reason box even when no button is drawn (as after an action in
        # place): an empty, hidden one then.
        body.append(dcc.Input(id="cp-dup-reason", type="hidden", value=""))
    if note_refusal(user, False, row) is None:
        body.append(note_box(lang, may_reply(user, row), templates, manage=may_manage_templates(user)))
    body.append(
        messages_panel(
            messages,
            lang,
            show_recipient=sees_reporter(user, row),
            may_resend=resend_refusal(user, row) is None,
            path=f"/pengaduan/{code}",
        )
    )
    body.append(timeline(history, lang, categories, opds))
    body.append(
        dcc.Store(
            id="cp-ctx",
            data={
                "code": row["tracking_code"],
                "version": row["version"],
                "lang": lang,
                "max_bytes": int(get_settings().max_photo_mb * 1048576),
            },
        )
    )
    return body
