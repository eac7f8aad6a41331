"""The bookings admin's service and district forms: create and edit (audited), the
technicians qualified kept in step with the technicians page, a bad form changes nothing,
and people without bookings.manage are refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mercato.models import AuditEntry, User
from mercato.models.bookings import ServiceDistrict, ServiceType, TechnicianSkill
from mercato.platform.seeding import ensure_user, sync_roles
from tests.bookings.support import PASSWORD, make_district, make_service, make_technician, make_user
from tests.helpers import csrf_from, signin

STORE = "audio-tai-loc"
ADMIN = f"/{STORE}/admin"


async def _signed_in(client, db, runtime, role: str) -> User:
    n = await make_user(db)
    user, _ = await ensure_user(
        db,
        await sync_roles(db, runtime.modules),
        email=f"svc-{role}-{n.id}@example.vn",
        password=PASSWORD,
        name="Quản lý",
        role_names=[role],
    )
    await signin(client, STORE, user.email, PASSWORD)
    return user


async def _skills(db, service_id: int) -> set[int]:
    rows = await db.scalars(
        select(TechnicianSkill.technician_id).where(TechnicianSkill.service_type_id == service_id)
    )
    return set(rows)


async def test_staff_create_a_service_with_its_technicians_and_edit_it(client, db, runtime):
    other = await make_service(db)
    first = await make_technician(db, [other])
    second = await make_technician(db, [other])
    await _signed_in(client, db, runtime, "staff")
    token = await csrf_from(client, f"{ADMIN}/services/new")
    made = await client.post(
        f"{ADMIN}/services/new",
        data={
            "csrf_token": token,
            "name": "Cân chỉnh âm thanh phòng hát",
            "duration_minutes": "90",
            "buffer_minutes": "30",
            "price": "1.200.000",
            "on_site": "1",
            "is_active": "1",
            "technicians": [str(first.id), str(second.id)],
        },
    )
    assert made.status_code == 303, made.text[:600]
    row = await db.scalar(
        select(ServiceType).where(ServiceType.code == "can-chinh-am-thanh-phong-hat")
    )
    assert (row.duration_minutes, row.price, row.currency, row.on_site) == (
        90,
        1_200_000,
        "VND",
        True,
    )
    assert await _skills(db, row.id) == {first.id, second.id}
    assert await db.scalar(select(AuditEntry).where(AuditEntry.action == "service_type.create"))
    page = await client.get(f"{ADMIN}/services")
    assert "Cân chỉnh âm thanh phòng hát" in page.text
    edited = await client.post(
        f"{ADMIN}/services/{row.id}",
        data={
            "csrf_token": token,
            "name": "Cân chỉnh âm thanh",
            "code": row.code,
            "duration_minutes": "120",
            "price": "1500000",
            "technicians": [str(second.id)],
        },
    )
    assert edited.status_code == 303
    await db.refresh(row)
    assert (row.name, row.duration_minutes, row.price, row.on_site, row.is_active) == (
        "Cân chỉnh âm thanh",
        120,
        1_500_000,
        False,
        False,
    )
    assert await _skills(db, row.id) == {second.id}
    # the other service's skills were not touched
    assert await _skills(db, other.id) == {first.id, second.id}


async def test_a_bad_service_form_changes_nothing(client, db, runtime):
    taken = await make_service(db, code="lap-dat")
    tech = await make_technician(db, [taken])
    await _signed_in(client, db, runtime, "staff")
    token = await csrf_from(client, f"{ADMIN}/services/{taken.id}")
    bad = await client.post(
        f"{ADMIN}/services/{taken.id}",
        data={
            "csrf_token": token,
            "name": "x",
            "code": "lap-dat",
            "duration_minutes": "5000",
            "price": "abc",
            "technicians": ["999999"],
        },
    )
    assert bad.status_code == 422
    for name in ("name", "duration_minutes", "price", "technicians"):
        assert f'id="{name}-error"' in bad.text, name
    await db.refresh(taken)
    assert (taken.name, taken.duration_minutes, taken.price) == (
        "Lắp đặt dàn âm thanh",
        60,
        800_000,
    )
    assert await _skills(db, taken.id) == {tech.id}
    duplicate = await client.post(
        f"{ADMIN}/services/new",
        data={"csrf_token": token, "name": "Lắp đặt mới", "code": "lap-dat"},
    )
    assert duplicate.status_code == 422 and 'id="code-error"' in duplicate.text
    assert not await db.scalar(select(ServiceType).where(ServiceType.name == "Lắp đặt mới"))


async def test_staff_create_and_edit_a_district(client, db, runtime):
    await _signed_in(client, db, runtime, "staff")
    token = await csrf_from(client, f"{ADMIN}/districts/new")
    made = await client.post(
        f"{ADMIN}/districts/new",
        data={"csrf_token": token, "name": "Quận Gò Vấp", "city": "TP. Hồ Chí Minh",
              "travel_fee": "80.000", "is_active": "1"},
    )  # fmt: skip
    assert made.status_code == 303
    row = await db.scalar(select(ServiceDistrict).where(ServiceDistrict.code == "quan-go-vap"))
    assert (row.travel_fee, row.is_active) == (80_000, True)
    bad = await client.post(
        f"{ADMIN}/districts/{row.id}",
        data={"csrf_token": token, "name": "Quận Gò Vấp", "travel_fee": "-1"},
    )
    assert bad.status_code == 422 and 'id="travel_fee-error"' in bad.text
    await db.refresh(row)
    assert row.travel_fee == 80_000 and row.is_active
    ok = await client.post(
        f"{ADMIN}/districts/{row.id}",
        data={"csrf_token": token, "name": "Quận Gò Vấp", "code": row.code, "travel_fee": "90000"},
    )
    assert ok.status_code == 303
    await db.refresh(row)
    assert (row.travel_fee, row.is_active) == (90_000, False)
    entry = await db.scalar(
        select(AuditEntry).where(AuditEntry.action == "service_district.update")
    )
    assert entry.before["travel_fee"] == 80_000 and entry.after["travel_fee"] == 90_000


@pytest.mark.parametrize("role", ["customer", "technician"])
async def test_people_without_bookings_manage_are_refused(client, db, runtime, role):
    district = await make_district(db, fee=50_000)
    await _signed_in(client, db, runtime, role)
    assert (await client.get(f"{ADMIN}/services")).status_code in (403, 404)
    assert (await client.get(f"{ADMIN}/districts/{district.id}")).status_code in (403, 404)
    token = await csrf_from(client, f"/{STORE}/account/profile")
    refused = await client.post(
        f"{ADMIN}/districts/{district.id}",
        data={"csrf_token": token, "name": "Đổi tên", "travel_fee": "0"},
    )
    assert refused.status_code in (403, 404)
    await db.refresh(district)
    assert (district.name, district.travel_fee) == ("Quận Bình Thạnh", 50_000)
