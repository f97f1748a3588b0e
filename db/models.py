"""Typed SQLAlchemy models: areas, agencies, categories, complaints and their history.

The schema itself is owned by the Alembic migrations in ``db/migrations``; these
models describe it for the ORM and for ``alembic revision --autogenerate``, table
for table and index for index: tests/integration/test_alembic_check.py fails on
any difference (functions and triggers are the migrations' alone).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from db.sql import fill_statuses
from db.status import Status

AREA_LEVELS = ("kota", "kecamatan", "kelurahan")
CHANNELS = ("web", "app", "sms", "social", "call_centre", "walk_in", "letter", "api", "other")
ROLES = ("admin", "operator", "opd", "field", "leader")
PHOTO_KINDS = ("report", "completion")
EVENT_KINDS = (
    "created",
    "routed",
    "verified",
    "forwarded",
    "assigned",
    "status_changed",
    "commented",
    "photo_added",
    "merged",
    "rerouted",
    "disputed",
    "unassigned",
    "reminded",
    "escalated",
    "remote",
    "document_added",
)
# What the reporter is told (db/outbox.py), by which channel, and how far its delivery got (migration 0017).
MESSAGE_KINDS = (
    "received", "verified", "forwarded", "assigned", "in_progress", "finished", "rejected", "duplicate",
    "reopened", "reply", "reminder", "escalation",
)  # fmt: skip
MESSAGE_CHANNELS = ("sms", "whatsapp", "email")
MESSAGE_STATUSES = ("queued", "sending", "failed", "sent", "dead", "off")
ATTEMPT_OUTCOMES = ("sending", "sent", "failed", "dead", "off", "lost")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    pass


class Area(Base):
    """A kota/kabupaten, kecamatan or kelurahan, with its official Kemendagri code."""

    __tablename__ = "area"
    __table_args__ = (
        CheckConstraint(_in("level", AREA_LEVELS), name="area_level_check"),
        Index("area_geom_gist", "geom", postgresql_using="gist"),
        Index(
            "area_kelurahan_geom_gist", "geom", postgresql_using="gist", postgresql_where=text("level = 'kelurahan'")
        ),
        Index("area_parent_idx", "parent_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    level: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(Text)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    geom: Mapped[Any] = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=False), nullable=True)
    population: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


JURISDICTION_LEVELS = ("provinsi", "kabupaten", "kota")


class Jurisdiction(Base):
    """A province, kabupaten or kota of Indonesia (Kemendagri code): somewhere a report can be forwarded to."""

    __tablename__ = "jurisdiction"
    __table_args__ = (
        CheckConstraint(_in("level", JURISDICTION_LEVELS), name="jurisdiction_level_check"),
        CheckConstraint(
            "code ~ '^[0-9]{2}$' AND level = 'provinsi' OR code ~ '^[0-9]{4}$' AND level <> 'provinsi'",
            name="jurisdiction_code_check",
        ),
    )

    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    level: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(Text)
    province_code: Mapped[str] = mapped_column(String(2))


class Opd(Base):
    """An agency (Organisasi Perangkat Daerah) that handles complaints."""

    __tablename__ = "opd"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(Text)
    short_name: Mapped[str] = mapped_column(Text)
    jurisdiction_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))


class OpdServiceArea(Base):
    """Where an OPD that serves only part of a city works."""

    __tablename__ = "opd_service_area"
    __table_args__ = (Index("opd_service_area_geom_gist", "geom", postgresql_using="gist"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    opd_id: Mapped[int] = mapped_column(ForeignKey("opd.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(Text, server_default="")
    geom: Mapped[Any] = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=False))


class Category(Base):
    """A kind of complaint, with its default OPD and handling target."""

    __tablename__ = "category"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_id: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    default_opd_id: Mapped[int | None] = mapped_column(ForeignKey("opd.id"))
    target_days: Mapped[int] = mapped_column(Integer, server_default="7")
    # Stage targets in working days (migration 0018, LAPOR!'s): verification, and the agency's follow-up.
    verify_days: Mapped[int] = mapped_column(Integer, server_default="3")
    follow_up_days: Mapped[int] = mapped_column(Integer, server_default="5")
    active: Mapped[bool] = mapped_column(Boolean, server_default="true")


class CategoryOpd(Base):
    """Which OPD of which jurisdiction takes a category (routing as data)."""

    __tablename__ = "category_opd"

    category_id: Mapped[int] = mapped_column(ForeignKey("category.id", ondelete="CASCADE"), primary_key=True)
    opd_id: Mapped[int] = mapped_column(ForeignKey("opd.id", ondelete="CASCADE"), primary_key=True)


class Holiday(Base):
    """A public holiday: not a working day for handling targets."""

    __tablename__ = "holiday"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    name: Mapped[str] = mapped_column(Text)


class AppUser(Base):
    __tablename__ = "app_user"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="app_user_role_check"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16))
    opd_id: Mapped[int | None] = mapped_column(ForeignKey("opd.id"))
    email: Mapped[str | None] = mapped_column(Text)  # where reminders and escalations reach the account
    active: Mapped[bool] = mapped_column(Boolean, server_default="true")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # Bound into every token and session cookie; replaced on a new password or deactivation (migration 0011).
    # Written as PostgreSQL prints it back: a random default cannot be compared by value (db/drift.py).
    session_secret: Mapped[str] = mapped_column(
        String(64), server_default=text("replace((gen_random_uuid())::text, '-'::text, ''::text)")
    )


class UserKecamatan(Base):
    """The kecamatan a field or leader account is limited to (none: all)."""

    __tablename__ = "user_kecamatan"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    kecamatan_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"), primary_key=True)


class UserJurisdiction(Base):
    """The cities (a kota or kabupaten code) or provinces (their served cities) an account is limited to (none: all)."""

    __tablename__ = "user_jurisdiction"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(4), ForeignKey("jurisdiction.code"), primary_key=True)


class ApiKey(Base):
    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Most POSTs a minute (or hour…) for this client, e.g. "600/minute"; NULL: PANTAU_API_KEY_RATE.
    rate: Mapped[str | None] = mapped_column(Text)


class LoginBackoff(Base):
    """Failed log-ins from one client address for one typed name (an account or not): the back-off."""

    __tablename__ = "login_backoff"
    __table_args__ = (
        Index("login_backoff_username_idx", "username"),
        Index("login_backoff_last_failed_idx", "last_failed_at"),
    )

    client: Mapped[str] = mapped_column(Text, primary_key=True)
    username: Mapped[str] = mapped_column(Text, primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    blocked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DataVersion(Base):
    """One row counting committed complaint changes; the wall screen polls it."""

    __tablename__ = "data_version"
    __table_args__ = (CheckConstraint("id = 1", name="data_version_single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, server_default="1")
    version: Mapped[int] = mapped_column(BigInteger, server_default="0")


class ComplaintChangeVersion(Base):
    """The data version each change token (``complaint.change_seq``) got as its transaction committed (migration
    0028): versions follow commit order, tokens need not."""

    __tablename__ = "complaint_change_version"
    __table_args__ = (
        Index("complaint_change_version_version_idx", "version"),
        {
            "comment": "The data version of each change token (complaint.change_seq)."
            " Written by pantau_txn_version and pantau_txn_publish."
        },
    )

    token: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger)


class ComplaintChangePruned(Base):
    """Up to which data version ``complaint_change_version`` is pruned, and the mark the next prune deletes up to
    (migration 0029, db/change_tokens.py)."""

    __tablename__ = "complaint_change_pruned"
    __table_args__ = (
        CheckConstraint("id = 1", name="complaint_change_pruned_single_row"),
        {
            "comment": "Up to which data version complaint_change_version is pruned,"
            " and the next prune's mark (db/change_tokens.py)."
        },
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, server_default="1")
    upto: Mapped[int] = mapped_column(BigInteger, server_default="0")
    mark_version: Mapped[int | None] = mapped_column(BigInteger)
    mark_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


# Every column the leaders' dashboard scans read, carried by its two covering indexes (migrations 0007, 0020).
LEADERS_COLUMNS = [
    "kecamatan_id",
    "status",
    "channel",
    "jurisdiction_id",
    "kelurahan_id",
    "opd_id",
    "category_id",
    "response_working_days",
    "completion_working_days",
    "completed_at",
    "due_at",
]


class Complaint(Base):
    """A citizen report, routed to its kelurahan, kecamatan, jurisdiction and OPD."""

    __tablename__ = "complaint"
    __table_args__ = (
        CheckConstraint(_in("status", tuple(s.value for s in Status)), name="complaint_status_check"),
        CheckConstraint(_in("channel", CHANNELS), name="complaint_channel_check"),
        Index("complaint_geom_gist", "geom", postgresql_using="gist"),
        Index("complaint_created_brin", "created_at", postgresql_using="brin"),
        Index("complaint_change_seq_idx", "change_seq"),
        Index("complaint_status_idx", "status"),
        Index("complaint_kelurahan_idx", "kelurahan_id"),
        Index("complaint_kecamatan_idx", "kecamatan_id"),
        Index("complaint_opd_idx", "opd_id"),
        Index("complaint_assignee_idx", "assignee_id", postgresql_where=text("assignee_id IS NOT NULL")),
        # Also what the operators' queue orders, counts and scopes by (db/sql/queue_list.sql): an index-only scan.
        Index(
            "complaint_open_created_idx",
            "created_at",
            postgresql_include=[
                "id",
                "status",
                "due_at",
                "handover_due",
                "category_id",
                "opd_id",
                "kecamatan_id",
                "jurisdiction_id",
                "assignee_id",
            ],
            postgresql_where=text(fill_statuses("status NOT IN ({closed})")),
        ),
        # Migration 0003: min(created_at) and short date ranges where the BRIN index cannot narrow
        # (its note says 0005 replaces it, but no migration has dropped it).
        Index("complaint_created_idx", "created_at"),
        # Migration 0010: the duplicates merged into a complaint (few: a partial index).
        Index("complaint_merged_into_idx", "merged_into_id", postgresql_where=text("merged_into_id IS NOT NULL")),
        Index("complaint_handover_idx", "handover_due", postgresql_where=text("handover_to IS NOT NULL")),
        # Wall screen (migration 0004): open complaints per area, recently finished ones.
        Index(
            "complaint_open_area_idx",
            "kelurahan_id",
            "kecamatan_id",
            "jurisdiction_id",
            postgresql_include=["due_at"],
            postgresql_where=text(fill_statuses("status NOT IN ({closed})")),
        ),
        Index("complaint_finished_idx", "completed_at", postgresql_where=text(fill_statuses("status = {green}"))),
        # Leaders' dashboard (migrations 0005 and 0007): every column its scans read, by kecamatan
        # (0 for none, so every filtered set is a list of index ranges) and time.
        Index(
            "complaint_leaders_idx",
            text("coalesce(kecamatan_id, 0)"),
            "created_at",
            postgresql_include=LEADERS_COLUMNS,
        ),
        # Migration 0020: the same for the open complaints only, which the dashboard reads beside the rollups.
        Index(
            "complaint_leaders_live_idx",
            text("coalesce(kecamatan_id, 0)"),
            "created_at",
            postgresql_include=LEADERS_COLUMNS,
            postgresql_where=text(fill_statuses("status NOT IN ({closed})")),
        ),
        # Migration 0031: the same by channel first, for the open complaints of one channel.
        Index(
            "complaint_leaders_live_channel_idx",
            "channel",
            text("coalesce(kecamatan_id, 0)"),
            "created_at",
            postgresql_include=[c for c in LEADERS_COLUMNS if c != "channel"],
            postgresql_where=text(fill_statuses("status NOT IN ({closed})")),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(16), unique=True)
    geom: Mapped[Any] = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=True)
    address: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"))
    channel: Mapped[str] = mapped_column(String(16))
    source: Mapped[str | None] = mapped_column(Text)
    reporter_name: Mapped[str | None] = mapped_column(Text)
    reporter_contact: Mapped[str | None] = mapped_column(Text)
    anonymous: Mapped[bool] = mapped_column(Boolean, server_default="false")
    confidential: Mapped[bool] = mapped_column(Boolean, server_default="false")
    status: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    change_seq: Mapped[int] = mapped_column(BigInteger, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    first_response_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    kelurahan_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    kecamatan_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    jurisdiction_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    opd_id: Mapped[int | None] = mapped_column(ForeignKey("opd.id"))
    route_method: Mapped[str | None] = mapped_column(String(16))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("complaint.id"))
    # A manual handover to a jurisdiction Pantau does not serve (migration 0016), followed up by handover_due.
    handover_to: Mapped[str | None] = mapped_column(String(4), ForeignKey("jurisdiction.code"))
    handover_due: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Who a manual handover was given to (migration 0024): the office, a person there, a phone or e-mail.
    handover_office: Mapped[str | None] = mapped_column(Text)
    handover_person: Mapped[str | None] = mapped_column(Text)
    handover_contact: Mapped[str | None] = mapped_column(Text)
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    # Kept by trigger from the times above (migration 0005), for the leaders' dashboard.
    response_working_days: Mapped[float | None] = mapped_column(
        Float,
        comment="Working days (WIB, weekends and holidays excluded) from created_at to first_response_at;"
        " kept by trigger.",
    )
    completion_working_days: Mapped[float | None] = mapped_column(
        Float,
        comment="Working days (WIB, weekends and holidays excluded) from created_at to completed_at; kept by trigger.",
    )


class ComplaintEvent(Base):
    """One step of a complaint's history; rows are never updated or deleted."""

    __tablename__ = "complaint_event"
    __table_args__ = (
        CheckConstraint(_in("kind", EVENT_KINDS), name="complaint_event_kind_check"),
        Index("complaint_event_complaint_idx", "complaint_id", "id"),
        Index("complaint_event_at_brin", "at", postgresql_using="brin"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"))
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    actor_role: Mapped[str] = mapped_column(String(16), server_default="system")
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(Boolean, server_default="true")
    # The note is read by the reporter (/lacak, Open311, messages): a reply, or a rejection's/forward's reason.
    note_public: Mapped[bool] = mapped_column(Boolean, server_default="false")
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))


class Photo(Base):
    """A stored photo: the reporter's, or the field supervisor's proof of completion."""

    __tablename__ = "photo"
    __table_args__ = (
        CheckConstraint(_in("kind", PHOTO_KINDS), name="photo_kind_check"),
        UniqueConstraint("complaint_id", "sha256", name="photo_complaint_sha256_key"),
        Index("photo_complaint_idx", "complaint_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"))
    kind: Mapped[str] = mapped_column(String(16))
    storage_key: Mapped[str] = mapped_column(Text)
    thumb_key: Mapped[str | None] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    mime_type: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    byte_size: Mapped[int] = mapped_column(Integer)
    uploader_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    uploader_role: Mapped[str] = mapped_column(String(16), server_default="public")
    gps: Mapped[Any] = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=True)
    distance_m: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PhotoUpload(Base):
    """A citizen's photo, processed, waiting for its report (migration 0015, ``db/uploads.py``); a day at most."""

    __tablename__ = "photo_upload"
    __table_args__ = (Index("photo_upload_created_idx", "created_at"),)

    token: Mapped[str] = mapped_column(Text, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    source_mime: Mapped[str] = mapped_column(String(32))
    jpeg: Mapped[bytes] = mapped_column(LargeBinary)
    thumb: Mapped[bytes] = mapped_column(LargeBinary)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    gps: Mapped[Any] = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Document(Base):
    """A PDF supporting a report (migration 0023): its metadata removed, its file in the photo store."""

    __tablename__ = "document"
    __table_args__ = (
        UniqueConstraint("complaint_id", "sha256", name="document_complaint_sha256_key"),
        Index("document_complaint_idx", "complaint_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"))
    storage_key: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    byte_size: Mapped[int] = mapped_column(Integer)
    page_count: Mapped[int] = mapped_column(Integer)
    uploader_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    uploader_role: Mapped[str] = mapped_column(String(16), server_default="public")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class DocumentUpload(Base):
    """A citizen's PDF, checked, waiting for its report (``photos/document.py``); a day at most."""

    __tablename__ = "document_upload"
    __table_args__ = (Index("document_upload_created_idx", "created_at"),)

    token: Mapped[str] = mapped_column(Text, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    page_count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


# Routing grid (migration 0002): rebuilt from area by pantau_route_grid_rebuild(); see db/routing.py.
class RouteGrid(Base):
    """The one routing grid: cells[fy][fx] > 0 routes to kelurahan_ids[value], 0 is outside, -1 an edge cell."""

    __tablename__ = "route_grid"
    __table_args__ = (CheckConstraint("id = 1", name="route_grid_single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, server_default="1")
    x0: Mapped[float] = mapped_column(Float)
    y0: Mapped[float] = mapped_column(Float)
    cell_size: Mapped[float] = mapped_column(Float)
    nx: Mapped[int] = mapped_column(Integer)
    ny: Mapped[int] = mapped_column(Integer)
    cells: Mapped[list[Any]] = mapped_column(ARRAY(SmallInteger))
    kelurahan_ids: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    fingerprint: Mapped[str] = mapped_column(Text)
    max_edge_m: Mapped[float] = mapped_column(Float)
    interior_cells: Mapped[int] = mapped_column(Integer)
    edge_cells: Mapped[int] = mapped_column(Integer)
    built_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    build_ms: Mapped[float] = mapped_column(Float)


class RouteEdge(Base):
    """A candidate kelurahan of an edge cell (cell = fy * nx + fx); rank orders the candidates by code."""

    __tablename__ = "route_edge"

    cell: Mapped[int] = mapped_column(Integer, primary_key=True)
    kelurahan_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rank: Mapped[int] = mapped_column(SmallInteger)


class WorkCalendar(Base):
    """Working day or not, and the working days before it, for each day 2000-2060 (migration 0006)."""

    __tablename__ = "work_calendar"
    __table_args__ = (
        # The n-th working day (not UNIQUE: a refresh shifts the numbers row by row).
        Index("work_calendar_working_idx", "before", postgresql_where=text("working")),
        {
            "comment": "One row per day 2000-2060: working day or not (weekends and the holiday table),"
            " and the working days before it. Kept by the holiday triggers."
        },
    )

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    working: Mapped[bool] = mapped_column(Boolean)
    before: Mapped[int] = mapped_column(Integer)


class AuditEvent(Base):
    """One staff action (migration 0008); append-only, see db/audit.py."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("audit_event_at_brin", "at", postgresql_using="brin"),
        Index("audit_event_actor_idx", "actor_user_id", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    actor_role: Mapped[str] = mapped_column(String(16), server_default="system")
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    client: Mapped[str | None] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(String(64))


class ComplaintStatusCount(Base):
    """Complaints per jurisdiction, kecamatan and status, kept by statement triggers (migration 0009)."""

    __tablename__ = "complaint_status_count"
    __table_args__ = (
        {
            "comment": "Complaints per (jurisdiction, kecamatan, status); 0 stands for none."
            " Kept by the complaint_status_count_* triggers."
        },
    )

    jurisdiction_key: Mapped[int] = mapped_column(Integer, primary_key=True)
    kecamatan_key: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)


# The leaders' rollups: closed complaints summed per WIB month (per day for the chart), kept by the pantau_rollup_*
# triggers. No primary key: the key columns are nullable like the complaint's, and the unique keys treat NULLs as
# equal. Read by db/leaders.py, rebuilt by `flask --app app rollup rebuild`.


def _rollup_table(name: str, columns: list[Column], key: list[str], comment: str, *indexes: Index) -> Table:
    """One rollup table: its columns, its unique key ``<name>_key`` (NULLs equal) and any other index."""
    unique = Index(f"{name}_key", *key, unique=True, postgresql_nulls_not_distinct=True)
    return Table(name, Base.metadata, *columns, unique, *indexes, comment=comment)


def _counts_columns(*, channel: bool) -> list[Column]:
    return [
        Column("month", Date, nullable=False),
        Column("jurisdiction_id", Integer),
        Column("kecamatan_id", Integer),
        Column("kelurahan_id", Integer),
        Column("opd_id", Integer),
        Column("category_id", Integer, nullable=False),
        *([Column("channel", String(16), nullable=False)] if channel else []),
        Column("status", String(16), nullable=False),
        Column("flags", SmallInteger, nullable=False),
        Column("reports", BigInteger, nullable=False),
        Column("ratings", BigInteger, nullable=False),
        Column("satisfied", BigInteger, nullable=False),
    ]


def _day_columns(*, channel: bool) -> list[Column]:
    return [
        Column("day", Integer, nullable=False),
        Column("jurisdiction_id", Integer),
        Column("opd_id", Integer),
        *([Column("channel", String(16), nullable=False)] if channel else []),
        Column("status", String(16), nullable=False),
        Column("reports", BigInteger, nullable=False),
    ]


def _hist_columns(*, channel: bool) -> list[Column]:
    return [
        Column("month", Date, nullable=False),
        Column("jurisdiction_id", Integer),
        *([Column("channel", String(16), nullable=False)] if channel else []),
        Column("status", String(16), nullable=False),
        Column("part", SmallInteger, nullable=False),
        Column("key_id", Integer),
        Column("bin", Integer, nullable=False),
        Column("n", BigInteger, nullable=False),
    ]


_COUNTS_KEY = ["month", "jurisdiction_id", "kecamatan_id", "kelurahan_id", "opd_id", "category_id", "status", "flags"]
_DAY_KEY = ["day", "jurisdiction_id", "opd_id", "status"]
_HIST_KEY = ["month", "jurisdiction_id", "status", "part", "key_id", "bin"]
_KEPT = " Kept by pantau_rollup_* triggers (migration {})."

# Migration 0020: per city, agency, kecamatan, kelurahan and category.
LEADERS_ROLLUP = _rollup_table(
    "leaders_rollup",
    _counts_columns(channel=False),
    _COUNTS_KEY,
    "Closed complaints per WIB month and key, with their ratings." + _KEPT.format("0020"),
)
LEADERS_ROLLUP_DAY = _rollup_table(
    "leaders_rollup_day",
    _day_columns(channel=False),
    _DAY_KEY,
    "Closed complaints per WIB day, for the reports-per-day chart." + _KEPT.format("0020"),
)
LEADERS_ROLLUP_HIST = _rollup_table(
    "leaders_rollup_hist",
    _hist_columns(channel=False),
    _HIST_KEY,
    "Working-day histograms (0.01-day bins) of closed complaints per WIB month. Kept by pantau_rollup_* triggers.",
)
# Migration 0030: the same three per channel, their keys leading with it, read when the leaders choose a channel.
LEADERS_ROLLUP_CHANNEL = _rollup_table(
    "leaders_rollup_channel",
    _counts_columns(channel=True),
    ["channel", *_COUNTS_KEY],
    "leaders_rollup per channel, read when a channel is chosen." + _KEPT.format("0030"),
)
LEADERS_ROLLUP_DAY_CHANNEL = _rollup_table(
    "leaders_rollup_day_channel",
    _day_columns(channel=True),
    ["channel", *_DAY_KEY],
    "leaders_rollup_day per channel, read when a channel is chosen." + _KEPT.format("0030"),
)
LEADERS_ROLLUP_HIST_CHANNEL = _rollup_table(
    "leaders_rollup_hist_channel",
    _hist_columns(channel=True),
    ["channel", *_HIST_KEY],
    "leaders_rollup_hist per channel, read when a channel is chosen." + _KEPT.format("0030"),
)
# Migration 0031: reports per day and histograms per kecamatan, agency and category, read when the leaders choose
# one of those.
LEADERS_ROLLUP_DAY_DETAIL = _rollup_table(
    "leaders_rollup_day_detail",
    [
        Column("day", Integer, nullable=False),
        Column("jurisdiction_id", Integer),
        Column("kecamatan_id", Integer),
        Column("opd_id", Integer),
        Column("category_id", Integer, nullable=False),
        Column("status", String(16), nullable=False),
        Column("reports", BigInteger, nullable=False),
    ],
    ["day", "jurisdiction_id", "kecamatan_id", "opd_id", "category_id", "status"],
    "Closed complaints per WIB day, kecamatan, agency and category." + _KEPT.format("0031"),
)
LEADERS_ROLLUP_HIST_DETAIL = _rollup_table(
    "leaders_rollup_hist_detail",
    [
        Column("month", Date, nullable=False),
        Column("jurisdiction_id", Integer),
        Column("kecamatan_id", Integer),
        Column("opd_id", Integer),
        Column("category_id", Integer, nullable=False),
        Column("status", String(16), nullable=False),
        Column("kind", SmallInteger, nullable=False),
        Column("bin", Integer, nullable=False),
        Column("n", BigInteger, nullable=False),
    ],
    ["kecamatan_id", "opd_id", "category_id", "month", "jurisdiction_id", "status", "kind", "bin"],
    "Working-day histograms (0.01-day bins) of closed complaints per WIB month, kecamatan, agency and category."
    + _KEPT.format("0031"),
    Index("leaders_rollup_hist_detail_opd_idx", "opd_id"),
    Index("leaders_rollup_hist_detail_category_idx", "category_id"),
)


class Notification(Base):
    """One message to a reporter, written with the change it tells about; the worker delivers it (db/outbox.py)."""

    __tablename__ = "notification"
    __table_args__ = (
        CheckConstraint(_in("kind", MESSAGE_KINDS), name="notification_kind_check"),
        CheckConstraint(_in("channel", MESSAGE_CHANNELS), name="notification_channel_check"),
        CheckConstraint(_in("status", MESSAGE_STATUSES), name="notification_status_check"),
        Index("notification_complaint_idx", "complaint_id", "id"),
        Index(
            "notification_due_idx",
            "next_attempt_at",
            postgresql_where=text("status IN ('queued', 'sending', 'failed')"),
        ),
        Index("notification_problem_idx", "created_at", postgresql_where=text("status IN ('failed', 'dead')")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(Text)
    lang: Mapped[str | None] = mapped_column(String(2))
    confidential: Mapped[bool] = mapped_column(Boolean, server_default="false")
    facts: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    subject: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)
    idempotency_key: Mapped[str] = mapped_column(
        String(64), unique=True, server_default=text("replace((gen_random_uuid())::text, '-'::text, ''::text)")
    )
    status: Mapped[str] = mapped_column(String(16), server_default="queued")
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    # When a worker may take it next; while 'sending', the end of the claiming worker's lease.
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # "Kirim ulang": this message is a new try, under its own key, of a failed or given-up one (migration 0022).
    resend_of: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("notification.id", ondelete="SET NULL"))


class ResponseTemplate(Base):
    """A reply admins prepare for staff, per category (none: every category), with placeholders (0022)."""

    __tablename__ = "response_template"
    __table_args__ = (Index("response_template_category_idx", "category_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, server_default="true")
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class NotificationAttempt(Base):
    """One try at delivering a notification, recorded before the send and completed after it."""

    __tablename__ = "notification_attempt"
    __table_args__ = (
        CheckConstraint(_in("outcome", ATTEMPT_OUTCOMES), name="notification_attempt_outcome_check"),
        UniqueConstraint("notification_id", "attempt", name="notification_attempt_number_key"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notification.id", ondelete="CASCADE"))
    attempt: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str] = mapped_column(String(16), server_default="sending")
    detail: Mapped[str | None] = mapped_column(Text)
    worker: Mapped[str | None] = mapped_column(Text)


RATING_VIA = ("link", "sms")


class ComplaintRating(Base):
    """The reporter's verdict on the finished work (migration 0018): one per report, changeable in the window."""

    __tablename__ = "complaint_rating"
    __table_args__ = (
        CheckConstraint("score BETWEEN 1 AND 5", name="complaint_rating_score_check"),
        CheckConstraint(_in("via", RATING_VIA), name="complaint_rating_via_check"),
    )

    complaint_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("complaint.id", ondelete="CASCADE"), primary_key=True
    )
    satisfied: Mapped[bool] = mapped_column(Boolean)
    score: Mapped[int | None] = mapped_column(SmallInteger)
    via: Mapped[str] = mapped_column(String(8))
    rated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


CHASE_STAGES = ("verify", "follow_up", "complete")
CHASE_KINDS = ("reminder", "escalation")


class ComplaintChase(Base):
    """A reminder or escalation sent for one overdue stage of a complaint (migration 0018): never twice."""

    __tablename__ = "complaint_chase"
    __table_args__ = (
        CheckConstraint(_in("stage", CHASE_STAGES), name="complaint_chase_stage_check"),
        CheckConstraint(_in("kind", CHASE_KINDS), name="complaint_chase_kind_check"),
    )

    complaint_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("complaint.id", ondelete="CASCADE"), primary_key=True
    )
    stage: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    recipients: Mapped[int] = mapped_column(Integer, server_default=text("0"))


DOOR_PROTOCOLS = ("open311",)
HANDOVER_STATES = ("queued", "sending", "sent", "failed", "closed", "cancelled")


class Door(Base):
    """A destination jurisdiction's own system (migration 0021): where forwarded reports are sent."""

    __tablename__ = "door"
    __table_args__ = (CheckConstraint(_in("protocol", DOOR_PROTOCOLS), name="door_protocol_check"),)

    jurisdiction_code: Mapped[str] = mapped_column(String(4), ForeignKey("jurisdiction.code"), primary_key=True)
    protocol: Mapped[str] = mapped_column(String(16))
    base_url: Mapped[str] = mapped_column(Text)
    remote_jurisdiction: Mapped[str | None] = mapped_column(Text)
    # Encrypted with the app's secret key (db/doors.py): never the key in plain text.
    api_key_encrypted: Mapped[str] = mapped_column(Text)
    service_map: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Handover(Base):
    """One report sent through a door, its attempts and the remote request it became (db/doors.py)."""

    __tablename__ = "handover"
    __table_args__ = (
        CheckConstraint(_in("state", HANDOVER_STATES), name="handover_state_check"),
        Index(
            "handover_due_idx",
            "next_attempt_at",
            postgresql_where=text("state IN ('queued', 'sending', 'failed')"),
        ),
        Index("handover_poll_idx", "next_poll_at", postgresql_where=text("state = 'sent'")),
    )

    complaint_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("complaint.id", ondelete="CASCADE"), primary_key=True
    )
    jurisdiction_code: Mapped[str] = mapped_column(String(4), ForeignKey("jurisdiction.code"))
    state: Mapped[str] = mapped_column(String(16), server_default="queued")
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_error: Mapped[str | None] = mapped_column(Text)
    remote_id: Mapped[str | None] = mapped_column(Text)
    remote_status: Mapped[str | None] = mapped_column(Text)
    next_poll_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    poll_failures: Mapped[int] = mapped_column(Integer, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
