"""From cart to a placed order (seed 004 §4.4).

The checkout's answers between steps live on the cart row (``Cart.checkout`` JSON), so they
follow the shopper's cart and disappear with it. ``place_order`` re-checks everything in the
request's transaction, reserves the stock (all lines or none), writes the order with its
snapshots and empties the cart; the payment starts afterwards (mercato.payments).

Import as ``from mercato.checkout import service as checkout_service``.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.cart import service as cart_service
from mercato.cart.service import CartView
from mercato.customers.schemas import AddressIn
from mercato.inventory import service as inventory_service
from mercato.kit.errors import Conflict, NotFound, ValidationFailed, validation_message
from mercato.kit.i18n import _
from mercato.kit.time import utcnow
from mercato.models.commerce import Address, Cart
from mercato.models.orders import Order, OrderEvent, OrderLine
from mercato.platform.outbox import emit
from mercato.platform.runtime import StoreRuntime
from mercato.pricing import service as pricing_service
from mercato.pricing.currency import Conversion
from mercato.pricing.service import ShippingOption
from mercato.pricing.totals import LineIn, Totals, compute_totals

GIFT_MESSAGE_MAX = 500
NOTE_MAX = 1000
SCHEDULE_DAYS_AHEAD = 60  # how far ahead a delivery may be scheduled
ORDER_PLACED = "order.placed"
EMAIL_MAX = 254


# ---------------------------------------------------------------- state between steps


def state_of(cart: Cart | None) -> dict[str, Any]:
    return dict(cart.checkout or {}) if cart is not None else {}


def save_state(cart: Cart, **changes: Any) -> dict[str, Any]:
    """Merge ``changes`` into the cart's checkout state (a new dict, so the JSON column is
    seen as changed)."""
    state = {**state_of(cart), **changes}
    cart.checkout = state
    return state


def check_address(data: dict[str, Any], prefix: str = "address") -> dict[str, Any]:
    """AddressIn's rules with field paths ("address.city"); returns the clean address."""
    try:
        return AddressIn.model_validate(data).model_dump()
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in (prefix, *first["loc"]))
        message = validation_message(first)
        if first["type"] == "string_too_short":
            message = _("This field is required.")
        raise ValidationFailed(message[:1].upper() + message[1:], field=field) from None


def check_email(email: str) -> str:
    email = (email or "").strip()
    if not email or len(email) > EMAIL_MAX or "@" not in email or " " in email:
        raise ValidationFailed(_("Enter the email address for your order updates."), field="email")
    local, _at, domain = email.rpartition("@")
    if not local or "." not in domain:
        raise ValidationFailed(_("Enter a valid email address."), field="email")
    return email.lower()


async def saved_addresses(db: AsyncSession, user_id: int) -> list[Address]:
    return list(
        await db.scalars(
            select(Address)
            .where(Address.user_id == user_id, Address.deleted_at.is_(None))
            .order_by(Address.is_default.desc(), Address.id.desc())
            .limit(20)
        )
    )


async def saved_address(db: AsyncSession, user_id: int, address_id: int) -> Address:
    """One of the customer's own live addresses; another person's id is "not found"."""
    address = await db.scalar(
        select(Address).where(
            Address.id == address_id, Address.user_id == user_id, Address.deleted_at.is_(None)
        )
    )
    if address is None:
        raise NotFound(_("Choose one of your saved addresses."), field="address_id")
    return address


# ---------------------------------------------------------------- delivery dates


def add_working_days(start: date, days: int) -> date:
    """``days`` working days (Monday to Friday) after ``start``."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def earliest_delivery(now: datetime, timezone: str, lead_days_min: int, cutoff_hour: int) -> date:
    """The first date a parcel can arrive: it leaves today before the cut-off hour (store
    time), else the next working day; then the rate's minimum lead time in working days;
    never a Sunday."""
    local = now.astimezone(ZoneInfo(timezone))
    leaves = local.date()
    if local.hour >= cutoff_hour or leaves.weekday() >= 5:
        leaves = add_working_days(leaves, 1)
    arrives = add_working_days(leaves, lead_days_min) if lead_days_min else leaves
    if arrives.weekday() == 6:
        arrives += timedelta(days=1)
    return arrives


def check_delivery_date(
    value: str | date | None, option: ShippingOption, earliest: date
) -> date | None:
    if value in (None, ""):
        return None
    if not option.allows_scheduled_date:
        raise ValidationFailed(
            f"{option.name} cannot be scheduled for a date.", field="delivery_date"
        )
    try:
        chosen = value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed(_("Enter a date as YYYY-MM-DD."), field="delivery_date") from None
    if chosen < earliest:
        raise ValidationFailed(
            _("The earliest delivery date is %(date)s.", date=f"{earliest:%A %d %B %Y}"),
            field="delivery_date",
        )
    if chosen.weekday() == 6:
        raise ValidationFailed(_("We do not deliver on Sundays."), field="delivery_date")
    if chosen > earliest + timedelta(days=SCHEDULE_DAYS_AHEAD):
        raise ValidationFailed(
            _("Deliveries can be scheduled up to %(days)s days ahead.", days=SCHEDULE_DAYS_AHEAD),
            field="delivery_date",
        )
    return chosen


# ---------------------------------------------------------------- order discounts


@dataclass(frozen=True)
class OrderAdjustment:
    """What a module takes off an order, in store currency minor units: ``discount`` off the
    goods (the totals split it over the lines) and/or the delivery charge waived."""

    discount: int = 0
    shipping_waived: bool = False
    label: str = ""  # shown to the shopper ("Voucher LOA10")
    data: dict[str, Any] = field(default_factory=dict)  # the module's own, for ``commit``


@dataclass(frozen=True)
class OrderDiscounts:
    """A module's order-level discount (``Module.order_discounts``), so a promotions module
    prices an order without the core knowing vouchers (docs/decisions.md).

    ``compute(db, runtime, cart_view, shipping)`` runs on every quote and may read the cart's
    checkout state (the voucher typed); it returns None or an OrderAdjustment and must not
    write. ``commit(db, runtime, order, adjustment, user_id, email)`` runs inside
    ``place_order``'s transaction once the order row exists; it makes the discount final
    (a usage limit consumed by a conditional UPDATE) or raises a DomainError, which rolls
    the whole order back.
    """

    compute: Callable[
        [AsyncSession, StoreRuntime, CartView, int], Awaitable[OrderAdjustment | None]
    ]
    commit: (
        Callable[
            [AsyncSession, StoreRuntime, Order, OrderAdjustment, int | None, str], Awaitable[None]
        ]
        | None
    ) = None


def _discount_rules(runtime: StoreRuntime) -> list[OrderDiscounts]:
    found = [getattr(m, "order_discounts", None) for m in runtime.modules.modules]
    return [rules for rules in found if isinstance(rules, OrderDiscounts)]


async def order_adjustments(
    db: AsyncSession, runtime: StoreRuntime, cart: CartView, shipping: int
) -> list[tuple[OrderDiscounts, OrderAdjustment]]:
    found = []
    for rules in _discount_rules(runtime):
        adjustment = await rules.compute(db, runtime, cart, shipping)
        if adjustment is not None:
            found.append((rules, adjustment))
    return found


# ---------------------------------------------------------------- quotes


@dataclass
class Quote:
    totals: Totals
    conversion: Conversion
    option: ShippingOption | None
    options: list[ShippingOption]
    tax_name: str
    notice: str = ""
    adjustments: list[tuple[OrderDiscounts, OrderAdjustment]] = field(default_factory=list)


async def quote(
    db: AsyncSession,
    runtime: StoreRuntime,
    cart: CartView,
    *,
    country: str,
    region: str = "",
    rate_id: int | None = None,
    currency: str | None = None,
    gift_wrap: bool = False,
) -> Quote:
    """The breakdown for this cart and address: shipping (the chosen rate if it applies),
    gift wrap, tax by the address's rule, all in the shopper's currency."""
    choice = await pricing_service.conversion_for(db, runtime.config, currency)
    subtotal = cart.subtotal
    options = await pricing_service.shipping_options(db, country, subtotal) if country else []
    option = next((o for o in options if o.rate_id == rate_id), None)
    rule = await pricing_service.tax_rule_for(db, country, region) if country else None
    wrap = (await pricing_service.checkout_options(db)).gift_wrap_price if gift_wrap else 0
    shipping = option.amount if option else 0
    adjustments = await order_adjustments(db, runtime, cart, shipping)
    if any(a.shipping_waived for _, a in adjustments):
        shipping = 0
    totals = compute_totals(
        [LineIn(line.product.id, line.unit_price, line.quantity) for line in cart.lines],
        conversion=choice.conversion,
        shipping=shipping,
        gift_wrap=wrap,
        discount=sum(a.discount for _, a in adjustments),
        tax=pricing_service.policy_of(rule),
    )
    return Quote(
        totals,
        choice.conversion,
        option,
        options,
        rule.name if rule else "",
        choice.notice,
        adjustments,
    )


# ---------------------------------------------------------------- placing the order


@dataclass
class CheckoutDetails:
    """What the shopper chose, as the pages' state or the API's body gives it."""

    email: str
    address: dict[str, Any]
    shipping_rate_id: int | None
    currency: str | None = None
    gift_wrap: bool = False
    gift_message: str = ""
    delivery_date: str | date | None = None
    note: str = ""
    address_id: int | None = None

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> CheckoutDetails:
        return cls(
            email=state.get("email", ""),
            address=state.get("address") or {},
            shipping_rate_id=state.get("rate_id"),
            currency=state.get("currency"),
            gift_wrap=bool(state.get("gift_wrap")),
            gift_message=state.get("gift_message", ""),
            delivery_date=state.get("delivery_date"),
            note=state.get("note", ""),
            address_id=state.get("address_id"),
        )


@dataclass
class PlacedOrder:
    order: Order
    access_key: str | None  # for a guest's order link; None for a customer's order
    replayed: bool = False  # the same Idempotency-Key placed it before


def order_prefix(runtime: StoreRuntime) -> str:
    """ "atelier-arome" → "AA": the store's initials, so numbers read as the store's."""
    parts = [p for p in runtime.slug.split("-") if p]
    return "".join(p[0] for p in parts[:3]).upper() or "M"


async def new_order_number(db: AsyncSession, runtime: StoreRuntime) -> str:
    """ "AA-" + 6 random digits, unpredictable (a guest cannot guess a neighbour's number)
    and checked for unused; the unique index is the final guard."""
    prefix = order_prefix(runtime)
    for _attempt in range(10):
        number = f"{prefix}-{secrets.randbelow(900_000) + 100_000}"
        if await db.scalar(select(Order.id).where(Order.number == number)) is None:
            return number
    return f"{prefix}-{secrets.randbelow(90_000_000) + 10_000_000}"


async def _replay(
    db: AsyncSession, runtime: StoreRuntime, cart: Cart, key: str | None
) -> PlacedOrder | None:
    placed = state_of(cart).get("placed") or {}
    if not key or placed.get("key") != key:
        return None
    order = await db.scalar(select(Order).where(Order.number == placed.get("number")))
    if order is None:
        return None
    from mercato.orders import access as order_access

    guest = order.user_id is None
    return PlacedOrder(
        order, order_access.guest_key(runtime, order.number) if guest else None, True
    )


async def place_order(
    db: AsyncSession,
    runtime: StoreRuntime,
    cart: Cart,
    details: CheckoutDetails,
    *,
    user: Any | None = None,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> PlacedOrder:
    """Turn the cart into a pending order in the caller's transaction: validate everything,
    reserve the stock (OutOfStock, a Conflict naming the product, when it is gone: nothing
    is written), write the order and its lines, empty the cart, emit "order.placed"."""
    from mercato.orders import access as order_access

    replay = await _replay(db, runtime, cart, idempotency_key)
    if replay is not None:
        return replay
    now = now or utcnow()
    view = await cart_service.view(db, cart, runtime=runtime)
    if view.is_empty:
        raise ValidationFailed(_("Your cart is empty."), field="cart")
    if view.problems:
        raise Conflict(view.problems[0], field="cart", code="cart_changed")

    # Who and where
    if user is not None:
        email = user.email
        name_source: dict[str, Any]
        if details.address_id:
            saved = await saved_address(db, user.id, details.address_id)
            address = saved.snapshot()
            address_id: int | None = saved.id
        else:
            address, address_id = check_address(details.address), None
    else:
        email = check_email(details.email)
        address, address_id = check_address(details.address), None
    name_source = address

    # Per-customer limits (a guest's past orders count by email)
    for index, line in enumerate(view.lines):
        await cart_service.check_line(
            db,
            line.product,
            line.quantity,
            user_id=user.id if user else None,
            email=email,
            field=f"items.{index}.quantity",
        )

    # Shipping, gift options, delivery date
    q = await quote(
        db,
        runtime,
        view,
        country=address["country"],
        region=address.get("region", ""),
        rate_id=details.shipping_rate_id,
        currency=details.currency,
        gift_wrap=details.gift_wrap,
    )
    if q.option is None:
        raise ValidationFailed(
            _("Choose a delivery method for this address."), field="shipping_rate_id"
        )
    gift_message = (details.gift_message or "").strip()
    if len(gift_message) > GIFT_MESSAGE_MAX:
        raise ValidationFailed(
            _("A gift message has at most %(count)s characters.", count=GIFT_MESSAGE_MAX),
            field="gift_message",
        )
    note = (details.note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationFailed(
            _("A note has at most %(count)s characters.", count=NOTE_MAX), field="note"
        )
    options = await pricing_service.checkout_options(db)
    earliest = earliest_delivery(
        now, runtime.config.timezone, q.option.lead_days_min, options.cutoff_hour
    )
    delivery = check_delivery_date(details.delivery_date, q.option, earliest)

    # Stock first: on OutOfStock nothing has been written yet (reserve uses a savepoint).
    number = await new_order_number(db, runtime)
    ttl = timedelta(minutes=runtime.settings.checkout_hold_minutes)
    lines_by_product = {line.product.id: line for line in view.lines}
    await inventory_service.reserve(
        db,
        [(line.product.id, line.quantity) for line in view.lines],
        reference=number,
        ttl=ttl,
        now=now,
    )

    t = q.totals
    order = Order(
        number=number,
        user_id=user.id if user else None,
        email=email,
        customer_name=f"{name_source['first_name']} {name_source['last_name']}".strip(),
        currency=t.currency,
        store_currency=t.store_currency,
        exchange_rate_micros=t.exchange_rate_micros,
        subtotal=t.subtotal,
        shipping_total=t.shipping,
        gift_wrap_total=t.gift_wrap,
        discount_total=t.discount,
        tax_total=t.tax,
        tax_inclusive=t.tax_inclusive,
        total=t.total,
        tax_lines=t.tax_lines,
        shipping_rate_id=q.option.rate_id,
        shipping_method=q.option.name,
        shipping_address=address,
        billing_address=address,
        address_id=address_id,
        gift_message=gift_message,
        gift_wrap=details.gift_wrap,
        delivery_date=delivery,
        customer_note=note,
        reservation_expires_at=now + ttl,
    )
    db.add(order)
    await db.flush()
    access_key = None if user else order_access.issue_guest_key(runtime, order)
    # Discounts become final in this transaction (a voucher's use is counted here).
    for rules, adjustment in q.adjustments:
        if rules.commit is not None:
            await rules.commit(db, runtime, order, adjustment, user.id if user else None, email)
    for out in t.lines:
        line = lines_by_product[out.product_id]
        product = line.product
        db.add(
            OrderLine(
                order_id=order.id,
                product_id=product.id,
                sku=product.sku,
                name=product.name,
                quantity=out.quantity,
                unit_price=out.unit_price,
                line_total=out.line_total,
                tax_amount=out.tax_amount,
                snapshot={
                    "slug": product.slug,
                    "latin_name": product.latin_name,
                    "volume_ul": product.volume_ul,
                    "image_key": line.image.storage_key if line.image else "",
                    "store_unit_price": out.store_unit_price,
                },
            )
        )
    db.add(
        OrderEvent(
            order_id=order.id,
            kind="status",
            to_status=order.status,
            message="Order placed; awaiting payment.",
        )
    )
    await cart_service.empty(db, cart)
    cart.checkout = {"placed": {"key": idempotency_key or "", "number": number}}
    await emit(db, ORDER_PLACED, {"order_id": order.id})
    await db.flush()
    return PlacedOrder(order, access_key)


def return_paths(order: Order, access_key: str | None) -> tuple[str, str]:
    """Where the payment provider sends the shopper back: (after paying, after cancelling),
    both the order page, with the guest key for guest orders."""
    page = f"orders/{order.number}" + (f"?key={access_key}" if access_key else "")
    # `paid=1` makes the order page wait for the provider's webhook and reload itself.
    return page + ("&" if "?" in page else "?") + "paid=1", page
