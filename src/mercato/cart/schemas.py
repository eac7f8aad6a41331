"""Cart API shapes. Amounts are integer minor units of ``currency``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class CartItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_id: int = Field(ge=1)
    quantity: int = Field(1, ge=1, le=99)


class CartQuantityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quantity: int = Field(ge=0, le=99, description="0 removes the line")


class CartLineOut(BaseModel):
    product_id: int
    sku: str
    name: str
    slug: str
    quantity: int
    available: int
    unit_price: int
    line_total: int
    problem: str = Field("", description="Why the line cannot be bought as it is")


class CartOut(BaseModel):
    currency: str
    count: int
    subtotal: int
    subtotal_formatted: str
    items: list[CartLineOut]
    problems: list[str]
    notice: str = Field("", description="Why another currency than the one asked was used")
    messages: list[str] = Field(default_factory=list)


class NewCartOut(BaseModel):
    token: str = Field(description="Send it back as the X-Cart-Token header; shown only once")
    cart: CartOut
