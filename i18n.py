"""The one translation table: every piece of UI text, in Bahasa Indonesia and English.

Keys are grouped by page with a prefix (``nav.``, ``status.``, ``live.``…).
``tests/unit/test_i18n.py`` checks that every key has both languages and that
every key the code uses exists.
"""

from __future__ import annotations

from flask import has_request_context, request

LANGS = ("id", "en")
COOKIE = "pantau_lang"

MESSAGES: dict[str, dict[str, str]] = {
    # Shared chrome
    "app.name": {"id": "Pantau", "en": "Pantau"},
    "app.tagline": {"id": "Ruang kendali pengaduan warga", "en": "Citizen complaints control room"},
    "nav.live": {"id": "Live Room", "en": "Live room"},
    "nav.report": {"id": "Lapor", "en": "Report"},
    "nav.track": {"id": "Lacak", "en": "Track"},
    "nav.operator": {"id": "Operator", "en": "Operators"},
    "nav.field": {"id": "Lapangan", "en": "Field"},
    "nav.leaders": {"id": "Pimpinan", "en": "Leaders"},
    "nav.login": {"id": "Masuk", "en": "Log in"},
    "nav.logout": {"id": "Keluar", "en": "Log out"},
    "nav.language": {"id": "English", "en": "Bahasa Indonesia"},
    "nav.skip": {"id": "Lompat ke isi utama", "en": "Skip to main content"},
    "nav.main": {"id": "Navigasi utama", "en": "Main navigation"},
    # Statuses and colours
    "status.baru": {"id": "Baru", "en": "New"},
    "status.terverifikasi": {"id": "Terverifikasi", "en": "Verified"},
    "status.luar_wilayah": {"id": "Luar wilayah", "en": "Outside boundaries"},
    "status.diteruskan": {"id": "Diteruskan", "en": "Forwarded"},
    "status.ditugaskan": {"id": "Ditugaskan", "en": "Assigned"},
    "status.dikerjakan": {"id": "Dikerjakan", "en": "In progress"},
    "status.selesai": {"id": "Selesai", "en": "Finished"},
    "status.ditolak": {"id": "Ditolak", "en": "Rejected"},
    "status.duplikat": {"id": "Duplikat", "en": "Duplicate"},
    "colour.red": {"id": "Belum ditangani", "en": "Not yet handled"},
    "colour.yellow": {"id": "Sedang ditangani", "en": "Being handled"},
    "colour.green": {"id": "Selesai", "en": "Finished"},
    "colour.grey": {"id": "Ditolak / duplikat", "en": "Rejected / duplicate"},
    # Channels
    "channel.web": {"id": "Web", "en": "Web"},
    "channel.app": {"id": "Aplikasi", "en": "App"},
    "channel.sms": {"id": "SMS", "en": "SMS"},
    "channel.social": {"id": "Media sosial", "en": "Social media"},
    "channel.call_centre": {"id": "Call center", "en": "Call centre"},
    "channel.walk_in": {"id": "Datang langsung", "en": "Walk-in"},
    "channel.api": {"id": "API", "en": "API"},
    # Time
    "time.wib": {"id": "WIB", "en": "WIB"},
    "time.just_now": {"id": "baru saja", "en": "just now"},
    "time.minutes_ago": {"id": "{n} menit lalu", "en": "{n} min ago"},
    "time.hours_ago": {"id": "{n} jam lalu", "en": "{n} h ago"},
    "time.days_ago": {"id": "{n} hari lalu", "en": "{n} days ago"},
    # Errors
    "error.database_away": {
        "id": "Basis data sedang tidak dapat dihubungi. Halaman akan mencoba lagi sebentar lagi.",
        "en": "The database cannot be reached right now. The page will try again shortly.",
    },
    "error.not_found": {"id": "Halaman tidak ditemukan.", "en": "Page not found."},
    # Log-in page and access checks (login.*, guard.*)
    "login.title": {"id": "Masuk petugas", "en": "Staff log-in"},
    "login.username": {"id": "Nama pengguna", "en": "Username"},
    "login.password": {"id": "Kata sandi", "en": "Password"},
    "login.submit": {"id": "Masuk", "en": "Log in"},
    "login.invalid": {"id": "Nama pengguna atau kata sandi salah.", "en": "Wrong username or password."},
    "login.locked": {
        "id": "Akun dikunci sementara karena terlalu banyak percobaan gagal. Coba lagi dalam 15 menit.",
        "en": "The account is locked for a while after too many failed attempts. Try again in 15 minutes.",
    },
    "login.missing": {"id": "Isi nama pengguna dan kata sandi.", "en": "Enter your username and password."},
    "guard.login_required": {
        "id": "Halaman ini untuk petugas. Silakan masuk.",
        "en": "This page is for staff. Please log in.",
    },
    "guard.forbidden": {
        "id": "Akun Anda tidak berhak membuka halaman ini.",
        "en": "Your account may not open this page.",
    },
    # Photo uploads (photo.*)
    "photo.empty": {"id": "Berkas foto kosong.", "en": "The photo file is empty."},
    "photo.too_large": {
        "id": "Foto terlalu besar (maksimal {mb} MB).",
        "en": "The photo is too large (at most {mb} MB).",
    },
    "photo.not_image": {
        "id": "Berkas bukan foto JPEG, PNG, WebP atau HEIC.",
        "en": "The file is not a JPEG, PNG, WebP or HEIC photo.",
    },
    "photo.bad_kind": {"id": "Jenis foto tidak dikenal.", "en": "Unknown kind of photo."},
}


def current_lang() -> str:
    """The language of this request: ?lang=, then the cookie, then the setting."""
    from settings import get_settings

    if has_request_context():
        for candidate in (request.args.get("lang"), request.cookies.get(COOKIE)):
            if candidate in LANGS:
                return candidate
    default = get_settings().lang
    return default if default in LANGS else "id"


def t(key: str, lang: str | None = None, **values: object) -> str:
    """The text for ``key`` in ``lang`` (default: the request's), with {placeholders} filled."""
    entry = MESSAGES.get(key)
    if entry is None:
        raise KeyError(f"no translation for {key!r}")
    text = entry.get(lang or current_lang()) or entry["id"]
    return text.format(**values) if values else text
