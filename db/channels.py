"""Which channel reaches a reporter, and at which address: chosen from how the report came in and the contact given.

The rules, in order:

1. an anonymous report, or one without a usable contact, gets nothing;
2. a report that came in by SMS is answered by SMS, to the number it came from;
3. a report that came in through WhatsApp (channel ``social`` from a source
   or with an attribute ``reply_via`` naming WhatsApp) is answered on WhatsApp;
4. a contact holding an e-mail address gets e-mail (an Open311 client that
   gave ``email`` and ``phone`` gets e-mail);
5. a contact holding a phone number gets SMS.

Whether a channel is configured does not change the choice: a message for a
channel that is off is still recorded (``db/outbox.py``), never sent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SMS = "sms"
WHATSAPP = "whatsapp"
EMAIL = "email"

_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_PHONE = re.compile(r"\+?\d[\d\s().-]{6,20}\d")


@dataclass(frozen=True)
class Recipient:
    channel: str
    address: str


def email_in(contact: str) -> str | None:
    found = _EMAIL.search(contact)
    return found.group(0) if found else None


def phone_in(contact: str) -> str | None:
    """The first phone number in ``contact``, as +<country><number>; Indonesian 08… becomes +628…."""
    for found in _PHONE.finditer(contact):
        digits = re.sub(r"\D", "", found.group(0))
        if found.group(0).startswith("+"):
            number = digits
        elif digits.startswith("0") and not digits.startswith("00"):
            number = "62" + digits[1:]
        elif digits.startswith("00"):
            number = digits[2:]
        else:
            number = digits
        if 8 <= len(number) <= 15:
            return "+" + number
    return None


def _via_whatsapp(channel: str, source: str | None, attributes: Mapping[Any, Any]) -> bool:
    wanted = str(attributes.get("reply_via") or "").lower()
    return wanted == WHATSAPP or (channel == "social" and WHATSAPP in (source or "").lower())


def recipient(complaint: Mapping[Any, Any]) -> Recipient | None:
    """Where to tell the reporter of ``complaint`` (a row with channel, source, contact, anonymous, attributes)."""
    contact = (complaint.get("reporter_contact") or "").strip()
    if complaint.get("anonymous") or not contact:
        return None
    attributes = complaint.get("attributes") or {}
    channel = complaint.get("channel") or ""
    if channel == SMS:
        # The gateway's own sender format: answer exactly where the message came from.
        return Recipient(SMS, phone_in(contact) or contact)
    phone = phone_in(contact)
    if _via_whatsapp(channel, complaint.get("source"), attributes) and phone:
        return Recipient(WHATSAPP, phone)
    email = email_in(contact)
    if email:
        return Recipient(EMAIL, email)
    if phone:
        return Recipient(SMS, phone)
    return None
