"""The shopper's currency on every page: ``display_currency`` and ``price(amount)``.

Registered as a page dependency of the pricing module. A visitor in the store's currency
(no cookie, or the cookie names it) costs no query; another currency costs one (its rate).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.i18n import current_locale
from mercato.kit.money import format_money
from mercato.pricing import service as pricing_service
from mercato.pricing.currency import Conversion
from mercato.web.deps import get_db
from mercato.web.templating import add_template_context

CURRENCY_COOKIE = "mercato_currency"


def price_formatter(conversion: Conversion, locale: str) -> Callable[[int], str]:
    """price(amount in store minor units) → "€45.30" in the shopper's currency."""

    def price(amount: int | None) -> str:
        if amount is None:
            return ""
        return format_money(conversion.convert(int(amount)), conversion.currency, locale)

    return price


async def shopper_conversion(
    request: Request, db: Annotated[AsyncSession, Depends(get_db)]
) -> Conversion:
    """The conversion this request's shopper sees (cached on the request)."""
    cached = getattr(request.state, "conversion", None)
    if cached is not None:
        return cached
    config = request.state.runtime.config
    choice = await pricing_service.conversion_for(
        db, config, request.cookies.get(CURRENCY_COOKIE, "")
    )
    request.state.conversion = choice.conversion
    request.state.currency_notice = choice.notice
    return choice.conversion


async def load_display_currency(
    request: Request, conversion: Annotated[Conversion, Depends(shopper_conversion)]
) -> Conversion:
    config = request.state.runtime.config
    add_template_context(
        request,
        display_currency=conversion.currency,
        # Formatted like the request's language ("12.500.000 ₫" in Vietnamese).
        price=price_formatter(conversion, current_locale(config.locale)),
        currency_choices=pricing_service.currencies_of(config),
        currency_notice=getattr(request.state, "currency_notice", ""),
    )
    return conversion


ShopperConversion = Annotated[Conversion, Depends(shopper_conversion)]
