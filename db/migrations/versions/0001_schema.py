"""schema

Revision ID: 0001
Revises:
"""

from pathlib import Path

import geoalchemy2
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_hash"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "area",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column(
            "geom",
            geoalchemy2.types.Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("level IN ('kota', 'kecamatan', 'kelurahan')", name="area_level_check"),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["area.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index("area_geom_gist", "area", ["geom"], unique=False, postgresql_using="gist")
    op.create_index(
        "area_kelurahan_geom_gist",
        "area",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_where=sa.text("level = 'kelurahan'"),
    )
    op.create_index("area_parent_idx", "area", ["parent_id"], unique=False)
    op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), server_default="1", nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.CheckConstraint("id = 1", name="data_version_single_row"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "holiday",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )
    op.create_table(
        "opd",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("short_name", sa.Text(), nullable=False),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["area.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("opd_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("role IN ('admin', 'operator', 'opd', 'field', 'leader')", name="app_user_role_check"),
        sa.ForeignKeyConstraint(
            ["opd_id"],
            ["opd.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "category",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_id", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("default_opd_id", sa.Integer(), nullable=True),
        sa.Column("target_days", sa.Integer(), server_default="7", nullable=False),
        sa.Column("active", sa.Boolean(), server_default="true", nullable=False),
        sa.ForeignKeyConstraint(
            ["default_opd_id"],
            ["opd.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "opd_service_area",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opd_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "geom",
            geoalchemy2.types.Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["opd_id"], ["opd.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("opd_service_area_geom_gist", "opd_service_area", ["geom"], unique=False, postgresql_using="gist")
    op.create_table(
        "category_opd",
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("opd_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["category_id"], ["category.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["opd_id"], ["opd.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("category_id", "opd_id"),
    )
    op.create_table(
        "complaint",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("tracking_code", sa.String(length=16), nullable=False),
        sa.Column(
            "geom",
            geoalchemy2.types.Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("reporter_name", sa.Text(), nullable=True),
        sa.Column("reporter_contact", sa.Text(), nullable=True),
        sa.Column("anonymous", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("confidential", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("change_seq", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("first_response_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("kelurahan_id", sa.Integer(), nullable=True),
        sa.Column("kecamatan_id", sa.Integer(), nullable=True),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=True),
        sa.Column("opd_id", sa.Integer(), nullable=True),
        sa.Column("route_method", sa.String(length=16), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("merged_into_id", sa.BigInteger(), nullable=True),
        sa.Column("submission_key", sa.String(length=64), nullable=True),
        sa.Column(
            "attributes", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.CheckConstraint(
            "channel IN ('web', 'app', 'sms', 'social', 'call_centre', 'walk_in', 'api')",
            name="complaint_channel_check",
        ),
        sa.CheckConstraint(
            "status IN ('baru', 'terverifikasi', 'luar_wilayah', 'diteruskan', 'ditugaskan', 'dikerjakan', 'selesai', 'ditolak', 'duplikat')",
            name="complaint_status_check",
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["category.id"],
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["area.id"],
        ),
        sa.ForeignKeyConstraint(
            ["kecamatan_id"],
            ["area.id"],
        ),
        sa.ForeignKeyConstraint(
            ["kelurahan_id"],
            ["area.id"],
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["complaint.id"],
        ),
        sa.ForeignKeyConstraint(
            ["opd_id"],
            ["opd.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("submission_key"),
        sa.UniqueConstraint("tracking_code"),
    )
    op.create_index(
        "complaint_assignee_idx",
        "complaint",
        ["assignee_id"],
        unique=False,
        postgresql_where=sa.text("assignee_id IS NOT NULL"),
    )
    op.create_index("complaint_change_seq_idx", "complaint", ["change_seq"], unique=False)
    op.create_index("complaint_created_brin", "complaint", ["created_at"], unique=False, postgresql_using="brin")
    op.create_index("complaint_geom_gist", "complaint", ["geom"], unique=False, postgresql_using="gist")
    op.create_index("complaint_kecamatan_idx", "complaint", ["kecamatan_id"], unique=False)
    op.create_index("complaint_kelurahan_idx", "complaint", ["kelurahan_id"], unique=False)
    op.create_index("complaint_opd_idx", "complaint", ["opd_id"], unique=False)
    op.create_index(
        "complaint_open_created_idx",
        "complaint",
        ["created_at"],
        unique=False,
        postgresql_where=sa.text("status NOT IN ('selesai', 'ditolak', 'duplikat')"),
    )
    op.create_index("complaint_status_idx", "complaint", ["status"], unique=False)
    op.create_table(
        "user_kecamatan",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kecamatan_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["kecamatan_id"], ["area.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "kecamatan_id"),
    )
    op.create_table(
        "complaint_event",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("complaint_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_role", sa.String(length=16), server_default="system", nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("public", sa.Boolean(), server_default="true", nullable=False),
        sa.Column(
            "data", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.CheckConstraint(
            "kind IN ('created', 'routed', 'verified', 'forwarded', 'assigned', 'status_changed', 'commented', 'photo_added', 'merged', 'rerouted', 'disputed')",
            name="complaint_event_kind_check",
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaint.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("complaint_event_at_brin", "complaint_event", ["at"], unique=False, postgresql_using="brin")
    op.create_index("complaint_event_complaint_idx", "complaint_event", ["complaint_id", "id"], unique=False)
    op.create_table(
        "photo",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("complaint_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("storage_key", sa.Text(), nullable=False),
        sa.Column("thumb_key", sa.Text(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("mime_type", sa.String(length=32), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column("uploader_id", sa.Integer(), nullable=True),
        sa.Column("uploader_role", sa.String(length=16), server_default="public", nullable=False),
        sa.Column(
            "gps",
            geoalchemy2.types.Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("distance_m", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("kind IN ('report', 'completion')", name="photo_kind_check"),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaint.id"],
        ),
        sa.ForeignKeyConstraint(
            ["uploader_id"],
            ["app_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("complaint_id", "sha256", name="photo_complaint_sha256_key"),
    )
    op.create_index("photo_complaint_idx", "photo", ["complaint_id"], unique=False)
    op.execute(Path(__file__).with_name("0001_functions.sql").read_text())


def downgrade() -> None:
    for fn in (
        "pantau_working_days_between(timestamptz, timestamptz)",
        "pantau_add_working_days(timestamptz, integer)",
        "pantau_is_working_day(date)",
        "pantau_route_opd(integer, integer, geometry)",
        "pantau_route_point(geometry)",
    ):
        op.execute(f"DROP FUNCTION IF EXISTS {fn}")
    op.drop_index("photo_complaint_idx", table_name="photo")
    op.drop_table("photo")
    op.drop_index("complaint_event_complaint_idx", table_name="complaint_event")
    op.drop_index("complaint_event_at_brin", table_name="complaint_event", postgresql_using="brin")
    op.drop_table("complaint_event")
    op.drop_table("user_kecamatan")
    op.drop_index("complaint_status_idx", table_name="complaint")
    op.drop_index(
        "complaint_open_created_idx",
        table_name="complaint",
        postgresql_where=sa.text("status NOT IN ('selesai', 'ditolak', 'duplikat')"),
    )
    op.drop_index("complaint_opd_idx", table_name="complaint")
    op.drop_index("complaint_kelurahan_idx", table_name="complaint")
    op.drop_index("complaint_kecamatan_idx", table_name="complaint")
    op.drop_index("complaint_geom_gist", table_name="complaint", postgresql_using="gist")
    op.drop_index("complaint_created_brin", table_name="complaint", postgresql_using="brin")
    op.drop_index("complaint_change_seq_idx", table_name="complaint")
    op.drop_index("complaint_assignee_idx", table_name="complaint", postgresql_where=sa.text("assignee_id IS NOT NULL"))
    op.drop_table("complaint")
    op.drop_table("category_opd")
    op.drop_index("opd_service_area_geom_gist", table_name="opd_service_area", postgresql_using="gist")
    op.drop_table("opd_service_area")
    op.drop_table("category")
    op.drop_table("app_user")
    op.drop_table("opd")
    op.drop_table("holiday")
    op.drop_table("data_version")
    op.drop_index("area_parent_idx", table_name="area")
    op.drop_index(
        "area_kelurahan_geom_gist",
        table_name="area",
        postgresql_using="gist",
        postgresql_where=sa.text("level = 'kelurahan'"),
    )
    op.drop_index("area_geom_gist", table_name="area", postgresql_using="gist")
    op.drop_table("area")
    op.drop_table("api_key")
    op.execute("DROP FUNCTION IF EXISTS pantau_event_immutable() CASCADE")
    op.execute("DROP FUNCTION IF EXISTS pantau_complaint_touch() CASCADE")
    op.execute("DROP FUNCTION IF EXISTS pantau_txn_version()")
