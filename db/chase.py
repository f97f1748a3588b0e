"""Overdue work is chased: each stage past its target reminds the accounts that can act, then escalates.

Stages and their targets (working days, per category, as data): ``verify`` (a new report, the live room's
operators: ``category.verify_days``, 3), ``follow_up`` (a report forwarded to an agency that has not assigned or
started it: ``category.follow_up_days``, 5) and ``complete`` (any open report past its completion target,
``due_at``: the category's ``target_days``, a week by default). A stage past its target gets one reminder (an
e-mail through the outbox to each active account of the role that acts on it, with an address, whose limits
reach the report), and, still overdue ``PANTAU_ESCALATE_AFTER_DAYS`` working days later, one escalation to the
leaders who reach it. Each is an event in the history (``reminded``, ``escalated``) and a ``complaint_chase`` row,
so a run never sends anything twice and any number of runs may overlap (the row is taken first).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, text

from db.complaints import SYSTEM, add_event
from db.sql import sql

# Who acts on each stage, and who hears of an escalation.
REMINDED = {"verify": "operator", "follow_up": "opd", "complete": "opd"}
ESCALATED_TO = "leader"
BATCH = 500


@dataclass(frozen=True)
class Chased:
    tracking_code: str
    stage: str
    kind: str  # reminder or escalation
    recipients: int


def chase(conn: Connection, escalate_days: int, now: datetime | None = None, limit: int = BATCH) -> list[Chased]:
    """Send what is due now; returns what was sent (at most ``limit`` stages)."""
    moment = now or datetime.now(UTC)
    due = (
        conn.execute(sql("chase_due"), {"now": moment, "escalate_days": escalate_days, "limit": limit}).mappings().all()
    )
    done = []
    for row in due:
        taken = conn.execute(
            text(
                "INSERT INTO complaint_chase (complaint_id, stage, kind) VALUES (:id, :stage, :kind) "
                "ON CONFLICT DO NOTHING RETURNING complaint_id"
            ),
            {"id": row["id"], "stage": row["stage"], "kind": row["kind"]},
        ).first()
        if taken is None:  # another run took it
            continue
        role = REMINDED[row["stage"]] if row["kind"] == "reminder" else ESCALATED_TO
        people = (
            conn.execute(
                sql("chase_recipients"),
                {
                    "role": role,
                    "opd": row["opd_id"],
                    "kecamatan": row["kecamatan_id"],
                    "jurisdiction": row["jurisdiction_id"],
                },
            )
            .mappings()
            .all()
        )
        facts = {"stage": row["stage"], "days": row["days"], "role": role}
        for person in people:
            conn.execute(
                text(
                    "INSERT INTO notification (complaint_id, kind, channel, recipient, lang, confidential, facts) "
                    "VALUES (:cid, :kind, 'email', :to, 'id', :confidential, CAST(:facts AS jsonb))"
                ),
                {
                    "cid": row["id"],
                    "kind": row["kind"],
                    "to": person["email"],
                    "confidential": row["confidential"],
                    "facts": json.dumps(facts),
                },
            )
        conn.execute(
            text("UPDATE complaint_chase SET recipients = :n WHERE complaint_id = :id AND stage = :s AND kind = :k"),
            {"n": len(people), "id": row["id"], "s": row["stage"], "k": row["kind"]},
        )
        add_event(
            conn,
            row["id"],
            "reminded" if row["kind"] == "reminder" else "escalated",
            SYSTEM,
            public=False,
            data={**facts, "told": [p["username"] for p in people]},
        )
        done.append(Chased(row["tracking_code"], row["stage"], row["kind"], len(people)))
    return done
