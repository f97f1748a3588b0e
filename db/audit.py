"""The audit log: one append-only ``audit_event`` row for every staff action.

Changes to complaints are already their own history (``complaint_event``);
this log holds what happens around them: log-ins (and failed ones), log-outs,
bearer tokens, exports, accounts (created, deactivated, activated, a new
password, log-in back-off cleared), API keys (created, revoked) and the loads
done from the command line. ``detail`` is for facts such as an export's
filters and row count; never put a password, a token or a reporter's name or
contact in it.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, RowMapping, text

from db.complaints import Actor

ACTIONS = (
    "login",
    "login_failed",
    "logout",
    "token_issued",
    "export",
    "user_created",
    "user_deactivated",
    "user_activated",
    "password_set",
    "user_unlocked",
    "api_key_created",
    "api_key_revoked",
    "boundaries_imported",
    "catalogue_loaded",
    "complaints_imported",
    "door_set",
    "door_removed",
    "template_saved",
    "message_resent",
    "indexes_rebuilt",  # by the system (db/maintenance.py)
)
MAX_TEXT = 200  # a failed log-in's "username" is whatever was typed, however long

_INSERT = text(
    "INSERT INTO audit_event (actor_user_id, actor_role, action, target, detail, client, request_id)"
    " VALUES (:user_id, :role, :action, :target, CAST(:detail AS jsonb), :client, :request_id) RETURNING id"
)
_RECENT = text(
    "SELECT e.id, e.at, e.actor_user_id, u.username AS actor, e.actor_role, e.action, e.target, e.detail,"
    " e.client, e.request_id"
    " FROM audit_event e LEFT JOIN app_user u ON u.id = e.actor_user_id"
    " WHERE (CAST(:action AS text) IS NULL OR e.action = :action)"
    " AND (CAST(:user_id AS integer) IS NULL OR e.actor_user_id = :user_id)"
    " ORDER BY e.at DESC, e.id DESC LIMIT :limit"
)


def _clean(value: str | None) -> str | None:
    # PostgreSQL text and jsonb cannot hold NUL; a typed name may contain one.
    if value is None:
        return None
    value = value.replace("\x00", "\\x00")
    return value if len(value) <= MAX_TEXT else value[: MAX_TEXT - 1] + "…"


def _clean_detail(value: Any) -> Any:
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, dict):
        return {str(k): _clean_detail(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean_detail(v) for v in value]
    return value


def record(
    conn: Connection,
    action: str,
    *,
    actor: Actor | None,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
    client: str | None = None,
    request_id: str | None = None,
) -> int:
    """Append one audit event in the caller's transaction; returns its id. No actor: the system."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; one of {', '.join(ACTIONS)}")
    actor = actor or Actor()
    return int(
        conn.execute(
            _INSERT,
            {
                "user_id": actor.user_id,
                "role": actor.role,
                "action": action,
                "target": _clean(target),
                "detail": json.dumps(_clean_detail(detail or {}), ensure_ascii=False, default=str),
                "client": _clean(client),
                "request_id": _clean(request_id),
            },
        ).scalar_one()
    )


def recent(
    conn: Connection, limit: int = 50, action: str | None = None, user_id: int | None = None
) -> list[RowMapping]:
    """The newest audit events first, optionally of one action or one acting account."""
    params = {"limit": limit, "action": action, "user_id": user_id}
    return list(conn.execute(_RECENT, params).mappings())
