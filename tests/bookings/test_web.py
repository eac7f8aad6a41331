"""Booking pages and API: the booking form books a free slot; customers see only their own
bookings (another's number is a 404, in pages and the API); a technician's schedule shows
only their own; staff confirm from the admin (audited); availability over the API."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from mercato.bookings import slots
from mercato.kit.time import utcnow
from mercato.models import AuditEntry, User
from mercato.models.bookings import Booking
from mercato.platform.seeding import ensure_user, sync_roles
from tests.bookings.support import PASSWORD, make_district, make_service, make_technician, make_user
from tests.helpers import csrf_from, signin

STORE = "audio-tai-loc"
TZ = "Asia/Ho_Chi_Minh"


async def _user(db, runtime, roles) -> User:
    n = await make_user(db)  # for a unique serial
    all_roles = await sync_roles(db, runtime.modules)
    user, _ = await ensure_user(
        db,
        all_roles,
        email=f"web-{n.id}@example.vn",
        password=PASSWORD,
        name="Người dùng",
        role_names=roles,
    )
    return user


async def _setup(db):
    svc = await make_service(db)
    district = await make_district(db)
    tech = await make_technician(db, [svc])
    day = slots.local_day(utcnow(), TZ) + timedelta(days=3)
    return svc, district, tech, day


async def _book_through_form(client, svc, district, day) -> str:
    page = await client.get(f"/{STORE}/services/{svc.code}?date={day.isoformat()}")
    assert page.status_code == 200 and "Xác nhận đặt lịch" in page.text
    import re

    first_slot = re.search(r'name="slot" value="([^"]+)"', page.text).group(1)
    token = await csrf_from(client, f"/{STORE}/services/{svc.code}?date={day.isoformat()}")
    response = await client.post(
        f"/{STORE}/services/{svc.code}/book",
        data={
            "csrf_token": token,
            "slot": first_slot,
            "district": district.code,
            "address": "45 Nguyễn Gia Trí, Phường 25",
            "phone": "0912000111",
            "note": "Dàn karaoke",
        },
    )
    assert response.status_code == 303, response.text[:500]
    return first_slot


async def test_a_customer_books_through_the_form_and_the_slot_is_gone(client, db, runtime):
    svc, district, _, day = await _setup(db)
    customer = await _user(db, runtime, ["customer"])
    await signin(client, STORE, customer.email, PASSWORD)
    slot = await _book_through_form(client, svc, district, day)
    booking = await db.scalar(select(Booking).where(Booking.customer_id == customer.id))
    assert booking is not None and booking.total == svc.price + district.travel_fee
    mine = await client.get(f"/{STORE}/bookings")
    assert booking.number in mine.text
    page = await client.get(f"/{STORE}/services/{svc.code}?date={day.isoformat()}")
    assert f'value="{slot}"' not in page.text


async def test_a_refused_booking_re_renders_the_form_with_the_error(client, db, runtime):
    svc, district, _, day = await _setup(db)
    customer = await _user(db, runtime, ["customer"])
    await signin(client, STORE, customer.email, PASSWORD)
    token = await csrf_from(client, f"/{STORE}/services/{svc.code}?date={day.isoformat()}")
    response = await client.post(
        f"/{STORE}/services/{svc.code}/book",
        data={"csrf_token": token, "slot": "not-a-time", "district": district.code, "address": "x"},
    )
    assert response.status_code == 422 and "Vui lòng chọn một khung giờ" in response.text


async def test_another_customers_booking_is_not_found(client, db, runtime):
    svc, district, _, day = await _setup(db)
    owner = await _user(db, runtime, ["customer"])
    await signin(client, STORE, owner.email, PASSWORD)
    await _book_through_form(client, svc, district, day)
    number = (await db.scalar(select(Booking).where(Booking.customer_id == owner.id))).number
    client.cookies.clear()
    stranger = await _user(db, runtime, ["customer"])
    await signin(client, STORE, stranger.email, PASSWORD)
    assert (await client.get(f"/{STORE}/bookings/{number}")).status_code == 404
    token = await csrf_from(client, f"/{STORE}/bookings")
    cancel = await client.post(f"/{STORE}/bookings/{number}/cancel", data={"csrf_token": token})
    assert cancel.status_code == 404
    assert (
        await db.get(Booking, (await db.scalar(select(Booking.id).where(Booking.number == number))))
    ).status == "pending"
    assert number not in (await client.get(f"/{STORE}/bookings")).text


async def test_a_technician_sees_only_their_own_schedule(client, db, runtime):
    svc, district, tech, day = await _setup(db)
    other = await make_technician(db, [svc])
    customer = await _user(db, runtime, ["customer"])
    await signin(client, STORE, customer.email, PASSWORD)
    await _book_through_form(client, svc, district, day)
    booking = await db.scalar(select(Booking).where(Booking.customer_id == customer.id))
    owner_user = await db.get(User, (tech if booking.technician_id == tech.id else other).user_id)
    other_user = await db.get(User, (other if booking.technician_id == tech.id else tech).user_id)
    client.cookies.clear()
    await signin(client, STORE, other_user.email, PASSWORD)
    page = await client.get(f"/{STORE}/technician/schedule")
    assert page.status_code == 200 and booking.number not in page.text
    token = await csrf_from(client, f"/{STORE}/technician/schedule")
    attempt = await client.post(
        f"/{STORE}/technician/bookings/{booking.number}/status",
        data={"csrf_token": token, "status": "in_progress"},
    )
    assert attempt.status_code == 404
    client.cookies.clear()
    await signin(client, STORE, owner_user.email, PASSWORD)
    assert booking.number in (await client.get(f"/{STORE}/technician/schedule")).text


async def test_a_customer_is_not_a_technician(client, db, runtime):
    customer = await _user(db, runtime, ["customer"])
    await signin(client, STORE, customer.email, PASSWORD)
    assert (await client.get(f"/{STORE}/technician/schedule")).status_code == 403


async def test_staff_confirm_from_the_admin_with_an_audit_row(client, db, runtime):
    svc, district, _, day = await _setup(db)
    customer = await _user(db, runtime, ["customer"])
    await signin(client, STORE, customer.email, PASSWORD)
    await _book_through_form(client, svc, district, day)
    booking = await db.scalar(select(Booking).where(Booking.customer_id == customer.id))
    client.cookies.clear()
    admin = await _user(db, runtime, ["admin"])
    await signin(client, STORE, admin.email, PASSWORD)
    page = await client.get(f"/{STORE}/admin/bookings")
    assert page.status_code == 200 and booking.number in page.text
    token = await csrf_from(client, f"/{STORE}/admin/bookings")
    done = await client.post(
        f"/{STORE}/admin/bookings/{booking.number}/status",
        data={"csrf_token": token, "status": "confirmed"},
    )
    assert done.status_code == 303
    await db.refresh(booking)
    assert booking.status == "confirmed"
    audit = await db.scalar(select(AuditEntry).where(AuditEntry.entity_id == booking.number))
    assert audit is not None and audit.after == {"status": "confirmed"}
    assert (await client.get(f"/{STORE}/admin/technicians")).status_code == 200


async def test_customers_cannot_open_the_admin_bookings(client, db, runtime):
    customer = await _user(db, runtime, ["customer"])
    await signin(client, STORE, customer.email, PASSWORD)
    assert (await client.get(f"/{STORE}/admin/bookings")).status_code in (403, 404)


async def _token(client, email: str) -> dict[str, str]:
    response = await client.post(
        f"/{STORE}/api/v1/auth/token", json={"email": email, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_api_availability_booking_and_object_rules(client, db, runtime):
    svc, district, tech, day = await _setup(db)
    listed = await client.get(f"/{STORE}/api/v1/services")
    assert any(s["code"] == svc.code for s in listed.json())
    free = await client.get(
        f"/{STORE}/api/v1/bookings/availability",
        params={"service": svc.code, "date": day.isoformat()},
    )
    assert free.status_code == 200
    first = free.json()["slots"][0]
    customer = await _user(db, runtime, ["customer"])
    headers = await _token(client, customer.email)
    made = await client.post(
        f"/{STORE}/api/v1/bookings",
        headers=headers,
        json={
            "service": svc.code,
            "starts_at": first["starts_at"],
            "district": district.code,
            "address": "12 Lê Lợi",
        },
    )
    assert made.status_code == 201, made.text
    number = made.json()["number"]
    again = await client.post(
        f"/{STORE}/api/v1/bookings",
        headers=headers,
        json={
            "service": svc.code,
            "starts_at": first["starts_at"],
            "district": district.code,
            "address": "12 Lê Lợi",
        },
    )
    assert again.status_code == 409
    assert (
        await client.get(f"/{STORE}/api/v1/bookings/{number}", headers=headers)
    ).status_code == 200
    stranger = await _user(db, runtime, ["customer"])
    other = await _token(client, stranger.email)
    assert (
        await client.get(f"/{STORE}/api/v1/bookings/{number}", headers=other)
    ).status_code == 404
    moved = await client.post(
        f"/{STORE}/api/v1/bookings/{number}/status", headers=other, json={"status": "cancelled"}
    )
    assert moved.status_code == 404
    assert (await client.get(f"/{STORE}/api/v1/bookings", headers=other)).json() == []
    assert (await client.get(f"/{STORE}/api/v1/admin/bookings", headers=other)).status_code == 403
    # A customer may not confirm their own booking
    confirm = await client.post(
        f"/{STORE}/api/v1/bookings/{number}/status", headers=headers, json={"status": "confirmed"}
    )
    assert confirm.status_code == 403


async def test_api_refuses_bad_input_with_4xx(client, db, runtime):
    svc, district, *_ = await _setup(db)
    customer = await _user(db, runtime, ["customer"])
    headers = await _token(client, customer.email)
    naive = await client.post(
        f"/{STORE}/api/v1/bookings",
        headers=headers,
        json={"service": svc.code, "starts_at": "2026-12-02T09:00:00"},
    )
    assert naive.status_code == 422
    unknown = await client.post(
        f"/{STORE}/api/v1/bookings",
        headers=headers,
        json={"service": "nope", "starts_at": "2026-12-02T09:00:00+07:00"},
    )
    assert unknown.status_code == 404
    bad_day = await client.get(
        f"/{STORE}/api/v1/bookings/availability", params={"service": svc.code, "date": "x"}
    )
    assert bad_day.status_code == 422


async def test_the_admin_edits_hours_skills_and_days_off(client, db, runtime):
    from mercato.bookings import service as bookings_service
    from mercato.bookings.jobs import calendar_of

    svc, district, tech, day = await _setup(db)
    admin = await _user(db, runtime, ["admin"])
    await signin(client, STORE, admin.email, PASSWORD)
    token = await csrf_from(client, f"/{STORE}/admin/technicians")
    cal = calendar_of(runtime)

    async def starts():
        return await bookings_service.availability(db, svc, day, cal)

    assert await starts()
    # Hours only on the other weekdays: nothing on that day any more
    hours = {f"h{wd}": "09:00-12:00" for wd in range(7) if wd != day.weekday()}
    saved = await client.post(
        f"/{STORE}/admin/technicians/{tech.id}",
        data={"csrf_token": token, **hours, "skills": str(svc.id), "is_active": "1"},
    )
    assert saved.status_code == 303
    assert await starts() == []
    # A bad time is refused and changes nothing
    bad = await client.post(
        f"/{STORE}/admin/technicians/{tech.id}",
        data={
            "csrf_token": token,
            f"h{day.weekday()}": "17:00-08:00",
            "skills": str(svc.id),
            "is_active": "1",
        },
    )
    assert bad.status_code == 303 and await starts() == []
    restored = await client.post(
        f"/{STORE}/admin/technicians/{tech.id}",
        data={
            "csrf_token": token,
            f"h{day.weekday()}": "08:00-12:00",
            "skills": str(svc.id),
            "is_active": "1",
        },
    )
    assert restored.status_code == 303
    assert [s.starts_at.astimezone(slots.ZoneInfo(TZ)).strftime("%H:%M") for s in await starts()][
        :1
    ] == ["08:00"]
    # A day off empties that day; removing it brings the slots back
    await client.post(
        f"/{STORE}/admin/technicians/{tech.id}/days-off",
        data={"csrf_token": token, "day": day.isoformat()},
    )
    assert await starts() == []
    off = (await bookings_service.days_off_of(db, tech.id, day))[0]
    await client.post(
        f"/{STORE}/admin/technicians/{tech.id}/days-off/{off.id}/delete", data={"csrf_token": token}
    )
    assert await starts()
    page = await client.get(f"/{STORE}/admin/technicians")
    assert page.status_code == 200 and 'value="08:00-12:00"' in page.text
    audit = await db.scalar(select(AuditEntry).where(AuditEntry.action == "technician.schedule"))
    assert audit is not None
