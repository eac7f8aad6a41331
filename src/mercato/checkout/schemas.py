"""Checkout API shapes. Amounts are integer minor units of ``currency``."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mercato.customers.schemas import AddressIn


class QuoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2")
    region: str = Field("", max_length=120, description="State code for US sales tax")
    shipping_rate_id: int | None = None
    currency: str | None = Field(None, max_length=3)
    gift_wrap: bool = False


class ShippingOptionOut(BaseModel):
    rate_id: int
    name: str
    zone: str
    amount: int
    lead_days_min: int
    lead_days_max: int
    allows_scheduled_date: bool


class BreakdownOut(BaseModel):
    currency: str
    store_currency: str
    exchange_rate_micros: int
    subtotal: int
    shipping: int
    gift_wrap: int
    discount: int
    tax: int
    tax_inclusive: bool
    tax_lines: list[dict[str, Any]]
    total: int


class QuoteOut(BaseModel):
    breakdown: BreakdownOut
    shipping_options: list[ShippingOptionOut]
    notice: str = ""


class CheckoutIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field("", max_length=254, description="Required for guests")
    address: AddressIn | None = Field(None, description="Or address_id for a customer")
    address_id: int | None = Field(None, description="One of the customer's saved addresses")
    shipping_rate_id: int
    currency: str | None = Field(None, max_length=3)
    gift_wrap: bool = False
    gift_message: str = Field("", max_length=500)
    delivery_date: date | None = None
    note: str = Field("", max_length=1000)
    provider: str = Field("sandbox", max_length=20)


class PlacedOut(BaseModel):
    number: str
    status: str
    payment_status: str
    currency: str
    total: int
    breakdown: BreakdownOut
    payment_url: str = Field(description="Send the shopper here to pay")
    access_key: str | None = Field(None, description="A guest's key for orders/{number}?key=")
    replayed: bool = Field(False, description="The same Idempotency-Key placed it before")
