"""Reply templates: admins keep them (``save``), staff start a reply from one (``fill``).

A template's text may hold placeholders: {kode} (the tracking code), {kantor} (the office handling it),
{kategori}, {kelurahan}, {status} and {nama} (the reporter's name). ``fill`` puts in what a reply may carry:

- {nama} stays a placeholder in the reply itself and becomes the reporter's name only in the message sent to
  them (``notify/messages.py``): a reply is also shown on /lacak and in Open311, where a reporter's name never
  goes, and those show a neutral "Bapak/Ibu" instead (``public_text``). An anonymous report keeps no name and a
  confidential reporter is never named: both get the neutral word at once.
- A confidential report's reply carries nothing that places or routes it: {kantor} and {kelurahan} become
  neutral words too (its messages carry no office, as ``notify/messages.py`` says).

Who may manage them is ``services/permissions.py`` (``may_manage_templates``); who may use one is who may reply.
"""

from __future__ import annotations

import re
from typing import Any

from db import audit
from db import templates as db_templates
from db.accounts import StaffUser
from db.complaints import NotFound, resolve_id
from db.engine import get_engine
from db.workflow import detail
from i18n import t
from services.permissions import may_manage_templates, may_reply

__all__ = ["PLACEHOLDERS", "TemplateRefused", "fill", "public_text", "save"]

PLACEHOLDERS = ("nama", "kode", "kantor", "kategori", "kelurahan", "status")
NAME = "{nama}"
MAX_TITLE = 100
MAX_BODY = 2000  # a reply: services.actions.MAX_TEXT
_PLACEHOLDER = re.compile(r"\{([A-Za-z_]+)\}")


class TemplateRefused(Exception):
    """``kind``: "forbidden", "not_found", "missing" or "invalid" (``field`` names the field)."""

    def __init__(self, kind: str, message: str, field: str | None = None):
        super().__init__(message)
        self.kind = kind
        self.field = field


def _clean(value: Any, field: str, limit: int) -> str:
    if value is not None and not isinstance(value, str):
        raise TemplateRefused("invalid", f"{field!r} must be text", field)
    value = (value or "").strip()
    if not value:
        raise TemplateRefused("missing", f"a template needs {field!r}", field)
    if len(value) > limit or "\x00" in value:
        raise TemplateRefused("invalid", f"{field!r} is longer than {limit} characters or holds a NUL", field)
    return value


def unknown_placeholders(body: str) -> list[str]:
    return sorted({name for name in _PLACEHOLDER.findall(body) if name not in PLACEHOLDERS})


def save(
    user: StaffUser | None,
    template_id: int | None,
    category: str | None,
    title: Any,
    body: Any,
    active: bool = True,
) -> int:
    """Create (``template_id`` None) or change a template; returns its id. ``category`` is a category's code,
    None for every category. Raises TemplateRefused."""
    if not may_manage_templates(user):
        raise TemplateRefused("forbidden", "only admins manage reply templates")
    assert user is not None
    title = _clean(title, "title", MAX_TITLE)
    body = _clean(body, "body", MAX_BODY)
    unknown = unknown_placeholders(body)
    if unknown:
        raise TemplateRefused("invalid", "unknown placeholder(s): " + ", ".join(f"{{{n}}}" for n in unknown), "body")
    with get_engine().begin() as conn:
        category_id = None
        if category:
            category_id = db_templates.category_id(conn, category)
            if category_id is None:
                raise TemplateRefused("invalid", f"unknown category {category!r}", "category")
        saved = db_templates.save_template(conn, template_id, category_id, title, body, bool(active), user.id)
        if saved is None:
            raise TemplateRefused("not_found", f"no template {template_id}")
        audit.record(
            conn,
            "template_saved",
            actor=user.actor,
            target=str(saved),
            detail={"title": title, "category": category, "active": bool(active), "new": template_id is None},
        )
    return saved


def fill(user: StaffUser | None, template_id: int, code: str, lang: str) -> str:
    """The text of template ``template_id`` for a reply on complaint ``code``, placeholders filled (see above).
    Raises TemplateRefused: a user who may not reply on it, an unknown or inactive template, another category's."""
    with get_engine().connect() as conn:
        try:
            row = detail(conn, resolve_id(conn, code))
        except NotFound:
            raise TemplateRefused("not_found", f"no complaint {code!r}") from None
        if not may_reply(user, row):
            raise TemplateRefused("forbidden", "you may not reply to this reporter")
        chosen = db_templates.template(conn, template_id)
    if chosen is None or not chosen["active"]:
        raise TemplateRefused("not_found", f"no template {template_id}")
    category_code = row["category_code"]
    if chosen["category_code"] not in (None, category_code):
        raise TemplateRefused("invalid", "the template is for another category", "template")
    secret = bool(row["confidential"])
    named = not row["anonymous"] and not secret and bool(row["reporter_name"])
    office = row["opd_name"] or row["handover_name"]
    values = {
        "nama": NAME if named else t("template.neutral_name", lang),
        "kode": row["tracking_code"],
        "kantor": office if office and not secret else t("template.neutral_office", lang),
        "kategori": row["category_name_en" if lang == "en" else "category_name_id"],
        "kelurahan": row["kelurahan"] if row["kelurahan"] and not secret else t("template.neutral_place", lang),
        "status": t(f"status.{row['status']}", lang),
    }
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), str(chosen["body"]))


def public_text(note: str, lang: str) -> str:
    """A reply as public pages show it: the reporter's name, left for the message, becomes the neutral word."""
    return note.replace(NAME, t("template.neutral_name", lang))
