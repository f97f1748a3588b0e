"""Sending a failed message again ("Kirim ulang"), for admins on /kotak-keluar and staff on the complaint page.

The resend is a new message under its own idempotency key that names the original; the original keeps its
state and attempts as history (``db.outbox.resend`` says why). Who may is ``services/permissions.py``.
"""

from __future__ import annotations

from db import audit, outbox
from db.accounts import StaffUser
from db.engine import get_engine
from services.permissions import resend_refusal

__all__ = ["ResendRefused", "resend"]


class ResendRefused(Exception):
    """Why a message cannot be sent again: ``kind`` is "forbidden", "not_found" or "not_failed" (it is on its way,
    sent, off, or already resent)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def resend(user: StaffUser | None, notification_id: int) -> int:
    """Queue message ``notification_id`` again (it failed or was given up); returns the new message's id."""
    with get_engine().begin() as conn:
        original = outbox.message(conn, notification_id, lock=True)
        if original is None:
            raise ResendRefused("not_found", f"no message {notification_id}")
        why = resend_refusal(user, original)
        if why is not None:
            raise ResendRefused("forbidden", why)
        if original["status"] not in outbox.RESENDABLE or original["resent_as"] is not None:
            raise ResendRefused("not_failed", f"message {notification_id} is {original['status']}, not to be resent")
        resent = outbox.resend(conn, notification_id)
        audit.record(
            conn,
            "message_resent",
            actor=user.actor if user is not None else None,
            target=str(notification_id),
            detail={"as": resent, "kind": original["kind"], "was": original["status"]},
        )
        return resent
