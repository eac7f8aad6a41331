"""The profit ledger: an order's profit is written when it is paid, per line, and taken back
by reversing rows when it is cancelled or refunded. Nothing in the ledger is ever edited.

Why payment and not placement: a wholesale order that is never paid (an expired bank
transfer) earned nothing, and writing then reversing it would only add noise to reports.
The figures use what was in force when the order was paid: the line's price (store currency,
as checkout snapshotted it), the product's cost price, the product's platform % (or the
store's) and the store's seller %. Entries are keyed (line, kind, cause) and every handler
checks before writing, so an event delivered twice writes once.

Import as ``from mercato.profit import service as profit_service``.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.b2b import access
from mercato.kit.time import utcnow
from mercato.models.catalog import Product
from mercato.models.orders import Order, OrderLine
from mercato.models.profit import ProfitEntry
from mercato.profit import calc, settings

if TYPE_CHECKING:
    from mercato.models import OutboxEvent
    from mercato.platform.outbox import HandlerContext

log = logging.getLogger(__name__)
SALE = "sale"
REVERSAL = "reversal"
# Order events after which an order counts as sold; any of them records the sale (once), so
# orders confirmed without an online payment (cash on delivery, net terms) count too.
SOLD_EVENTS = (
    "order.paid",
    "order.confirmed",
    "order.processing",
    "order.shipped",
    "order.delivered",
)
ENDED_EVENTS = ("order.cancelled", "order.refunded")
PARTIAL_REFUND_EVENT = "order.refunded_partially"
UNPAID = ("pending",)


async def sellers_of(db: AsyncSession, product_ids: list[int]) -> dict[int, int]:
    """product id → seller id (the b2b module's product ownership)."""
    return await access.sellers_of_products(db, product_ids)


def _bp(rate: Decimal) -> int:
    return int(rate * 100)


async def record_sale(db: AsyncSession, order: Order, *, store_currency: str) -> list[ProfitEntry]:
    """Write the sale rows of ``order`` (idempotent); returns the rows written now."""
    if order.status in UNPAID:
        return []
    lines = list(
        await db.scalars(
            select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)
        )
    )
    done = set(
        await db.scalars(
            select(ProfitEntry.order_line_id).where(
                ProfitEntry.order_id == order.id, ProfitEntry.kind == SALE
            )
        )
    )
    todo = [ln for ln in lines if ln.id not in done]
    if not todo:
        return []
    product_ids = [ln.product_id for ln in todo if ln.product_id]
    costs = (
        dict(
            (
                await db.execute(
                    select(Product.id, Product.cost_price).where(Product.id.in_(product_ids))
                )
            ).all()
        )
        if product_ids
        else {}
    )
    values = await settings.current(db)
    default_platform = settings.decimal(values, settings.PLATFORM)
    seller_rate = settings.decimal(values, settings.SELLER)
    overrides = await settings.product_rates(db, product_ids)
    sellers = await sellers_of(db, product_ids)
    when = order.paid_at or utcnow()
    written = []
    for line in todo:
        unit_price = int((line.snapshot or {}).get("store_unit_price") or line.unit_price)
        unit_cost = int(costs.get(line.product_id) or 0)
        seller_id = sellers.get(line.product_id) if line.product_id else None
        platform_rate = overrides.get(line.product_id, default_platform)
        # Without a seller, the seller's share stays with the platform.
        share_rate = seller_rate if seller_id is not None else Decimal(0)
        profit = calc.calculate_product_profit(
            quantity=line.quantity,
            unit_price=unit_price,
            unit_cost=unit_cost,
            platform_percentage=platform_rate,
            seller_percentage=share_rate,
        )
        entry = ProfitEntry(
            order_id=order.id,
            order_line_id=line.id,
            order_number=order.number,
            product_id=line.product_id,
            seller_id=seller_id,
            sku=line.sku,
            name=line.name,
            kind=SALE,
            reference="",
            currency=store_currency,
            quantity=line.quantity,
            unit_price=unit_price,
            unit_cost=unit_cost,
            revenue=profit.revenue,
            cost=profit.cost,
            gross_profit=profit.gross_profit,
            platform_share=profit.platform_share,
            seller_share=profit.seller_share,
            final_platform=profit.final_platform,
            platform_bp=_bp(platform_rate),
            seller_bp=_bp(share_rate),
            occurred_at=when,
        )
        db.add(entry)
        written.append(entry)
    await db.flush()
    return written


async def _net_by_line(
    db: AsyncSession, order_id: int
) -> dict[int, tuple[ProfitEntry, calc.Reversal]]:
    """Per line: its sale row and what is left of it after earlier reversals."""
    sales = {
        e.order_line_id: e
        for e in await db.scalars(
            select(ProfitEntry).where(ProfitEntry.order_id == order_id, ProfitEntry.kind == SALE)
        )
    }
    if not sales:
        return {}
    sums = await db.execute(
        select(
            ProfitEntry.order_line_id,
            func.sum(ProfitEntry.quantity),
            func.sum(ProfitEntry.revenue),
            func.sum(ProfitEntry.cost),
            func.sum(ProfitEntry.gross_profit),
            func.sum(ProfitEntry.platform_share),
            func.sum(ProfitEntry.seller_share),
            func.sum(ProfitEntry.final_platform),
        )
        .where(ProfitEntry.order_id == order_id)
        .group_by(ProfitEntry.order_line_id)
    )
    out = {}
    for row in sums.all():
        line_id, *figures = row
        if line_id in sales:
            out[line_id] = (sales[line_id], calc.Reversal(*(int(f or 0) for f in figures)))
    return out


def _reversal_row(sale: ProfitEntry, back: calc.Reversal, reference: str) -> ProfitEntry:
    return ProfitEntry(
        order_id=sale.order_id,
        order_line_id=sale.order_line_id,
        order_number=sale.order_number,
        product_id=sale.product_id,
        seller_id=sale.seller_id,
        sku=sale.sku,
        name=sale.name,
        kind=REVERSAL,
        reference=reference[:60],
        currency=sale.currency,
        quantity=-back.quantity,
        unit_price=sale.unit_price,
        unit_cost=sale.unit_cost,
        revenue=-back.revenue,
        cost=-back.cost,
        gross_profit=-back.gross_profit,
        platform_share=-back.platform_share,
        seller_share=-back.seller_share,
        final_platform=-back.final_platform,
        platform_bp=sale.platform_bp,
        seller_bp=sale.seller_bp,
        occurred_at=utcnow(),
    )


async def _already(db: AsyncSession, order_id: int, reference: str) -> bool:
    found = await db.scalar(
        select(ProfitEntry.id)
        .where(
            ProfitEntry.order_id == order_id,
            ProfitEntry.kind == REVERSAL,
            ProfitEntry.reference == reference[:60],
        )
        .limit(1)
    )
    return found is not None


async def reverse_rest(db: AsyncSession, order: Order, *, reference: str) -> list[ProfitEntry]:
    """Take back everything still counted for ``order`` (a cancellation or full refund)."""
    if await _already(db, order.id, reference):
        return []
    rows = []
    for sale, net in (await _net_by_line(db, order.id)).values():
        if not any((net.quantity, net.revenue, net.cost, net.seller_share, net.platform_share)):
            continue
        rows.append(_reversal_row(sale, net, reference))
    db.add_all(rows)
    await db.flush()
    return rows


async def reverse_partial(
    db: AsyncSession, order: Order, *, amount: int, reference: str
) -> list[ProfitEntry]:
    """Take back the share ``amount / order total`` of each line (a partial refund). The
    refund is in the order's currency and so is its total: the ratio needs no conversion."""
    if await _already(db, order.id, reference):
        return []
    rows = []
    for sale, net in (await _net_by_line(db, order.id)).values():
        original = calc.Reversal(
            sale.quantity,
            sale.revenue,
            sale.cost,
            sale.gross_profit,
            sale.platform_share,
            sale.seller_share,
            sale.final_platform,
        )
        back = calc.reverse_fraction(original, amount, order.total)
        # Never more than what is still counted on the line.
        back = calc.Reversal(
            0,
            min(back.revenue, max(net.revenue, 0)),
            min(back.cost, max(net.cost, 0)),
            0,
            min(back.platform_share, max(net.platform_share, 0)),
            min(back.seller_share, max(net.seller_share, 0)),
            0,
        )
        gross = back.revenue - back.cost
        back = calc.Reversal(
            0,
            back.revenue,
            back.cost,
            gross,
            back.platform_share,
            back.seller_share,
            gross - back.seller_share,
        )
        if back.revenue or back.cost:
            rows.append(_reversal_row(sale, back, reference))
    db.add_all(rows)
    await db.flush()
    return rows


# Outbox handlers (order events of the core). Each re-reads the order: the event may be old.


async def _order(ctx: HandlerContext, event: OutboxEvent) -> Order | None:
    order_id = event.payload.get("order_id")
    return await ctx.db.get(Order, int(order_id)) if order_id else None


async def on_sold(ctx: HandlerContext, event: OutboxEvent) -> None:
    order = await _order(ctx, event)
    if order is None or order.paid_at is None and order.status in UNPAID:
        return
    await record_sale(ctx.db, order, store_currency=ctx.runtime.config.currency)


async def on_ended(ctx: HandlerContext, event: OutboxEvent) -> None:
    order = await _order(ctx, event)
    if order is None:
        return
    # Reversals are keyed by cause; a cancelled order ends once, so "cancelled" suffices.
    await reverse_rest(ctx.db, order, reference=event.event_type.removeprefix("order."))


async def on_partial_refund(ctx: HandlerContext, event: OutboxEvent) -> None:
    order = await _order(ctx, event)
    if order is None:
        return
    await reverse_partial(
        ctx.db, order, amount=int(event.payload.get("amount") or 0), reference=f"refund:{event.id}"
    )


def event_handlers() -> dict[str, list[Any]]:
    handlers: dict[str, list[Any]] = {name: [on_sold] for name in SOLD_EVENTS}
    for name in ENDED_EVENTS:
        handlers[name] = [on_ended]
    handlers[PARTIAL_REFUND_EVENT] = [on_partial_refund]
    return handlers


async def order_summary(db: AsyncSession, order_id: int) -> calc.Reversal | None:
    """The order's net figures (sale minus reversals), or None if it has no profit rows."""
    row = (
        await db.execute(
            select(
                func.count(ProfitEntry.id),
                func.sum(ProfitEntry.quantity),
                func.sum(ProfitEntry.revenue),
                func.sum(ProfitEntry.cost),
                func.sum(ProfitEntry.gross_profit),
                func.sum(ProfitEntry.platform_share),
                func.sum(ProfitEntry.seller_share),
                func.sum(ProfitEntry.final_platform),
            ).where(ProfitEntry.order_id == order_id)
        )
    ).one()
    if not row[0]:
        return None
    return calc.Reversal(*(int(v or 0) for v in row[1:]))
