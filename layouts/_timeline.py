"""A complaint's whole history as a timeline, oldest first, from ``db.workflow.staff_events`` rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dash import html

from db.status import COLOUR, Status
from db.tracking import PUBLIC, reporter_sees_note
from i18n import MESSAGES, t
from layouts._evidence import distance_text, role_label
from layouts._when import iso, wib


def status_badge(status: str | None, lang: str, id: str | None = None) -> html.Span:
    if not status:
        return html.Span()
    colour = COLOUR[Status(status)].value
    extra = {"id": id} if id else {}
    return html.Span(t(f"status.{status}", lang), className=f"badge badge-{colour}", **extra)


def handed_to_text(office: str, person: str | None, contact: str | None, lang: str) -> str:
    """Whom a report handed over by hand was given to, as the history and the complaint page say it."""
    who = ", ".join(x for x in (person, contact) if x)
    return t("complaint.handed_to", lang, office=office, who=who or "—")


def _what(event: Mapping[Any, Any], lang: str, categories: Mapping[str, str], opds: Mapping[str, str]) -> str:
    kind, data = event["kind"], event["data"] or {}

    def opd(code: str | None) -> str:
        return opds.get(code or "", code or "—")

    if kind == "created":
        channel = f"channel.{data.get('channel')}"
        return t("event.created", lang, channel=t(channel, lang) if channel in MESSAGES else "—")
    if kind == "routed" and data.get("action") == "recategorise":
        category = data.get("category") or ""
        return t("event.recategorised", lang, category=categories.get(category, category), opd=opd(data.get("opd")))
    if kind == "routed":
        return t("event.routed", lang, opd=opd(data.get("opd")))
    if kind == "forwarded":
        forwarded = t(
            "event.forwarded",
            lang,
            to=opd(data.get("to_opd")) if data.get("to_opd") else data.get("to_name") or data.get("to_kota") or "—",
        )
        if data.get("office"):  # handed over by hand: to whom (services.actions asks for it)
            return f"{forwarded} · {handed_to_text(data['office'], data.get('office_person'), data.get('office_contact'), lang)}"
        return forwarded
    if kind in ("assigned", "unassigned"):
        return t(f"event.{kind}", lang, assignee=data.get("assignee") or "—")
    if kind == "merged":
        return t("event.merged", lang, of=data.get("of") or "—")
    if kind == "photo_added":
        key = "event.photo_completion" if data.get("kind") == "completion" else "event.photo_report"
        return f"{t(key, lang)} · {distance_text(data.get('distance_m'), lang)}"
    if kind == "remote" and data.get("state") == "sent":
        return t("event.remote_sent", lang, to=data.get("to_name") or "—", remote_id=data.get("remote_id") or "—")
    if kind == "remote":
        return t("event.remote_status", lang, to=data.get("to_name") or "—")
    if data.get("action") == "remote_close":
        return t("event.remote_closed", lang, to=data.get("to_name") or "—")
    if data.get("action") == "handover_failed":
        return t("event.handover_failed", lang)
    if kind == "status_changed" and event["to_status"]:
        return t("event.status_changed", lang, status=t(f"status.{event['to_status']}", lang))
    key = f"event.{kind}"
    return t(key, lang) if key in MESSAGES else kind


def _note_mark(event: Mapping[Any, Any], lang: str) -> html.Span | None:
    """A staff note's audience: the reporter (a reply, a reason they are told) or staff only."""
    if not event["note"] or event["actor_role"] == PUBLIC.role:
        return None
    if reporter_sees_note(
        event["kind"], event["actor_role"], event.get("public", True), event.get("note_public", False)
    ):
        # The reason the reporter is told (a rejection's, a forward's) or a reply written to them.
        reason = event["note"] == (event.get("data") or {}).get("reason")
        return html.Span(
            t("timeline.reason_shown" if reason else "timeline.note_shown", lang), className="badge timeline-note-shown"
        )
    return html.Span(t("timeline.note_internal", lang), className="badge timeline-note-internal")


def _remote_photo(event: Mapping[Any, Any], lang: str) -> html.A | None:
    """The other system's photo of its work (a link: it lives there, never copied here)."""
    data = event.get("data") or {}
    url = data.get("media_url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return None
    label = t("event.remote_photo", lang, to=data.get("to_name") or "—")
    return html.A(label, href=url, target="_blank", rel="noopener noreferrer", className="timeline-remote-photo")


def timeline(
    events: Sequence[Mapping[Any, Any]],
    lang: str,
    categories: Mapping[str, str] | None = None,
    opds: Mapping[str, str] | None = None,
) -> html.Section:
    """Every event: when, what, the status it led to, who (role and account) and the note or reason.

    Each staff note is marked as a reply the reporter reads on /lacak (``db.tracking.reporter_sees_note``) or
    as internal.
    """
    items = []
    for event in events:
        who = role_label(event["actor_role"], lang)
        if event.get("actor"):
            who = f"{who} ({event['actor']})"
        items.append(
            html.Li(
                [
                    html.Time(wib(event["at"], lang), dateTime=iso(event["at"]), className="timeline-when"),
                    html.Div(
                        [
                            html.Span(_what(event, lang, categories or {}, opds or {}), className="timeline-what"),
                            " ",
                            status_badge(event["to_status"], lang)
                            if event["to_status"] and event["to_status"] != event["from_status"]
                            else None,
                        ]
                    ),
                    html.Div(who, className="timeline-who"),
                    html.Blockquote(event["note"], className="timeline-note") if event["note"] else None,
                    _remote_photo(event, lang),
                    _note_mark(event, lang),
                ],
                className=f"timeline-item timeline-{event['kind']}",
            )
        )
    return html.Section(
        [html.H2(t("timeline.title", lang)), html.Ol(items, className="timeline")],
        className="timeline-section",
        id="timeline",
    )
