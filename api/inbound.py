"""Inbound channels beyond the web: ``POST /api/v1/inbound/sms`` from an SMS gateway.

The gateway authenticates with the shared secret ``PANTAU_SMS_SECRET`` in the
``X-Pantau-Secret`` header and sends ``sender`` and ``text`` (form or JSON;
``message_id`` makes a retried delivery count once; a gateway that knows them may add the sender's
``name`` and the handset's ``lat``/``lon``). The text format is

    LAPOR <kategori> <keterangan> [pertanyaan=jawaban ...] #<kelurahan atau patokan>

A category's questions (db/open311.py) are answered as ``kode=jawaban`` words, e.g.
``LAPOR pohon tumbang di Jl. Melati menutup_jalan=ya #Cipete``. The report goes through
services/intake.py like every door's: a report it refuses (a required question unanswered, a name
too long, a coordinate out of range) is answered 400 with the reason and a ``reply`` for the sender.

A known kelurahan name places the report at a point inside that kelurahan;
anything that cannot be placed (a landmark, a typo, an ambiguous name, no
``#`` at all) is still stored, as ``luar_wilayah`` in the operators' queue,
with the place text as its address. An unknown category word files the report
under ``lainnya`` and keeps the word in the description.
The answer carries a ``reply`` the gateway can send back to the sender.

``PANTAU_SUBMIT_RATE`` counts per sender (the gateway is one IP address for
everybody), and only requests carrying the right secret count: forged ones
cannot use up a phone number's quota.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app, jsonify, request

from api.limits import allow_submission
from db.complaints import Actor, category_ids
from db.engine import get_engine
from db.open311 import QUESTIONS
from db.places import kelurahan_by_name
from db.status import INTAKE_OUTSIDE
from db.tracking import reporter_token
from i18n import t
from services.intake import Refused, file_report, new_report
from settings import get_settings

bp = Blueprint("inbound", __name__, url_prefix="/api/v1/inbound")
SECRET_HEADER = "X-Pantau-Secret"
MAX_SMS = 1600  # ten concatenated SMS
FALLBACK_CATEGORY = "lainnya"
# Words people text instead of the category code.
CATEGORY_WORDS = {
    "jalan": "jalan_rusak", "jalanrusak": "jalan_rusak", "lubang": "jalan_rusak", "aspal": "jalan_rusak",
    "banjir": "banjir_drainase", "drainase": "banjir_drainase", "got": "banjir_drainase", "selokan": "banjir_drainase",
    "genangan": "banjir_drainase", "macet": "lalu_lintas", "lalulintas": "lalu_lintas", "lantas": "lalu_lintas",
    "parkir": "lalu_lintas", "sampah": "sampah", "pohon": "pohon_tumbang", "lampu": "penerangan_jalan",
    "pju": "penerangan_jalan", "penerangan": "penerangan_jalan", "ketertiban": "ketertiban_umum",
    "tibum": "ketertiban_umum", "pkl": "ketertiban_umum", "kesehatan": "kesehatan", "puskesmas": "kesehatan",
    "ktp": "adminduk", "kk": "adminduk", "akta": "adminduk", "adminduk": "adminduk", "dukcapil": "adminduk",
    "bencana": "bencana", "longsor": "bencana", "kebakaran": "bencana", "lain": "lainnya", "lainnya": "lainnya",
}  # fmt: skip
_LAPOR = re.compile(r"^\s*lapor\b[\s:.,;-]*", re.I)
_ANSWER = re.compile(r"(?:^|\s)([a-z][a-z0-9_]*)=(\S+)", re.I)


@dataclass(frozen=True)
class ParsedSms:
    category: str
    description: str
    place: str | None
    recognised: bool  # the text followed the LAPOR format
    answers: dict[str, str]  # ``kode=jawaban`` words: the category's questions answered


def _word(token: str) -> str:
    return re.sub(r"[^a-z0-9]", "", token.lower())


def parse_sms(text: str, known: set[str]) -> ParsedSms:
    """Split ``LAPOR <kategori> <keterangan> #<tempat>``; text in any other shape becomes a 'lainnya' report."""
    text = " ".join(text.split())
    body, place = text, None
    if "#" in text:
        body, _, after = text.rpartition("#")
        place = after.strip() or None
    match = _LAPOR.match(body)
    if match is None:
        return ParsedSms(FALLBACK_CATEGORY, body.strip(), place, False, {})
    rest = body[match.end() :].strip()
    first, _, remainder = rest.partition(" ")
    by_code = {_word(code): code for code in known}
    category = by_code.get(_word(first)) or CATEGORY_WORDS.get(_word(first))
    if category is None or category not in known:
        return ParsedSms(FALLBACK_CATEGORY, rest, place, True, {})
    # ``kode=jawaban`` words answer the category's questions; other words with '=' stay in the text.
    codes = {q.code for q in QUESTIONS.get(category, ())}
    answers = {m.group(1).lower(): m.group(2) for m in _ANSWER.finditer(remainder) if m.group(1).lower() in codes}
    words = [w for w in remainder.split() if w.partition("=")[0].lower() not in codes or "=" not in w]
    return ParsedSms(category, " ".join(words), place, True, answers)


def sms_refusal(exc: Refused) -> str:
    """What the sender is told when the report is refused: the reason, and how to answer a question."""
    reason = exc.text("id")
    if exc.field == "answers" and exc.code in ("answer_required", "answer_choice"):
        question = next(q for qs in QUESTIONS.values() for q in qs if q.code == exc.params.get("question_code"))
        choices = " / ".join(f"{question.code}={key}" for key, _ in question.values) or f"{question.code}=..."
        return t("sms.reply_refused_answer", "id", reason=reason, choices=choices)
    return t("sms.reply_refused", "id", reason=reason)


@bp.post("/sms")
def inbound_sms() -> Any:
    """Store one SMS as a complaint (channel ``sms``) and answer the tracking code and a reply text."""
    secret = get_settings().sms_secret
    if not secret:
        return jsonify(error="inbound SMS is off: PANTAU_SMS_SECRET is not set", code=503), 503
    # The gateway proves itself before anything is counted: a forged request must not use up a sender's quota.
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), secret.encode()):
        return jsonify(error=f"missing or wrong {SECRET_HEADER} header", code=403), 403
    body: Any = request.get_json(silent=True) if request.is_json else request.form
    if not hasattr(body, "get"):
        return jsonify(error="send a form or a JSON object with sender and text", code=400), 400
    sender = str(body.get("sender") or "").strip()
    text = str(body.get("text") or "").strip()
    if not sender or not text:
        return jsonify(error="sender and text are required", code=400), 400
    if len(text) > MAX_SMS or len(sender) > 64:
        return jsonify(error=f"text is limited to {MAX_SMS} characters and sender to 64", code=400), 400
    for name, value in (("sender", sender), ("text", text)):
        if "\x00" in value:
            return jsonify(error=f"{name}: contains a NUL character", code=400), 400
    # The gateway is one IP address for everybody: the limit counts per sender.
    if not allow_submission("sms", sender):
        return jsonify(error="too many reports from this sender; try again later", code=429), 429
    message_id = str(body.get("message_id") or "").strip()[:128] or None
    with get_engine().begin() as conn:
        categories = category_ids(conn)
        parsed = parse_sms(text, set(categories))
        places = kelurahan_by_name(conn, parsed.place) if parsed.place else []
        attributes: dict[str, Any] = {"sms_text": text, "sms_format": "lapor" if parsed.recognised else "free"}
        if len(places) == 1:
            attributes["location_from"] = "kelurahan_name"
        elif parsed.place:
            attributes["place_unmatched"] = "ambiguous" if places else "unknown"
        description = parsed.description or text
        lat, lon = (body.get("lat"), body.get("lon")) if body.get("lat") or body.get("lon") else (None, None)
        if lat is None and len(places) == 1:
            lat, lon = places[0].lat, places[0].lon
        try:
            new = new_report(
                category=parsed.category,
                description=description,
                channel="sms",
                lat=lat,
                lon=lon,
                address=parsed.place,
                reporter_name=str(body.get("name") or "").strip() or None,
                reporter_contact=sender,
                source="sms-gateway",
                idempotency_key=message_id,
                answers=parsed.answers,
                attributes=attributes,
            )
            created = file_report(conn, new, Actor(role="sms"), categories)
        except Refused as exc:
            return jsonify(error=f"{exc.field}: {exc.message}", code=400, reply=sms_refusal(exc)), 400
    # The reply goes only to the sender, so its link carries the reporter's token (disputes need it).
    token = reporter_token(current_app.config["SECRET_KEY"], created.tracking_code)
    url = f"{request.url_root}lacak/{created.tracking_code}?k={token}"
    outside = created.status == INTAKE_OUTSIDE
    reply = t("sms.reply_outside" if outside else "sms.reply", "id", code=created.tracking_code, url=url)
    return jsonify(
        tracking_code=created.tracking_code,
        status=created.status.value,
        category=parsed.category,
        placed=len(places) == 1,
        duplicate=created.duplicate_submission,
        tracking_url=url,
        reply=reply,
    ), (200 if created.duplicate_submission else 201)
