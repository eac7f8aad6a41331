"""Wholesale terms of products and how they price cart lines.

The rules are the pure functions of ``mercato.wholesale.pricing``; this module loads a
product's terms into them, saves terms an admin typed, and is the cart's CartRules for a
store that runs the ``wholesale`` module: the tier's unit price on every line, MOQ and case
pack checked with a one-click fix, prices withheld from anyone who may not see them.

Import as ``from mercato.wholesale import service as wholesale_service``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from mercato.kit.errors import PermissionDenied, ValidationFailed
from mercato.models.catalog import Product
from mercato.models.identity import User
from mercato.models.wholesale import PriceTier, WholesaleTerms
from mercato.wholesale import pricing
from mercato.wholesale.pricing import Terms, Tier

if TYPE_CHECKING:
    from mercato.cart.service import CartLine
    from mercato.models.commerce import Cart

MAX_TIERS = 8
VERIFY_MESSAGE = "Verify your business to see wholesale prices and order."


class QuantityRefused(ValidationFailed):
    """A quantity the terms do not allow; ``fix_quantity`` is the nearest one that is."""

    def __init__(self, message: str, *, fix_quantity: int | None, code: str) -> None:
        super().__init__(message, field="quantity", code=code)
        self.fix_quantity = fix_quantity


# ---------------------------------------------------------------- reading terms


async def terms_rows(db: AsyncSession, product_ids: list[int]) -> dict[int, WholesaleTerms]:
    """product id → its terms with tiers (two queries whatever the number of products)."""
    if not product_ids:
        return {}
    rows = await db.scalars(
        select(WholesaleTerms)
        .where(WholesaleTerms.product_id.in_(product_ids))
        .options(selectinload(WholesaleTerms.tiers))
    )
    return {row.product_id: row for row in rows}


def terms_of(product: Product, row: WholesaleTerms | None) -> Terms:
    """The pure-function view of a product's terms; the wholesale price is the product's
    price. A product without a row sells from 1 unit at its price."""
    if row is None:
        return Terms(wholesale_price=product.price)
    return Terms(
        wholesale_price=product.price,
        moq=row.moq,
        order_multiple=row.order_multiple,
        tiers=tuple(Tier(t.min_qty, t.unit_price) for t in row.tiers),
    )


async def terms_for(db: AsyncSession, product: Product) -> tuple[Terms, WholesaleTerms | None]:
    row = (await terms_rows(db, [product.id])).get(product.id)
    return terms_of(product, row), row


# ---------------------------------------------------------------- who sees prices


async def can_see_prices(db: AsyncSession, user: User | None) -> bool:
    """The seed's "View Wholesale $" row: admins and staff with the permission, sellers, and
    buyers of a verified company (b2b's rules); nobody signed out."""
    if user is None:
        return False
    from mercato.b2b import access  # the b2b module owns the permission matrix

    return (await access.abilities_for(db, user)).view_wholesale_prices


async def can_order(db: AsyncSession, user: User | None) -> bool:
    if user is None:
        return False
    from mercato.b2b import access

    return (await access.abilities_for(db, user)).place_orders


# ---------------------------------------------------------------- saving terms


@dataclass
class TermsIn:
    price: int  # the wholesale price (Product.price), minor units
    moq: int = 1
    order_multiple: int = 1
    reorder_level: int = 0
    tiers: tuple[Tier, ...] = ()


def check_terms_in(data: TermsIn) -> Terms:
    """The admin's input as Terms, or ValidationFailed naming the first wrong field."""
    if data.reorder_level < 0:
        raise ValidationFailed("The reorder level cannot be negative.", field="reorder_level")
    if len(data.tiers) > MAX_TIERS:
        raise ValidationFailed(f"At most {MAX_TIERS} tiers.", field="tiers")
    terms = Terms(
        wholesale_price=data.price,
        moq=data.moq,
        order_multiple=data.order_multiple,
        tiers=data.tiers,
    )
    problems = pricing.check_terms(terms)
    if problems:
        field, message = problems[0]
        raise ValidationFailed(message, field=field)
    return terms


async def save_terms(db: AsyncSession, product: Product, data: TermsIn) -> WholesaleTerms:
    """Create or replace a product's terms and tiers; the price becomes the product's."""
    terms = check_terms_in(data)
    row = (await terms_rows(db, [product.id])).get(product.id)
    if row is None:
        row = WholesaleTerms(product_id=product.id, tiers=[])
        db.add(row)
    row.moq = terms.moq
    row.order_multiple = terms.order_multiple
    row.reorder_level = data.reorder_level
    # Replace the tiers: delete first so a tier moved to another quantity does not collide
    # with the unique (terms, min_qty) key on flush.
    row.tiers.clear()
    await db.flush()
    row.tiers.extend(PriceTier(min_qty=t.min_qty, unit_price=t.unit_price) for t in terms.tiers)
    product.price = terms.wholesale_price
    await db.flush()
    return row


# ---------------------------------------------------------------- the cart's rules


async def _user(db: AsyncSession, user_id: int | None) -> User | None:
    return await db.get(User, user_id) if user_id is not None else None


async def adjust_cart_lines(db: AsyncSession, cart: Cart, lines: list[CartLine]) -> None:
    """CartRules.adjust: price each line by its tier (or an accepted quote), flag MOQ and
    case-pack problems with the one-click fix, hide prices from who may not see them."""
    from mercato.wholesale import quotes

    user = await _user(db, cart.user_id)
    if not await can_see_prices(db, user):
        for line in lines:
            # Zero, not just hidden: totals computed from the view (checkout quotes) then
            # reveal nothing either.
            line.price = 0
            line.price_hidden = True
            line.problem = line.problem or VERIFY_MESSAGE
        return
    rows = await terms_rows(db, [line.product.id for line in lines])
    quoted = await quotes.accepted_prices(db, cart.user_id) if cart.user_id else {}
    for line in lines:
        terms = terms_of(line.product, rows.get(line.product.id))
        quote = quoted.get((line.product.id, line.quantity))
        if quote is not None:
            line.price = quote.unit_price
            line.note = f"Quoted price ({quote.number}), valid until {quote.valid_until:%d %b %Y}."
            continue
        priced = pricing.price_line(terms, line.quantity)
        line.price = priced.unit_price
        if line.problem:
            continue  # stock problems first: the fix is the stock's
        problem = pricing.check_quantity(terms, line.quantity, name=line.product.name)
        if problem is not None:
            line.problem = problem.message
            line.fix_quantity = problem.fix_quantity
        elif priced.tier is not None and priced.saving > 0:
            line.note = f"Volume price from {priced.tier.min_qty} units applied to every unit."


async def check_cart_quantity(
    db: AsyncSession, cart: Cart, product: Product, quantity: int
) -> None:
    """CartRules.check, before units are added: only who may order adds, and only
    quantities the terms allow (the refusal names the nearest one that is)."""
    user = await _user(db, cart.user_id)
    if not await can_order(db, user):
        raise PermissionDenied(
            "Only verified businesses can order. Verify your business first.",
            field="product_id",
            code="verify_business",
        )
    terms, _ = await terms_for(db, product)
    problem = pricing.check_quantity(terms, quantity, name=product.name)
    if problem is not None:
        message = problem.message
        if problem.fix_quantity is not None:
            message += f" Add {problem.fix_quantity} instead?"
        raise QuantityRefused(message, fix_quantity=problem.fix_quantity, code=problem.code)
