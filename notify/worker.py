"""The delivery worker: claims due messages from the outbox one at a time, sends each, records how it went.

One message at a time (``Worker.step``):

1. claim it in one short transaction: 'sending', a lease (three send timeouts
   and five seconds), the attempt on record, its text written once and kept;
2. send it, with its idempotency key, outside any transaction;
3. record the outcome: 'sent'; 'failed' with the next try after
   PANTAU_NOTIFY_RETRY_S doubled per attempt (at most an hour); 'dead' after
   PANTAU_NOTIFY_MAX_ATTEMPTS or an answer that retrying cannot fix; 'off'
   when the channel is not configured.

A worker killed between 2 and 3 leaves the message 'sending'; when the lease
runs out any worker claims it again and sends it again with the same key
(at least once: the gateway drops the copy by its key). While the database is
away the worker waits and tries again, keeping an outcome it could not record
until it can. Several workers may run at once (``SKIP LOCKED``): threads of
one process (``crew``) and processes on any machine that reaches the database.

Between messages it also chases overdue stages (db/chase.py), prunes the change tokens the wall no longer
needs (db/change_tokens.py) and, when due, rebuilds the open complaints' indexes (db/maintenance.py).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from db import change_tokens, outbox
from db.change_tokens import Pruned
from db.chase import chase
from db.maintenance import Rebuilt, due, rebuild_open_indexes
from i18n import LANGS
from notify.messages import Links, Message, compose
from notify.senders import Outcome, Senders
from settings import Settings

logger = logging.getLogger("pantau.notify")
MAX_BACKOFF_S = 3600.0
DB_RETRY_MAX_S = 30.0
REINDEX_LOOK_S = 3600.0  # how often the worker asks whether a rebuild of indexes is due
PRUNE_LOOK_S = 300.0  # how often the worker asks whether the change tokens' mark is old enough to prune


def lease_for(timeout_s: float) -> float:
    """How long a claimed message is left to its worker: longer than a send may take."""
    return 3 * timeout_s + 5


def backoff(settings: Settings, attempt: int) -> float:
    """Seconds before the next try after ``attempt`` failed: doubling from PANTAU_NOTIFY_RETRY_S, at most an hour."""
    return float(min(MAX_BACKOFF_S, settings.notify_retry_s * 2 ** max(0, attempt - 1)))


class Worker:
    """One delivery loop; several (threads or processes) may run side by side, each claiming its own messages."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        secret_key: str,
        name: str | None = None,
        stop: threading.Event | None = None,
    ):
        self.engine = engine
        self.settings = settings
        self.senders = Senders(settings)
        default = settings.lang if settings.lang in LANGS else "id"
        self.links = Links(settings.base_url, secret_key, default)
        self.lease_s = lease_for(settings.notify_timeout_s)
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.stop = stop or threading.Event()
        self.next_chase = 0.0  # time.monotonic() of the next look for overdue stages
        self.next_reindex = 0.0  # time.monotonic() of the next look whether a rebuild of indexes is due
        self.next_prune = 0.0  # time.monotonic() of the next look at the change tokens' mark

    def step(self) -> bool:
        """Deliver the message due first; False when none is due."""
        problem = None
        with self.engine.begin() as conn:
            outbox.commit_without_flush(conn)
            row = outbox.claim(conn, self.lease_s, self.name)
            if row is None:
                return False
            message = Message(row["subject"] or "", row["body"] or "")
            if row["body"] is None:
                try:
                    message = compose(row, self.links)
                except (KeyError, ValueError) as exc:  # a text that cannot be written never will be
                    problem = f"cannot write the message ({type(exc).__name__}: {exc})"
                else:
                    outbox.store_text(conn, row["id"], message.subject, message.text)
        # Committed: the attempt is on record before anything leaves.
        attempt = int(row["attempts"])
        started = time.perf_counter()
        if problem is None and attempt > self.settings.notify_max_attempts:
            problem = f"given up after {attempt - 1} attempts"
        off = self.senders.off(row["channel"])
        if problem is not None:
            outcome = Outcome(False, problem, permanent=True)
        elif off is not None:
            outcome = Outcome(False, off)
        else:
            lang = row["lang"] if row["lang"] in LANGS else self.links.default_lang
            outcome = self.senders.send(
                row["channel"], row["recipient"], message, row["idempotency_key"], row["kind"], lang
            )
        self._record(row, attempt, outcome, off is not None and problem is None)
        self._log(row, attempt, outcome, off is not None, started)
        return True

    def _record(self, row: Any, attempt: int, outcome: Outcome, off: bool) -> None:
        """Store the outcome, waiting out a database that is away (the lease covers a stop meanwhile)."""
        wait = 0.5
        while True:
            try:
                with self.engine.begin() as conn:
                    outbox.commit_without_flush(conn)
                    if off:
                        outbox.record_off(conn, row["id"], attempt, outcome.detail)
                    elif outcome.delivered:
                        outbox.record_sent(conn, row["id"], attempt, outcome.detail)
                    else:
                        last = outcome.permanent or attempt >= self.settings.notify_max_attempts
                        retry = None if last else backoff(self.settings, attempt)
                        outbox.record_failure(conn, row["id"], attempt, outcome.detail, retry)
                return
            except DBAPIError as exc:
                if self.stop.is_set():
                    return
                logger.warning(
                    "cannot record a delivery outcome",
                    extra={"fields": {"event": "notify_db_away", "error": type(exc.orig).__name__}},
                )
                self.stop.wait(wait)
                wait = min(DB_RETRY_MAX_S, wait * 2)

    def _log(self, row: Any, attempt: int, outcome: Outcome, off: bool, started: float) -> None:
        # Never the recipient or the text: those are the reporter's.
        fields = {
            "event": "notify",
            "notification_id": row["id"],
            "kind": row["kind"],
            "channel": row["channel"],
            "attempt": attempt,
            "outcome": "off" if off else "sent" if outcome.delivered else "failed",
            "detail": outcome.detail,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        }
        logger.info("notification %s %s", row["id"], fields["outcome"], extra={"fields": fields})

    def drain(self, limit: int | None = None) -> int:
        """Deliver every message due now (at most ``limit``); how many were handled."""
        done = 0
        while (limit is None or done < limit) and not self.stop.is_set() and self.step():
            done += 1
        return done

    def chase(self) -> int:
        """Remind and escalate overdue stages (db/chase.py) when PANTAU_CHASE_INTERVAL_S has passed; how many."""
        now = time.monotonic()
        if self.settings.chase_interval_s <= 0 or now < self.next_chase:
            return 0
        self.next_chase = now + self.settings.chase_interval_s
        with self.engine.begin() as conn:
            return len(chase(conn, self.settings.escalate_after_days))

    def maintain(self) -> list[Rebuilt] | None:
        """Rebuild the open complaints' indexes (db/maintenance.py) when the last rebuild is older than
        PANTAU_REINDEX_INTERVAL_H; looks at most once an hour. What was rebuilt, or None."""
        now = time.monotonic()
        hours = self.settings.reindex_interval_h
        if hours <= 0 or now < self.next_reindex:
            return None
        self.next_reindex = now + REINDEX_LOOK_S
        with self.engine.connect() as conn:
            if not due(conn, timedelta(hours=hours)):
                return None
        done = rebuild_open_indexes(self.engine)
        if done:
            logger.info(
                "open complaints' indexes rebuilt",
                extra={
                    "fields": {"event": "indexes_rebuilt", **{r.name: [r.bytes_before, r.bytes_after] for r in done}}
                },
            )
        return done

    def prune(self) -> Pruned | None:
        """Prune the change tokens (db/change_tokens.py), looking every PRUNE_LOOK_S; what it did, or None."""
        now = time.monotonic()
        if now < self.next_prune:
            return None
        self.next_prune = now + PRUNE_LOOK_S
        with self.engine.begin() as conn:
            pruned = change_tokens.prune(conn)
        if pruned.deleted:
            logger.info(
                "change tokens pruned",
                extra={"fields": {"event": "change_tokens_pruned", "upto": pruned.upto, "deleted": pruned.deleted}},
            )
        return pruned

    def run(self, poll_s: float = 1.0) -> None:
        """Deliver until ``stop`` is set, looking for new messages every ``poll_s`` seconds when idle."""
        wait = 0.5
        while not self.stop.is_set():
            try:
                self.chase()
                self.prune()
                self.maintain()
                busy = self.step()
                wait = 0.5
            except DBAPIError as exc:
                logger.warning(
                    "database away; trying again",
                    extra={"fields": {"event": "notify_db_away", "error": type(exc.orig).__name__, "retry_s": wait}},
                )
                self.stop.wait(wait)
                wait = min(DB_RETRY_MAX_S, wait * 2)
                continue
            if not busy:
                self.stop.wait(poll_s)


def crew(engine: Engine, settings: Settings, secret_key: str, threads: int) -> list[Worker]:
    """``threads`` workers sharing one stop event, named host:pid/n (the name is kept with each attempt)."""
    stop = threading.Event()
    base = f"{socket.gethostname()}:{os.getpid()}"
    return [Worker(engine, settings, secret_key, f"{base}/{n}", stop) for n in range(1, threads + 1)]


def side_by_side(workers: list[Worker], job: str, **kwargs: Any) -> list[Any]:
    """Run ``job`` (``"run"`` or ``"drain"``) of every worker in its own thread; their results once all end."""
    results: list[Any] = [None] * len(workers)

    def call(i: int) -> None:
        results[i] = getattr(workers[i], job)(**kwargs)

    running = [threading.Thread(target=call, args=(i,), name=w.name, daemon=True) for i, w in enumerate(workers)]
    for thread in running:
        thread.start()
    for thread in running:
        while thread.is_alive():
            thread.join(0.5)  # in slices, so the main thread still handles SIGTERM
    return results
