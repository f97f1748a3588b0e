"""Working the complaints: the queue, field jobs, bulk actions, change of category, duplicates, evidence.

Status changes still go through ``db.complaints.transition`` (the one place
that writes a status); this module gathers what the operators', agencies' and
field pages read and runs an action on one or many complaints once
``services/actions.py`` has admitted it. Who may do what is decided in
``services/permissions.py``; every query here takes a ``Scope`` (which complaints the
viewer reaches, ``db/scope.py``) and every action a ``refuse`` callback.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, RowMapping, text

from db.complaints import Actor, NotFound, add_event, record_unassigned, resolve_id, transition
from db.jurisdictions import HandedTo, destinations
from db.scope import Scope, scoped_sql
from db.scope import condition as scope_condition
from db.sql import fill_statuses, sql
from db.status import ACTIONS, OPEN_STATUSES, ReasonNeeded, Status, TransitionError, check_transition

DUPLICATE_RADIUS_M = 250.0
# A report merged into another (the status ``duplicate`` leads to), as an SQL literal.
_MERGED = fill_statuses("{duplicate.target}")
QUEUE_LIMIT = 200
OPEN = tuple(s.value for s in Status if s in OPEN_STATUSES)
FIELD_JOB_STATUSES = (Status.DITUGASKAN.value, Status.DIKERJAKAN.value)
AGENCY_JOB_STATUSES = (
    Status.TERVERIFIKASI.value,
    Status.DITERUSKAN.value,
    Status.DITUGASKAN.value,
    Status.DIKERJAKAN.value,
)


@dataclass(frozen=True)
class QueueFilter:
    statuses: tuple[str, ...] = OPEN
    category: str | None = None
    opd: str | None = None
    kecamatan: str | None = None
    q: str | None = None
    overdue_only: bool = False


def _like(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def queue(conn: Connection, scope: Scope, flt: QueueFilter | None = None, limit: int = QUEUE_LIMIT) -> list[RowMapping]:
    """Complaints to handle, most urgent first; each row carries ``total`` (matches before the limit)."""
    flt = flt or QueueFilter()
    statuses = [s for s in flt.statuses if s in {x.value for x in Status}] or list(OPEN)
    params = {
        "statuses": statuses,
        "category": flt.category or None,
        "opd": flt.opd or None,
        "kecamatan": flt.kecamatan or None,
        "overdue_only": flt.overdue_only,
        "q": _like(flt.q),
        "limit": limit,
        **scope.params(),
    }
    return list(conn.execute(scoped_sql("queue_list"), params).mappings())


def jobs(
    conn: Connection,
    scope: Scope,
    statuses: Sequence[str] = FIELD_JOB_STATUSES,
    lon: float | None = None,
    lat: float | None = None,
    nearest: bool = True,
    limit: int = 100,
) -> list[RowMapping]:
    """Open jobs within ``scope``: nearest to (lon, lat) first when given and ``nearest``, else oldest first."""
    if lon is None or lat is None:
        lon = lat = None
    params = {
        "statuses": list(statuses),
        "lon": lon,
        "lat": lat,
        "nearest": nearest and lon is not None,
        "limit": limit,
        **scope.params(),
    }
    return list(conn.execute(scoped_sql("queue_jobs"), params).mappings())


def next_job(conn: Connection, scope: Scope, complaint_id: int) -> RowMapping | None:
    """The open job within ``scope`` nearest to complaint ``complaint_id`` (PostGIS distance from its place; the
    oldest when it has none), other than itself: where a field supervisor goes after finishing it."""
    here = conn.execute(
        text("SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat FROM complaint WHERE id = :id"), {"id": complaint_id}
    ).one_or_none()
    lon, lat = (here.lon, here.lat) if here is not None else (None, None)
    rows = jobs(conn, scope, FIELD_JOB_STATUSES, lon=lon, lat=lat, nearest=True, limit=2)
    return next((r for r in rows if r["id"] != complaint_id), None)


def locked(conn: Connection, ref: int | str) -> RowMapping:
    """The complaint's fields permissions look at, its row locked until the transaction ends; raises NotFound."""
    complaint_id = resolve_id(conn, ref)
    return (
        conn.execute(
            text(
                "SELECT id, tracking_code, status, version, opd_id, assignee_id, kecamatan_id, jurisdiction_id, "
                "confidential, category_id FROM complaint WHERE id = :id FOR UPDATE"
            ),
            {"id": complaint_id},
        )
        .mappings()
        .one()
    )


def reach(conn: Connection, ref: int | str) -> RowMapping:
    """The fields a ``Scope`` looks at, without a lock; raises NotFound."""
    return (
        conn.execute(
            text(
                "SELECT id, tracking_code, status, opd_id, assignee_id, kecamatan_id, jurisdiction_id "
                "FROM complaint WHERE id = :id"
            ),
            {"id": resolve_id(conn, ref)},
        )
        .mappings()
        .one()
    )


def detail(conn: Connection, ref: int | str) -> RowMapping:
    """One complaint with its category, agency, areas, assignee and survivor; raises NotFound."""
    return conn.execute(sql("workflow_detail"), {"id": resolve_id(conn, ref)}).mappings().one()


def staff_events(conn: Connection, complaint_id: int) -> list[RowMapping]:
    """The whole history, oldest first, with the staff account that acted (for staff pages only)."""
    return list(
        conn.execute(
            text(
                "SELECT e.id, e.kind, e.at, e.actor_role, u.username AS actor, e.from_status, e.to_status, "
                "e.note, e.public, e.note_public, e.data FROM complaint_event e LEFT JOIN app_user u ON u.id = e.actor_id "
                "WHERE e.complaint_id = :id ORDER BY e.at, e.id"
            ),
            {"id": complaint_id},
        ).mappings()
    )


def nearby_duplicates(
    conn: Connection, scope: Scope, complaint_id: int, radius_m: float = DUPLICATE_RADIUS_M, limit: int = 20
) -> list[RowMapping]:
    """Open complaints of the same category within ``radius_m`` metres that ``scope`` reaches, nearest first."""
    params = {"id": complaint_id, "radius": radius_m, "limit": limit, **scope.params()}
    return list(conn.execute(scoped_sql("workflow_nearby", "o"), params).mappings())


def merged_reports(conn: Connection, scope: Scope, complaint_id: int) -> list[RowMapping]:
    """Reports merged into this one as duplicates, those ``scope`` reaches."""
    return list(
        conn.execute(
            text(
                "SELECT c.id, c.tracking_code, c.status, c.created_at FROM complaint c "
                f"WHERE c.merged_into_id = :id AND c.status = {_MERGED} AND {scope_condition()} ORDER BY c.created_at"
            ),
            {"id": complaint_id, **scope.params()},
        ).mappings()
    )


def evidence(conn: Connection, complaint_id: int, public: bool = False) -> list[RowMapping]:
    """Photo rows for the evidence panel (``layouts/_evidence.py``); ``public`` drops confidential ones."""
    return list(conn.execute(sql("workflow_evidence"), {"id": complaint_id, "public": public}).mappings())


def public_status(conn: Connection, tracking_code: str) -> RowMapping | None:
    """What the reporter sees: a report merged as a duplicate shows the survivor's status and outcome."""
    return conn.execute(sql("workflow_public_status"), {"code": tracking_code.strip()}).mappings().first()


def recategorise(conn: Connection, ref: int | str, category: str, actor: Actor, reason: str) -> RowMapping:
    """Change an open complaint's category, re-route its OPD and due date; records a 'routed' event.

    The status machine's ``recategorise``: not a status change, the status stays. Raises
    TransitionError for a closed complaint, a missing reason or an unknown category,
    NotFound for an unknown complaint.
    """
    row = locked(conn, ref)
    status = Status(row["status"])
    check_transition("recategorise", status, category=category, reason=reason)
    new = conn.execute(text("SELECT id, code FROM category WHERE code = :c AND active"), {"c": category}).first()
    if new is None:
        raise TransitionError(f"unknown category {category!r}", status)
    if new.id == row["category_id"]:
        raise TransitionError(f"the complaint is already in category {category!r}", status)
    before = conn.execute(
        text(
            "SELECT cat.code AS category, o.code AS opd FROM complaint c JOIN category cat ON cat.id = c.category_id "
            "LEFT JOIN opd o ON o.id = c.opd_id WHERE c.id = :id"
        ),
        {"id": row["id"]},
    ).one()
    # A report outside every boundary has no city to route in: it keeps waiting for an operator.
    # A job that moves to another agency leaves the supervisor it was assigned to (not theirs to close any more).
    updated = (
        conn.execute(
            text(
                "UPDATE complaint c SET category_id = :cat, opd_id = r.opd_id, "
                "assignee_id = CASE WHEN r.opd_id IS DISTINCT FROM c.opd_id THEN NULL ELSE c.assignee_id END, "
                "due_at = pantau_add_working_days(c.created_at, (SELECT target_days FROM category WHERE id = :cat)) "
                "FROM (SELECT CASE WHEN jurisdiction_id IS NULL THEN opd_id "
                "ELSE pantau_route_opd(:cat, jurisdiction_id, geom) END AS opd_id FROM complaint WHERE id = :id) r "
                "WHERE c.id = :id RETURNING c.*"
            ),
            {"cat": new.id, "id": row["id"]},
        )
        .mappings()
        .one()
    )
    opd = conn.execute(text("SELECT code FROM opd WHERE id = :i"), {"i": updated["opd_id"]}).scalar()
    data = {
        "action": "recategorise",
        "from_category": before.category,
        "category": new.code,
        "from_opd": before.opd,
        "opd": opd,
        "reason": reason,
    }
    add_event(
        conn,
        row["id"],
        ACTIONS["recategorise"].event,
        actor,
        from_status=status.value,
        to_status=status.value,
        note=reason,
        data={k: v for k, v in data.items() if v is not None},
    )
    if row["assignee_id"] is not None and updated["assignee_id"] is None:
        record_unassigned(conn, row["id"], row["assignee_id"], "recategorise", actor, status.value)
    return updated


def root_of(conn: Connection, ref: int | str) -> str:
    """The report a chain of merges ends at (so merging into a duplicate merges into its survivor, never a loop)."""
    found = conn.execute(
        text(
            "WITH RECURSIVE chain AS (SELECT id, merged_into_id, status, 0 AS depth FROM complaint WHERE id = :id "
            "UNION ALL SELECT c.id, c.merged_into_id, c.status, chain.depth + 1 FROM complaint c "
            f"JOIN chain ON c.id = chain.merged_into_id WHERE chain.status = {_MERGED} AND chain.depth < 10) "
            "SELECT c.tracking_code FROM chain JOIN complaint c ON c.id = chain.id ORDER BY chain.depth DESC LIMIT 1"
        ),
        {"id": resolve_id(conn, ref)},
    ).scalar_one()
    return str(found)


# How far a report's handling has got. The survivor of a merge keeps its own stage, agency and field
# supervisor and the duplicate's are dropped, so a merge must never absorb a report that is further along
# (issue 18: merging an assigned job into a new report took it off the supervisor's list).
MERGE_STAGE: dict[Status, int] = {
    Status.BARU: 0,
    Status.LUAR_WILAYAH: 0,
    Status.DITOLAK: 0,
    Status.DUPLIKAT: 0,
    Status.TERVERIFIKASI: 1,
    Status.DITERUSKAN: 2,
    Status.GAGAL_DITERUSKAN: 2,
    Status.DITUGASKAN: 3,
    Status.DIKERJAKAN: 4,
    Status.PERLU_KONFIRMASI: 5,
    Status.SELESAI: 6,
}


def _handling(row: Mapping[Any, Any]) -> str:
    who = row.get("assignee")
    return f"{row['status']}, assigned to {who}" if who else str(row["status"])


def merge_refusal(duplicate: Mapping[Any, Any], survivor: Mapping[Any, Any]) -> str | None:
    """Why ``duplicate`` may not be merged into ``survivor`` (None when it may).

    Refused when the duplicate is further along than the survivor, or has a field
    supervisor the survivor lacks (a finished survivor needs none). The message
    names the report that should survive. Both rows carry tracking_code, status,
    assignee_id and assignee (the supervisor's username).
    """
    mine, theirs = Status(duplicate["status"]), Status(survivor["status"])
    crew_lost = (
        duplicate["assignee_id"] is not None
        and survivor["assignee_id"] is None
        and theirs not in (Status.SELESAI, Status.PERLU_KONFIRMASI)
    )
    if MERGE_STAGE[mine] <= MERGE_STAGE[theirs] and not crew_lost:
        return None
    code, other = duplicate["tracking_code"], survivor["tracking_code"]
    instead = f"; merge {other} into {code} instead" if theirs in OPEN_STATUSES else ""
    return (
        f"{code} cannot be merged into {other}: {code} is further along ({_handling(duplicate)}) than {other} "
        f"({_handling(survivor)}) and a merge keeps only the survivor's stage and field supervisor{instead}"
    )


def merge_pair(conn: Connection, ref: int | str, of: int | str) -> tuple[RowMapping, RowMapping]:
    """The report to merge and the report it would merge into (the end of ``of``'s chain), both rows locked.

    Locked lower id first, so two opposite merges at once queue rather than deadlock
    (and the second finds the first done). Raises NotFound for ``ref``, TransitionError
    for an unknown ``of`` or a survivor merged away meanwhile.
    """
    duplicate_id = resolve_id(conn, ref)
    try:
        survivor_id = resolve_id(conn, root_of(conn, of))
    except NotFound as exc:
        status = conn.execute(text("SELECT status FROM complaint WHERE id = :i"), {"i": duplicate_id}).scalar_one()
        raise TransitionError(f"no complaint {of!r} to merge into", Status(status)) from exc
    rows = {
        r["id"]: r
        for r in conn.execute(
            text(
                "SELECT c.id, c.tracking_code, c.status, c.assignee_id, u.username AS assignee FROM complaint c "
                "LEFT JOIN app_user u ON u.id = c.assignee_id WHERE c.id IN (:a, :b) ORDER BY c.id FOR UPDATE OF c"
            ),
            {"a": duplicate_id, "b": survivor_id},
        ).mappings()
    }
    duplicate, survivor = rows[duplicate_id], rows[survivor_id]
    if survivor_id != duplicate_id and survivor["status"] == Status.DUPLIKAT.value:
        raise TransitionError(
            f"{survivor['tracking_code']} was merged meanwhile; reload and retry", Status(duplicate["status"])
        )
    return duplicate, survivor


@dataclass(frozen=True)
class Outcome:
    """What one action did to one complaint: ``error`` is None on success."""

    ref: str
    status: str | None
    error: str | None = None
    kind: str | None = None  # "not_found", "forbidden", "missing" or "illegal" when it failed
    survivor: str | None = None  # for a refused merge: the report that should survive instead
    field: str | None = None  # for "missing": the argument this complaint needs now (a far photo's reason)

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class BulkRequest:
    action: str
    reason: str | None = None
    note: str | None = None
    note_public: bool = False
    opd: str | None = None
    kota: str | None = None
    assignee: str | None = None
    of: str | None = None
    category: str | None = None
    handed_to: HandedTo | None = None
    expected_versions: dict[str, int] = field(default_factory=dict)


def apply_one(
    conn: Connection,
    ref: str,
    request: BulkRequest,
    actor: Actor,
    refuse: Callable[[RowMapping], str | None],
) -> Outcome:
    """Lock one complaint, ask ``refuse`` whether the actor may act on it, then act; inside a savepoint."""
    try:
        with conn.begin_nested():
            pair, unknown = None, None
            if request.action == "duplicate" and request.of:
                try:  # both rows locked before anything else, in id order
                    pair = merge_pair(conn, ref, request.of)
                except TransitionError as exc:
                    unknown = exc  # said after the permission check, like every other refusal
            row = locked(conn, ref)
            why = refuse(row)
            if why is not None:
                return Outcome(ref, row["status"], why, "forbidden")
            if unknown is not None:
                raise unknown
            survivor = request.of
            if pair is not None:
                duplicate, into = pair
                survivor = into["tracking_code"]
                # The report it is merged into is the one its reporter follows from now on: it must be in reach too.
                why = refuse(reach(conn, into["id"]))
                if why is not None:
                    return Outcome(ref, row["status"], f"{survivor}: {why}", "forbidden")
                why = merge_refusal(duplicate, into) if into["id"] != duplicate["id"] else None
                if why is not None and row["status"] in {s.value for s in ACTIONS["duplicate"].sources}:
                    better = duplicate["tracking_code"] if Status(into["status"]) in OPEN_STATUSES else None
                    return Outcome(ref, row["status"], why, "illegal", survivor=better)
            if request.action == "recategorise":
                updated = recategorise(conn, row["id"], request.category or "", actor, request.reason or "")
            else:
                updated = transition(
                    conn,
                    row["id"],
                    request.action,
                    actor,
                    reason=request.reason,
                    note=request.note,
                    note_public=request.note_public,
                    expected_version=request.expected_versions.get(ref),
                    opd=request.opd,
                    kota=request.kota,
                    assignee=request.assignee,
                    of=survivor,
                    handed_to=request.handed_to,
                )
            return Outcome(ref, updated["status"])
    except NotFound as exc:
        return Outcome(ref, None, str(exc), "not_found")
    except ReasonNeeded as exc:
        return Outcome(ref, exc.current.value if exc.current else None, str(exc), "missing", field=exc.field)
    except TransitionError as exc:
        return Outcome(ref, exc.current.value if exc.current else None, str(exc), "illegal")


def apply_many(
    conn: Connection,
    refs: Sequence[str],
    request: BulkRequest,
    actor: Actor,
    refuse: Callable[[RowMapping], str | None],
) -> list[Outcome]:
    """One action on many complaints in one transaction; each that cannot take it is reported, the rest change."""
    if request.action not in ACTIONS:
        raise TransitionError(f"unknown action {request.action!r}")
    seen: set[str] = set()
    outcomes = []
    for ref in refs:
        key = str(ref).strip().upper()
        if key and key not in seen:
            seen.add(key)
            outcomes.append(apply_one(conn, key, request, actor, refuse))
    return outcomes


def field_users(conn: Connection, roles: Sequence[str], opd_id: int | None = None) -> list[RowMapping]:
    """Active accounts of ``roles`` (who may be handed jobs, ``services.permissions.ASSIGNEE_ROLES``): of ``opd_id``
    and those serving every agency, or all when None; with what limits them (role, opd_id, kecamatan_ids, kota_ids), so
    a form offers a job only to those who can work it."""
    return list(conn.execute(sql("field_users"), {"opd": opd_id, "roles": list(roles)}).mappings())


def catalogue_options(conn: Connection) -> dict[str, list[RowMapping]]:
    """What the action forms offer: categories, agencies, cities and kecamatan."""
    return {
        "category": list(
            conn.execute(text("SELECT code, name_id, name_en FROM category WHERE active ORDER BY name_id")).mappings()
        ),
        "opd": list(
            conn.execute(
                text(
                    "SELECT o.code, o.short_name, o.name, k.name AS kota FROM opd o "
                    "LEFT JOIN area k ON k.id = o.jurisdiction_id ORDER BY k.name NULLS FIRST, o.short_name"
                )
            ).mappings()
        ),
        # Every jurisdiction of Indonesia a report can be forwarded to, the served cities first.
        "kota": destinations(conn),
        "kecamatan": list(
            conn.execute(
                text(
                    "SELECT k.id, k.code, k.name, p.name AS kota FROM area k LEFT JOIN area p ON p.id = k.parent_id "
                    "WHERE k.level = 'kecamatan' ORDER BY p.name, k.name"
                )
            ).mappings()
        ),
    }


def kecamatan_outline(conn: Connection, tolerance_deg: float = 0.0004) -> dict[str, Any]:
    """Simplified kecamatan boundaries as one GeoJSON FeatureCollection, for the maps' background."""
    features = conn.execute(
        text(
            "SELECT ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, :tol), 5) FROM area "
            "WHERE level = 'kecamatan' AND geom IS NOT NULL"
        ),
        {"tol": tolerance_deg},
    ).scalars()
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {}, "geometry": json.loads(g)} for g in features],
    }


_OUTLINE: dict[str, Any] = {}
OUTLINE_TTL_S = 300.0


def cached_kecamatan_outline() -> dict[str, Any]:
    """``kecamatan_outline`` kept for a few minutes per process (boundaries change only on import)."""
    from db.engine import get_engine

    if not _OUTLINE or time.monotonic() - _OUTLINE["at"] > OUTLINE_TTL_S:
        with get_engine().connect() as conn:
            _OUTLINE.update(geojson=kecamatan_outline(conn), at=time.monotonic())
    return dict(_OUTLINE["geojson"])
