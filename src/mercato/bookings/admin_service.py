"""Reading and saving the admin's service-type and district forms.

Every field is checked first and problems are collected per field, so a form with an error
writes nothing and shows all of them at once. The "skills needed" of a service are the
technicians qualified for it (the same TechnicianSkill rows the technicians page edits):
ticking them here or there is one fact, so the two pages cannot disagree. Changing a service
never touches bookings already made: a booking keeps its own name, price and times."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.catalog.admin_forms import FormError, format_amount, parse_amount
from mercato.kit.i18n import _
from mercato.kit.money import minor_digits
from mercato.kit.text import slugify
from mercato.models.bookings import ServiceDistrict, ServiceType, Technician, TechnicianSkill

_GROUPED_WHOLE = re.compile(r"^\d{1,3}(?:[.\s]\d{3})+$")
SERVICE_FIELDS = (
    "name",
    "code",
    "summary",
    "description",
    "duration_minutes",
    "buffer_minutes",
    "price",
    "on_site",
    "is_active",
    "sort_order",
)
DISTRICT_FIELDS = ("name", "code", "city", "travel_fee", "is_active", "sort_order")


@dataclass
class Parsed:
    data: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    technician_ids: set[int] = field(default_factory=set)


def form_values(form: Any, names: tuple[str, ...]) -> dict[str, Any]:
    values: dict[str, Any] = {n: str(form.get(n) or "").strip()[:5000] for n in names}
    values["technicians"] = [
        str(v) for v in form.getlist("technicians") if str(v).isdigit() and len(str(v)) < 12
    ]
    return values


def _money(raw: str, currency: str) -> int:
    text = raw.replace("₫", "").strip() or "0"
    if minor_digits(currency) == 0 and _GROUPED_WHOLE.match(text):
        text = re.sub(r"[.\s]", "", text)
    try:
        return parse_amount(text, currency)
    except FormError as exc:
        raise FormError(_("Enter an amount such as 150000.")) from exc


def _whole(raw: str, low: int, high: int, default: int) -> int:
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise FormError(_("Enter a whole number from %(low)s to %(high)s.", low=low, high=high))
    return int(raw)


def _name_and_code(values: Mapping[str, Any], parsed: Parsed, limit: int) -> None:
    name = " ".join(values.get("name", "").split())
    if not 2 <= len(name) <= limit:
        parsed.errors["name"] = _("Enter a name of 2 to %(limit)s characters.", limit=limit)
    code = slugify(values.get("code", "") or name)[:40]
    if not code and "name" not in parsed.errors:
        parsed.errors["code"] = _("Use letters a–z, digits and dashes.")
    parsed.data.update(name=name, code=code)


async def _code_taken(db: AsyncSession, model: Any, code: str, own_id: int | None) -> bool:
    return bool(
        await db.scalar(select(model.id).where(model.code == code, model.id != (own_id or 0)))
    )


async def read_service(
    db: AsyncSession, values: Mapping[str, Any], *, currency: str, row: ServiceType | None
) -> Parsed:
    parsed = Parsed()
    _name_and_code(values, parsed, 120)
    if parsed.data["code"] and await _code_taken(
        db, ServiceType, parsed.data["code"], row.id if row else None
    ):
        parsed.errors["code"] = _("Another service already uses this code.")
    parsed.data["summary"] = values.get("summary", "")[:300]
    parsed.data["description"] = values.get("description", "")[:5000]
    checks = (
        ("duration_minutes", lambda v: _whole(v, 15, 720, 60)),
        ("buffer_minutes", lambda v: _whole(v, 0, 240, 30)),
        ("sort_order", lambda v: _whole(v, 0, 10_000, 0)),
        ("price", lambda v: _money(v, currency)),
    )
    for name, read in checks:
        try:
            parsed.data[name] = read(values.get(name, ""))
        except FormError as exc:
            parsed.errors[name] = str(exc)
    parsed.data["on_site"] = bool(values.get("on_site"))
    parsed.data["is_active"] = bool(values.get("is_active"))
    wanted = {int(t) for t in values.get("technicians", [])}
    if wanted:
        known = set(await db.scalars(select(Technician.id).where(Technician.id.in_(wanted))))
        if known != wanted:
            parsed.errors["technicians"] = _("Choose technicians from the list.")
        parsed.technician_ids = known
    return parsed


async def save_service(
    db: AsyncSession, row: ServiceType | None, parsed: Parsed, *, currency: str
) -> ServiceType:
    if row is None:
        row = ServiceType(currency=currency, **parsed.data)
        db.add(row)
    else:
        for name, value in parsed.data.items():
            setattr(row, name, value)
    await db.flush()
    await db.execute(delete(TechnicianSkill).where(TechnicianSkill.service_type_id == row.id))
    db.add_all(
        TechnicianSkill(technician_id=t, service_type_id=row.id)
        for t in sorted(parsed.technician_ids)
    )
    await db.flush()
    return row


async def qualified(db: AsyncSession, service_id: int) -> list[int]:
    return list(
        await db.scalars(
            select(TechnicianSkill.technician_id).where(
                TechnicianSkill.service_type_id == service_id
            )
        )
    )


async def service_values(db: AsyncSession, row: ServiceType) -> dict[str, Any]:
    return {
        "name": row.name,
        "code": row.code,
        "summary": row.summary,
        "description": row.description,
        "duration_minutes": str(row.duration_minutes),
        "buffer_minutes": str(row.buffer_minutes),
        "price": format_amount(row.price, row.currency),
        "on_site": row.on_site,
        "is_active": row.is_active,
        "sort_order": str(row.sort_order),
        "technicians": [str(t) for t in await qualified(db, row.id)],
    }


async def read_district(
    db: AsyncSession, values: Mapping[str, Any], *, currency: str, row: ServiceDistrict | None
) -> Parsed:
    parsed = Parsed()
    _name_and_code(values, parsed, 120)
    if parsed.data["code"] and await _code_taken(
        db, ServiceDistrict, parsed.data["code"], row.id if row else None
    ):
        parsed.errors["code"] = _("Another district already uses this code.")
    parsed.data["city"] = " ".join(values.get("city", "").split())[:120]
    for name, read in (
        ("travel_fee", lambda v: _money(v, currency)),
        ("sort_order", lambda v: _whole(v, 0, 10_000, 0)),
    ):
        try:
            parsed.data[name] = read(values.get(name, ""))
        except FormError as exc:
            parsed.errors[name] = str(exc)
    parsed.data["is_active"] = bool(values.get("is_active"))
    return parsed


async def save_district(
    db: AsyncSession, row: ServiceDistrict | None, parsed: Parsed
) -> ServiceDistrict:
    if row is None:
        row = ServiceDistrict(**parsed.data)
        db.add(row)
    else:
        for name, value in parsed.data.items():
            setattr(row, name, value)
    await db.flush()
    return row


def district_values(row: ServiceDistrict, currency: str) -> dict[str, Any]:
    return {
        "name": row.name,
        "code": row.code,
        "city": row.city,
        "travel_fee": format_amount(row.travel_fee, currency),
        "is_active": row.is_active,
        "sort_order": str(row.sort_order),
    }


def snapshot(row: ServiceType | ServiceDistrict) -> dict[str, Any]:
    names = SERVICE_FIELDS if isinstance(row, ServiceType) else DISTRICT_FIELDS
    return {n: getattr(row, n) for n in names}


async def all_districts(db: AsyncSession) -> list[ServiceDistrict]:
    return list(
        await db.scalars(
            select(ServiceDistrict).order_by(ServiceDistrict.sort_order, ServiceDistrict.name)
        )
    )
