"""jurisdictions: every province, kabupaten and kota of Indonesia, and reports handed over to one

Revision ID: 0016
Revises: 0015

``jurisdiction`` holds the Kemendagri list (loaded at bootstrap from
``PANTAU_JURISDICTIONS_FILE``, ``db/jurisdictions.py``): every one is a
destination a report can be forwarded to. A kota that Pantau serves also has
an ``area`` row with boundaries and agencies; forwarding there routes the
report as if it was filed there. Forwarding anywhere else is a manual
handover: ``complaint.handover_to`` names the destination and
``handover_due`` the day the operators follow it up.

Two channels join for the operators' intake form: ``letter`` (a letter to
the city) and ``other``.

``user_jurisdiction`` limits a staff account to some cities (``users create
--kota 3671``) or to the served cities of a province (``--provinsi 36``): an
account with rows here reaches only complaints whose city is one of them.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

LEVELS = ("provinsi", "kabupaten", "kota")
OLD_CHANNELS = ("web", "app", "sms", "social", "call_centre", "walk_in", "api")
CHANNELS = ("web", "app", "sms", "social", "call_centre", "walk_in", "letter", "api", "other")


def _channels(values: tuple[str, ...]) -> None:
    op.drop_constraint("complaint_channel_check", "complaint", type_="check")
    op.create_check_constraint(
        "complaint_channel_check", "complaint", f"channel IN ({', '.join(repr(v) for v in values)})"
    )


def upgrade() -> None:
    _channels(CHANNELS)
    op.create_table(
        "jurisdiction",
        sa.Column("code", sa.String(4), primary_key=True),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.CheckConstraint("level IN ('provinsi', 'kabupaten', 'kota')", name="jurisdiction_level_check"),
        sa.CheckConstraint(
            "code ~ '^[0-9]{2}$' AND level = 'provinsi' OR code ~ '^[0-9]{4}$' AND level <> 'provinsi'",
            name="jurisdiction_code_check",
        ),
    )
    op.add_column("complaint", sa.Column("handover_to", sa.String(4), sa.ForeignKey("jurisdiction.code")))
    op.add_column("complaint", sa.Column("handover_due", sa.DateTime(timezone=True)))
    op.create_table(
        "user_jurisdiction",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("code", sa.String(4), sa.ForeignKey("jurisdiction.code"), primary_key=True),
    )
    op.create_index(
        "complaint_handover_idx",
        "complaint",
        ["handover_due"],
        postgresql_where=sa.text("handover_to IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("complaint_handover_idx", table_name="complaint")
    op.drop_table("user_jurisdiction")
    op.drop_column("complaint", "handover_due")
    op.drop_column("complaint", "handover_to")
    op.drop_table("jurisdiction")
    _channels(OLD_CHANNELS)
