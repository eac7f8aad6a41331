"""Stock alerts become purchase orders; receipts go through the core inventory service and
the inventory log shows the previous and new stock under the PO number."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from mercato.kit.errors import Conflict, ValidationFailed
from mercato.models.inventory import StockMovement
from mercato.procurement import service
from tests.helpers import csrf_in
from tests.profit.conftest import API, ROOT, bearer, sign_in_as

WHERE = dict(currency="BDT", timezone="Asia/Dhaka")


async def test_seed_alert_from_live_stock(wdb, make_product):
    # Given the seed's product: 15 on the shelf, reorder level 20, supplier minimum 100
    product = await make_product(stock=15, reorder_level=20, cost=8_000)
    await service.set_supply(wdb, product.id, supplier="Narayanganj Jute Mills", moq=100)
    await make_product(stock=500, reorder_level=20)  # well stocked: no alert
    # When the alerts are computed
    alerts = await service.alerts(wdb)
    # Then it is the only one: CRITICAL, deficit 5, reorder 100 meeting the MOQ, cost ৳8,000
    (alert,) = [a for a in alerts if a.product_id == product.id]
    assert [a.product_id for a in alerts] == [product.id]
    assert (alert.severity.value, alert.deficit, alert.reorder_quantity, alert.meets_moq) == (
        "critical",
        5,
        100,
        True,
    )
    assert alert.estimated_cost == 800_000


async def test_alert_to_po_to_receipt_to_log(wdb, admin, make_product):
    product = await make_product(stock=15, reorder_level=20, cost=8_000)
    await service.set_supply(
        wdb, product.id, supplier="Narayanganj Jute Mills", moq=100, lead_time_days=4
    )
    # Create PO from alert: one draft with the suggested 100 units at cost
    (po,) = await service.create_from_alerts(wdb, product_ids=[product.id], actor=admin, **WHERE)
    assert re.fullmatch(r"PO-\d{4}-\d{3}", po.number)
    assert (
        po.status == "draft"
        and po.total_cost == 800_000
        and po.supplier == "Narayanganj Jute Mills"
    )
    # The alert now says the units are on order, and nothing more is suggested
    (alert,) = await service.alerts(wdb, product_ids=[product.id])
    assert alert.on_order == 100 and alert.reorder_quantity == 0
    with pytest.raises(ValidationFailed):
        await service.create_from_alerts(wdb, product_ids=[product.id], actor=admin, **WHERE)
    # A draft cannot be received; sent, it can
    with pytest.raises(Conflict):
        await service.receive(wdb, po.number, {1: 1}, actor=admin)
    await service.send(wdb, po.number)
    (line,) = await service.po_lines(wdb, po)
    with pytest.raises(ValidationFailed):
        await service.receive(wdb, po.number, {line.id: 101}, actor=admin)
    await service.receive(wdb, po.number, {line.id: 40}, actor=admin)
    assert (await service.get_po(wdb, po.number)).status == "partially_received"
    (receipt,) = await service.receive(wdb, po.number, {line.id: 60}, actor=admin)
    assert (await service.get_po(wdb, po.number)).status == "received"
    assert (receipt.quantity_before, receipt.quantity_after) == (55, 115)
    # The core ledger has the receipts as PURCHASE with previous and new stock
    page = await service.logs(
        wdb, service.LogFilters(action="PURCHASE", reference=po.number), timezone="Asia/Dhaka"
    )
    moves = [
        (
            service.action_of(m.kind, m.reference),
            m.quantity_delta,
            m.quantity_before,
            m.quantity_after,
        )
        for m, _ in page.items
    ]
    assert moves == [("PURCHASE", 60, 55, 115), ("PURCHASE", 40, 15, 55)]
    await service.close(wdb, po.number)
    with pytest.raises(Conflict):
        await service.cancel(wdb, po.number)
    assert await service.alerts(wdb, product_ids=[product.id]) == []


async def test_numbers_follow_each_other(wdb, admin, make_product):
    product = await make_product()
    first = await service.create_purchase_order(
        wdb, supplier="A", lines=[service.LineIn(product.id, 5)], actor=admin, **WHERE
    )
    second = await service.create_purchase_order(
        wdb, supplier="B", lines=[service.LineIn(product.id, 5)], actor=admin, **WHERE
    )
    year, n = first.number.split("-")[1:]
    assert second.number == f"PO-{year}-{int(n) + 1:03d}"


async def test_bad_purchase_orders_are_refused(wdb, admin, make_product):
    product = await make_product()
    for kwargs in (
        dict(supplier="", lines=[service.LineIn(product.id, 1)]),
        dict(supplier="A", lines=[]),
        dict(supplier="A", lines=[service.LineIn(product.id, 0)]),
        dict(supplier="A", lines=[service.LineIn(product.id, 1), service.LineIn(product.id, 2)]),
    ):
        with pytest.raises(ValidationFailed):
            await service.create_purchase_order(wdb, actor=admin, **kwargs, **WHERE)


async def test_purchase_orders_api_and_matrix(
    client, wdb, wholesale, admin, seller_user, seller, make_product
):
    product = await make_product(stock=15, reorder_level=20, seller=seller)
    await service.set_supply(wdb, product.id, moq=100)
    # Sellers see their alerts but buy nothing; admins do both
    seller_h = await bearer(wdb, wholesale, seller_user)
    assert (await client.get(f"{API}/inventory/alerts", headers=seller_h)).json()[0][
        "severity"
    ] == "CRITICAL"
    refused = await client.post(
        f"{API}/purchase-orders", headers=seller_h, json={"from_alerts": [product.id]}
    )
    assert refused.status_code == 403
    headers = await bearer(wdb, wholesale, admin)
    made = await client.post(
        f"{API}/purchase-orders", headers=headers, json={"from_alerts": [product.id]}
    )
    assert made.status_code == 201, made.text
    po = made.json()["items"][0]
    assert po["lines"][0]["quantity_ordered"] == 100
    number = po["number"]
    assert (await client.post(f"{API}/purchase-orders/{number}/send", headers=headers)).json()[
        "status"
    ] == "sent"
    received = await client.post(
        f"{API}/purchase-orders/{number}/receive",
        headers=headers,
        json={"lines": [{"line_id": po["lines"][0]["id"], "quantity": 100}]},
    )
    assert received.status_code == 200 and received.json()["status"] == "received"
    over = await client.post(
        f"{API}/purchase-orders/{number}/receive",
        headers=headers,
        json={"lines": [{"line_id": po["lines"][0]["id"], "quantity": 1}]},
    )
    assert over.status_code == 409
    logs = (
        await client.get(
            f"{API}/inventory/logs?action=PURCHASE&reference={number}", headers=headers
        )
    ).json()
    assert [(i["action"], i["quantity"], i["previous"], i["new"]) for i in logs["items"]] == [
        ("PURCHASE", 100, 15, 115)
    ]
    assert (
        await client.get(f"{API}/inventory/logs?action=STOLEN", headers=headers)
    ).status_code == 422


async def test_seller_sees_only_own_inventory(
    client, wdb, wholesale, seller_user, seller, other_seller, make_product
):
    mine = await make_product(stock=3, reorder_level=10, seller=seller)
    theirs = await make_product(stock=2, reorder_level=10, seller=other_seller)
    headers = await bearer(wdb, wholesale, seller_user)
    alerts = (await client.get(f"{API}/inventory/alerts", headers=headers)).json()
    assert [a["product_id"] for a in alerts] == [mine.id]
    logs = (await client.get(f"{API}/inventory/logs", headers=headers)).json()
    assert {i["product_id"] for i in logs["items"]} == {mine.id}
    # Asking for the other seller's product by id is a 404, the same as a missing one
    assert (
        await client.get(f"{API}/inventory/logs?product_id={theirs.id}", headers=headers)
    ).json()["items"] == []
    assert (
        await client.get(f"{API}/inventory/forecast?product_id={theirs.id}", headers=headers)
    ).status_code == 404
    assert (
        await client.get(f"{API}/inventory/forecast?product_id={mine.id}", headers=headers)
    ).status_code == 200
    await sign_in_as(client, wdb, seller_user)
    page = await client.get(f"{ROOT}/seller/inventory")
    assert page.status_code == 200 and mine.name in page.text and theirs.name not in page.text
    assert (await client.get(f"{ROOT}/seller/inventory/forecast/{theirs.id}")).status_code == 404


async def test_buyer_sees_no_inventory(client, wdb, wholesale, buyer, make_product):
    await make_product(stock=3, reorder_level=10)
    headers = await bearer(wdb, wholesale, buyer)
    for url in ("inventory/alerts", "inventory/logs", "purchase-orders"):
        assert (await client.get(f"{API}/{url}", headers=headers)).status_code == 403
    assert (await client.get(f"{API}/inventory/alerts")).status_code == 401


async def test_admin_pages_create_and_receive(client, wdb, wholesale, admin, make_product):
    product = await make_product(stock=15, reorder_level=20, name="Miniket rice 25 kg")
    await service.set_supply(wdb, product.id, moq=100, supplier="Dinajpur Rice Mills")
    await sign_in_as(client, wdb, admin)
    page = await client.get(f"{ROOT}/admin/procurement/alerts")
    assert page.status_code == 200 and "CRITICAL LOW STOCK" in page.text
    token = csrf_in(page.text)
    made = await client.post(
        f"{ROOT}/admin/procurement/alerts/order",
        data={"csrf_token": token, "product_id": str(product.id)},
    )
    assert made.status_code == 303
    po_url = made.headers["location"]
    number = po_url.rsplit("/", 1)[1]
    detail = await client.get(po_url)
    assert "Dinajpur Rice Mills" in detail.text
    await client.post(f"{po_url}/send", data={"csrf_token": token})
    (line,) = await service.po_lines(wdb, await service.get_po(wdb, number))
    got = await client.post(
        f"{po_url}/receive", data={"csrf_token": token, f"line-{line.id}": "100"}
    )
    assert got.status_code == 303
    log = await client.get(f"{ROOT}/admin/procurement/logs?reference={number}")
    assert "PURCHASE" in log.text and ">15<" in log.text and ">115<" in log.text
    movement = await wdb.scalar(select(StockMovement).where(StockMovement.reference == number))
    assert movement.actor_id == admin.id
    forecast = await client.get(f"{ROOT}/admin/procurement/forecast/{product.id}")
    assert forecast.status_code == 200 and "<svg" in forecast.text
