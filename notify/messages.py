"""The words of a message to a reporter: short, in their language, with the tracking link.

Texts live in ``i18n.py`` (``notify.*``). An SMS is kept to one message of 160
GSM characters where it can be: the variable part (an office name, a reason, a
reply) is shortened to fit, and typographic characters outside the GSM
alphabet are replaced by plain ones. A confidential report's messages carry
only the code, the status and the link: no office, no reason, no photo, no
reply text (``notify.*_plain``); another report's tracking code in staff text is
masked. The reporter's own link (``?k=``, which allows
a dispute) goes only with the message saying the report is finished.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from db.channels import SMS
from db.status import Status
from db.tracking import reporter_token
from i18n import LANGS, t

SMS_LIMIT = 160
NAME = "{nama}"  # services.templates.NAME: filled with the reporter's name only in their message
SMS_TWO_PARTS = 306  # two concatenated GSM parts of 153 characters each
_MIN_PART = 20  # a reason shortened below this says nothing: the message goes over one SMS instead
# Kinds whose words would say more than code, status and link; a confidential report gets their _plain text.
_REVEALING = frozenset({"forwarded", "finished", "rejected", "duplicate", "reply"})
_CODE = re.compile(r"\b[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}\b", re.I)
_PLAIN = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "\u00a0": " "})


@dataclass(frozen=True)
class Message:
    subject: str
    text: str


@dataclass(frozen=True)
class Links:
    """What links are made of: the public address, the app's secret key (reporter links) and the default language."""

    base_url: str
    secret_key: str
    default_lang: str = "id"

    def track(self, code: str, lang: str) -> str:
        suffix = "" if lang == self.default_lang else f"?lang={lang}"
        return f"{self.base_url}/lacak/{code}{suffix}"

    def reporter(self, code: str, lang: str) -> str:
        suffix = "" if lang == self.default_lang else f"&lang={lang}"
        return f"{self.base_url}/lacak/{code}?k={reporter_token(self.secret_key, code)}{suffix}"

    def photo(self, photo_id: int) -> str:
        return f"{self.base_url}/photos/{photo_id}"

    def staff(self, code: str) -> str:
        """The complaint's page for staff (a log-in is asked there), for reminders and escalations."""
        return f"{self.base_url}/pengaduan/{code}"


STAFF_KINDS = frozenset({"reminder", "escalation"})  # to staff about overdue work (db/chase.py), not to reporters


def _to_staff(row: Mapping[Any, Any], links: Links, lang: str) -> Message:
    """A reminder or escalation: the stage, its target and the staff link; never the report's text or reporter."""
    facts = row["facts"] or {}
    code = row["tracking_code"]
    stage = t(f"chase.stage_{facts.get('stage')}", lang)
    values = {"code": code, "stage": stage, "days": facts.get("days"), "url": links.staff(code)}
    kind = row["kind"]
    return Message(t(f"chase.{kind}_subject", lang, **values), t(f"chase.{kind}_text", lang, **values))


def sms_plain(value: str) -> str:
    """``value`` without characters that would make an SMS fall back to 70-character UCS-2 parts, where avoidable."""
    value = " ".join(value.translate(_PLAIN).split())
    return "".join(c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c))


def _sentence(value: str) -> str:
    return value if value.endswith((".", "!", "?")) else value + "."


def _fit(key: str, lang: str, limit: int | None, part: str | None, **values: Any) -> str:
    """The text for ``key``; over ``limit``, the sentence named ``part`` is shortened to fit (never below 20)."""
    if part is not None:
        values[part] = _sentence(str(values[part]))
    text = t(key, lang, **values)
    if limit is None or part is None or len(text) <= limit:
        return text
    value = str(values[part])
    keep = max(_MIN_PART, len(value) - (len(text) - limit) - 3)
    if keep >= len(value):
        return text
    return t(key, lang, **{**values, part: value[:keep].rstrip(" .,;:") + "..."})


def _with_reply(text: str, reply: str, confidential: bool, lang: str, sms: bool) -> str:
    """A status message with the note staff showed the reporter on that change, in one message.

    A confidential report's message only says there is a reply (its words stay behind the reporter's link). An
    SMS may take two parts here (306 characters), the reply shortened beyond that."""
    if confidential:
        return t("notify.with_reply_plain", lang, text=text)
    reply = _sentence(reply)
    full = t("notify.with_reply", lang, text=text, reply=reply)
    if not sms or len(full) <= SMS_TWO_PARTS:
        return full
    keep = max(_MIN_PART, len(reply) - (len(full) - SMS_TWO_PARTS) - 3)
    return t("notify.with_reply", lang, text=text, reply=reply[:keep].rstrip(" .,;:") + "...")


def compose(row: Mapping[Any, Any], links: Links) -> Message:
    """The subject and text of one outbox row (as ``db.outbox.claim`` returns it)."""
    kind = row["kind"]
    lang = row["lang"] if row["lang"] in LANGS else links.default_lang
    if kind in STAFF_KINDS:
        return _to_staff(row, links, lang)
    code = row["tracking_code"]
    facts = row["facts"] or {}
    sms = row["channel"] == SMS
    limit = SMS_LIMIT if sms else None

    def clean(value: Any) -> str:
        # A reply from a template leaves the reporter's name to the message (services/templates.py).
        value = str(value or "").replace(NAME, row.get("reporter_name") or t("template.neutral_name", lang))
        # Staff text may name another report (the one this duplicates): its code opens that report's page.
        value = _CODE.sub(lambda m: m.group(0) if m.group(0).upper() == code else "XXXX-XXXX-XXXX", str(value or ""))
        return sms_plain(value.strip()) if sms else value.strip()

    key = f"notify.{kind}"
    values: dict[str, Any] = {"code": code, "url": links.track(code, lang)}
    part: str | None = None
    if row["confidential"] and kind in _REVEALING:
        key += "_plain"
    elif kind == "received" and facts.get("status") == Status.LUAR_WILAYAH:
        key = "notify.received_outside"
    elif kind == "forwarded":
        office = row.get("office_opd") or row.get("office_kota")
        if office:
            values["office"], part = clean(office), "office"
        else:
            key += "_plain"
    elif kind in ("rejected", "duplicate"):
        if facts.get("reason"):
            values["reason"], part = clean(facts["reason"]), "reason"
        else:
            key += "_plain"
    elif kind == "reply":
        values["text"], part = clean(facts.get("text")), "text"
    elif kind == "finished" and row.get("photo_id"):
        values["photo"] = links.photo(int(row["photo_id"]))
    elif kind == "finished":
        key += "_plain"
    if kind == "finished":
        values["url"] = links.reporter(code, lang)
    text = _fit(key, lang, limit, part, **values)
    if kind != "reply" and facts.get("reply"):
        text = _with_reply(text, clean(facts["reply"]), bool(row["confidential"]), lang, sms)
    status = facts.get("status")
    what = t(f"status.{status}", lang) if status and kind != "reply" else t("notify.subject_reply", lang)
    return Message(t("notify.subject", lang, code=code, what=what), text)
