"""The door worker: sends forwarded reports through their destination's door and mirrors the remote status.

It runs beside the message delivery worker (``flask --app app notify``, started by ``make run``), never in a
request. Sending (``send_one``), one handover at a time:

1. claim it (a lease, the attempt counted) and read what may be sent, in one short transaction;
2. ask the remote whether it already has the report (by Pantau's tracking code), and only when it has none
   POST it; outside any transaction;
3. record the outcome: 'sent' with the remote id (a report that had failed goes back to ``diteruskan``
   through the machine's ``resend``); or 'failed' with the error, the report ``gagal_diteruskan``
   (``handover_failed``), and the next automatic try after a doubling wait, at most ``MAX_ATTEMPTS`` and
   never after an answer that a retry cannot change (a 4xx, an unmapped category).

Polling (``poll``), every ``PANTAU_DOOR_POLL_S`` seconds: the sent handovers due, per door, in batches of
``BATCH`` ids; each change of the remote status is a ``remote`` history entry; closed there is finished here
(``remote_close``, the remote's note as its reason, its photo link kept), and the reporter is told through the
outbox. A remote that cannot be asked is asked again later, waiting longer each time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from db import doors as db_doors
from db.complaints import SYSTEM, add_event
from db.status import Status
from federation.doors import Door, DoorError, Outgoing, open_door
from services.actions import act_as_system
from settings import Settings

logger = logging.getLogger("pantau.doors")
BATCH = 50  # service_request_id values per GET
POLL_CLAIM = 500
MAX_POLL_BACKOFF_S = 3600.0
CONFIDENTIAL_TEXT = (
    "Laporan rahasia diteruskan dari Pantau (kode {code}); isi dan foto tidak dikirim. "
    "Minta rinciannya kepada operator pengirim. / Confidential report forwarded from Pantau (code {code}); "
    "its text and photos are not sent: ask the forwarding operators."
)
_SENDABLE = (Status.DITERUSKAN.value, Status.GAGAL_DITERUSKAN.value)


class DoorWorker:
    """One door loop; several may run side by side (claims skip rows another worker holds)."""

    def __init__(self, engine: Engine, settings: Settings, secret_key: str, stop: threading.Event | None = None):
        self.engine = engine
        self.settings = settings
        self.secret_key = secret_key
        self.stop = stop or threading.Event()
        self.next_poll = 0.0

    # --- what is sent ------------------------------------------------------------------------------

    def _door(self, row: Any) -> Door:
        key = db_doors.decrypt_key(self.secret_key, row["api_key_encrypted"])
        return open_door(
            row["protocol"], row["base_url"], key, row["remote_jurisdiction"], self.settings.notify_timeout_s
        )

    def _outgoing(self, conn: Connection, report: Any, door_row: Any) -> Outgoing:
        """What is sent of ``report``; raises DoorError(permanent) when it cannot be (no mapped category)."""
        mapped = (door_row["service_map"] or {}).get(report["category"])
        if not mapped:
            raise DoorError(
                f"category {report['category']!r} has no service code at {door_row['jurisdiction_name']}: "
                f"add it with flask --app app door set {door_row['jurisdiction_code']} … --map "
                f"{report['category']}=CODE, then resend",
                permanent=True,
            )
        # A confidential report: where and what kind, never its words or photos (the other system may publish
        # them); no report ever carries its reporter.
        confidential = bool(report["confidential"])
        photo = report["photo_id"]
        return Outgoing(
            code=report["tracking_code"],
            service_code=str(mapped),
            lat=report["lat"],
            lon=report["lon"],
            address=None if confidential else report["address"],
            description=CONFIDENTIAL_TEXT.format(code=report["tracking_code"])
            if confidential
            else report["description"],
            media_url=None if confidential or photo is None else f"{self.settings.base_url}/photos/{photo}",
            confidential=confidential,
        )

    def send_one(self) -> bool:
        """Send the handover due first; False when none is due."""
        with self.engine.begin() as conn:
            claim = db_doors.claim_handover(conn)
            if claim is None:
                return False
            complaint_id, code = claim["complaint_id"], claim["jurisdiction_code"]
            report = db_doors.report_to_send(conn, complaint_id)
            if report["status"] not in _SENDABLE or report["handover_to"] != code:
                db_doors.cancel_handover(conn, complaint_id)  # it went elsewhere meanwhile
                return True
            door_row = db_doors.door(conn, code)
            door: Door | None = None
            problem: DoorError | None = None
            try:
                if door_row is None:
                    raise DoorError(f"no door for {code} any more: forward the report again", permanent=True)
                outgoing = self._outgoing(conn, report, door_row)
                door = self._door(door_row)
            except (DoorError, db_doors.DoorKeyError) as exc:
                problem = exc if isinstance(exc, DoorError) else DoorError(str(exc), permanent=True)
        remote_id = None
        if problem is None:
            assert door is not None
            try:
                # Never twice: whatever happened to an earlier try, the remote is asked first.
                remote_id = door.find(report["tracking_code"]) or door.send(outgoing)
            except DoorError as exc:
                problem = exc
        self._record(complaint_id, int(claim["attempts"]), remote_id, problem, door_row)
        return True

    def _record(
        self, complaint_id: int, attempt: int, remote_id: str | None, problem: DoorError | None, door_row: Any
    ) -> None:
        with self.engine.begin() as conn:
            state = conn.execute(
                text(
                    "SELECT h.state, c.status FROM handover h JOIN complaint c ON c.id = h.complaint_id "
                    "WHERE h.complaint_id = :id FOR UPDATE OF c"
                ),
                {"id": complaint_id},
            ).one()
            if state.state != "sending":
                return  # cancelled or queued again meanwhile: that decision stands
            if problem is None and remote_id is not None:
                if state.status == Status.GAGAL_DITERUSKAN.value:
                    act_as_system(conn, complaint_id, "resend")
                db_doors.record_sent(conn, complaint_id, remote_id, self.settings.door_poll_s)
                add_event(
                    conn,
                    complaint_id,
                    "remote",
                    SYSTEM,
                    public=False,
                    data={"state": "sent", "remote_id": remote_id, "to_name": door_row["jurisdiction_name"]},
                )
                outcome = "sent"
            else:
                assert problem is not None
                last = problem.permanent or attempt >= db_doors.MAX_ATTEMPTS
                retry = None if last else db_doors.backoff(attempt, self.settings.notify_retry_s)
                db_doors.record_failure(conn, complaint_id, problem.message, retry)
                if state.status == Status.DITERUSKAN.value:
                    act_as_system(conn, complaint_id, "handover_failed", reason=problem.message)
                outcome = "failed"
        logger.info(
            "handover %s %s",
            complaint_id,
            outcome,
            extra={"fields": {"event": "door_send", "complaint_id": complaint_id, "attempt": attempt,
                              "outcome": outcome, "error": problem.message if problem else None}},
        )  # fmt: skip

    # --- what comes back -------------------------------------------------------------------------------

    def poll(self, force: bool = False) -> int:
        """Ask the remotes for the status of the sent handovers that are due; how many were asked about."""
        now = time.monotonic()
        if not force and now < self.next_poll:
            return 0
        self.next_poll = now + self.settings.door_poll_s
        with self.engine.begin() as conn:
            due = db_doors.claim_polls(conn, POLL_CLAIM, self.settings.door_poll_s)
            by_door: dict[str, list[Any]] = defaultdict(list)
            for row in due:
                by_door[row["jurisdiction_code"]].append(row)
            rows = {code: db_doors.door(conn, code) for code in by_door}
        for code, handovers in by_door.items():
            door_row = rows[code]
            for start in range(0, len(handovers), BATCH):
                self._poll_batch(door_row, handovers[start : start + BATCH])
        return len(due)

    def _poll_batch(self, door_row: Any, batch: list[Any]) -> None:
        ids = [h["complaint_id"] for h in batch]
        try:
            if door_row is None:
                raise DoorError("no door any more")
            answers = {s.remote_id: s for s in self._door(door_row).statuses([h["remote_id"] for h in batch])}
        except (DoorError, db_doors.DoorKeyError) as exc:
            failures = max(h["poll_failures"] for h in batch) + 1
            wait = min(MAX_POLL_BACKOFF_S, self.settings.door_poll_s * 2**failures)
            with self.engine.begin() as conn:
                db_doors.record_poll_failure(conn, ids, str(exc), wait)
            return
        for handover in batch:
            answer = answers.get(handover["remote_id"])
            if answer is None:
                continue
            seen = f"{'closed' if answer.closed else 'open'}: {answer.notes or ''}"
            if seen == handover["remote_status"]:
                continue
            with self.engine.begin() as conn:
                status = conn.execute(
                    text("SELECT status FROM complaint WHERE id = :id FOR UPDATE"), {"id": handover["complaint_id"]}
                ).scalar_one()
                facts = {
                    "remote_id": answer.remote_id,
                    "remote_closed": answer.closed,
                    "media_url": answer.media_url,
                    "to_name": door_row["jurisdiction_name"],
                }
                if answer.closed and status == Status.DITERUSKAN.value:
                    note = answer.notes or "closed"
                    act_as_system(conn, handover["complaint_id"], "remote_close", reason=note, facts=facts)
                else:
                    add_event(
                        conn,
                        handover["complaint_id"],
                        "remote",
                        SYSTEM,
                        from_status=status,
                        to_status=status,
                        note=answer.notes,
                        public=False,
                        data={"state": "closed" if answer.closed else "open", **facts},
                    )
                db_doors.record_poll(conn, handover["complaint_id"], seen, answer.closed)

    # --- the loop ------------------------------------------------------------------------------------

    def step(self) -> bool:
        """One handover sent and, when due, one round of polling; False when there was nothing to send."""
        busy = self.send_one()
        self.poll()
        return busy

    def run(self, idle_s: float = 1.0) -> None:
        """Until ``stop`` is set; waits out a database that is away."""
        wait = 0.5
        while not self.stop.is_set():
            try:
                busy = self.step()
                wait = 0.5
            except DBAPIError as exc:
                logger.warning(
                    "database away; trying again",
                    extra={"fields": {"event": "door_db_away", "error": type(exc.orig).__name__, "retry_s": wait}},
                )
                self.stop.wait(wait)
                wait = min(30.0, wait * 2)
                continue
            if not busy:
                self.stop.wait(min(idle_s, self.settings.door_poll_s))
