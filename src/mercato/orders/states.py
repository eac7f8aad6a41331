"""The order state machine: which status may follow which, and by what means.

pending → confirmed only through a verified payment; confirmed → processing → shipped →
delivered by staff; pending, confirmed and processing may be cancelled (a paid order is
refunded as it is cancelled); shipped and delivered orders become "refunded" only through a
full refund. Cancelled and refunded are final.
"""

from __future__ import annotations

from typing import Literal

from mercato.kit.i18n import N_
from mercato.models.orders import OrderStatus as S

Via = Literal["payment", "staff", "customer", "system", "refund"]

# (from, to) → the means allowed to make that change
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (S.PENDING, S.CONFIRMED): frozenset({"payment"}),
    (S.PENDING, S.CANCELLED): frozenset({"staff", "customer", "system"}),
    (S.CONFIRMED, S.PROCESSING): frozenset({"staff"}),
    (S.CONFIRMED, S.CANCELLED): frozenset({"staff", "system", "refund"}),
    (S.PROCESSING, S.SHIPPED): frozenset({"staff"}),
    (S.PROCESSING, S.CANCELLED): frozenset({"staff", "system", "refund"}),
    (S.SHIPPED, S.DELIVERED): frozenset({"staff"}),
    (S.SHIPPED, S.REFUNDED): frozenset({"refund"}),
    (S.DELIVERED, S.REFUNDED): frozenset({"refund"}),
}
FINAL = frozenset({S.CANCELLED.value, S.REFUNDED.value})
# Statuses in which the order has been paid and not (fully) given back.
PAID_STATUSES = frozenset(
    {S.CONFIRMED.value, S.PROCESSING.value, S.SHIPPED.value, S.DELIVERED.value}
)
# The customer hears about these changes by email.
CUSTOMER_VISIBLE = frozenset(
    {S.CONFIRMED.value, S.SHIPPED.value, S.DELIVERED.value, S.CANCELLED.value, S.REFUNDED.value}
)

LABELS = {
    S.PENDING: N_("Awaiting payment"),
    S.CONFIRMED: N_("Confirmed"),
    S.PROCESSING: N_("Being prepared"),
    S.SHIPPED: N_("Shipped"),
    S.DELIVERED: N_("Delivered"),
    S.CANCELLED: N_("Cancelled"),
    S.REFUNDED: N_("Refunded"),
}
STAFF_ACTIONS = {
    S.PROCESSING: "Start preparing",
    S.SHIPPED: "Mark shipped",
    S.DELIVERED: "Mark delivered",
    S.CANCELLED: "Cancel order",
}


def allowed(current: str, target: str, via: str) -> bool:
    return via in TRANSITIONS.get((str(current), str(target)), frozenset())


def next_states(current: str, via: str) -> list[str]:
    """Targets ``via`` may move an order in ``current`` to, in lifecycle order."""
    order = [s.value for s in S]
    return sorted(
        (str(t) for (f, t), vias in TRANSITIONS.items() if f == current and via in vias),
        key=order.index,
    )


def label(status: str) -> str:
    try:
        return LABELS[S(status)]
    except ValueError:
        return status
