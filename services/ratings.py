"""The reporter's rating (``db/ratings.py``) in words, the same on ``/lacak`` and in the SMS reply."""

from __future__ import annotations

from i18n import t


def rating_said(satisfied: bool, score: int | None, lang: str) -> str:
    """What the reporter's rating says, as the page and the SMS reply repeat it."""
    verdict = t("lacak.rate_yes" if satisfied else "lacak.rate_no", lang)
    return f"{verdict} ({score}/5)" if score else verdict
