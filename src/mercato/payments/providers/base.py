"""What every payment provider offers the engine: a hosted checkout, signed webhooks parsed
into one neutral shape, and refunds. The engine never trusts the browser: only a verified
event (``verify_webhook``) can move money state (DESIGN.md §4)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from mercato.models.orders import Order, OrderLine
    from mercato.platform.runtime import StoreRuntime

# What an event means for the order, whatever the provider calls it.
EventKind = Literal["paid", "failed", "processing", "expired", "ignored"]


class SignatureInvalid(Exception):
    """The webhook's signature is missing, malformed, stale or made with another secret."""


class ProviderError(Exception):
    """The provider refused or could not be reached; the message is safe to show staff."""


@dataclass(frozen=True)
class CheckoutSession:
    reference: str  # the provider's id for this checkout (unique per provider)
    url: str  # where to send the shopper


@dataclass(frozen=True)
class ParsedEvent:
    event_id: str
    event_type: str  # the provider's own name
    kind: EventKind
    reference: str = ""  # checkout session id, matches PaymentAttempt.reference
    order_number: str = ""
    amount: int | None = None  # minor units, as the provider reports it
    currency: str = ""  # upper case ISO 4217
    payment_id: str = ""
    message: str = ""  # a decline reason
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ProviderRefund:
    refund_id: str
    status: Literal["succeeded", "pending", "failed"]


@dataclass(frozen=True)
class CheckoutRequest:
    order: Order
    lines: list[OrderLine]
    return_url: str  # absolute
    cancel_url: str  # absolute
    expires_at: datetime | None


class PaymentProvider(Protocol):
    name: str
    label: str  # shown to shoppers ("Card (test sandbox)")

    async def create_checkout(
        self, runtime: StoreRuntime, request: CheckoutRequest
    ) -> CheckoutSession: ...

    def verify_webhook(
        self, runtime: StoreRuntime, payload: bytes, headers: Mapping[str, str]
    ) -> ParsedEvent: ...

    async def refund(
        self,
        runtime: StoreRuntime,
        *,
        payment_id: str,
        amount: int,
        currency: str,
        idempotency_key: str,
    ) -> ProviderRefund: ...
