"""Orders, their lines and history, payments, refunds and received webhook events.

An order is written before payment (status "pending", stock reserved) and only a verified
provider event marks it paid (DESIGN.md §4). Amounts are integer minor units of the order's
own currency, which may differ from the store's; the rate used is recorded on the order.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

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


class OrderStatus(StrEnum):
    """The seed's statuses (§5.2). "pending" means awaiting payment."""

    PENDING = "pending"
    CONFIRMED = "confirmed"  # paid
    PROCESSING = "processing"  # being prepared
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"  # fully refunded


class PaymentStatus(StrEnum):
    UNPAID = "unpaid"
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    FAILED = "failed"  # the last attempt was declined; a new attempt may still pay


def _in(column: str, values: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class Order(IdMixin, TimestampMixin, Base):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(_in("status", OrderStatus), name="status_known"),
        CheckConstraint(_in("payment_status", PaymentStatus), name="payment_status_known"),
        CheckConstraint(
            "subtotal >= 0 AND shipping_total >= 0 AND tax_total >= 0 AND discount_total >= 0"
            " AND gift_wrap_total >= 0 AND total >= 0",
            name="amounts_not_negative",
        ),
        # total = subtotal + shipping + gift wrap + exclusive tax - discount; inclusive tax is
        # already inside the line prices and is only reported.
        CheckConstraint(
            "total = subtotal + shipping_total + gift_wrap_total - discount_total"
            " + CASE WHEN tax_inclusive THEN 0 ELSE tax_total END",
            name="total_adds_up",
        ),
        CheckConstraint("refunded_total >= 0 AND refunded_total <= total", name="refund_bounds"),
        CheckConstraint("user_id IS NOT NULL OR email <> ''", name="someone_to_tell"),
        # A customer's order history, newest first (seed §5.3).
        Index("ix_orders_user_status_created", "user_id", "status", "created_at"),
        Index("ix_orders_status_created", "status", "created_at"),
        Index("ix_orders_created", "created_at"),
        UniqueConstraint("payment_provider", "payment_reference"),
    )

    number: Mapped[str] = mapped_column(String(32), unique=True)  # shown to people
    user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    email: Mapped[str] = mapped_column(String(254), default="")  # where order emails go
    customer_name: Mapped[str] = mapped_column(String(200), default="")
    # A guest reaches their order page with this secret (hashed), from the email link.
    access_token_hash: Mapped[str] = mapped_column(String(64), default="", index=True)

    status: Mapped[str] = mapped_column(String(12), default=OrderStatus.PENDING.value)
    payment_status: Mapped[str] = mapped_column(String(20), default=PaymentStatus.UNPAID.value)

    currency: Mapped[str] = mapped_column(String(3))  # what the shopper is charged in
    store_currency: Mapped[str] = mapped_column(String(3))
    # Units of `currency` per unit of store currency, in millionths (models.commerce.RATE_SCALE);
    # 1_000_000 when the order is in the store's currency.
    exchange_rate_micros: Mapped[int] = mapped_column(BigInteger, default=1_000_000)

    subtotal: Mapped[int] = mapped_column(BigInteger)  # sum of line totals
    shipping_total: Mapped[int] = mapped_column(BigInteger, default=0)
    gift_wrap_total: Mapped[int] = mapped_column(BigInteger, default=0)
    discount_total: Mapped[int] = mapped_column(BigInteger, default=0)
    tax_total: Mapped[int] = mapped_column(BigInteger, default=0)
    tax_inclusive: Mapped[bool] = mapped_column(default=False)
    total: Mapped[int] = mapped_column(BigInteger)
    refunded_total: Mapped[int] = mapped_column(BigInteger, default=0)
    # [{"name": "VAT (France)", "rate_bp": 2000, "amount": 1400}], one per rule applied.
    tax_lines: Mapped[list[Any]] = mapped_column(default=list)

    shipping_rate_id: Mapped[int | None] = mapped_column(BigId)  # no FK: rates get edited
    shipping_method: Mapped[str] = mapped_column(String(120), default="")
    shipping_address: Mapped[dict[str, Any]] = mapped_column(default=dict)  # snapshot
    billing_address: Mapped[dict[str, Any]] = mapped_column(default=dict)  # snapshot
    address_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("addresses.id", ondelete="SET NULL")
    )

    gift_message: Mapped[str] = mapped_column(Text, default="")
    gift_wrap: Mapped[bool] = mapped_column(default=False)
    delivery_date: Mapped[date | None]  # scheduled delivery chosen by the shopper
    customer_note: Mapped[str] = mapped_column(Text, default="")
    internal_note: Mapped[str] = mapped_column(Text, default="")  # staff only

    payment_provider: Mapped[str] = mapped_column(String(20), default="")
    payment_reference: Mapped[str | None] = mapped_column(String(255))  # checkout session id
    payment_id: Mapped[str] = mapped_column(String(255), default="")  # payment intent, charge
    reservation_expires_at: Mapped[datetime | None]

    tracking_number: Mapped[str] = mapped_column(String(100), default="")
    tracking_url: Mapped[str] = mapped_column(String(500), default="")
    paid_at: Mapped[datetime | None]
    shipped_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    refunded_at: Mapped[datetime | None]

    lines: Mapped[list[OrderLine]] = relationship(
        lazy="raise", order_by="OrderLine.id", passive_deletes=True
    )


class OrderLine(IdMixin, Base):
    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("line_total = unit_price * quantity", name="line_adds_up"),
    )

    order_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    # Kept when the product is deleted: the snapshot below is what the order shows.
    product_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("products.id", ondelete="SET NULL"), index=True
    )
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int]
    unit_price: Mapped[int] = mapped_column(BigInteger)  # order currency, converted once
    line_total: Mapped[int] = mapped_column(BigInteger)
    tax_amount: Mapped[int] = mapped_column(BigInteger, default=0)  # this line's share
    # {"slug", "latin_name", "volume_ul", "image_key", "store_unit_price", ...}
    snapshot: Mapped[dict[str, Any]] = mapped_column(default=dict)


class OrderEvent(IdMixin, Base):
    """The order's timeline: every status change, payment, refund and staff note."""

    __tablename__ = "order_events"
    __table_args__ = (Index("ix_order_events_order_created", "order_id", "created_at"),)

    order_id: Mapped[int] = mapped_column(BigId, ForeignKey("orders.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # status, payment, refund, note, email
    from_status: Mapped[str] = mapped_column(String(12), default="")
    to_status: Mapped[str] = mapped_column(String(12), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    is_internal: Mapped[bool] = mapped_column(default=False)  # hidden from the customer
    actor_id: Mapped[int | None] = mapped_column(BigId)  # users.id; None = system/provider
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PaymentAttempt(IdMixin, TimestampMixin, Base):
    """One trip to a provider's checkout for an order."""

    __tablename__ = "payment_attempts"
    __table_args__ = (
        UniqueConstraint("provider", "reference"),
        CheckConstraint(
            "status IN ('created', 'succeeded', 'failed', 'expired', 'processing')",
            name="status_known",
        ),
    )

    order_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    provider: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str] = mapped_column(String(255))  # checkout session id at the provider
    status: Mapped[str] = mapped_column(String(12), default="created")
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    payment_id: Mapped[str] = mapped_column(String(255), default="")
    failure_message: Mapped[str] = mapped_column(String(500), default="")


class Refund(IdMixin, TimestampMixin, Base):
    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("status IN ('pending', 'succeeded', 'failed')", name="status_known"),
    )

    order_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    provider: Mapped[str] = mapped_column(String(20))
    provider_refund_id: Mapped[str] = mapped_column(String(255), default="")
    amount: Mapped[int] = mapped_column(BigInteger)  # order currency
    reason: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(10), default="pending")
    restock: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[int | None] = mapped_column(BigId)


class WebhookEvent(IdMixin, Base):
    """Every verified provider event, stored once: the unique key makes redelivery a no-op."""

    __tablename__ = "webhook_events"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    provider: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(255))
    event_type: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(String(200), default="")
