"""Whether reads may go to the streaming replica (``PANTAU_READ_DATABASE_URL``) now, and how far behind it is.

Each process checks the replica at most every ``CHECK_EVERY_S`` seconds and keeps the answer; reads
ask :func:`use_replica`. The replica is used while it answers, is still a standby, and its lag is within
``PANTAU_MAX_REPLICA_LAG_S``; otherwise reads go to the primary, with one log line when that changes.

Lag: a standby's last replayed transaction time alone looks old when the primary is idle (nothing new to
replay), so a standby that streams and has replayed everything it received counts as zero behind. One with
WAL received but not yet replayed, or not streaming at all, is behind by the age of the last transaction it
replayed. ``lag_bytes`` (the primary's WAL position less the standby's replayed position) is shown beside it.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

log = logging.getLogger("pantau.replica")

CHECK_EVERY_S = 2.0

_STANDBY = text(
    """
    SELECT pg_is_in_recovery() AS standby,
           pg_last_wal_replay_lsn()::text AS replayed,
           CASE
             WHEN EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming')
                  AND pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0.0
             ELSE extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8
           END AS lag_s
    """
)


@dataclass(frozen=True)
class ReplicaState:
    """The replica as one check found it; ``state`` is off, ok, behind, unreachable or not_standby."""

    state: str
    lag_s: float | None = None
    lag_bytes: int | None = None
    max_lag_s: float | None = None

    @property
    def usable(self) -> bool:
        return self.state == "ok"

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["reads_from"] = "replica" if self.usable else "primary"
        if out["lag_s"] is not None:
            out["lag_s"] = round(out["lag_s"], 3)
        return out


OFF = ReplicaState("off")

_lock = threading.Lock()
_checked: dict[str, tuple[float, ReplicaState]] = {}


def _lsn(value: str | None) -> int | None:
    """A WAL position ("16/B374D848") as a byte offset."""
    if not value:
        return None
    high, low = value.split("/")
    return (int(high, 16) << 32) + int(low, 16)


def measure(replica: Engine, primary: Engine | None, max_lag_s: float) -> ReplicaState:
    """Ask the replica (and, for ``lag_bytes``, the primary) how far behind it is, now."""
    primary_lsn = None
    if primary is not None:
        try:
            with primary.connect() as conn:
                primary_lsn = _lsn(conn.execute(text("SELECT pg_current_wal_lsn()::text")).scalar())
        except DBAPIError:
            pass  # the primary's own trouble is /healthz's database field, not the replica's
    try:
        with replica.connect() as conn:
            row = conn.execute(_STANDBY).one()
    except DBAPIError as exc:
        # The driver's first line says what went wrong (refused, timed out); a traceback would say no more.
        log.debug("replica check failed: %s", str(exc.orig or exc).strip().split("\n")[0])
        return ReplicaState("unreachable", max_lag_s=max_lag_s)
    if not row.standby:
        return ReplicaState("not_standby", max_lag_s=max_lag_s)
    replayed = _lsn(row.replayed)
    lag_bytes = None if primary_lsn is None or replayed is None else max(0, primary_lsn - replayed)
    lag = None if row.lag_s is None else max(0.0, float(row.lag_s))
    state = "ok" if lag is not None and lag <= max_lag_s else "behind"
    return ReplicaState(state, lag_s=lag, lag_bytes=lag_bytes, max_lag_s=max_lag_s)


def current(
    url: str, replica: Engine, primary: Engine | None, max_lag_s: float, *, fresh: bool = False
) -> ReplicaState:
    """The replica's state, checked at most every ``CHECK_EVERY_S`` seconds per process (``fresh``: now)."""
    now = time.monotonic()
    seen = _checked.get(url)
    if not fresh and seen is not None and now - seen[0] < CHECK_EVERY_S and seen[1].max_lag_s == max_lag_s:
        return seen[1]
    with _lock:
        seen = _checked.get(url)
        if not fresh and seen is not None and now - seen[0] < CHECK_EVERY_S and seen[1].max_lag_s == max_lag_s:
            return seen[1]
        state = measure(replica, primary, max_lag_s)
        _report_change(seen[1] if seen else None, state)
        _checked[url] = (time.monotonic(), state)
        return state


def mark_unreachable(url: str, max_lag_s: float, exc: BaseException) -> None:
    """A read could not connect to the replica: the next reads go to the primary until the next check."""
    with _lock:
        seen = _checked.get(url)
        state = ReplicaState("unreachable", max_lag_s=max_lag_s)
        _report_change(seen[1] if seen else None, state, reason=type(exc).__name__)
        _checked[url] = (time.monotonic(), state)


def _report_change(before: ReplicaState | None, after: ReplicaState, reason: str = "") -> None:
    was = before.usable if before is not None else True
    if was and not after.usable:
        lag = f", {after.lag_s:.1f} s behind (limit {after.max_lag_s:g} s)" if after.lag_s is not None else ""
        log.warning(
            "reads go to the primary: the replica is %s%s%s", after.state, lag, f" ({reason})" if reason else ""
        )
    elif not was and after.usable:
        log.warning("reads go to the replica again (%.1f s behind)", after.lag_s or 0.0)


def forget() -> None:
    """Drop every kept check (tests, after starting or stopping a replica)."""
    with _lock:
        _checked.clear()
