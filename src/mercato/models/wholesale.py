"""Wholesale pricing and ordering (seed 002): a product's terms (MOQ, case pack, reorder
level) and volume tiers, the business details of an order (PO number, offline payment
method, due date) and requests for quotation.

The wholesale price itself is ``Product.price`` (the first tier's price, see
docs/decisions.md), so the catalogue, the cart and these terms never disagree about it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mercato.kit.time import utcnow
from mercato.models.base import Base, BigId, IdMixin, TimestampMixin

PAYMENT_METHODS = ("bank_transfer", "cod", "net_15", "net_30")
QUOTE_STATUSES = ("requested", "answered", "accepted", "declined", "withdrawn", "ordered")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class WholesaleTerms(IdMixin, TimestampMixin, Base):
    """How a product is sold wholesale; one row per product."""

    __tablename__ = "wholesale_terms"
    __table_args__ = (
        CheckConstraint("moq >= 1", name="moq_positive"),
        CheckConstraint("order_multiple >= 1", name="multiple_positive"),
        CheckConstraint("reorder_level >= 0", name="reorder_not_negative"),
    )

    product_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("products.id", ondelete="CASCADE"), unique=True
    )
    moq: Mapped[int] = mapped_column(default=1)  # minimum order quantity, units
    order_multiple: Mapped[int] = mapped_column(default=1)  # case pack, units
    reorder_level: Mapped[int] = mapped_column(default=0)  # stock alert threshold, units

    tiers: Mapped[list[PriceTier]] = relationship(
        lazy="raise", order_by="PriceTier.min_qty", cascade="all, delete-orphan"
    )


class PriceTier(IdMixin, Base):
    """From ``min_qty`` units on, every unit of the line costs ``unit_price``."""

    __tablename__ = "wholesale_price_tiers"
    __table_args__ = (
        UniqueConstraint("terms_id", "min_qty"),
        CheckConstraint("min_qty >= 1", name="min_qty_positive"),
        CheckConstraint("unit_price > 0", name="unit_price_positive"),
    )

    terms_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("wholesale_terms.id", ondelete="CASCADE")
    )
    min_qty: Mapped[int]
    unit_price: Mapped[int] = mapped_column(BigInteger)  # store currency, minor units


class WholesaleOrder(Base):
    """The business side of an order: purchase order number, company, offline payment
    method and, for net terms, when the invoice falls due."""

    __tablename__ = "wholesale_orders"
    __table_args__ = (
        CheckConstraint(_in("payment_method", PAYMENT_METHODS), name="method_known"),
        CheckConstraint("terms_days >= 0", name="terms_not_negative"),
        CheckConstraint(
            "(terms_days = 0) = (payment_method IN ('bank_transfer', 'cod'))",
            name="terms_match_method",
        ),
        Index("ix_wholesale_orders_due", "due_date"),
    )

    order_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True
    )
    # The buyer's company (b2b_companies.id); no foreign key so this table does not depend
    # on the b2b migration's order, and an order keeps its snapshot if a company goes.
    company_id: Mapped[int | None] = mapped_column(BigId, index=True)
    company_name: Mapped[str] = mapped_column(String(200), default="")
    po_number: Mapped[str] = mapped_column(String(64), default="")
    payment_method: Mapped[str] = mapped_column(String(20))
    terms_days: Mapped[int] = mapped_column(default=0)
    due_date: Mapped[date | None]  # store-local date; set for every method once confirmed
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class QuoteRequest(IdMixin, TimestampMixin, Base):
    """A buyer's request for a price beyond the top tier, the store's answer (unit price and
    expiry) and its outcome. An accepted quote prices the cart line of exactly that product
    and quantity until it expires or is ordered."""

    __tablename__ = "wholesale_quotes"
    __table_args__ = (
        CheckConstraint(_in("status", QUOTE_STATUSES), name="status_known"),
        CheckConstraint("quantity >= 1", name="quantity_positive"),
        CheckConstraint("unit_price IS NULL OR unit_price > 0", name="price_positive"),
        CheckConstraint(
            "status IN ('requested', 'withdrawn') OR "
            "(unit_price IS NOT NULL AND valid_until IS NOT NULL)",
            name="answer_complete",
        ),
        Index("ix_wholesale_quotes_user_status", "user_id", "status"),
        Index("ix_wholesale_quotes_status_created", "status", "created_at"),
    )

    number: Mapped[str] = mapped_column(String(20), unique=True)
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    company_id: Mapped[int | None] = mapped_column(BigId)
    product_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    quantity: Mapped[int]
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="requested")
    currency: Mapped[str] = mapped_column(String(3))
    list_unit_price: Mapped[int] = mapped_column(BigInteger)  # the tier price when asked
    unit_price: Mapped[int | None] = mapped_column(BigInteger)
    valid_until: Mapped[datetime | None]
    answer_note: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    answered_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    order_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("orders.id", ondelete="SET NULL")
    )
