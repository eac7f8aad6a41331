"""Profit configuration and reports through the API and the pages, with the seed's
permission matrix: admins see and set percentages and every report, sellers only their own
report, buyers nothing."""

from __future__ import annotations

from sqlalchemy import select

from mercato.models import AuditEntry
from mercato.profit import service
from tests.helpers import csrf_in
from tests.profit.conftest import API, ROOT, bearer, sign_in_as


async def paid_seed_order(wdb, wholesale, buyer, seller, make_product, make_order):
    product = await make_product(price=13_500, cost=8_000, seller=seller, name="Jute sack 50 kg")
    order = await make_order(buyer, [(product, 100)])
    await service.record_sale(wdb, order, store_currency="BDT")
    return order, product


async def test_profit_config_matrix(client, wdb, wholesale, admin, seller, seller_user, buyer):
    # Without credentials: 401; seller and buyer: 403 (View Profit % is admin only)
    assert (await client.get(f"{API}/admin/profit-config")).status_code == 401
    for user in (seller_user, buyer):
        headers = await bearer(wdb, wholesale, user)
        assert (await client.get(f"{API}/admin/profit-config", headers=headers)).status_code == 403
        refused = await client.post(
            f"{API}/admin/profit-config",
            headers=headers,
            json={"key": "platform_profit_percentage", "value": 50, "category": "profit"},
        )
        assert refused.status_code == 403
    # The admin reads the defaults and sets a value the seed's way
    headers = await bearer(wdb, wholesale, admin)
    got = await client.get(f"{API}/admin/profit-config", headers=headers)
    assert got.status_code == 200
    assert {c["key"]: c["value"] for c in got.json()["config"]}[
        "platform_profit_percentage"
    ] == "15.00"
    posted = await client.post(
        f"{API}/admin/profit-config",
        headers=headers,
        json={"key": "platform_profit_percentage", "value": 17.5, "category": "profit"},
    )
    assert posted.status_code == 200, posted.text
    body = posted.json()
    assert body["success"] is True
    assert body["history"][0]["value"] == "17.50"
    audit = await wdb.scalar(select(AuditEntry).where(AuditEntry.action == "profit.config.set"))
    assert audit.before == {"value": "15.00"} and audit.after == {"value": "17.50"}


async def test_invalid_config_is_a_422_with_the_field(client, wdb, wholesale, admin):
    headers = await bearer(wdb, wholesale, admin)
    bad = await client.post(
        f"{API}/admin/profit-config",
        headers=headers,
        json={"key": "platform_profit_percentage", "value": 150},
    )
    assert bad.status_code == 422
    assert "value" in bad.text
    wrong_category = await client.post(
        f"{API}/admin/profit-config",
        headers=headers,
        json={"key": "seller_profit_percentage", "value": 10, "category": "inventory"},
    )
    assert wrong_category.status_code == 422


async def test_product_rate_override(client, wdb, wholesale, admin, make_product):
    product = await make_product()
    headers = await bearer(wdb, wholesale, admin)
    url = f"{API}/admin/profit-config/products/{product.id}"
    put = await client.put(url, headers=headers, json={"platform_percentage": "12.5"})
    assert put.json() == {
        "product_id": product.id,
        "platform_percentage": "12.50",
        "effective_percentage": "12.50",
    }
    cleared = await client.delete(url, headers=headers)
    assert cleared.json()["platform_percentage"] is None
    assert cleared.json()["effective_percentage"] == "15.00"
    assert (
        await client.put(
            f"{API}/admin/profit-config/products/999999",
            headers=headers,
            json={"platform_percentage": 1},
        )
    ).status_code == 404


async def test_order_report_has_the_seed_numbers(
    client, wdb, wholesale, admin, buyer, seller, make_product, make_order
):
    order, _ = await paid_seed_order(wdb, wholesale, buyer, seller, make_product, make_order)
    headers = await bearer(wdb, wholesale, admin)
    got = await client.post(
        f"{API}/admin/profit-reports", headers=headers, json={"orderId": order.number}
    )
    assert got.status_code == 200, got.text
    report = got.json()["report"]
    assert (report["revenue"], report["cost"], report["profit"]) == (1_350_000, 800_000, 550_000)
    assert (report["platform_share"], report["seller_share"], report["final_platform"]) == (
        82_500,
        93_500,
        456_500,
    )
    assert report["margin"] == "40.74 %"


async def test_reports_admin_everything_seller_own_part(
    client,
    wdb,
    wholesale,
    admin,
    buyer,
    seller,
    seller_user,
    other_seller,
    make_product,
    make_order,
):
    await paid_seed_order(wdb, wholesale, buyer, seller, make_product, make_order)
    theirs = await make_product(price=1_000, cost=500, seller=other_seller)
    await service.record_sale(wdb, await make_order(buyer, [(theirs, 10)]), store_currency="BDT")
    # The admin sees both sellers and the platform's figures
    admin_h = await bearer(wdb, wholesale, admin)
    full = (await client.get(f"{API}/admin/profit-reports", headers=admin_h)).json()["report"]
    assert full["totals"]["revenue"] == 1_350_000 + 10_000
    assert full["totals"]["final_platform"] == 456_500 + 4_150  # 5,000 − 20 % of 4,250
    assert {s["label"] for s in full["sellers"]} == {"Karim Looms", "Bogura Spices"}
    # The seller sees their own product only, without platform figures
    seller_h = await bearer(wdb, wholesale, seller_user)
    assert (await client.get(f"{API}/admin/profit-reports", headers=seller_h)).status_code == 403
    own = (await client.get(f"{API}/reports/profit", headers=seller_h)).json()["report"]
    assert own["scope"] == "seller"
    assert own["totals"]["revenue"] == 1_350_000 and own["totals"]["seller_share"] == 93_500
    assert "platform_share" not in own["totals"] and "sellers" not in own
    assert [p["label"] for p in own["products"]] == [
        "Jute sack 50 kg (" + own["products"][0]["label"].split("(")[1]
    ]
    # A buyer has no report at all
    buyer_h = await bearer(wdb, wholesale, buyer)
    assert (await client.get(f"{API}/reports/profit", headers=buyer_h)).status_code == 403


async def test_exports_and_bad_dates(
    client, wdb, wholesale, admin, buyer, seller, make_product, make_order
):
    order, _ = await paid_seed_order(wdb, wholesale, buyer, seller, make_product, make_order)
    headers = await bearer(wdb, wholesale, admin)
    csv = await client.get(f"{API}/reports/profit.csv", headers=headers)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert f"{order.number},100,1350000,800000,550000,82500,93500,456500,40.74,BDT" in csv.text
    pdf = await client.get(f"{API}/reports/profit.pdf", headers=headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    bad = await client.get(f"{API}/reports/profit?from=2026-13-01", headers=headers)
    assert bad.status_code == 422


async def test_admin_pages_and_csrf(
    client, wdb, wholesale, admin, buyer, seller, make_product, make_order
):
    await paid_seed_order(wdb, wholesale, buyer, seller, make_product, make_order)
    await sign_in_as(client, wdb, admin)
    page = await client.get(f"{ROOT}/admin/profit")
    assert page.status_code == 200 and "Platform profit %" in page.text
    token = csrf_in(page.text)
    # Without the CSRF token the change is refused
    refused = await client.post(
        f"{ROOT}/admin/profit/settings", data={"key": "seller_profit_percentage", "value": "30"}
    )
    assert refused.status_code == 403
    saved = await client.post(
        f"{ROOT}/admin/profit/settings",
        data={
            "csrf_token": token,
            "key": "seller_profit_percentage",
            "value": "30",
            "note": "new partners",
        },
    )
    assert saved.status_code == 303
    again = await client.get(f"{ROOT}/admin/profit")
    assert "new partners" in again.text
    report = await client.get(f"{ROOT}/admin/profit/reports?group=month")
    assert report.status_code == 200
    assert "<svg" in report.text and "style=" not in report.text and "<script>" not in report.text
    assert "40.74 %" in report.text


async def test_seller_page_and_refusals(
    client, wdb, wholesale, seller, seller_user, buyer, make_product, make_order
):
    await paid_seed_order(wdb, wholesale, buyer, seller, make_product, make_order)
    await sign_in_as(client, wdb, seller_user)
    page = await client.get(f"{ROOT}/seller/reports/profit")
    assert (
        page.status_code == 200 and "Your share" in page.text and "Final platform" not in page.text
    )
    # Sellers are not staff: the admin report is closed to them
    assert (await client.get(f"{ROOT}/admin/profit/reports")).status_code in (303, 403, 404)
    client.cookies.clear()
    await sign_in_as(client, wdb, buyer)
    assert (await client.get(f"{ROOT}/seller/reports/profit")).status_code == 403


async def test_orders_listed_newest_sale_first(
    client, wdb, wholesale, admin, buyer, make_product, make_order
):
    from datetime import timedelta

    from mercato.kit.time import utcnow

    product = await make_product()
    older = await make_order(buyer, [(product, 1)], when=utcnow() - timedelta(days=3))
    newer = await make_order(buyer, [(product, 1)], when=utcnow() - timedelta(days=1))
    for order in (newer, older):
        await service.record_sale(wdb, order, store_currency="BDT")
    headers = await bearer(wdb, wholesale, admin)
    report = (await client.get(f"{API}/admin/profit-reports", headers=headers)).json()["report"]
    assert [o["label"] for o in report["orders"]] == [newer.number, older.number]
