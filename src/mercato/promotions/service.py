"""Promotions: catalogue promotions and order vouchers.

**Which promotions combine (the stated rule).** Catalogue promotions lower a product's unit
price and always apply; when several cover one product, only the best price counts (they
never stack). An order takes at most one voucher, applied on top of the promoted prices:
a percent or fixed voucher takes its amount off the subtotal of the lines in its scope; a
free-shipping voucher waives the delivery charge and is that order's voucher. So the
shopper always gets the best catalogue price plus one voucher.

**Usage limits cannot be exceeded.** A voucher's total and per-customer uses move only in
``consume``, called by checkout inside the order's transaction, with conditional UPDATEs
(``... SET used_count = used_count + 1 WHERE id = :id AND used_count < usage_limit``)
checked by row count; a refusal raises Conflict and the whole order rolls back. The CHECK
``used_count <= usage_limit`` is the last guard.

Money is integer minor units; percentages are basis points, rounded half-up once.

Import as ``from mercato.promotions import service as promotions_service``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.db import insert_for
from mercato.kit.errors import Conflict, ValidationFailed
from mercato.kit.i18n import N_, _, current_locale
from mercato.kit.money import format_money
from mercato.kit.time import as_utc, utcnow
from mercato.models.audio import product_categories
from mercato.models.catalog import Product
from mercato.models.promotions import (
    Promotion,
    Voucher,
    VoucherCustomerUsage,
    VoucherKind,
    VoucherRedemption,
)

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,39}$")
FIELD = "voucher"
# An English msgid, translated where it is shown (cart page, API).
COMBINATION_RULE = N_(
    "A product's promotion price always applies (with several promotions, only the best "
    "price). Each order takes at most one voucher, counted on the promoted prices; a "
    "free-shipping voucher is that order's voucher too."
)


def normalise_code(raw: str) -> str:
    return "".join((raw or "").split()).upper()[:40]


def customer_key(user_id: int | None, email: str) -> str:
    return f"user:{user_id}" if user_id is not None else f"email:{(email or '').strip().lower()}"


def percent_of(amount: int, basis_points: int) -> int:
    """``amount × bp / 10000`` rounded half-up, in integers."""
    return (amount * basis_points + 5000) // 10000


# ---------------------------------------------------------------- catalogue promotions


def _live(model: Any, now: datetime) -> Any:
    return and_(
        model.is_active.is_(True),
        or_(model.starts_at.is_(None), model.starts_at <= now),
        or_(model.ends_at.is_(None), model.ends_at > now),
    )


async def active_promotions(db: AsyncSession, now: datetime | None = None) -> list[Promotion]:
    now = now or utcnow()
    return list(
        await db.scalars(select(Promotion).where(_live(Promotion, now)).order_by(Promotion.id))
    )


async def categories_of(db: AsyncSession, product_ids: list[int]) -> dict[int, set[int]]:
    """Every category of each product: its main one and its extra links (one query)."""
    found: dict[int, set[int]] = {pid: set() for pid in product_ids}
    if not product_ids:
        return found
    main = select(Product.id, Product.category_id).where(
        Product.id.in_(product_ids), Product.category_id.is_not(None)
    )
    extra = select(product_categories.c.product_id, product_categories.c.category_id).where(
        product_categories.c.product_id.in_(product_ids)
    )
    for pid, cid in await db.execute(union_all(main, extra)):
        found[pid].add(cid)
    return found


def _covers(product_ids: list[Any], category_ids: list[Any], pid: int, cats: set[int]) -> bool:
    if not product_ids and not category_ids:
        return True
    return pid in {int(p) for p in product_ids} or bool(cats & {int(c) for c in category_ids})


def promoted_price(price: int, promotion: Promotion) -> int:
    if promotion.kind == "percent":
        return max(0, price - percent_of(price, promotion.value))
    return max(0, price - promotion.value)


@dataclass(frozen=True)
class PromotedPrice:
    price: int
    was: int
    label: str

    @property
    def percent_off(self) -> int:
        """The saving in whole percent, at least 1 (a card's short badge: "−10%")."""
        return max(1, round((self.was - self.price) * 100 / self.was)) if self.was else 0


async def best_prices(
    db: AsyncSession, products: list[Product], now: datetime | None = None
) -> dict[int, PromotedPrice]:
    """The best promoted price of each product that has one (2 queries for any number)."""
    promotions = await active_promotions(db, now)
    if not promotions or not products:
        return {}
    cats = await categories_of(db, [p.id for p in products])
    best: dict[int, PromotedPrice] = {}
    for product in products:
        for promotion in promotions:
            if not _covers(
                promotion.product_ids, promotion.category_ids, product.id, cats[product.id]
            ):
                continue
            price = promoted_price(product.price, promotion)
            if price < product.price and (product.id not in best or price < best[product.id].price):
                label = (
                    f"−{promotion.value / 100:g}%"
                    if promotion.kind == "percent"
                    else promotion.name
                )
                best[product.id] = PromotedPrice(price, product.price, label)
    return best


async def adjust_cart_lines(db: AsyncSession, cart: Any, lines: list[Any]) -> None:
    """CartRules.adjust: each line at its best promoted price (checkout included)."""
    prices = await best_prices(db, [line.product for line in lines])
    for line in lines:
        found = prices.get(line.product.id)
        if found is not None and (line.price is None or found.price < line.price):
            line.price = found.price
            line.note = _("Promotion %(name)s", name=found.label)


# ---------------------------------------------------------------- vouchers


async def voucher_by_code(db: AsyncSession, code: str) -> Voucher | None:
    code = normalise_code(code)
    if not _CODE.match(code):
        return None
    return await db.scalar(select(Voucher).where(Voucher.code == code))


@dataclass(frozen=True)
class VoucherQuote:
    voucher: Voucher
    eligible: int  # subtotal of the lines in scope
    discount: int
    shipping_waived: bool


async def evaluate(
    db: AsyncSession,
    voucher: Voucher | None,
    lines: list[tuple[int, int]],  # (product id, line total after catalogue promotions)
    *,
    shipping: int = 0,
    user_id: int | None = None,
    email: str = "",
    now: datetime | None = None,
) -> VoucherQuote:
    """What ``voucher`` takes off these lines now, or ValidationFailed (field "voucher")
    saying why it does not apply."""
    now = now or utcnow()
    if voucher is None or not voucher.is_active:
        raise ValidationFailed(_("This voucher does not exist or has ended."), field=FIELD)
    if voucher.starts_at is not None and as_utc(voucher.starts_at) > now:
        raise ValidationFailed(_("This voucher cannot be used yet."), field=FIELD)
    if voucher.ends_at is not None and as_utc(voucher.ends_at) <= now:
        raise ValidationFailed(_("This voucher has expired."), field=FIELD)
    if voucher.usage_limit is not None and voucher.used_count >= voucher.usage_limit:
        raise ValidationFailed(_("This voucher has been used up."), field=FIELD)
    if voucher.per_customer_limit is not None and (user_id is not None or email):
        used = await db.scalar(
            select(VoucherCustomerUsage.used).where(
                VoucherCustomerUsage.voucher_id == voucher.id,
                VoucherCustomerUsage.customer_key == customer_key(user_id, email),
            )
        )
        if (used or 0) >= voucher.per_customer_limit:
            raise ValidationFailed(_("You have used up this voucher."), field=FIELD)
    cats = await categories_of(db, [pid for pid, _total in lines])
    eligible = sum(
        total
        for pid, total in lines
        if _covers(voucher.product_ids, voucher.category_ids, pid, cats.get(pid, set()))
    )
    if eligible <= 0:
        raise ValidationFailed(_("No product in the cart is covered by this voucher."), field=FIELD)
    if eligible < voucher.min_order:
        # The store's currency (the module serves Audio Tài Lộc, VND), in the request's
        # number format: "500.000 ₫" in Vietnamese, "₫500,000" in English.
        raise ValidationFailed(
            _(
                "This voucher applies to orders from %(amount)s.",
                amount=format_money(voucher.min_order, "VND", current_locale("vi-VN")),
            ),
            field=FIELD,
        )
    if voucher.kind == VoucherKind.FREE_SHIPPING:
        return VoucherQuote(voucher, eligible, 0, True)
    if voucher.kind == VoucherKind.PERCENT:
        discount = percent_of(eligible, voucher.value)
        if voucher.max_discount is not None:
            discount = min(discount, voucher.max_discount)
    else:
        discount = voucher.value
    return VoucherQuote(voucher, eligible, min(discount, eligible), False)


def _upsert_usage(db: AsyncSession, voucher_id: int, key: str) -> Any:
    insert = insert_for(db.get_bind().dialect.name)
    return (
        insert(VoucherCustomerUsage)
        .values(voucher_id=voucher_id, customer_key=key, used=0)
        .on_conflict_do_nothing(index_elements=["voucher_id", "customer_key"])
    )


async def consume(
    db: AsyncSession,
    voucher_id: int,
    *,
    order_id: int,
    user_id: int | None,
    email: str,
    discount: int,
    shipping_waived: int,
) -> VoucherRedemption:
    """Count one use of the voucher for this order, or Conflict when a limit is reached.
    Conditional UPDATEs checked by row count: concurrent orders queue on the voucher row
    (PostgreSQL row lock; SQLite's single writer), and the loser sees the new count."""
    now = utcnow()
    counted = await db.execute(
        update(Voucher)
        .where(
            Voucher.id == voucher_id,
            Voucher.is_active.is_(True),
            or_(Voucher.usage_limit.is_(None), Voucher.used_count < Voucher.usage_limit),
            or_(Voucher.ends_at.is_(None), Voucher.ends_at > now),
        )
        .values(used_count=Voucher.used_count + 1)
        .returning(Voucher.code, Voucher.per_customer_limit)
        .execution_options(synchronize_session=False)
    )
    row = counted.first()
    if row is None:
        raise Conflict(
            _("This voucher has just been used up."), field=FIELD, code="voucher_used_up"
        )
    code, per_customer = row
    key = customer_key(user_id, email)
    await db.execute(_upsert_usage(db, voucher_id, key))
    mine = await db.execute(
        update(VoucherCustomerUsage)
        .where(
            VoucherCustomerUsage.voucher_id == voucher_id,
            VoucherCustomerUsage.customer_key == key,
            or_(
                VoucherCustomerUsage.used < per_customer
                if per_customer is not None
                else VoucherCustomerUsage.used >= 0
            ),
        )
        .values(used=VoucherCustomerUsage.used + 1)
        .returning(VoucherCustomerUsage.used)
        .execution_options(synchronize_session=False)
    )
    if mine.first() is None:
        raise Conflict(
            _("You have used up this voucher."), field=FIELD, code="voucher_customer_limit"
        )
    redemption = VoucherRedemption(
        voucher_id=voucher_id,
        order_id=order_id,
        code=code,
        customer_key=key,
        discount=discount,
        shipping_waived=shipping_waived,
    )
    db.add(redemption)
    await db.flush()
    return redemption
