"""The wholesale demo data of profit and procurement: six months of paid orders of the
verified buyers in the profit ledger, supply terms, one product below its reorder level;
a second run adds nothing."""

from __future__ import annotations

import textwrap
from types import SimpleNamespace

from sqlalchemy import func, select

from mercato.models.b2b import Company, CompanyMember
from mercato.models.orders import Order
from mercato.models.procurement import ProductSupply, PurchaseOrder
from mercato.models.profit import ProductProfitRate, ProfitEntry
from mercato.procurement import service
from mercato.procurement.seed import seed_procurement
from mercato.profit.seed import seed_profit

CATALOG = textwrap.dedent(
    """
    products:
      - sku: SEED-JUTE
        price: 14500
        category: textiles
        moq: 10
        multiple: 10
        reorder_level: 20
        platform_profit_pct: "15"
        tiers:
          - {min_qty: 10, unit_price: 14500}
          - {min_qty: 50, unit_price: 13500}
          - {min_qty: 200, unit_price: 12000}
      - sku: SEED-RICE
        price: 160000
        category: rice
        moq: 5
        multiple: 5
        reorder_level: 30
        tiers: [{min_qty: 5, unit_price: 160000}, {min_qty: 50, unit_price: 152000}]
      - sku: SEED-SOAP
        price: 90000
        category: household-cleaning
        moq: 2
        multiple: 2
        reorder_level: 10
        platform_profit_pct: "12.5"
    """
)


async def test_seed_history_alert_and_idempotence(wdb, wholesale, make_user, tmp_path):
    # Given the shared catalogue's products and three verified buyers (as the b2b seed makes)
    (tmp_path / "catalog.yaml").write_text(CATALOG, encoding="utf-8")
    from mercato.inventory import service as inventory_service
    from mercato.models.catalog import Product

    for sku, price, cost, stock in (
        ("SEED-JUTE", 14500, 8000, 400),
        ("SEED-RICE", 160000, 120000, 300),
        ("SEED-SOAP", 90000, 70000, 100),
    ):
        product = Product(name=sku.title(), slug=sku.lower(), sku=sku, price=price, cost_price=cost)
        wdb.add(product)
        await wdb.flush()
        await inventory_service.create_inventory(wdb, product.id, quantity=stock)
    buyers = []
    for n in range(3):
        user = await make_user(f"seedbuyer{n}@profit.test", "buyer")
        company = Company(
            name=f"Company {n}",
            contact_name="A",
            contact_phone="+8801700000000",
            contact_email=f"c{n}@example.com",
            address_line="Road 1",
            city="Dhaka",
            tin_cipher="x",
            tin_hint="1234",
            trade_license_number="T-1",
            status="verified",
        )
        wdb.add(company)
        await wdb.flush()
        wdb.add(CompanyMember(company_id=company.id, user_id=user.id))
        buyers.append(user)
    await wdb.flush()
    ctx = SimpleNamespace(seed_dir=tmp_path, config=wholesale.config, users={})
    # When the profit and procurement seeders run (twice)
    first = await seed_profit(wdb, ctx)
    await seed_procurement(wdb, ctx)
    orders = await wdb.scalar(
        select(func.count()).select_from(Order).where(Order.number.like("WS-H%"))
    )
    await seed_profit(wdb, ctx)
    await seed_procurement(wdb, ctx)
    # Then there are months of orders of all three buyers, each in the ledger
    assert "orders of history" in first and orders >= 30
    assert (
        await wdb.scalar(select(func.count()).select_from(Order).where(Order.number.like("WS-H%")))
        == orders
    )
    owners = set(await wdb.scalars(select(Order.user_id).where(Order.number.like("WS-H%"))))
    assert owners == {b.id for b in buyers}
    dates = list(await wdb.scalars(select(Order.created_at).where(Order.number.like("WS-H%"))))
    assert (max(dates) - min(dates)).days >= 150
    ledger_orders = await wdb.scalar(select(func.count(func.distinct(ProfitEntry.order_id))))
    assert ledger_orders >= orders
    assert await wdb.scalar(select(func.count()).select_from(ProductProfitRate)) >= 2
    # Supply terms for every product, one restocking PO at most, and one product below level
    assert await wdb.scalar(select(func.count()).select_from(ProductSupply)) >= 3
    assert (
        await wdb.scalar(
            select(func.count()).select_from(PurchaseOrder).where(PurchaseOrder.notes.like("Demo%"))
        )
        <= 1
    )
    critical = [
        a
        for a in await service.alerts(wdb)
        if a.severity.value == "critical" and a.sku.startswith("SEED-")
    ]
    assert [(a.sku, a.available, a.reorder_level, a.deficit) for a in critical] == [
        ("SEED-JUTE", 15, 20, 5)
    ]
