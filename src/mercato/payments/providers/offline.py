"""Offline payment methods: bank transfer, cash on delivery, invoice on net terms.

No money moves through a provider: the order is accepted at once (its stock sold, so no hold
expires), stays unpaid, and becomes paid only when staff record the payment
(``mercato.payments.offline.record_payment``). They follow the provider protocol so stores
list them in ``payment_providers`` like any other and the engine treats them alike; they
have no webhooks (every signature is refused) and a refund is a manual one, reported as
pending for staff to pay back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mercato.kit.i18n import N_
from mercato.payments.providers.base import (
    CheckoutRequest,
    CheckoutSession,
    ParsedEvent,
    ProviderRefund,
    SignatureInvalid,
)

if TYPE_CHECKING:
    from mercato.platform.runtime import StoreRuntime


@dataclass(frozen=True)
class OfflineProvider:
    name: str
    label: str
    instructions: str  # shown at checkout and on the invoice
    offline: bool = True

    async def create_checkout(
        self, runtime: StoreRuntime, request: CheckoutRequest
    ) -> CheckoutSession:
        # Nothing to open: the shopper goes straight back to the order page.
        return CheckoutSession(f"{self.name}:{request.order.number}", request.return_url)

    def verify_webhook(
        self, runtime: StoreRuntime, payload: bytes, headers: Mapping[str, str]
    ) -> ParsedEvent:
        raise SignatureInvalid(f"{self.label} has no webhooks; staff record the payment.")

    async def refund(
        self,
        runtime: StoreRuntime,
        *,
        payment_id: str,
        amount: int,
        currency: str,
        idempotency_key: str,
    ) -> ProviderRefund:
        return ProviderRefund(f"manual-{idempotency_key}", "pending")


BANK_TRANSFER = OfflineProvider(
    "bank_transfer",
    N_("Bank transfer"),
    "Pay the invoice total by bank transfer quoting the order number; the order ships once "
    "the payment is recorded.",
)
CASH_ON_DELIVERY = OfflineProvider(
    "cash_on_delivery",
    N_("Cash on delivery"),
    "Pay the invoice total in cash to the carrier on delivery.",
)
NET_TERMS = OfflineProvider(
    "net_terms",
    "Invoice on net terms",
    "Pay the invoice by bank transfer by its due date.",
)
OFFLINE = {p.name: p for p in (BANK_TRANSFER, CASH_ON_DELIVERY, NET_TERMS)}


def is_offline(name: str) -> bool:
    return name in OFFLINE
