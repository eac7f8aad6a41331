"""Cart rules: who owns a cart, adding and changing lines within stock and per-customer
limits, merging a guest cart at sign-in, and forgetting expired guest carts.

A guest cart is found by the sha256 of a random token (cookie ``mercato_cart`` or header
``X-Cart-Token``); only the hash is stored. A customer's cart by user id. Stock is checked,
not held: units are reserved only when an order is placed (mercato.checkout).

Import as ``from mercato.cart import service as cart_service``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.cart import repository as repo
from mercato.kit.errors import Conflict, NotFound, ValidationFailed
from mercato.kit.i18n import _, ngettext
from mercato.kit.security import hash_token, new_token
from mercato.kit.time import utcnow
from mercato.models.catalog import Product, ProductImage
from mercato.models.commerce import Cart, CartItem

if TYPE_CHECKING:
    from mercato.platform.runtime import StoreRuntime

CART_DAYS = 30
MAX_LINE_QUANTITY = 99
EXPIRED_BATCH = 500


class OutOfStockInCart(Conflict):
    pass


@dataclass
class CartLine:
    item: CartItem
    product: Product
    available: int
    image: ProductImage | None = None
    problem: str = ""  # why this line cannot be bought as it is ("" = fine)
    # Set by a module's CartRules.adjust (the wholesale tier, an accepted quote): the unit
    # price of this line instead of the catalogue price.
    price: int | None = None
    price_hidden: bool = False  # the shopper may not see this price (shown as "on request")
    fix_quantity: int | None = None  # the one-click fix for ``problem``, when there is one
    note: str = ""  # a module's remark shown under the line (tier applied, next tier)

    @property
    def quantity(self) -> int:
        return self.item.quantity

    @property
    def unit_price(self) -> int:
        return self.product.price if self.price is None else self.price

    @property
    def line_total(self) -> int:
        return self.unit_price * self.item.quantity


@dataclass
class CartView:
    cart: Cart | None
    lines: list[CartLine] = field(default_factory=list)
    line_limit: int = MAX_LINE_QUANTITY  # the most units one line may hold in this store

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def subtotal(self) -> int:
        """Store currency, minor units."""
        return sum(line.line_total for line in self.lines)

    @property
    def problems(self) -> list[str]:
        return [line.problem for line in self.lines if line.problem]

    @property
    def prices_hidden(self) -> bool:
        return any(line.price_hidden for line in self.lines)

    @property
    def is_empty(self) -> bool:
        return not self.lines


# ---------------------------------------------------------------- module rules


@dataclass(frozen=True)
class CartRules:
    """What a module may say about a store's cart lines (``Module.cart_rules``), so a
    vertical prices and checks lines without the core knowing it (docs/decisions.md).

    ``adjust(db, cart, lines)`` runs on every cart view, checkout included: it may set a
    line's ``price``, ``price_hidden``, ``problem`` (blocks checkout), ``fix_quantity`` and
    ``note``. ``check(db, cart, product, quantity)`` runs before units are added and may
    raise a DomainError. ``max_line_quantity`` replaces the core's 99 per line.
    """

    adjust: Callable[[AsyncSession, Cart, list[CartLine]], Awaitable[None]] | None = None
    check: Callable[[AsyncSession, Cart, Product, int], Awaitable[None]] | None = None
    max_line_quantity: int | None = None


def rules_of(runtime: StoreRuntime | None) -> list[CartRules]:
    if runtime is None:
        return []
    found: list[Any] = [getattr(m, "cart_rules", None) for m in runtime.modules.modules]
    return [rules for rules in found if isinstance(rules, CartRules)]


def line_limit(runtime: StoreRuntime | None) -> int:
    limits = [r.max_line_quantity for r in rules_of(runtime) if r.max_line_quantity]
    return max(limits) if limits else MAX_LINE_QUANTITY


def _unit(n: int) -> str:
    return ngettext("%(num)d unit", "%(num)d units", n)


# ---------------------------------------------------------------- finding carts


async def find_cart(
    db: AsyncSession, *, user_id: int | None = None, token: str | None = None
) -> Cart | None:
    """The customer's cart when signed in, else the live guest cart of ``token``."""
    if user_id is not None:
        return await repo.cart_by_user(db, user_id)
    if token:
        return await repo.cart_by_token_hash(db, hash_token(token), utcnow())
    return None


async def open_cart(
    db: AsyncSession, *, user_id: int | None = None, token: str | None = None
) -> tuple[Cart, str | None]:
    """The visitor's cart, created when missing. Returns (cart, new guest token or None):
    a new token must be handed to the visitor (cookie or API answer)."""
    cart = await find_cart(db, user_id=user_id, token=token)
    if cart is not None:
        return cart, None
    now = utcnow()
    if user_id is not None:
        cart = Cart(user_id=user_id)
        fresh = None
    else:
        fresh = new_token()
        cart = Cart(token_hash=hash_token(fresh), expires_at=now + timedelta(days=CART_DAYS))
    db.add(cart)
    await db.flush()
    return cart, fresh


def _touch(cart: Cart) -> None:
    cart.updated_at = utcnow()
    if cart.user_id is None:
        cart.expires_at = utcnow() + timedelta(days=CART_DAYS)


async def count_items(db: AsyncSession, *, user_id: int | None, token: str | None) -> int:
    if user_id is None and not token:
        return 0
    return await repo.item_count(
        db, user_id=user_id, token_hash=hash_token(token) if token else None, now=utcnow()
    )


# ---------------------------------------------------------------- reading


def line_problem(name: str, live: bool, available: int, quantity: int) -> str:
    """Why a cart line cannot be bought as it is, or "" (the cart page and the API)."""
    if not live:
        return _("%(product)s is no longer available.", product=name)
    if available <= 0:
        return _("%(product)s is out of stock.", product=name)
    if quantity > available:
        return _("Only %(count)s left of %(product)s.", count=available, product=name)
    return ""


async def view(
    db: AsyncSession,
    cart: Cart | None,
    *,
    user_id: int | None = None,
    runtime: StoreRuntime | None = None,
) -> CartView:
    """The cart's lines with product, stock and image: two queries whatever its size.
    Each line says what is wrong with it (gone, out of stock, fewer left); with the store's
    ``runtime``, its modules' CartRules adjust prices and add their own problems."""
    if cart is None:
        return CartView(None)
    rows = await repo.items_with_products(db, cart.id)
    images = await repo.primary_images(db, [product.id for _, product in rows])
    lines = []
    for item, product in rows:
        inventory = product.inventory
        available = inventory.available if inventory is not None else 0
        line = CartLine(item, product, available, images.get(product.id))
        live = product.is_active and not product.is_deleted
        line.problem = line_problem(product.name, live, available, item.quantity)
        lines.append(line)
    for rules in rules_of(runtime):
        if rules.adjust is not None and lines:
            await rules.adjust(db, cart, lines)
    return CartView(cart, lines, line_limit(runtime))


# ---------------------------------------------------------------- rules


def _check_quantity(quantity: object, field: str, limit: int = MAX_LINE_QUANTITY) -> int:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise ValidationFailed(_("Choose a quantity of at least 1."), field=field)
    if quantity > limit:
        raise ValidationFailed(_("At most %(limit)s at a time.", limit=f"{limit:,}"), field=field)
    return quantity


async def sellable_product(db: AsyncSession, product_id: int) -> Product:
    product = await repo.product_with_stock(db, product_id)
    if product is None:
        raise NotFound(_("This product is not sold here."), field="product_id")
    if not product.is_active or product.is_deleted:
        raise ValidationFailed(
            _("%(product)s is no longer available.", product=product.name), field="product_id"
        )
    return product


async def allowed_quantity(
    db: AsyncSession, product: Product, *, user_id: int | None, email: str = ""
) -> tuple[int, str]:
    """The most units of ``product`` this shopper may have in a cart now, and why
    (stock, or the per-customer limit less what they already bought)."""
    available = product.inventory.available if product.inventory is not None else 0
    bought = 0
    if product.max_per_customer is not None:
        bought = await repo.units_bought(db, product.id, user_id=user_id, email=email)
    return cap_for(available, product.max_per_customer, bought)


def cap_for(available: int, max_per_customer: int | None, bought: int) -> tuple[int, str]:
    """The most units allowed in a cart: the stock, or the per-customer limit less what
    was bought, whichever is lower, and which of the two it is ("stock" or "limit")."""
    cap, reason = available, "stock"
    if max_per_customer is not None:
        left = max(0, max_per_customer - bought)
        if left < cap:
            cap, reason = left, "limit"
    return max(0, cap), reason


def _refusal(product: Product, wanted: int, cap: int, reason: str, field: str) -> Exception:
    if reason == "limit":
        limit = product.max_per_customer
        units = _unit(limit or 0)
        if cap <= 0:
            message = _(
                "%(product)s is limited to %(units)s per customer, and you have them already.",
                product=product.name,
                units=units,
            )
        else:
            message = _(
                "%(product)s is limited to %(units)s per customer; you can add %(count)s more.",
                product=product.name,
                units=units,
                count=cap,
            )
        return ValidationFailed(message, field=field, code="limit_per_customer")
    if cap <= 0:
        return OutOfStockInCart(
            _("%(product)s is out of stock.", product=product.name),
            field=field,
            code="out_of_stock",
        )
    return OutOfStockInCart(
        _("Only %(count)s left of %(product)s.", count=cap, product=product.name),
        field=field,
        code="out_of_stock",
    )


async def check_line(
    db: AsyncSession,
    product: Product,
    quantity: int,
    *,
    user_id: int | None,
    email: str = "",
    field: str = "quantity",
) -> None:
    cap, reason = await allowed_quantity(db, product, user_id=user_id, email=email)
    if quantity > cap:
        raise _refusal(product, quantity, cap, reason, field)


# ---------------------------------------------------------------- changing


async def add_item(
    db: AsyncSession,
    cart: Cart,
    product_id: int,
    quantity: int = 1,
    *,
    runtime: StoreRuntime | None = None,
) -> CartItem:
    """Add ``quantity`` units (to any already in the cart), within stock and limits (and
    the store modules' CartRules when ``runtime`` is given)."""
    limit = line_limit(runtime)
    quantity = _check_quantity(quantity, "quantity", limit)
    product = await sellable_product(db, product_id)
    item = await repo.get_item(db, cart.id, product.id)
    total = quantity + (item.quantity if item else 0)
    if total > limit:
        raise ValidationFailed(
            _("At most %(limit)s of one product.", limit=f"{limit:,}"), field="quantity"
        )
    for rules in rules_of(runtime):
        if rules.check is not None:
            await rules.check(db, cart, product, total)
    await check_line(db, product, total, user_id=cart.user_id)
    if item is None:
        item = CartItem(cart_id=cart.id, product_id=product.id, quantity=total)
        db.add(item)
    else:
        item.quantity = total
    _touch(cart)
    await db.flush()
    return item


async def set_quantity(
    db: AsyncSession,
    cart: Cart,
    product_id: int,
    quantity: int,
    *,
    runtime: StoreRuntime | None = None,
) -> CartItem | None:
    """Set a line's quantity; 0 removes it. A lower quantity is always accepted (even for a
    product gone since), so a shopper can fix a line the cart page flags; a module's
    CartRules flag such a line in the cart view rather than refuse it here."""
    if isinstance(quantity, int) and not isinstance(quantity, bool) and quantity == 0:
        await remove_item(db, cart, product_id)
        return None
    quantity = _check_quantity(quantity, "quantity", line_limit(runtime))
    item = await repo.get_item(db, cart.id, product_id)
    if item is None:
        raise NotFound(_("That product is not in your cart."), field="product_id")
    if quantity > item.quantity:
        product = await sellable_product(db, product_id)
        await check_line(db, product, quantity, user_id=cart.user_id)
    item.quantity = quantity
    _touch(cart)
    await db.flush()
    return item


async def remove_item(db: AsyncSession, cart: Cart, product_id: int) -> bool:
    item = await repo.get_item(db, cart.id, product_id)
    if item is None:
        return False
    await db.delete(item)
    _touch(cart)
    await db.flush()
    return True


async def empty(db: AsyncSession, cart: Cart) -> None:
    await db.execute(delete(CartItem).where(CartItem.cart_id == cart.id))
    _touch(cart)
    await db.flush()


async def merge_guest_cart(
    db: AsyncSession, *, token: str, user_id: int, runtime: StoreRuntime | None = None
) -> list[str]:
    """At sign-in: move the guest cart's units into the customer's cart (quantities added),
    capped by stock and the per-customer limit, then delete the guest cart. Returns the
    messages to show about units that did not fit."""
    guest = await repo.cart_by_token_hash(db, hash_token(token), utcnow()) if token else None
    if guest is None:
        return []
    guest_items = [item for item, _ in await repo.items_with_products(db, guest.id)]
    mine, _created = await open_cart(db, user_id=user_id)
    notes: list[str] = []
    for guest_item in guest_items:
        wanted = guest_item.quantity
        existing = await repo.get_item(db, mine.id, guest_item.product_id)
        have = existing.quantity if existing else 0
        try:
            product = await sellable_product(db, guest_item.product_id)
        except (NotFound, ValidationFailed):
            continue  # gone since: nothing to merge
        cap, reason = await allowed_quantity(db, product, user_id=user_id)
        cap = min(cap, line_limit(runtime))
        total = min(have + wanted, max(cap, have))
        if total < have + wanted:
            if reason == "limit":
                notes.append(
                    _(
                        "%(product)s is limited to %(units)s per customer: "
                        "your cart now has %(count)s.",
                        product=product.name,
                        units=_unit(product.max_per_customer or 0),
                        count=total,
                    )
                )
            else:
                notes.append(
                    _(
                        "Only %(left)s left of %(product)s: your cart now has %(count)s.",
                        left=cap,
                        product=product.name,
                        count=total,
                    )
                )
        if total <= 0:
            continue
        if existing is None:
            db.add(CartItem(cart_id=mine.id, product_id=product.id, quantity=total))
        else:
            existing.quantity = total
    await db.execute(delete(CartItem).where(CartItem.cart_id == guest.id))
    await db.delete(guest)
    _touch(mine)
    await db.flush()
    return notes


async def delete_expired(db: AsyncSession, now: datetime | None = None) -> int:
    now = now or utcnow()
    total = 0
    while True:
        deleted = await repo.delete_expired_guest_carts(db, now, EXPIRED_BATCH)
        total += deleted
        if deleted < EXPIRED_BATCH:
            return total
