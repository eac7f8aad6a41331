"""The profit ledger: written once when an order is paid, reversed (never edited) when it is
cancelled or refunded."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from mercato.models import OutboxEvent
from mercato.models.profit import ProfitEntry
from mercato.platform.outbox import HandlerContext
from mercato.platform.worker import process_batch
from mercato.profit import service, settings


async def entries(db, order) -> list[ProfitEntry]:
    return list(
        await db.scalars(
            select(ProfitEntry).where(ProfitEntry.order_id == order.id).order_by(ProfitEntry.id)
        )
    )


async def deliver(wholesale, db, event_type: str, payload: dict) -> None:
    event = OutboxEvent(event_type=event_type, payload=payload)
    db.add(event)
    await db.flush()
    ctx = HandlerContext(runtime=wholesale, db=db, event=event)
    for handler in wholesale.modules.handlers_for(event_type):
        await handler(ctx, event)


async def test_seed_order_profit_is_written_when_paid(
    wdb, wholesale, buyer, seller, make_product, make_order
):
    # Given the seed's product (৳135 tier price, ৳80 cost) of a seller, and 100 units paid
    product = await make_product(price=13_500, cost=8_000, seller=seller)
    order = await make_order(buyer, [(product, 100)])
    # When the core's order.paid event is delivered
    await deliver(wholesale, wdb, "order.paid", {"order_id": order.id, "number": order.number})
    # Then one sale row holds the seed's figures (poisha) and the rates used
    (row,) = await entries(wdb, order)
    assert (row.revenue, row.cost, row.gross_profit) == (1_350_000, 800_000, 550_000)
    assert (row.platform_share, row.seller_share, row.final_platform) == (82_500, 93_500, 456_500)
    assert row.profit_per_unit == 5_500
    assert (row.platform_bp, row.seller_bp, row.seller_id) == (1500, 2000, seller.id)
    summary = await service.order_summary(wdb, order.id)
    assert summary.gross_profit - summary.platform_share == 467_500  # the seed's "remaining"


async def test_delivered_twice_or_by_several_events_writes_once(
    wdb, wholesale, buyer, make_product, make_order
):
    order = await make_order(buyer, [(await make_product(), 3), (await make_product(), 4)])
    for event in ("order.paid", "order.paid", "order.processing", "order.shipped"):
        await deliver(wholesale, wdb, event, {"order_id": order.id})
    assert len(await entries(wdb, order)) == 2


async def test_unpaid_order_has_no_profit(wdb, wholesale, buyer, make_product, make_order):
    order = await make_order(buyer, [(await make_product(), 10)], paid=False)
    await deliver(wholesale, wdb, "order.placed", {"order_id": order.id})
    await deliver(wholesale, wdb, "order.cancelled", {"order_id": order.id})
    assert await entries(wdb, order) == []


async def test_without_a_seller_the_platform_keeps_everything(
    wdb, wholesale, buyer, make_product, make_order
):
    order = await make_order(buyer, [(await make_product(price=13_500, cost=8_000), 100)])
    await deliver(wholesale, wdb, "order.paid", {"order_id": order.id})
    (row,) = await entries(wdb, order)
    assert row.seller_share == 0 and row.final_platform == 550_000 and row.seller_id is None


async def test_product_rate_and_config_in_force_at_payment(
    wdb, wholesale, admin, buyer, seller, make_product, make_order
):
    product = await make_product(price=13_500, cost=8_000, seller=seller)
    await settings.set_product_rate(wdb, product.id, "10", actor=admin)
    await settings.set_value(wdb, settings.SELLER, 25, actor=admin)
    order = await make_order(buyer, [(product, 100)])
    await deliver(wholesale, wdb, "order.paid", {"order_id": order.id})
    (row,) = await entries(wdb, order)
    # platform 10 % of 5,500 = 550; remaining 4,950 × 25 % = 1,237.50
    assert row.platform_share == 55_000
    assert row.seller_share == 123_750
    # A later change does not touch the recorded order
    await settings.set_value(wdb, settings.SELLER, 5, actor=admin)
    await deliver(wholesale, wdb, "order.paid", {"order_id": order.id})
    assert [r.seller_share for r in await entries(wdb, order)] == [123_750]


async def test_cancellation_writes_a_reversal_and_nets_to_zero(
    wdb, wholesale, buyer, seller, make_product, make_order
):
    order = await make_order(
        buyer, [(await make_product(seller=seller), 100), (await make_product(), 7)]
    )
    await deliver(wholesale, wdb, "order.paid", {"order_id": order.id})
    sales = [(r.id, r.revenue) for r in await entries(wdb, order)]
    await deliver(wholesale, wdb, "order.cancelled", {"order_id": order.id})
    await deliver(wholesale, wdb, "order.cancelled", {"order_id": order.id})  # redelivered
    rows = await entries(wdb, order)
    assert [(r.id, r.revenue) for r in rows if r.kind == "sale"] == sales  # never edited
    assert len([r for r in rows if r.kind == "reversal"]) == 2
    summary = await service.order_summary(wdb, order.id)
    assert summary == type(summary)(0, 0, 0, 0, 0, 0, 0)


async def test_partial_refund_takes_back_its_share_then_full_refund_the_rest(
    wdb, wholesale, buyer, seller, make_product, make_order
):
    order = await make_order(
        buyer, [(await make_product(price=13_500, cost=8_000, seller=seller), 100)]
    )
    await deliver(wholesale, wdb, "order.paid", {"order_id": order.id})
    # A quarter of the order's total comes back
    await deliver(
        wholesale,
        wdb,
        "order.refunded_partially",
        {"order_id": order.id, "amount": order.total // 4},
    )
    summary = await service.order_summary(wdb, order.id)
    assert summary.revenue == 1_012_500 and summary.cost == 600_000
    assert summary.seller_share == 93_500 - 23_375
    assert summary.seller_share + summary.final_platform == summary.gross_profit
    await deliver(wholesale, wdb, "order.refunded", {"order_id": order.id})
    assert (await service.order_summary(wdb, order.id)).revenue == 0


async def test_paid_through_the_core_and_the_worker(
    wdb, wholesale, buyer, make_product, make_order
):
    # Given a pending order paid by the core's service (it emits order.paid to the outbox)
    from mercato.orders import service as orders_service

    order = await make_order(buyer, [(await make_product(), 5)], paid=False)
    await orders_service.mark_paid(
        wdb, wholesale, order, provider="sandbox", reference="r-1", payment_id="p-1"
    )
    await wdb.commit()
    # When the worker delivers the events
    while await process_batch(wholesale):
        pass
    # Then the order has its profit rows
    count = await wdb.scalar(
        select(func.count()).select_from(ProfitEntry).where(ProfitEntry.order_id == order.id)
    )
    assert count == 1


async def test_settings_history_and_validation(wdb, admin):
    values = await settings.current(wdb)
    assert values[settings.PLATFORM] == "15.00" and values[settings.SELLER] == "20.00"
    row, value = await settings.set_value(
        wdb, settings.PLATFORM, "12.5", category="profit", actor=admin, note="Eid promotion"
    )
    assert value == "12.50" and row is not None
    unchanged, _ = await settings.set_value(wdb, settings.PLATFORM, 12.5, actor=admin)
    assert unchanged is None
    await settings.set_value(wdb, settings.PLATFORM, 15, actor=admin)
    history = await settings.history(wdb, key=settings.PLATFORM)
    assert [h.value for h in history] == ["15.00", "12.50"]
    assert settings.decimal(await settings.current(wdb), settings.PLATFORM) == Decimal(15)
    import pytest

    from mercato.kit.errors import ValidationFailed

    for key, bad, category in (
        (settings.PLATFORM, "101", None),
        (settings.PLATFORM, "abc", None),
        (settings.PLATFORM, "1.234", None),
        (settings.SELLER, "10", "inventory"),
        ("unknown_key", "1", None),
        (settings.ALPHA, "0", None),
    ):
        with pytest.raises(ValidationFailed):
            await settings.set_value(wdb, key, bad, category=category, actor=admin)


async def test_offline_order_counts_when_accepted_and_reverses_when_cancelled(
    wdb, wholesale, buyer, seller, make_product, make_order
):
    # Given a pending order accepted for payment by bank transfer (confirmed, unpaid)
    from mercato.orders import service as orders_service
    from mercato.payments import offline as offline_payments
    from mercato.payments.providers.offline import OFFLINE

    product = await make_product(price=13_500, cost=8_000, seller=seller)
    order = await make_order(buyer, [(product, 100)], paid=False)
    method = next(iter(OFFLINE))
    await offline_payments.accept(wdb, wholesale, order, method)
    # When the events are delivered (as the worker would)
    await deliver(wholesale, wdb, "order.confirmed", {"order_id": order.id})
    # Then the sale is counted on acceptance (the goods are sold; the money comes later)
    (row,) = await entries(wdb, order)
    assert row.gross_profit == 550_000 and row.seller_share == 93_500
    # And recording the money later adds nothing
    await deliver(wholesale, wdb, "order.paid", {"order_id": order.id})
    assert len(await entries(wdb, order)) == 1
    # Cancelling the accepted order reverses it
    await orders_service.cancel(wdb, wholesale, order, via="staff", reason="Buyer withdrew")
    await deliver(wholesale, wdb, "order.cancelled", {"order_id": order.id})
    assert (await service.order_summary(wdb, order.id)).revenue == 0
