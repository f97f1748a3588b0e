"""Typed SQLAlchemy models: areas, agencies, categories, complaints and their history.

The schema itself is owned by the Alembic migrations in ``db/migrations``; these
models describe it for the ORM and for ``alembic revision --autogenerate``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
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
CHANNELS = ("web", "app", "sms", "social", "call_centre", "walk_in", "api")
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
)


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
    active: Mapped[bool] = mapped_column(Boolean, server_default="true")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # Bound into every token and session cookie; replaced on a new password or deactivation (migration 0011).
    session_secret: Mapped[str] = mapped_column(
        String(64), server_default=text("replace(gen_random_uuid()::text, '-', '')")
    )


class UserKecamatan(Base):
    """The kecamatan a field or leader account is limited to (none: all)."""

    __tablename__ = "user_kecamatan"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    kecamatan_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"), primary_key=True)


class ApiKey(Base):
    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


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
        Index(
            "complaint_open_created_idx",
            "created_at",
            postgresql_where=text(fill_statuses("status NOT IN ({closed})")),
        ),
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
        # Leaders' dashboard (migration 0005): every column its scans read, by kecamatan and time.
        Index(
            "complaint_leaders_idx",
            "kecamatan_id",
            "created_at",
            postgresql_include=[
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
            ],
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
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    # Kept by trigger from the times above (migration 0005), for the leaders' dashboard.
    response_working_days: Mapped[float | None] = mapped_column(Float)
    completion_working_days: Mapped[float | None] = mapped_column(Float)


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
