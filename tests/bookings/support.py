"""Services, technicians and customers for the booking tests (Audio Tài Lộc, VND)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

from mercato.bookings import service
from mercato.kit.security import hash_password
from mercato.models import User
from mercato.models.bookings import (
    ServiceDistrict,
    ServiceType,
    Technician,
    TechnicianDayOff,
    TechnicianHours,
    TechnicianSkill,
)

TZ = "Asia/Ho_Chi_Minh"
PASSWORD = "Loa-Thung-Bass-Doi-Song-7"
# Tuesday 1 December 2026, 08:00 in Ho Chi Minh City (UTC+7)
NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
TOMORROW = date(2026, 12, 2)  # a Wednesday
_serial = itertools.count(1)
_hash = hash_password(PASSWORD)


def calendar(now: datetime = NOW) -> service.Calendar:
    return service.Calendar(timezone=TZ, currency="VND", now=now)


async def make_user(db, name: str = "Khách") -> User:
    n = next(_serial)
    user = User(email=f"u{n}-{id(db)}@example.vn", name=f"{name} {n}", password_hash=_hash)
    db.add(user)
    await db.flush()
    return user


async def make_service(
    db, *, code: str | None = None, on_site: bool = True, duration=60, buffer=30, price=800_000
) -> ServiceType:
    row = ServiceType(
        code=code or f"svc-{next(_serial)}",
        name="Lắp đặt dàn âm thanh",
        duration_minutes=duration,
        buffer_minutes=buffer,
        price=price,
        currency="VND",
        on_site=on_site,
    )
    db.add(row)
    await db.flush()
    return row


async def make_district(db, fee: int = 60_000, *, active: bool = True) -> ServiceDistrict:
    row = ServiceDistrict(
        code=f"q-{next(_serial)}", name="Quận Bình Thạnh", travel_fee=fee, is_active=active
    )
    db.add(row)
    await db.flush()
    return row


async def make_technician(
    db, services: list[ServiceType], *, hours=("08:00", "17:00"), weekdays=range(7), days_off=()
) -> Technician:
    user = await make_user(db, "KTV")
    tech = Technician(user_id=user.id, display_name=user.name)
    db.add(tech)
    await db.flush()
    start = int(hours[0][:2]) * 60 + int(hours[0][3:])
    end = int(hours[1][:2]) * 60 + int(hours[1][3:])
    for s in services:
        db.add(TechnicianSkill(technician_id=tech.id, service_type_id=s.id))
    for wd in weekdays:
        db.add(
            TechnicianHours(technician_id=tech.id, weekday=wd, start_minute=start, end_minute=end)
        )
    for day in days_off:
        db.add(TechnicianDayOff(technician_id=tech.id, day=day))
    await db.flush()
    return tech


def at(hhmm: str, day: date = TOMORROW) -> datetime:
    """A local Ho Chi Minh time on ``day`` as aware UTC."""
    from zoneinfo import ZoneInfo

    h, m = hhmm.split(":")
    return datetime(day.year, day.month, day.day, int(h), int(m), tzinfo=ZoneInfo(TZ)).astimezone(
        UTC
    )


def request(
    svc: ServiceType, start: datetime, district: ServiceDistrict | None = None, **kw
) -> service.BookingRequest:
    return service.BookingRequest(
        service_code=svc.code,
        starts_at=start,
        district_code=district.code if district else "",
        address=kw.pop("address", "45 Nguyễn Gia Trí, Phường 25"),
        **kw,
    )
