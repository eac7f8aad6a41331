"""Currencies for API clients, which then pass ``currency`` on cart and checkout calls."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from mercato.kit.money import minor_digits
from mercato.pricing import service as pricing_service
from mercato.pricing.currency import format_rate
from mercato.web.deps import Db, Runtime

router = APIRouter(tags=["pricing"])


class CurrencyOut(BaseModel):
    code: str
    minor_digits: int
    rate: str  # units per one unit of the store currency, as a decimal string
    rate_micros: int
    rounding_minor: int
    is_store_currency: bool


class CurrenciesOut(BaseModel):
    store_currency: str
    currencies: list[CurrencyOut]


@router.get("/currencies", response_model=CurrenciesOut)
async def list_currencies(db: Db, runtime: Runtime) -> CurrenciesOut:
    """The store's currency and each display currency with an active rate."""
    config = runtime.config
    store = config.currency
    out = [
        CurrencyOut(
            code=store,
            minor_digits=minor_digits(store),
            rate="1",
            rate_micros=1_000_000,
            rounding_minor=1,
            is_store_currency=True,
        )
    ]
    for rate in await pricing_service.active_rates(db):
        if rate.currency in config.display_currencies and rate.currency != store:
            out.append(
                CurrencyOut(
                    code=rate.currency,
                    minor_digits=minor_digits(rate.currency),
                    rate=format_rate(rate.rate_micros),
                    rate_micros=rate.rate_micros,
                    rounding_minor=rate.rounding_minor,
                    is_store_currency=False,
                )
            )
    return CurrenciesOut(store_currency=store, currencies=out)
