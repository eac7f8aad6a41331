"""Payment providers, chosen per store by ``store.toml`` ``payment_providers``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mercato.kit.errors import NotFound
from mercato.payments.providers.base import PaymentProvider
from mercato.payments.providers.offline import OFFLINE
from mercato.payments.providers.sandbox import SandboxProvider
from mercato.payments.providers.stripe_checkout import StripeProvider
from mercato.payments.vnpay import PROVIDER as VNPAY
from mercato.payments.vnpay import configured as vnpay_configured

if TYPE_CHECKING:
    from mercato.platform.runtime import StoreRuntime

PROVIDERS: dict[str, PaymentProvider] = {
    "sandbox": SandboxProvider(),
    "stripe": StripeProvider(),
    "vnpay": VNPAY,  # Vietnam: signed redirect and IPN (mercato.payments.vnpay)
    **OFFLINE,  # bank transfer, cash on delivery, net terms: recorded by staff
}


def is_configured(runtime: StoreRuntime, name: str) -> bool:
    if name == "stripe":
        return bool(runtime.settings.stripe_secret_key.get_secret_value())
    if name == "vnpay":
        return vnpay_configured()
    return name in PROVIDERS


def enabled_providers(runtime: StoreRuntime) -> list[PaymentProvider]:
    """The store's providers, in its order, that can take payments in this deployment."""
    return [
        PROVIDERS[name]
        for name in runtime.config.payment_providers
        if name in PROVIDERS and is_configured(runtime, name)
    ]


def get_provider(runtime: StoreRuntime, name: str) -> PaymentProvider:
    """The provider ``name`` if this store offers it; NotFound otherwise (a disabled
    provider's checkout and webhook URLs do not exist)."""
    if name not in runtime.config.payment_providers or not is_configured(runtime, name):
        raise NotFound("This payment method is not available.", field="provider")
    return PROVIDERS[name]
