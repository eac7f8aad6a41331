"""Requests for quotation beyond the top tier (issue 4): a verified buyer asks for a price
for a quantity at or above the product's top tier, staff (or the product's seller) answer
with a unit price and an expiry, the buyer accepts, and the accepted price then prices the
cart line of exactly that product and quantity until it expires or is ordered.

States: requested → answered → accepted → ordered; requested/answered → withdrawn (buyer);
answered → declined (buyer). An answer may be revised while it is not accepted.

Import as ``from mercato.wholesale import quotes as quote_service``.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.errors import Conflict, NotFound, ValidationFailed
from mercato.kit.time import utcnow
from mercato.models.catalog import Product
from mercato.models.identity import User
from mercato.models.wholesale import QuoteRequest
from mercato.platform.outbox import emit
from mercato.wholesale import pricing

MESSAGE_MAX = 2000
MAX_VALID_DAYS = 90
QUOTE_REQUESTED = "wholesale.quote_requested"
QUOTE_ANSWERED = "wholesale.quote_answered"


async def _number(db: AsyncSession) -> str:
    for _ in range(10):
        number = f"RFQ-{secrets.randbelow(900_000) + 100_000}"
        if await db.scalar(select(QuoteRequest.id).where(QuoteRequest.number == number)) is None:
            return number
    return f"RFQ-{secrets.randbelow(90_000_000) + 10_000_000}"


def is_live(quote: QuoteRequest, now: datetime | None = None) -> bool:
    """An answer that can still be accepted (or an acceptance still valid for ordering)."""
    now = now or utcnow()
    return quote.valid_until is not None and quote.valid_until > now


async def request_quote(
    db: AsyncSession,
    *,
    user: User,
    company_id: int | None,
    product: Product,
    terms: pricing.Terms,
    quantity: int,
    message: str = "",
    currency: str,
) -> QuoteRequest:
    """A buyer asks; the quantity must reach the top tier (below it the tiers answer)."""
    if not isinstance(quantity, int) or quantity < 1:
        raise ValidationFailed("Enter the quantity you need.", field="quantity")
    top = pricing.top_tier_min(terms) or max(terms.moq, 1)
    if quantity < top:
        raise ValidationFailed(
            f"Quotes are for {top:,} units or more; below that the volume tiers apply.",
            field="quantity",
        )
    if quantity > pricing.MAX_WHOLESALE_LINE_QUANTITY:
        raise ValidationFailed(
            f"At most {pricing.MAX_WHOLESALE_LINE_QUANTITY:,} units per request.",
            field="quantity",
        )
    problem = pricing.check_quantity(terms, quantity, name=product.name)
    if problem is not None:
        raise ValidationFailed(problem.message, field="quantity", code=problem.code)
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX:
        raise ValidationFailed(f"At most {MESSAGE_MAX} characters.", field="message")
    quote = QuoteRequest(
        number=await _number(db),
        user_id=user.id,
        company_id=company_id,
        product_id=product.id,
        quantity=quantity,
        message=message,
        status="requested",
        currency=currency,
        list_unit_price=pricing.unit_price_for(terms, quantity),
    )
    db.add(quote)
    await db.flush()
    await emit(db, QUOTE_REQUESTED, {"quote_id": quote.id})
    return quote


async def get_for_buyer(db: AsyncSession, user_id: int, number: str) -> QuoteRequest:
    """The buyer's own quote; another buyer's number is "not found", never "forbidden"."""
    quote = await db.scalar(
        select(QuoteRequest).where(QuoteRequest.number == number, QuoteRequest.user_id == user_id)
    )
    if quote is None:
        raise NotFound("No such quote.", field="number")
    return quote


async def get(db: AsyncSession, number: str) -> QuoteRequest:
    quote = await db.scalar(select(QuoteRequest).where(QuoteRequest.number == number))
    if quote is None:
        raise NotFound("No such quote.", field="number")
    return quote


async def list_for_buyer(db: AsyncSession, user_id: int, limit: int = 50) -> list[QuoteRequest]:
    return list(
        await db.scalars(
            select(QuoteRequest)
            .where(QuoteRequest.user_id == user_id)
            .order_by(QuoteRequest.id.desc())
            .limit(limit)
        )
    )


async def list_for_staff(
    db: AsyncSession, *, product_ids: set[int] | None = None, limit: int = 100
) -> list[QuoteRequest]:
    """Every quote (admins) or those of ``product_ids`` (a seller's own products)."""
    query = select(QuoteRequest).order_by(QuoteRequest.id.desc()).limit(limit)
    if product_ids is not None:
        if not product_ids:
            return []
        query = query.where(QuoteRequest.product_id.in_(product_ids))
    return list(await db.scalars(query))


async def answer(
    db: AsyncSession,
    quote: QuoteRequest,
    *,
    unit_price: int,
    valid_days: int,
    note: str = "",
    actor_id: int,
    now: datetime | None = None,
) -> QuoteRequest:
    """Staff or the product's seller set the price and how long it holds."""
    now = now or utcnow()
    if quote.status not in ("requested", "answered"):
        raise Conflict(f"This quote is {quote.status} and cannot be answered.", field="status")
    if not isinstance(unit_price, int) or unit_price <= 0:
        raise ValidationFailed("Enter a unit price above zero.", field="unit_price")
    if not isinstance(valid_days, int) or not 1 <= valid_days <= MAX_VALID_DAYS:
        raise ValidationFailed(
            f"A quote holds between 1 and {MAX_VALID_DAYS} days.", field="valid_days"
        )
    note = (note or "").strip()
    if len(note) > MESSAGE_MAX:
        raise ValidationFailed(f"At most {MESSAGE_MAX} characters.", field="note")
    quote.unit_price = unit_price
    quote.valid_until = now + timedelta(days=valid_days)
    quote.answer_note = note
    quote.answered_by = actor_id
    quote.answered_at = now
    quote.status = "answered"
    await db.flush()
    await emit(db, QUOTE_ANSWERED, {"quote_id": quote.id})
    return quote


async def accept(db: AsyncSession, quote: QuoteRequest, now: datetime | None = None) -> None:
    now = now or utcnow()
    if quote.status != "answered":
        raise Conflict("Only an answered quote can be accepted.", field="status")
    if not is_live(quote, now):
        raise Conflict("This quote has expired; ask for a new one.", field="valid_until")
    quote.status = "accepted"
    quote.accepted_at = now
    await db.flush()


async def decline(db: AsyncSession, quote: QuoteRequest) -> None:
    if quote.status == "answered":
        quote.status = "declined"
    elif quote.status == "requested":
        quote.status = "withdrawn"
    else:
        raise Conflict(f"This quote is {quote.status}.", field="status")
    await db.flush()


async def accepted_prices(
    db: AsyncSession, user_id: int, now: datetime | None = None
) -> dict[tuple[int, int], QuoteRequest]:
    """(product id, quantity) → the buyer's accepted, unexpired quote for it."""
    now = now or utcnow()
    rows = await db.scalars(
        select(QuoteRequest).where(
            QuoteRequest.user_id == user_id,
            QuoteRequest.status == "accepted",
            QuoteRequest.valid_until > now,
        )
    )
    return {(q.product_id, q.quantity): q for q in rows}


async def mark_ordered(
    db: AsyncSession,
    user_id: int,
    order_id: int,
    lines: list[tuple[int, int, int]],
    now: datetime | None = None,
) -> None:
    """After an order is placed: the accepted quotes whose (product, quantity, price) it
    used become "ordered", so one acceptance prices one order. ``now`` is when the order
    was placed (a quote valid then counts even if the event is delivered later)."""
    quoted = await accepted_prices(db, user_id, now)
    for product_id, quantity, unit_price in lines:
        quote = quoted.get((product_id, quantity))
        if quote is not None and quote.unit_price == unit_price:
            quote.status = "ordered"
            quote.order_id = order_id
    await db.flush()
