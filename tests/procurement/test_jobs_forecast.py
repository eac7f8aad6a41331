"""Forecasts from the sales history, and the scheduled jobs in store time: each slot runs
once with several workers, admins are told, sellers get their own part of the report."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from mercato.kit.time import utcnow
from mercato.models import EmailMessage, Notification, ScheduledRun
from mercato.platform import scheduler
from mercato.procurement import service
from mercato.profit import service as profit_service
from tests.helpers import csrf_in
from tests.profit.conftest import API, ROOT, bearer, sign_in_as

# Monday 4 January 2027, 08:00 in Dhaka (UTC+6)
MONDAY_8_DHAKA = datetime(2027, 1, 4, 2, 0, tzinfo=UTC)


async def test_forecast_from_daily_sales(
    client, wdb, wholesale, admin, buyer, make_product, make_order
):
    # Given 30 days of 10 units a day and 55 units left
    product = await make_product(stock=355, reorder_level=20)
    await service.set_supply(wdb, product.id, moq=100, pack_size=10, lead_time_days=5)
    start = utcnow() - timedelta(days=30)
    for day in range(30):
        await make_order(buyer, [(product, 10)], when=start + timedelta(days=day, hours=1))
    # When the forecast is asked for
    headers = await bearer(wdb, wholesale, admin)
    got = await client.get(f"{API}/inventory/forecast?product_id={product.id}", headers=headers)
    assert got.status_code == 200, got.text
    f = got.json()
    # Then demand is about ten a day, stock lasts five and a half days, and the order covers
    # the lead time plus the 30-day horizon in whole packs of ten
    assert 9 <= float(f["daily_demand"]) <= 10.01
    assert f["available"] == 55
    assert 5 <= float(f["days_of_cover"]) <= 6.2
    assert f["recommended_order"] % 10 == 0 and 280 <= f["recommended_order"] <= 300
    assert sum(h["units"] for h in f["history"]) >= 290


async def test_two_workers_run_each_slot_once(
    wdb, wholesale, admin, seller_user, seller, other_seller, buyer, make_product, make_order
):
    # Given a product below its reorder level and last week's sales of two sellers
    low = await make_product(stock=15, reorder_level=20, name="Mustard oil 5 L", seller=seller)
    last_week = MONDAY_8_DHAKA - timedelta(days=3)
    mine = await make_order(buyer, [(low, 5)], when=last_week)
    theirs = await make_order(
        buyer,
        [(await make_product(price=1_000, cost=400, seller=other_seller), 10)],
        when=last_week,
    )
    for order in (mine, theirs):
        await profit_service.record_sale(wdb, order, store_currency="BDT")
    await wdb.commit()
    admin_id, admin_email, seller_email = admin.id, admin.email, seller_user.email
    first = dataclasses.replace(wholesale, extras={})
    second = dataclasses.replace(wholesale, extras={})
    # When two workers tick on Monday at 08:00 Dhaka time, and again a few minutes later
    ran = [
        await scheduler.tick(first, MONDAY_8_DHAKA),
        await scheduler.tick(second, MONDAY_8_DHAKA),
        await scheduler.tick(second, MONDAY_8_DHAKA + timedelta(minutes=5)),
        await scheduler.tick(first, MONDAY_8_DHAKA + timedelta(minutes=7)),
    ]
    ours = ("profit.weekly_report", "procurement.inventory_check", "procurement.stock_forecast")
    # Then each of our slots ran exactly once, by whichever worker claimed it first
    for name in ours:
        assert sum(r.count(name) for r in ran) == 1, (name, ran)
        assert name in ran[0]
    wdb.expire_all()
    runs = list(await wdb.scalars(select(ScheduledRun).where(ScheduledRun.name.in_(ours))))
    assert sorted((r.name, r.status) for r in runs) == sorted((n, "done") for n in ours)
    weekly = next(r for r in runs if r.name == "profit.weekly_report")
    assert weekly.slot == MONDAY_8_DHAKA
    # The admin was told about the low product, and got the full report
    note = await wdb.scalar(select(Notification).where(Notification.user_id == admin_id))
    assert "below reorder level" in note.title and "Mustard oil 5 L" in note.body
    to_admin = await wdb.scalar(select(EmailMessage).where(EmailMessage.to_address == admin_email))
    assert "Platform:" in to_admin.text_body
    # The seller's report holds only their own sale and no platform figures
    to_seller = await wdb.scalar(
        select(EmailMessage).where(EmailMessage.to_address == seller_email)
    )
    assert "Your share" in to_seller.text_body and "Platform" not in to_seller.text_body
    assert "Mustard oil 5 L" in to_seller.text_body
    assert "Revenue:       ৳675.00" in to_seller.text_body  # 5 × ৳135, not the other seller's ৳100


async def test_admins_run_jobs_on_demand(client, wdb, wholesale, admin, seller_user, make_product):
    await make_product(stock=1, reorder_level=20, name="Red lentils 50 kg")
    await sign_in_as(client, wdb, admin)
    token = csrf_in((await client.get(f"{ROOT}/admin/procurement/alerts")).text)
    done = await client.post(
        f"{ROOT}/admin/procurement/jobs/inventory_check", data={"csrf_token": token}
    )
    assert done.status_code == 303
    note = await wdb.scalar(select(Notification).where(Notification.user_id == admin.id))
    assert "Red lentils 50 kg" in note.body
    assert (
        await client.post(f"{ROOT}/admin/procurement/jobs/format_disk", data={"csrf_token": token})
    ).status_code == 404
    client.cookies.clear()
    await sign_in_as(client, wdb, seller_user)
    refused = await client.post(
        f"{ROOT}/admin/procurement/jobs/inventory_check", data={"csrf_token": token}
    )
    assert refused.status_code in (303, 403)
    assert (
        await wdb.scalar(select(Notification).where(Notification.user_id == seller_user.id)) is None
    )
