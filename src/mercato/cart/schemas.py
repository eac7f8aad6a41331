"""Cart API shapes. Amounts are integer minor units of ``currency``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class CartItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_id: int = Field(ge=1)
    # The store's own limit (99, or a module's such as wholesale's) is the service's check.
    quantity: int = Field(1, ge=1, le=100_000)


class CartQuantityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quantity: int = Field(ge=0, le=100_000, description="0 removes the line")


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
    fix_quantity: int | None = Field(None, description="A quantity that solves the problem")
    note: str = Field("", description="A remark on the line (volume tier applied)")
    price_hidden: bool = Field(False, description="Prices withheld: amounts are 0")


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
