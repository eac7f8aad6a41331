"""bookings

Revision ID: a0b00c1a7b01
Revises: a000555483d9
Create Date: 2026-11-30 13:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mercato.models.base

revision: str = "a0b00c1a7b01"
down_revision: str | None = "a000555483d9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "service_districts",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("city", sa.String(length=120), nullable=False),
        sa.Column("travel_fee", sa.BigInteger(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.CheckConstraint("travel_fee >= 0", name=op.f("ck_service_districts_fee_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_districts")),
        sa.UniqueConstraint("code", name=op.f("uq_service_districts_code")),
    )
    op.create_table(
        "service_types",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("buffer_minutes", sa.Integer(), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("on_site", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("created_at", mercato.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", mercato.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "buffer_minutes >= 0 AND buffer_minutes <= 240",
            name=op.f("ck_service_types_buffer_range"),
        ),
        sa.CheckConstraint(
            "duration_minutes > 0 AND duration_minutes <= 720",
            name=op.f("ck_service_types_duration_range"),
        ),
        sa.CheckConstraint("price >= 0", name=op.f("ck_service_types_price_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_types")),
        sa.UniqueConstraint("code", name=op.f("uq_service_types_code")),
    )
    op.create_table(
        "technicians",
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("display_name", sa.String(length=120), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("bio", sa.String(length=500), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("created_at", mercato.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", mercato.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_technicians_user_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_technicians")),
        sa.UniqueConstraint("user_id", name=op.f("uq_technicians_user_id")),
    )
    op.create_table(
        "bookings",
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "service_type_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "technician_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "district_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("service_name", sa.String(length=120), nullable=False),
        sa.Column("starts_at", mercato.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", mercato.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("travel_fee", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=False),
        sa.Column("technician_chosen", sa.Boolean(), nullable=False),
        sa.Column("cancel_reason", sa.String(length=300), nullable=False),
        sa.Column("cancelled_by", sa.String(length=12), nullable=False),
        sa.Column("confirmed_at", mercato.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("started_at", mercato.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("completed_at", mercato.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", mercato.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "reminder_sent_at", mercato.models.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("created_at", mercato.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", mercato.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'confirmed', 'in_progress', 'completed', 'cancelled')",
            name=op.f("ck_bookings_status_known"),
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_bookings_ends_after_start")),
        sa.CheckConstraint("total = price + travel_fee", name=op.f("ck_bookings_total_adds_up")),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["users.id"],
            name=op.f("fk_bookings_customer_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["service_districts.id"],
            name=op.f("fk_bookings_district_id_service_districts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["service_type_id"],
            ["service_types.id"],
            name=op.f("fk_bookings_service_type_id_service_types"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["technician_id"],
            ["technicians.id"],
            name=op.f("fk_bookings_technician_id_technicians"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookings")),
        sa.UniqueConstraint("number", name=op.f("uq_bookings_number")),
    )
    op.create_index(
        "ix_bookings_customer_starts", "bookings", ["customer_id", "starts_at"], unique=False
    )
    op.create_index("ix_bookings_status_starts", "bookings", ["status", "starts_at"], unique=False)
    op.create_index(
        "ix_bookings_technician_starts", "bookings", ["technician_id", "starts_at"], unique=False
    )
    op.create_table(
        "technician_days_off",
        sa.Column(
            "technician_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["technician_id"],
            ["technicians.id"],
            name=op.f("fk_technician_days_off_technician_id_technicians"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_technician_days_off")),
        sa.UniqueConstraint(
            "technician_id", "day", name=op.f("uq_technician_days_off_technician_id_day")
        ),
    )
    op.create_table(
        "technician_hours",
        sa.Column(
            "technician_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_minute", sa.Integer(), nullable=False),
        sa.Column("end_minute", sa.Integer(), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.CheckConstraint(
            "start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute",
            name=op.f("ck_technician_hours_hours_range"),
        ),
        sa.CheckConstraint(
            "weekday >= 0 AND weekday <= 6", name=op.f("ck_technician_hours_weekday_range")
        ),
        sa.ForeignKeyConstraint(
            ["technician_id"],
            ["technicians.id"],
            name=op.f("fk_technician_hours_technician_id_technicians"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_technician_hours")),
        sa.UniqueConstraint(
            "technician_id", "weekday", name=op.f("uq_technician_hours_technician_id_weekday")
        ),
    )
    op.create_table(
        "technician_skills",
        sa.Column(
            "technician_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "service_type_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["service_type_id"],
            ["service_types.id"],
            name=op.f("fk_technician_skills_service_type_id_service_types"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["technician_id"],
            ["technicians.id"],
            name=op.f("fk_technician_skills_technician_id_technicians"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "technician_id", "service_type_id", name=op.f("pk_technician_skills")
        ),
    )
    op.create_index(
        op.f("ix_technician_skills_service_type_id"),
        "technician_skills",
        ["service_type_id"],
        unique=False,
    )
    op.create_table(
        "booking_slot_claims",
        sa.Column(
            "technician_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("unit_start", mercato.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "booking_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("created_at", mercato.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_booking_slot_claims_booking_id_bookings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["technician_id"],
            ["technicians.id"],
            name=op.f("fk_booking_slot_claims_technician_id_technicians"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("technician_id", "unit_start", name=op.f("pk_booking_slot_claims")),
    )
    op.create_index(
        op.f("ix_booking_slot_claims_booking_id"),
        "booking_slot_claims",
        ["booking_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_booking_slot_claims_booking_id"), table_name="booking_slot_claims")
    op.drop_table("booking_slot_claims")
    op.drop_index(op.f("ix_technician_skills_service_type_id"), table_name="technician_skills")
    op.drop_table("technician_skills")
    op.drop_table("technician_hours")
    op.drop_table("technician_days_off")
    op.drop_index("ix_bookings_technician_starts", table_name="bookings")
    op.drop_index("ix_bookings_status_starts", table_name="bookings")
    op.drop_index("ix_bookings_customer_starts", table_name="bookings")
    op.drop_table("bookings")
    op.drop_table("technicians")
    op.drop_table("service_types")
    op.drop_table("service_districts")
