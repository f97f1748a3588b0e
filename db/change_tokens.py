"""Pruning the change tokens' versions, which only the wall's "changes since V" reads.

Every writing transaction adds a row to ``complaint_change_version`` (migration 0028): its change token
(``complaint.change_seq``) and the data version it got at commit. The wall reads them to learn what changed
since the version it shows, and a wall never asks for long ago: it redraws every ten minutes
(callbacks/live.py ``REFRESH_S``), and so does a screen whose tab slept longer. Kept, the rows would grow by
some 300 MB a year at 9,000 changes a day.

``prune`` works with a mark: a data version and when it was the newest. Once the mark is ``keep`` old, it
deletes the tokens of every version up to it, records that version as ``upto``
(``complaint_change_pruned``, migration 0029) and sets a new mark; so the tokens of the last ``keep`` are
always there, and those of at most ``2 × keep``. A wall asking for changes since a version below ``upto``
is told the answer is not complete (db/wall.py ``Changes.complete``) and redraws. The version a mark
holds was committed when it was read, and every version handed out later is above it (versions follow
commit order, migration 0028), so no token a wall could still need is deleted.

The delivery worker prunes (notify/worker.py); several may look at once: the row lock lets one act.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Connection, text

KEEP = timedelta(hours=1)  # six times the wall's full redraw (callbacks/live.py REFRESH_S)


@dataclass(frozen=True)
class Pruned:
    upto: int  # the tokens of every data version up to this one are gone
    deleted: int  # tokens deleted by this run
    mark: int  # the version the next run deletes up to, once it is ``keep`` old


def prune(conn: Connection, keep: timedelta = KEEP) -> Pruned:
    """Delete the change tokens of the versions up to the mark once it is ``keep`` old, then mark anew."""
    state = conn.execute(
        text(
            "SELECT upto, mark_version, mark_at IS NOT NULL AND mark_at <= now() - :keep AS ripe,"
            "       mark_at IS NULL AS unmarked"
            "  FROM complaint_change_pruned WHERE id = 1 FOR UPDATE"
        ),
        {"keep": keep},
    ).one()
    upto, deleted = state.upto, 0
    if state.ripe:
        deleted = conn.execute(
            text("DELETE FROM complaint_change_version WHERE version <= :mark"), {"mark": state.mark_version}
        ).rowcount
        upto = max(upto, state.mark_version)
    if not (state.ripe or state.unmarked):
        return Pruned(upto, deleted, state.mark_version)
    mark = conn.execute(
        text(
            "UPDATE complaint_change_pruned"
            "   SET upto = :upto, mark_version = (SELECT version FROM data_version WHERE id = 1), mark_at = now()"
            " WHERE id = 1 RETURNING mark_version"
        ),
        {"upto": upto},
    ).scalar_one()
    return Pruned(upto, deleted, mark)
