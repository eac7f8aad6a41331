"""Services and bookings: service types, technicians (skills, weekly hours, days off), the
districts served with their travel fees, bookings and the slot claims that make double
booking impossible in the database itself.

Amounts are integer minor units of the store currency (VND: whole đồng). Times are aware
UTC; working hours are minutes after local midnight in the store's time zone.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from mercato.kit.time import utcnow
from mercato.models.base import Base, BigId, IdMixin, TimestampMixin

BOOKING_STATUSES = ("pending", "confirmed", "in_progress", "completed", "cancelled")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class ServiceType(IdMixin, TimestampMixin, Base):
    """Installation, acoustic consultation, repair, maintenance… ``buffer_minutes`` is the
    technician's time after a job (travel, packing up) during which nothing else is booked."""

    __tablename__ = "service_types"
    __table_args__ = (
        CheckConstraint("duration_minutes > 0 AND duration_minutes <= 720", name="duration_range"),
        CheckConstraint("buffer_minutes >= 0 AND buffer_minutes <= 240", name="buffer_range"),
        CheckConstraint("price >= 0", name="price_not_negative"),
    )

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    duration_minutes: Mapped[int] = mapped_column(default=60)
    buffer_minutes: Mapped[int] = mapped_column(default=30)
    price: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3))
    on_site: Mapped[bool] = mapped_column(default=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)


class Technician(IdMixin, TimestampMixin, Base):
    """A user with the technician role, as the booking calendar sees them."""

    __tablename__ = "technicians"

    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="RESTRICT"), unique=True
    )
    display_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(32), default="")
    bio: Mapped[str] = mapped_column(String(500), default="")
    is_active: Mapped[bool] = mapped_column(default=True)


class TechnicianSkill(Base):
    """Which service types a technician may be booked for."""

    __tablename__ = "technician_skills"
    __table_args__ = (PrimaryKeyConstraint("technician_id", "service_type_id"),)

    technician_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("technicians.id", ondelete="CASCADE")
    )
    service_type_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("service_types.id", ondelete="CASCADE"), index=True
    )


class TechnicianHours(IdMixin, Base):
    """Working hours on one weekday (0 = Monday), minutes after local midnight."""

    __tablename__ = "technician_hours"
    __table_args__ = (
        UniqueConstraint("technician_id", "weekday"),
        CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday_range"),
        CheckConstraint(
            "start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute",
            name="hours_range",
        ),
    )

    technician_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("technicians.id", ondelete="CASCADE")
    )
    weekday: Mapped[int]
    start_minute: Mapped[int]
    end_minute: Mapped[int]


class TechnicianDayOff(IdMixin, Base):
    __tablename__ = "technician_days_off"
    __table_args__ = (UniqueConstraint("technician_id", "day"),)

    technician_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("technicians.id", ondelete="CASCADE")
    )
    day: Mapped[date]
    reason: Mapped[str] = mapped_column(String(200), default="")


class ServiceDistrict(IdMixin, Base):
    """A district where on-site services are offered, with its travel fee."""

    __tablename__ = "service_districts"
    __table_args__ = (CheckConstraint("travel_fee >= 0", name="fee_not_negative"),)

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    city: Mapped[str] = mapped_column(String(120), default="")
    travel_fee: Mapped[int] = mapped_column(BigInteger, default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)


class Booking(IdMixin, TimestampMixin, Base):
    """One appointment. Price, travel fee and service name are snapshots taken at booking."""

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint(_in("status", BOOKING_STATUSES), name="status_known"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("total = price + travel_fee", name="total_adds_up"),
        Index("ix_bookings_customer_starts", "customer_id", "starts_at"),
        Index("ix_bookings_technician_starts", "technician_id", "starts_at"),
        Index("ix_bookings_status_starts", "status", "starts_at"),
    )

    number: Mapped[str] = mapped_column(String(20), unique=True)
    customer_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="RESTRICT"))
    service_type_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("service_types.id", ondelete="RESTRICT")
    )
    technician_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("technicians.id", ondelete="RESTRICT")
    )
    district_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("service_districts.id", ondelete="RESTRICT")
    )
    service_name: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(12), default="pending")
    price: Mapped[int] = mapped_column(BigInteger)
    travel_fee: Mapped[int] = mapped_column(BigInteger, default=0)
    total: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    note: Mapped[str] = mapped_column(String(1000), default="")
    technician_chosen: Mapped[bool] = mapped_column(default=False)  # picked by the customer
    cancel_reason: Mapped[str] = mapped_column(String(300), default="")
    cancelled_by: Mapped[str] = mapped_column(String(12), default="")  # customer|staff
    confirmed_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    reminder_sent_at: Mapped[datetime | None]


class BookingSlotClaim(Base):
    """One row per technician and 15-minute unit a booking occupies (its duration plus the
    service's buffer). The primary key is the double-booking guard: two transactions racing
    for the same technician and time both INSERT, and the database lets exactly one win, on
    SQLite and PostgreSQL alike. Cancelling deletes the booking's claims."""

    __tablename__ = "booking_slot_claims"
    __table_args__ = (PrimaryKeyConstraint("technician_id", "unit_start"),)

    technician_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("technicians.id", ondelete="CASCADE")
    )
    unit_start: Mapped[datetime]
    booking_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
