"""The operators' queue: one row per complaint with a selection checkbox, most urgent first, and its map."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

from db.accounts import StaffUser
from db.engine import data_version
from db.status import COLOUR, Status
from db.workflow import OPEN, QueueFilter, cached_kecamatan_outline, queue
from geo.job_map import job_map
from i18n import t
from layouts._when import ago, iso, wib, wib_date
from services.permissions import scope_of
from settings import get_settings

MAP_HEIGHT, MAP_WIDTH = 380, 340


def _time(moment: Any, text: str, lang: str) -> dict[str, Any] | None:
    return {"text": text, "iso": iso(moment), "title": wib(moment, lang)} if moment else None


def _row(row: Mapping[Any, Any], lang: str) -> dict[str, Any]:
    """One complaint as the table shows it, every text in the user's language."""
    code = row["tracking_code"]
    chased = row.get("chased")
    return {
        "code": code,
        "select": t("queue.select_row", lang, code=code),
        "href": f"/pengaduan/{code}?lang={lang}",
        "status": t(f"status.{row['status']}", lang),
        "colour": COLOUR[Status(row["status"])].value,
        # Overdue work chased: reminded, or escalated to the leaders (db/chase.py).
        "chased": chased or None,
        "chase": (t("queue.escalated" if chased == "escalation" else "queue.reminded", lang) if chased else None),
        # Its destination's door failed: why, for the operator who resends or redirects it.
        "handover_error": row.get("handover_error") or None,
        "category": row["category_name_en" if lang == "en" else "category_name_id"],
        "description": row["description"],
        "place": ", ".join(p for p in (row["kelurahan"], row["kecamatan"]) if p) or t("queue.no_place", lang),
        "opd": row["opd_short"] or "—",
        "created": _time(row["created_at"], ago(row["created_at"], lang), lang),
        "due": _time(row["due_at"], wib_date(row["due_at"], lang), lang),
        "overdue": t("queue.overdue", lang) if row["overdue"] else None,
        # Forwarded out of the city by hand: the day its handover is followed up, and whether it has passed.
        "follow_up": {
            "label": t("queue.follow_up", lang),
            "when": _time(row["handover_due"], wib_date(row["handover_due"], lang), lang),
            "overdue": t("queue.overdue", lang) if row.get("handover_overdue") else None,
        }
        if row.get("handover_due")
        else None,
    }


def queue_table(rows: Sequence[Mapping[Any, Any]], lang: str) -> dict[str, Any]:
    """The queue table as data, drawn in the browser by assets/queue_table.js (``op-rows``).

    Not Dash components: two hundred rows of them took the renderer over a second to draw, against a few
    milliseconds for the same rows built by the script. Every text is already in the user's language."""
    return {
        "caption": t("queue.caption", lang),
        "head": [
            t("queue.col_select", lang),
            t("queue.col_code", lang),
            t("queue.col_status", lang),
            t("queue.col_category", lang),
            t("queue.col_place", lang),
            t("queue.col_opd", lang),
            t("queue.col_created", lang),
            t("queue.col_due", lang),
        ],
        "empty": t("queue.empty", lang),
        "rows": [_row(r, lang) for r in rows],
    }


def count_text(rows: Sequence[Mapping[Any, Any]], lang: str) -> str:
    total = int(rows[0]["total"]) if rows else 0
    if total > len(rows):
        return t("queue.count_limited", lang, shown=len(rows), total=total)
    return t("queue.count", lang, n=total)


def view_of(
    q: str | None,
    statuses: Sequence[str] | None,
    category: str | None,
    kecamatan: str | None,
    opd: str | None,
    overdue: Sequence[str] | None,
) -> str:
    """The filters as one key: the queue is drawn again only when it or the data changes."""
    return repr((q, list(statuses) if statuses is not None else None, category, kecamatan, opd, overdue))


def drawn_queue(
    conn: Connection,
    user: StaffUser,
    lang: str,
    q: str | None = None,
    statuses: Sequence[str] | None = None,
    category: str | None = None,
    kecamatan: str | None = None,
    opd: str | None = None,
    overdue: Sequence[str] | None = None,
) -> tuple[dict[str, Any], str, dict[str, Any], dict[str, Any]]:
    """The queue as the filters ask for it: its table (as data), the count line, its map and the version it shows
    (``op-version``). Drawn in the page's first layout and by the callback that follows the filters."""
    version = data_version(conn)
    view = view_of(q, statuses, category, kecamatan, opd, overdue)
    rows = queue(
        conn,
        scope_of(user),
        QueueFilter(
            statuses=tuple(statuses or OPEN),
            category=category,
            opd=opd,
            kecamatan=kecamatan,
            q=q,
            overdue_only=bool(overdue),
        ),
    )
    figure = job_map(
        rows,
        cached_kecamatan_outline(),
        height=MAP_HEIGHT,
        width=MAP_WIDTH,
        tile_url=get_settings().tile_url,
        uirevision=view,
    )
    return queue_table(rows, lang), count_text(rows, lang), figure, {"version": version, "view": view}
