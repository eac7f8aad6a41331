"""Addresses, carts and the pricing tables: currency rates, shipping zones/rates, tax rules.

Amounts are integer minor units of the store's currency unless a column says otherwise;
rates and percentages are exact integers (micro-units, basis points), never floats.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mercato.kit.time import utcnow
from mercato.models.base import Base, BigId, IdMixin, TimestampMixin

# An exchange rate is stored as an integer number of millionths: 0.923400 EUR per USD is
# 923400. Exact on both engines (SQLite has no exact decimal). See docs/decisions.md.
RATE_SCALE = 1_000_000


class AddressKind(StrEnum):
    SHIPPING = "shipping"
    BILLING = "billing"


class Address(IdMixin, TimestampMixin, Base):
    """A customer's saved address. Soft-deleted: orders keep their own snapshot."""

    __tablename__ = "addresses"
    __table_args__ = (
        CheckConstraint("kind IN ('shipping', 'billing')", name="kind_known"),
        Index("ix_addresses_user_default", "user_id", "is_default"),
    )

    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10), default=AddressKind.SHIPPING.value)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    company: Mapped[str] = mapped_column(String(150), default="")
    line1: Mapped[str] = mapped_column(String(200))
    line2: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(120))
    region: Mapped[str] = mapped_column(String(120), default="")  # state, county, province
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    country: Mapped[str] = mapped_column(String(2), default="US")  # ISO 3166-1 alpha-2
    phone: Mapped[str] = mapped_column(String(40), default="")
    is_default: Mapped[bool] = mapped_column(default=False)
    deleted_at: Mapped[datetime | None]

    def snapshot(self) -> dict[str, Any]:
        """What an order keeps, so later edits or deletion never change a past order."""
        return {
            "first_name": self.first_name,
            "last_name": self.last_name,
            "company": self.company,
            "line1": self.line1,
            "line2": self.line2,
            "city": self.city,
            "region": self.region,
            "postal_code": self.postal_code,
            "country": self.country,
            "phone": self.phone,
        }


class Cart(IdMixin, TimestampMixin, Base):
    """A guest cart is found by the hash of its token (cookie or API header); a customer's
    cart by user id. At sign-in the guest cart merges into the customer's."""

    __tablename__ = "carts"
    __table_args__ = (
        # Active carts by recency, for the abandoned-cart sweep (seed §5.3).
        Index("ix_carts_updated", "updated_at"),
    )

    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    currency: Mapped[str] = mapped_column(String(3), default="")  # "" = the store's currency
    expires_at: Mapped[datetime | None] = mapped_column(index=True)
    # The checkout's answers between steps (address, shipping rate, gift options) and the
    # Idempotency-Key of the last order placed from this cart; see docs/decisions.md.
    checkout: Mapped[dict[str, Any] | None] = mapped_column()

    items: Mapped[list[CartItem]] = relationship(
        lazy="raise", order_by="CartItem.id", passive_deletes=True
    )


class CartItem(IdMixin, Base):
    __tablename__ = "cart_items"
    __table_args__ = (
        UniqueConstraint("cart_id", "product_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    cart_id: Mapped[int] = mapped_column(BigId, ForeignKey("carts.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    quantity: Mapped[int] = mapped_column(default=1)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CurrencyRate(IdMixin, TimestampMixin, Base):
    """How many units of `currency` one unit of the store's currency buys, managed in the
    admin. Converted prices are rounded half-up to a multiple of `rounding_minor`."""

    __tablename__ = "currency_rates"
    __table_args__ = (
        CheckConstraint("rate_micros > 0", name="rate_positive"),
        CheckConstraint("rounding_minor >= 1", name="rounding_positive"),
    )

    currency: Mapped[str] = mapped_column(String(3), unique=True)
    rate_micros: Mapped[int] = mapped_column(BigInteger)
    rounding_minor: Mapped[int] = mapped_column(default=1)  # 1 = to the cent; 100 = whole units
    is_active: Mapped[bool] = mapped_column(default=True)
    updated_by: Mapped[int | None] = mapped_column(BigId)  # users.id; no FK, kept for audit


class ShippingRateKind(StrEnum):
    FLAT = "flat"  # amount, always
    BY_SUBTOTAL = "by_subtotal"  # amount when min_subtotal <= subtotal < max_subtotal
    FREE_ABOVE = "free_above"  # amount, or nothing once subtotal >= free_above


class ShippingZone(IdMixin, TimestampMixin, Base):
    """Countries served together. A zone with an empty country list is "rest of the world"
    and is used only when no other zone names the country."""

    __tablename__ = "shipping_zones"

    name: Mapped[str] = mapped_column(String(120), unique=True)
    countries: Mapped[list[Any]] = mapped_column(default=list)  # ["FR", "DE", ...]
    is_active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)

    rates: Mapped[list[ShippingRate]] = relationship(
        lazy="raise", order_by="ShippingRate.position", passive_deletes=True
    )


class ShippingRate(IdMixin, TimestampMixin, Base):
    __tablename__ = "shipping_rates"
    __table_args__ = (
        CheckConstraint("kind IN ('flat', 'by_subtotal', 'free_above')", name="kind_known"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("lead_days_min >= 0 AND lead_days_max >= lead_days_min", name="lead_days"),
    )

    zone_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("shipping_zones.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))  # "Courier, signed for"
    kind: Mapped[str] = mapped_column(String(12), default=ShippingRateKind.FLAT.value)
    amount: Mapped[int] = mapped_column(BigInteger, default=0)
    min_subtotal: Mapped[int | None] = mapped_column(BigInteger)
    max_subtotal: Mapped[int | None] = mapped_column(BigInteger)
    free_above: Mapped[int | None] = mapped_column(BigInteger)
    lead_days_min: Mapped[int] = mapped_column(default=2)  # working days to deliver
    lead_days_max: Mapped[int] = mapped_column(default=5)
    allows_scheduled_date: Mapped[bool] = mapped_column(default=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)


class TaxRule(IdMixin, TimestampMixin, Base):
    """A rate for a country, optionally narrowed to one region; the most specific rule wins.
    Inclusive rules mean shelf prices already contain the tax (EU VAT, UK VAT)."""

    __tablename__ = "tax_rules"
    __table_args__ = (
        UniqueConstraint("country", "region"),
        CheckConstraint("rate_bp >= 0 AND rate_bp <= 10000", name="rate_range"),
    )

    name: Mapped[str] = mapped_column(String(120))  # "VAT (France)"
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(120), default="")  # "" = whole country
    rate_bp: Mapped[int]  # basis points: 2000 = 20 %
    is_inclusive: Mapped[bool] = mapped_column(default=False)
    applies_to_shipping: Mapped[bool] = mapped_column(default=True)
    is_active: Mapped[bool] = mapped_column(default=True)
