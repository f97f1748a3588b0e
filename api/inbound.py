"""Inbound channels beyond the web: ``POST /api/v1/inbound/sms`` from an SMS gateway and
``POST /api/v1/inbound/whatsapp`` from a WhatsApp Business gateway and
``POST /api/v1/inbound/social`` from a social-listening gateway.

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

WhatsApp has the same conversation, plus what a chat can carry: a shared
location (``lat``/``long``) places the report exactly, and photos come as
multipart ``media`` files (up to ``MAX_MEDIA``). The gateway proves itself
with ``X-Pantau-Secret`` (``PANTAU_WHATSAPP_SECRET``, else the SMS secret) or,
for a JSON body, the provider's ``X-Hub-Signature-256: sha256=<HMAC of the
body>``. A photo that is not an acceptable image never costs the report: the
report is stored and the answer lists the media refused. Its reporter is
answered on WhatsApp (channel ``social``, source ``WhatsApp``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app, jsonify, request

from api import schemas
from api.limits import allow_submission
from api.openapi import FORM, JSON, MULTIPART, operation
from api.schemas import answer
from db.channels import phone_in
from db.complaints import Actor, category_ids
from db.engine import committed_per_statement, get_engine
from db.open311 import QUESTIONS
from db.places import kelurahan_by_name
from db.ratings import RatingError, parse_sms_rating, rate_by_sms
from db.status import INTAKE_OUTSIDE
from db.tracking import reporter_token
from i18n import t
from photos.fetch import MediaRefused, fetch_media
from photos.store import get_store
from photos.upload import PhotoError, save_photo
from services.intake import Refused, file_report, new_report
from services.ratings import rating_said
from settings import get_settings

bp = Blueprint("inbound", __name__, url_prefix="/api/v1/inbound")
SECRET_HEADER = "X-Pantau-Secret"
SIGNATURE_HEADER = "X-Hub-Signature-256"
MAX_MEDIA = 3  # photos one WhatsApp message may bring
MAX_URL = 1000
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


def _gateway_refusal(secret: str, door: str, setting: str) -> Any | None:
    """The answer refusing a request whose gateway does not prove itself with ``X-Pantau-Secret`` (or a door that
    is off), or None. Asked before anything is counted: a forged request must not use up a sender's quota."""
    if not secret:
        return jsonify(error=f"{door} is off: {setting} is not set", code=503), 503
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), secret.encode()):
        return jsonify(error=f"missing or wrong {SECRET_HEADER} header", code=403), 403
    return None


@bp.post("/sms")
@operation(
    "An SMS from the gateway: 'LAPOR <kategori> <keterangan> #<kelurahan atau patokan>'.",
    description="Authenticated by the X-Pantau-Secret header (PANTAU_SMS_SECRET). A place that cannot be found is "
    "kept as luar_wilayah for the operators; an unknown category word files the report as lainnya.",
    tag="Inbound",
    headers={SECRET_HEADER: ("PANTAU_SMS_SECRET.", True)},
    body=schemas.InboundSms,
    body_types=(JSON, FORM),
    responses={
        201: ("Stored.", schemas.SmsAccepted),
        200: ("A retry of a message already stored, or a rating.", schemas.SmsAccepted),
        400: "sender or text missing or too long, or a report the intake refuses (with reply).",
        403: "Missing or wrong secret.",
        429: "Too many reports from this sender.",
        503: "PANTAU_SMS_SECRET is not set, or the database is away.",
    },
)
def inbound_sms() -> Any:
    """Store one SMS as a complaint (channel ``sms``) and answer the tracking code and a reply text."""
    refused = _gateway_refusal(get_settings().sms_secret, "inbound SMS", "PANTAU_SMS_SECRET")
    if refused is not None:
        return refused
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
    verdict = parse_sms_rating(text)
    if verdict is not None:
        return _rated_by_sms(sender, *verdict)
    # Reads, then the report's one statement, committed as it is stored (db/engine.py committed_per_statement).
    with committed_per_statement() as conn:
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
            return jsonify(error=f"{exc.field}: {exc.message}", code=400, field=exc.field, reply=sms_refusal(exc)), 400
    # The reply goes only to the sender, so its link carries the reporter's token (disputes need it).
    token = reporter_token(current_app.config["SECRET_KEY"], created.tracking_code)
    url = f"{request.url_root}lacak/{created.tracking_code}?k={token}"
    outside = created.status == INTAKE_OUTSIDE
    reply = t("sms.reply_outside" if outside else "sms.reply", "id", code=created.tracking_code, url=url)
    accepted = schemas.SmsAccepted(
        tracking_code=created.tracking_code,
        status=created.status.value,
        category=parsed.category,
        placed=len(places) == 1,
        duplicate=created.duplicate_submission,
        tracking_url=url,
        reply=reply,
    )
    return jsonify(answer(accepted)), (200 if created.duplicate_submission else 201)


def _signed(secret: str) -> bool:
    """The provider's signature: ``sha256=`` and the HMAC-SHA256 of the raw body under ``secret``."""
    given = request.headers.get(SIGNATURE_HEADER, "")
    if not given.startswith("sha256=") or not request.is_json:
        return False
    expected = hmac.new(secret.encode(), request.get_data(cache=True), hashlib.sha256).hexdigest()
    return hmac.compare_digest(given[len("sha256=") :].encode(), expected.encode())


def _coordinate(body: Any, name: str, limit: float) -> float | None:
    value = body.get(name)
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: must be a number in degrees") from None
    if not -limit <= number <= limit:
        raise ValueError(f"{name}: must be between -{limit:g} and {limit:g}")
    return number


def _media_urls(body: Any) -> list[str]:
    """The media a gateway gives as links (``media_urls``: a JSON list, or repeated form fields)."""
    raw = body.get("media_urls") if request.is_json else body.getlist("media_urls")
    raw = [raw] if isinstance(raw, str) else raw or []
    if not isinstance(raw, list) or not all(isinstance(u, str) for u in raw):
        raise ValueError("media_urls: a list of addresses")
    urls = [u.strip() for u in raw if u.strip()]
    for url in urls:
        if len(url) > MAX_URL or not re.match(r"^https?://\S+$", url):
            raise ValueError(f"media_urls: each must be an http(s) address of at most {MAX_URL} characters")
    return urls


@bp.post("/whatsapp")
@operation(
    "A WhatsApp message from the gateway: text in the SMS format, a shared location, photos.",
    description="Authenticated by X-Pantau-Secret (PANTAU_WHATSAPP_SECRET, else PANTAU_SMS_SECRET) or, for JSON, "
    "X-Hub-Signature-256 (sha256=HMAC of the body). lat/long place the report exactly; up to three photos come as "
    "multipart 'media' files; the same message_id is one report.",
    tag="Inbound",
    headers={SECRET_HEADER: ("The shared secret.", False), SIGNATURE_HEADER: ("sha256=HMAC of the body.", False)},
    body={JSON: schemas.InboundWhatsApp, FORM: schemas.InboundWhatsApp, MULTIPART: schemas.InboundWhatsAppMultipart},
    responses={
        201: ("Stored.", schemas.WhatsAppAccepted),
        200: ("A retry of a message already stored.", schemas.WhatsAppAccepted),
        400: "A missing sender, nothing to report, a bad coordinate, too many files.",
        403: "Missing or wrong secret or signature.",
        429: "Too many reports from this sender.",
        503: "No secret is set, or the database is away.",
    },
)
def inbound_whatsapp() -> Any:
    """Store one WhatsApp message (text, a shared location, photos) as a complaint and answer its code and a reply."""
    settings = get_settings()
    secret = settings.whatsapp_secret or settings.sms_secret
    if not secret:
        return jsonify(error="inbound WhatsApp is off: PANTAU_WHATSAPP_SECRET is not set", code=503), 503
    given = request.headers.get(SECRET_HEADER, "")
    if not (given and hmac.compare_digest(given.encode(), secret.encode())) and not _signed(secret):
        return jsonify(error=f"missing or wrong {SECRET_HEADER} or {SIGNATURE_HEADER} header", code=403), 403
    body: Any = request.get_json(silent=True) if request.is_json else request.form
    if not hasattr(body, "get"):
        return jsonify(error="send a form or a JSON object with sender and text", code=400), 400
    sender = str(body.get("sender") or "").strip()
    text = str(body.get("text") or "").strip()
    message_id = str(body.get("message_id") or "").strip()
    try:
        lat, lon = _coordinate(body, "lat", 90), _coordinate(body, "long", 180)
    except ValueError as exc:
        return jsonify(error=str(exc), code=400), 400
    media = request.files.getlist("media") if not request.is_json else []
    try:
        media_urls = _media_urls(body)
    except ValueError as exc:
        return jsonify(error=str(exc), code=400), 400
    if not sender:
        return jsonify(error="sender is required", code=400), 400
    if (lat is None) != (lon is None):
        return jsonify(error="lat and long: a shared location needs both", code=400), 400
    if not text and lat is None and not media and not media_urls:
        return jsonify(error="text, a location (lat and long) or media is required", code=400), 400
    if len(text) > MAX_SMS or len(sender) > 64 or len(message_id) > 128:
        return jsonify(error=f"text is limited to {MAX_SMS} characters, sender to 64, message_id to 128", code=400), 400
    if len(media) + len(media_urls) > MAX_MEDIA:
        return jsonify(error=f"at most {MAX_MEDIA} media files or media_urls a message", code=400), 400
    for name, value in (("sender", sender), ("text", text), ("message_id", message_id)):
        if "\x00" in value:
            return jsonify(error=f"{name}: contains a NUL character", code=400), 400
    if not allow_submission("whatsapp", sender):
        return jsonify(error="too many reports from this sender; try again later", code=429), 429
    with get_engine().begin() as conn:
        categories = category_ids(conn)
        parsed = parse_sms(text, set(categories)) if text else None
        place = parsed.place if parsed else None
        places = kelurahan_by_name(conn, place) if place and lat is None else []
        attributes: dict[str, Any] = {"whatsapp_text": text} if text else {}
        if parsed is not None:
            attributes["whatsapp_format"] = "lapor" if parsed.recognised else "free"
        if lat is not None:
            attributes["location_from"] = "whatsapp_location"
        elif len(places) == 1:
            attributes["location_from"] = "kelurahan_name"
            lat, lon = places[0].lat, places[0].lon
        elif place:
            attributes["place_unmatched"] = "ambiguous" if places else "unknown"
        category = parsed.category if parsed else FALLBACK_CATEGORY
        description = (parsed.description if parsed else "") or text or t("whatsapp.without_text", "id")
        try:
            new = new_report(
                category=category,
                description=description,
                channel="social",
                source="WhatsApp",
                lat=lat,
                lon=lon,
                address=place,
                reporter_contact=sender,
                idempotency_key=f"whatsapp:{message_id}" if message_id else None,
                answers=parsed.answers if parsed else {},
                attributes=attributes,
            )
            created = file_report(conn, new, Actor(role="public"), categories)
        except Refused as exc:
            return jsonify(error=f"{exc.field}: {exc.message}", code=400, field=exc.field, reply=sms_refusal(exc)), 400
    refused = []
    stored = 0
    if not created.duplicate_submission:
        for upload in media:
            try:
                with get_engine().begin() as conn:
                    save_photo(
                        conn,
                        get_store(),
                        created.id,
                        upload.read(),
                        "report",
                        Actor(role="public"),
                        int(settings.max_photo_mb * 1048576),
                    )
                stored += 1
            except PhotoError as exc:
                refused.append({"file": (upload.filename or "")[:100], "error": exc.detail})
        for url in media_urls:
            # Fetched outside any transaction: a slow gateway holds no database connection.
            try:
                data = fetch_media(url, settings.whatsapp_outbound_url, int(settings.max_photo_mb * 1048576))
                with get_engine().begin() as conn:
                    save_photo(
                        conn, get_store(), created.id, data, "report", Actor(role="public"),
                        int(settings.max_photo_mb * 1048576),
                    )  # fmt: skip
                stored += 1
            except MediaRefused as exc:
                refused.append({"url": url[:MAX_URL], "error": str(exc)})
            except PhotoError as exc:
                refused.append({"url": url[:MAX_URL], "error": exc.detail})
    token = reporter_token(current_app.config["SECRET_KEY"], created.tracking_code)
    url = f"{request.url_root}lacak/{created.tracking_code}?k={token}"
    outside = created.status == INTAKE_OUTSIDE
    reply = t("sms.reply_outside" if outside else "sms.reply", "id", code=created.tracking_code, url=url)
    accepted = schemas.WhatsAppAccepted(
        tracking_code=created.tracking_code,
        status=created.status.value,
        category=category,
        placed=lat is not None,
        duplicate=created.duplicate_submission,
        media_stored=stored,
        media_refused=[schemas.RefusedMedia(**r) for r in refused],
        tracking_url=url,
        reply=reply,
    )
    return jsonify(answer(accepted)), (200 if created.duplicate_submission else 201)


PLATFORMS = {"facebook": "Facebook", "x": "X", "twitter": "X", "instagram": "Instagram", "tiktok": "TikTok"}
MAX_URLS = 10


def _text_field(body: Any, name: str, limit: int, required: bool = False) -> str:
    value = body.get(name)
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise ValueError(f"{name} is required")
    if len(value) > limit:
        raise ValueError(f"{name}: at most {limit} characters")
    if "\x00" in value:
        raise ValueError(f"{name}: contains a NUL character")
    return value


def _urls(body: Any) -> list[str]:
    raw = body.get("media_urls") if request.is_json else body.getlist("media_urls")
    raw = [raw] if isinstance(raw, str) else list(raw or [])
    if len(raw) > MAX_URLS:
        raise ValueError(f"media_urls: at most {MAX_URLS}")
    urls = [str(u).strip() for u in raw if str(u).strip()]
    for u in urls:
        if not re.match(r"^https?://\S{1,500}$", u):
            raise ValueError("media_urls: each must be an http(s) address")
    return urls


@bp.post("/social")
@operation(
    "A social-media post mentioning the city, from a social-listening gateway.",
    description="Authenticated by X-Pantau-Secret (PANTAU_SOCIAL_SECRET). Placed by lat/long or a kelurahan "
    "'place'; otherwise kept as luar_wilayah for the operators. The same platform and post_id is one report.",
    tag="Inbound",
    headers={SECRET_HEADER: ("PANTAU_SOCIAL_SECRET.", True)},
    body=schemas.SocialPost,
    body_types=(JSON, FORM),
    responses={
        201: ("Stored.", schemas.PostAccepted),
        200: ("The same post again.", schemas.PostAccepted),
        400: "A missing or malformed field.",
        403: "Missing or wrong secret.",
        503: "PANTAU_SOCIAL_SECRET is not set, or the database is away.",
    },
)
def inbound_social() -> Any:
    """Store one social-media post mentioning the city as a complaint (channel ``social``); the same post is
    one report."""
    refused = _gateway_refusal(get_settings().social_secret, "inbound social media", "PANTAU_SOCIAL_SECRET")
    if refused is not None:
        return refused
    body: Any = request.get_json(silent=True) if request.is_json else request.form
    if not hasattr(body, "get"):
        return jsonify(error="send a form or a JSON object with platform, post_id, author and text", code=400), 400
    try:
        platform = _text_field(body, "platform", 32, required=True).lower()
        post_id = _text_field(body, "post_id", 128, required=True)
        author = _text_field(body, "author", 100, required=True)
        text = _text_field(body, "text", MAX_SMS, required=True)
        place = _text_field(body, "place", 200) or None
        link = _text_field(body, "url", 500) or None
        lat, lon = _coordinate(body, "lat", 90), _coordinate(body, "long", 180)
        media_urls = _urls(body)
    except ValueError as exc:
        return jsonify(error=str(exc), code=400), 400
    if (lat is None) != (lon is None):
        return jsonify(error="lat and long: coordinates need both", code=400), 400
    if link and not re.match(r"^https?://", link):
        return jsonify(error="url: must be an http(s) address", code=400), 400
    source = PLATFORMS.get(platform, platform[:1].upper() + platform[1:])
    with committed_per_statement() as conn:
        categories = category_ids(conn)
        parsed = parse_sms(text, set(categories))
        place = place or parsed.place
        places = kelurahan_by_name(conn, place) if place and lat is None else []
        attributes: dict[str, Any] = {"post_url": link, "post_id": post_id, "media_urls": media_urls}
        if lat is not None:
            attributes["location_from"] = "post_coordinates"
        elif len(places) == 1:
            attributes["location_from"] = "kelurahan_name"
            lat, lon = places[0].lat, places[0].lon
        elif place:
            attributes["place_unmatched"] = "ambiguous" if places else "unknown"
        try:
            new = new_report(
                category=parsed.category,
                description=parsed.description or text,
                channel="social",
                source=source,
                lat=lat,
                lon=lon,
                address=place,
                reporter_name=author,
                reporter_contact=author,
                idempotency_key=f"social:{platform}:{post_id}",
                answers=parsed.answers,
                attributes={k: v for k, v in attributes.items() if v},
            )
            created = file_report(conn, new, Actor(role="public"), categories)
        except Refused as exc:
            return jsonify(error=f"{exc.field}: {exc.message}", code=400, field=exc.field), 400
    accepted = schemas.PostAccepted(
        tracking_code=created.tracking_code,
        status=created.status.value,
        category=parsed.category,
        placed=lat is not None,
        duplicate=created.duplicate_submission,
    )
    return jsonify(answer(accepted)), (200 if created.duplicate_submission else 201)


def _rated_by_sms(sender: str, satisfied: bool, score: int | None) -> Any:
    """A reply of PUAS / TIDAK PUAS (and a score) rates the sender's newest finished report (db/ratings.py)."""
    phone = phone_in(sender)
    contacts = list(dict.fromkeys([sender, *([phone, "0" + phone[3:]] if phone and phone.startswith("+62") else [])]))
    try:
        with get_engine().begin() as conn:
            rated = rate_by_sms(conn, contacts, satisfied, score)
    except RatingError:
        return jsonify(answer(schemas.SmsAccepted(rated=False, reply=t("sms.nothing_to_rate", "id")))), 200
    said = rating_said(rated.satisfied, rated.score, "id")
    if rated.satisfied:
        reply = t("sms.rated", "id", said=said, code=rated.tracking_code)
    else:
        token = reporter_token(current_app.config["SECRET_KEY"], rated.tracking_code)
        url = f"{request.url_root}lacak/{rated.tracking_code}?k={token}"
        reply = t("sms.rated_dispute", "id", said=said, code=rated.tracking_code, url=url)
    accepted = schemas.SmsAccepted(
        rated=True, tracking_code=rated.tracking_code, satisfied=rated.satisfied, score=rated.score, reply=reply
    )
    return jsonify(answer(accepted))
