"""Demo services, districts, technicians with their hours and days off, and bookings, from
stores/<slug>/seed/{services,technicians,bookings}.yaml. Idempotent: existing codes,
technicians and a customer who already has bookings are left alone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import yaml
from sqlalchemy import select

from mercato.bookings import service, slots
from mercato.kit.time import utcnow
from mercato.models import User
from mercato.models.bookings import (
    Booking,
    ServiceDistrict,
    ServiceType,
    Technician,
    TechnicianDayOff,
    TechnicianHours,
    TechnicianSkill,
)


def _load(ctx: Any, name: str) -> dict[str, Any]:
    path = ctx.seed_dir / name
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}


async def seed_bookings(db, ctx) -> str:  # noqa: ANN001 - (AsyncSession, SeedContext)
    currency = ctx.config.currency
    data = _load(ctx, "services.yaml")
    made = {"services": 0, "districts": 0, "technicians": 0, "bookings": 0}
    existing = {s.code: s for s in await db.scalars(select(ServiceType))}
    for n, item in enumerate(data.get("services", [])):
        if item["code"] in existing:
            continue
        row = ServiceType(
            code=item["code"],
            name=item["name"],
            summary=item.get("summary", ""),
            description=item.get("description", ""),
            duration_minutes=int(item["duration_minutes"]),
            buffer_minutes=int(item.get("buffer_minutes", 30)),
            price=int(item["price"]),
            currency=currency,
            on_site=bool(item.get("on_site", True)),
            sort_order=n,
        )
        db.add(row)
        existing[row.code] = row
        made["services"] += 1
    districts = set(await db.scalars(select(ServiceDistrict.code)))
    for n, item in enumerate(data.get("districts", [])):
        if item["code"] not in districts:
            db.add(
                ServiceDistrict(
                    code=item["code"],
                    name=item["name"],
                    city="TP. Hồ Chí Minh",
                    travel_fee=int(item["travel_fee"]),
                    sort_order=n,
                )
            )
            made["districts"] += 1
    await db.flush()

    today = slots.local_day(utcnow(), ctx.config.timezone)
    for item in _load(ctx, "technicians.yaml").get("technicians", []):
        user = ctx.users.get(item["email"]) or await db.scalar(
            select(User).where(User.email == item["email"])
        )
        if user is None or await service.technician_for_user(db, user.id) is not None:
            continue
        tech = Technician(
            user_id=user.id,
            display_name=item["name"],
            phone=item.get("phone", ""),
            bio=item.get("bio", ""),
        )
        db.add(tech)
        await db.flush()
        for code in item.get("skills", []):
            db.add(TechnicianSkill(technician_id=tech.id, service_type_id=existing[code].id))
        for weekday, span in (item.get("hours") or {}).items():
            start, _, end = str(span).partition("-")
            db.add(
                TechnicianHours(
                    technician_id=tech.id,
                    weekday=int(weekday),
                    start_minute=slots.parse_hhmm(start),
                    end_minute=slots.parse_hhmm(end),
                )
            )
        for offset in item.get("days_off", []):
            db.add(
                TechnicianDayOff(
                    technician_id=tech.id,
                    day=today + timedelta(days=int(offset)),
                    reason="Nghỉ phép",
                )
            )
        made["technicians"] += 1
    await db.flush()

    seeded_customers: set[str] = set()
    for item in _load(ctx, "bookings.yaml").get("bookings", []):
        email = item["customer"]
        customer = ctx.users.get(email) or await db.scalar(select(User).where(User.email == email))
        if customer is None:
            continue
        if email not in seeded_customers:
            if await db.scalar(
                select(Booking.id).where(Booking.customer_id == customer.id).limit(1)
            ):
                continue  # already has bookings: a previous run
            seeded_customers.add(email)
        if await _seed_one(db, ctx, customer, item, today):
            made["bookings"] += 1
    return ", ".join(f"{v} {k}" for k, v in made.items())


async def _seed_one(db, ctx, customer: User, item: dict[str, Any], today) -> bool:  # noqa: ANN001
    cal = service.Calendar(timezone=ctx.config.timezone, currency=ctx.config.currency)
    service_type = await service.service_by_code(db, item["service"])
    days = int(item["days_ahead"])
    if days < 0:
        # A past job: written as it ended (no slot claims are needed for the past).
        tech = await db.scalar(
            select(Technician)
            .join(TechnicianSkill, TechnicianSkill.technician_id == Technician.id)
            .where(TechnicianSkill.service_type_id == service_type.id)
            .order_by(Technician.id)
        )
        district = await db.scalar(
            select(ServiceDistrict).where(ServiceDistrict.code == item.get("district", ""))
        )
        if tech is None:
            return False
        start = slots.local_midnight(today + timedelta(days=days), cal.timezone) + timedelta(
            hours=9
        )
        fee = district.travel_fee if district else 0
        db.add(
            Booking(
                number=await service._new_number(db),
                customer_id=customer.id,
                service_type_id=service_type.id,
                technician_id=tech.id,
                district_id=district.id if district else None,
                service_name=service_type.name,
                starts_at=start,
                ends_at=start + timedelta(minutes=service_type.duration_minutes),
                status=item.get("status", "completed"),
                price=service_type.price,
                travel_fee=fee,
                total=service_type.price + fee,
                currency=service_type.currency,
                address=item.get("address", ""),
                phone=item.get("phone", ""),
                note=item.get("note", ""),
                confirmed_at=start - timedelta(days=2),
                started_at=start,
                completed_at=start + timedelta(minutes=service_type.duration_minutes),
            )
        )
        await db.flush()
        return True
    for extra in range(7):  # the first day from days_ahead with a free slot
        day = today + timedelta(days=days + extra)
        free = await service.availability(db, service_type, day, cal)
        if free:
            break
    else:
        return False
    booking = await service.create_booking(
        db,
        customer,
        service.BookingRequest(
            service_code=service_type.code,
            starts_at=free[0].starts_at,
            district_code=item.get("district", ""),
            address=item.get("address", ""),
            phone=item.get("phone", ""),
            note=item.get("note", ""),
        ),
        cal,
    )
    if item.get("status") == "confirmed":
        await service.change_status(db, booking, "confirmed", role="staff", cal=cal)
    return True
