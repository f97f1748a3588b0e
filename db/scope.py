"""Which complaints a viewer reaches, as a Python test and as SQL: the one shape every query takes.

``services/permissions.py`` decides a viewer's ``Scope`` (``scope_of``); every staff
query (queue, jobs, possible duplicates, the leaders' figures and exports) and
every check on one complaint (``Scope.covers``) applies it, so a page, an
action and an export can never disagree about what an account reaches. Limits
apply together: an agency limited to two kecamatan reaches its own complaints
in those two kecamatan only. A complaint outside every boundary (no kecamatan)
is outside any kecamatan limit; its city (``jurisdiction_id``) is what a city
or province limit (``users create --kota/--provinsi``) looks at, so a report
outside every served city is outside such a limit too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import TextClause, text

from db.sql import raw_sql


@dataclass(frozen=True)
class Scope:
    """Every limit that is None is no limit; ``nothing`` reaches no complaint at all."""

    opd_id: int | None = None
    assignee_id: int | None = None
    kecamatan_ids: tuple[int, ...] | None = None
    kota_ids: tuple[int, ...] | None = None  # the complaint's city (complaint.jurisdiction_id); () reaches none
    nothing: bool = False

    def covers(self, row: Mapping[Any, Any]) -> bool:
        """Whether ``row`` (with opd_id, assignee_id, kecamatan_id) is within reach."""
        if self.nothing:
            return False
        if self.opd_id is not None and row["opd_id"] != self.opd_id:
            return False
        if self.assignee_id is not None and row["assignee_id"] != self.assignee_id:
            return False
        if self.kota_ids is not None and row["jurisdiction_id"] not in self.kota_ids:
            return False
        return self.kecamatan_ids is None or row["kecamatan_id"] in self.kecamatan_ids

    def params(self) -> dict[str, Any]:
        """The bound parameters of ``condition()`` (every one, NULL where there is no limit)."""
        return {
            "scope_nothing": self.nothing,
            "scope_opd": self.opd_id,
            "scope_assignee": self.assignee_id,
            "scope_kecamatan": list(self.kecamatan_ids) if self.kecamatan_ids is not None else None,
            "scope_kota": list(self.kota_ids) if self.kota_ids is not None else None,
        }

    def bound(self) -> dict[str, Any]:
        """Only the limits that apply, under the names of ``BOUND_CONDITIONS`` (for statements built per request)."""
        found: dict[str, Any] = {}
        if self.nothing:
            found["scope_nothing"] = True
        if self.opd_id is not None:
            found["scope_opd_id"] = self.opd_id
        if self.assignee_id is not None:
            found["scope_assignee_id"] = self.assignee_id
        if self.kecamatan_ids is not None:
            found["scope_kecamatan_ids"] = list(self.kecamatan_ids)
        if self.kota_ids is not None:
            found["scope_kota_ids"] = list(self.kota_ids)
        return found


def condition(alias: str = "c") -> str:
    """The scope as one SQL condition on complaint ``alias``, bound with ``Scope.params()``."""
    return (
        f"(NOT :scope_nothing"
        f" AND (CAST(:scope_opd AS integer) IS NULL OR {alias}.opd_id = :scope_opd)"
        f" AND (CAST(:scope_assignee AS integer) IS NULL OR {alias}.assignee_id = :scope_assignee)"
        f" AND (CAST(:scope_kecamatan AS integer[]) IS NULL"
        f" OR {alias}.kecamatan_id = ANY(CAST(:scope_kecamatan AS integer[])))"
        f" AND (CAST(:scope_kota AS integer[]) IS NULL OR {alias}.jurisdiction_id = ANY(CAST(:scope_kota AS integer[]))))"
    )


# The same limits one by one, for statements that include only the conditions that apply (``Scope.bound()``),
# so the planner sees plain equalities and index ranges (the leaders' figures and exports, db/filters.py).
BOUND_CONDITIONS: dict[str, str] = {
    "scope_nothing": "NOT :scope_nothing",
    "scope_opd_id": "c.opd_id = :scope_opd_id",
    "scope_assignee_id": "c.assignee_id = :scope_assignee_id",
    "scope_kecamatan_ids": "c.kecamatan_id = ANY(:scope_kecamatan_ids)",
    "scope_kota_ids": "c.jurisdiction_id = ANY(:scope_kota_ids)",
}


@cache
def scoped_sql(name: str, alias: str = "c") -> TextClause:
    """``db/sql/<name>.sql`` with its ``{scope}`` placeholder replaced by ``condition(alias)``."""
    raw = raw_sql(name)
    assert "{scope}" in raw, f"{name}.sql has no {{scope}} placeholder"
    return text(raw.replace("{scope}", condition(alias)))
