"""Times as staff and citizens read them: date and time in WIB (Asia/Jakarta)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from i18n import t

WIB = ZoneInfo("Asia/Jakarta")
_MONTHS = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


def wib(moment: datetime | None, lang: str) -> str:
    """``12 Mar 2025 14:05 WIB``; an empty string for no time."""
    if moment is None:
        return ""
    local = moment.astimezone(WIB)
    month = _MONTHS.get(lang, _MONTHS["id"])[local.month - 1]
    return f"{local.day} {month} {local.year} {local:%H:%M} {t('time.wib', lang)}"


def wib_date(moment: datetime | None, lang: str) -> str:
    """``12 Mar 2025`` in WIB."""
    if moment is None:
        return ""
    local = moment.astimezone(WIB)
    return f"{local.day} {_MONTHS.get(lang, _MONTHS['id'])[local.month - 1]} {local.year}"


def iso(moment: datetime | None) -> str | None:
    """The machine-readable form for ``<time datetime=…>``."""
    return moment.astimezone(WIB).isoformat(timespec="minutes") if moment else None


def ago(moment: datetime | None, lang: str, now: datetime | None = None) -> str:
    """``3 hari lalu``: how long ago, in the largest whole unit."""
    if moment is None:
        return ""
    seconds = ((now or datetime.now(WIB)) - moment).total_seconds()
    if seconds < 60:
        return t("time.just_now", lang)
    if seconds < 3600:
        return t("time.minutes_ago", lang, n=int(seconds // 60))
    if seconds < 86400:
        return t("time.hours_ago", lang, n=int(seconds // 3600))
    return t("time.days_ago", lang, n=int(seconds // 86400))
