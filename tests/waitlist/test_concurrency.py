"""Never more people told than units, under real concurrency: several deliveries of the
restock event (and the sweep) at once, each in its own transaction on its own connection,
on SQLite and PostgreSQL databases of their own."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from mercato.models import EmailMessage, StockAlert
from mercato.waitlist import service
from tests.inventory.support import make_product
from tests.inventory.test_concurrency import database  # noqa: F401 - the fixture


async def _deliver(database, runtime, product_id: int) -> int:  # noqa: F811
    async with database.transaction(write=True) as session:
        return await service.notify_returned(session, runtime, product_id)


async def test_five_concurrent_deliveries_tell_three_people_for_three_units(database, runtime):  # noqa: F811
    # Given 30 people waiting for a sold-out essence that now has 3 units
    async with database.transaction() as session:
        product = await make_product(session, stock=0)
        for n in range(30):
            await service.request_alert(session, product.id, f"c{n:02}@example.com")
        from mercato.models import Inventory

        inventory = await session.get(Inventory, product.id)
        inventory.quantity = 3
    # When five deliveries run at the same moment
    told = await asyncio.gather(*(_deliver(database, runtime, product.id) for _ in range(5)))
    # Then exactly three people were told, the three oldest, each once
    assert sum(told) == 3
    async with database.transaction() as session:
        notified = list(
            await session.scalars(
                select(StockAlert.email)
                .where(StockAlert.notified_at.is_not(None))
                .order_by(StockAlert.id)
            )
        )
        emails = await session.scalar(select(func.count()).select_from(EmailMessage))
    assert notified == ["c00@example.com", "c01@example.com", "c02@example.com"]
    assert emails == 3
