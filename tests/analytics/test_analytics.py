"""Analytics: product views counted per day by upsert (never a row per visit), conversion
from views to paid orders, revenue, bookings per technician, ticket SLA, the five-minute
cache, CSV and PDF reports, and admin-only access (pages and API)."""

from __future__ import annotations

import io
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import func, select

from mercato.analytics import reports, service
from mercato.bookings import service as bookings_service
from mercato.kit.time import utcnow
from mercato.models.analytics import ProductViewDaily
from mercato.platform.seeding import ensure_user, sync_roles
from mercato.support import service as support_service
from tests.bookings.support import (
    PASSWORD,
    at,
    calendar,
    make_district,
    make_service,
    make_technician,
    make_user,
    request,
)
from tests.helpers import signin
from tests.orders.support import make_order, make_product

STORE = "audio-tai-loc"


async def test_views_add_up_in_one_row_per_product_and_day(db):
    product = await make_product(db)
    today = utcnow().date()
    await service.add_views(db, {(product.id, today): 3})
    await service.add_views(
        db, {(product.id, today): 4, (product.id, today - timedelta(days=1)): 1}
    )
    rows = {
        r.day: r.views
        for r in await db.scalars(
            select(ProductViewDaily).where(ProductViewDaily.product_id == product.id)
        )
    }
    assert rows == {today: 7, today - timedelta(days=1): 1}


async def test_views_are_counted_in_process_and_flushed_in_one_write(db, runtime):
    product = await make_product(db)
    await db.commit()
    for _ in range(5):
        service.count_view(runtime, product.id)
    runtime.extras[service._FLUSH_KEY].cancel()  # the test flushes now instead of in 10 s
    assert await service.flush_views(runtime) == 1
    assert await service.flush_views(runtime) == 0  # nothing counted since
    total = await db.scalar(
        select(func.sum(ProductViewDaily.views)).where(ProductViewDaily.product_id == product.id)
    )
    assert total == 5


async def _paid_order(db, runtime, product, qty=1):
    order, _ = await make_order(db, runtime, items=[(product, qty)], shipping=0)
    order.currency = order.store_currency = "VND"
    order.payment_status = "paid"
    order.paid_at = utcnow() - timedelta(hours=1)
    await db.flush()
    return order


async def test_the_report_adds_up(db, runtime):
    # Given a product viewed 10 times and bought in 2 paid orders, another viewed 5 times
    bought = await make_product(db, price=1_500_000)
    browsed = await make_product(db, price=900_000)
    today = utcnow().date()
    await service.add_views(db, {(bought.id, today): 10, (browsed.id, today): 5})
    await _paid_order(db, runtime, bought)
    await _paid_order(db, runtime, bought, qty=2)
    # and a booking and an overdue ticket
    svc = await make_service(db)
    tech = await make_technician(db, [svc])
    customer = await make_user(db)
    await bookings_service.create_booking(
        db, customer, request(svc, at("09:00"), await make_district(db)), calendar()
    )
    await support_service.open_ticket(
        db,
        customer,
        subject="Loa rè",
        body="Rè",
        priority="urgent",
        now=utcnow() - timedelta(hours=2),
    )
    report = await service.build_report(db, runtime, 30)
    assert report.views == 15 and report.ordered_views_orders == 2
    assert report.conversion_rate == round(100 * 2 / 15, 2)
    first = report.conversion[0]
    assert (first["product_id"], first["views"], first["orders"], first["rate"]) == (
        bought.id,
        10,
        2,
        20.0,
    )
    assert report.sales.revenue == 1_500_000 * 3 and report.sales.orders == 2
    assert report.technicians == [{"technician": tech.display_name, "total": 1, "pending": 1}]
    assert report.tickets["period_total"] == 1 and report.tickets["period_breached"] == 1
    csv_bytes = reports.to_csv(report, "VND")
    assert csv_bytes.startswith("\ufeff".encode()) and b"Revenue (VND)" in csv_bytes
    pdf_bytes = reports.to_pdf(report, runtime.config)
    assert pdf_bytes[:5] == b"%PDF-"
    # Vietnamese marks and the đồng sign survive into the PDF's text (kit/pdf: Noto Sans)
    printed = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_bytes)).pages)
    assert "Audio Tài Lộc" in printed and bought.name in printed
    assert "4.500.000 ₫" in printed


async def test_the_report_is_cached_for_five_minutes(db, runtime):
    runtime.extras.pop(service._CACHE_KEY, None)
    first = await service.cached_report(db, runtime, 7)
    product = await make_product(db)
    await service.add_views(db, {(product.id, utcnow().date()): 3})
    assert (await service.cached_report(db, runtime, 7)) is first  # within the TTL
    runtime.extras[service._CACHE_KEY][7] = (0.0, first)  # as if five minutes passed
    assert (await service.cached_report(db, runtime, 7)).views == first.views + 3
    runtime.extras.pop(service._CACHE_KEY, None)


async def _user(db, runtime, roles):
    n = await make_user(db)
    user, _ = await ensure_user(
        db,
        await sync_roles(db, runtime.modules),
        email=f"an-{n.id}@example.vn",
        password=PASSWORD,
        name="A",
        role_names=roles,
    )
    return user


async def test_admins_see_analytics_and_download_reports_customers_cannot(client, db, runtime):
    runtime.extras.pop(service._CACHE_KEY, None)
    customer = await _user(db, runtime, ["customer"])
    await signin(client, STORE, customer.email, PASSWORD)
    assert (await client.get(f"/{STORE}/admin/analytics")).status_code in (403, 404)
    assert (await client.get(f"/{STORE}/admin/analytics/report.csv")).status_code in (403, 404)
    client.cookies.clear()
    admin = await _user(db, runtime, ["admin"])
    await signin(client, STORE, admin.email, PASSWORD)
    page = await client.get(f"/{STORE}/admin/analytics?days=7&lang=en")
    assert page.status_code == 200 and "Business analytics" in page.text
    csv_answer = await client.get(f"/{STORE}/admin/analytics/report.csv?days=90")
    assert csv_answer.status_code == 200 and csv_answer.headers["content-type"].startswith(
        "text/csv"
    )
    pdf_answer = await client.get(f"/{STORE}/admin/analytics/report.pdf")
    assert pdf_answer.status_code == 200 and pdf_answer.content[:5] == b"%PDF-"
    token = await client.post(
        f"/{STORE}/api/v1/auth/token", json={"email": admin.email, "password": PASSWORD}
    )
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    api = await client.get(f"/{STORE}/api/v1/analytics?days=30", headers=headers)
    assert api.status_code == 200 and "conversion_rate_percent" in api.json()
    assert (
        await client.get(f"/{STORE}/api/v1/analytics?days=31", headers=headers)
    ).status_code == 422
    token = await client.post(
        f"/{STORE}/api/v1/auth/token", json={"email": customer.email, "password": PASSWORD}
    )
    other = {"Authorization": f"Bearer {token.json()['access_token']}"}
    assert (await client.get(f"/{STORE}/api/v1/analytics", headers=other)).status_code == 403
    runtime.extras.pop(service._CACHE_KEY, None)


async def test_the_seed_gives_two_weeks_of_views_once(db, runtime):
    from types import SimpleNamespace

    from mercato.analytics.seed import DAYS, seed_views

    product = await make_product(db)
    ctx = SimpleNamespace(config=runtime.config)
    await seed_views(db, ctx)
    assert await seed_views(db, ctx) == "already seeded"
    days = await db.scalar(
        select(func.count())
        .select_from(ProductViewDaily)
        .where(ProductViewDaily.product_id == product.id)
    )
    assert days == DAYS
