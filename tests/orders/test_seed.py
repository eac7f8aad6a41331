"""The demo order: built from the seeded catalogue with real stock movements; idempotent."""

from __future__ import annotations

from sqlalchemy import func, select

from mercato.catalog.seed import seed_catalog
from mercato.models.inventory import Inventory, StockMovement
from mercato.models.orders import Order, OrderEvent
from mercato.orders.seed import seed_orders
from mercato.platform.files import LocalStorage
from mercato.platform.seeding import SeedContext, ensure_user, sync_roles


async def _context(db, runtime, tmp_path) -> SeedContext:
    roles = await sync_roles(db, runtime.modules)
    shopper, _ = await ensure_user(
        db,
        roles,
        email="shopper@atelier-arome.test",
        password="Neroli-Morning-Walk-7",
        name="Clara Whitfield",
        role_names=["customer"],
    )
    config = runtime.config
    return SeedContext(
        config=config,
        settings=runtime.settings,
        seed_dir=config.seed_dir,
        storage=LocalStorage(tmp_path, url_prefix="/files"),
        users={shopper.email: shopper},
    )


async def test_without_products_the_order_is_skipped(db, runtime, tmp_path):
    ctx = await _context(db, runtime, tmp_path)
    summary = await seed_orders(db, ctx)
    assert "skipped AA-DEMO-1001" in summary
    assert await db.scalar(select(func.count()).select_from(Order)) == 0


async def test_demo_order_is_delivered_with_a_consistent_ledger(db, runtime, tmp_path):
    ctx = await _context(db, runtime, tmp_path)
    await seed_catalog(db, ctx)
    assert (await seed_orders(db, ctx)).startswith("1 demo orders")
    assert (await seed_orders(db, ctx)).startswith("0 demo orders")  # idempotent
    order = await db.scalar(select(Order).where(Order.number == "AA-DEMO-1001"))
    assert (order.status, order.payment_status) == ("delivered", "paid")
    assert (
        order.total
        == order.subtotal + order.shipping_total + order.gift_wrap_total + order.tax_total
    )
    statuses = list(
        await db.scalars(
            select(OrderEvent.to_status)
            .where(OrderEvent.order_id == order.id)
            .order_by(OrderEvent.created_at)
        )
    )
    assert statuses == ["confirmed", "processing", "shipped", "delivered"]
    # The ledger adds up to the counters for every product
    for inventory in await db.scalars(select(Inventory)):
        moved = await db.scalar(
            select(func.coalesce(func.sum(StockMovement.quantity_delta), 0)).where(
                StockMovement.product_id == inventory.product_id
            )
        )
        assert moved == inventory.quantity
        assert inventory.reserved == 0
