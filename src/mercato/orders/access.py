"""Who may see an order: its owner (signed in) or whoever holds the order's guest key.

The guest key is derived from the store secret and the order number, and only its SHA-256
is stored in ``Order.access_token_hash``. Deriving it (rather than drawing a random one)
lets the paid, shipped and refunded emails, sent long after checkout, carry the same link
as the confirmation page. Rotating the store secret invalidates old guest links; signed-in
customers are unaffected.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mercato.kit.security import constant_time_equal, hash_token, sign

if TYPE_CHECKING:
    from mercato.models import User
    from mercato.models.orders import Order
    from mercato.platform.runtime import StoreRuntime


def guest_key(runtime: StoreRuntime, number: str) -> str:
    """The secret a guest uses to open order ``number`` (``orders/{number}?key=…``)."""
    return sign(runtime.secret, runtime.slug, "order-access", number)[:40]


def issue_guest_key(runtime: StoreRuntime, order: Order) -> str:
    """Set ``order.access_token_hash`` and return the key for the shopper's link.
    Checkout calls this once the order has its number."""
    key = guest_key(runtime, order.number)
    order.access_token_hash = hash_token(key)
    return key


def key_opens(order: Order, key: str | None) -> bool:
    if not key or not order.access_token_hash or len(key) > 200:
        return False
    return constant_time_equal(hash_token(key), order.access_token_hash)


def can_view(order: Order, user: User | None, key: str | None) -> bool:
    """The owner, or a valid guest key. Staff use the admin pages, not this check."""
    if user is not None and order.user_id is not None and order.user_id == user.id:
        return True
    return key_opens(order, key)


def link_key(runtime: StoreRuntime, order: Order) -> str | None:
    """The key to put in an email link: only for guest orders whose stored hash is ours
    (an order made with another key keeps working through that key alone)."""
    if order.user_id is not None:
        return None
    key = guest_key(runtime, order.number)
    return key if key_opens(order, key) else None


def order_path(runtime: StoreRuntime, order: Order, *, absolute: bool = False) -> str:
    """The order's page, with the guest key for guest orders."""
    relative = f"orders/{order.number}"
    key = link_key(runtime, order)
    if key:
        relative += f"?key={key}"
    return runtime.absolute_url(relative) if absolute else runtime.path(relative)
