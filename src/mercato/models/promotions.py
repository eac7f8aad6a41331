"""Promotions: catalogue promotions (a lower price shown against the old one) and order
vouchers with usage limits. Money is integer minor units; percentages are basis points."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mercato.kit.time import utcnow
from mercato.models.base import Base, BigId, IdMixin, TimestampMixin


class PromotionKind(StrEnum):
    PERCENT = "percent"  # value in basis points (1500 = 15 %)
    FIXED = "fixed"  # value in minor units off each unit


class VoucherKind(StrEnum):
    PERCENT = "percent"  # value in basis points of the eligible subtotal
    FIXED = "fixed"  # value in minor units off the eligible subtotal
    FREE_SHIPPING = "free_shipping"  # the delivery charge is waived


class Promotion(IdMixin, TimestampMixin, Base):
    """A catalogue promotion: a lower unit price for products or categories for a period.
    Empty ``product_ids`` and ``category_ids`` mean the whole catalogue."""

    __tablename__ = "promotions"
    __table_args__ = (
        CheckConstraint("kind IN ('percent', 'fixed')", name="kind_known"),
        CheckConstraint("value > 0", name="value_positive"),
        CheckConstraint("kind <> 'percent' OR value <= 10000", name="percent_at_most_100"),
        CheckConstraint(
            "ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at", name="period"
        ),
        Index("ix_promotions_active_period", "is_active", "starts_at", "ends_at"),
    )

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(12))
    value: Mapped[int] = mapped_column(BigInteger)
    product_ids: Mapped[list[Any]] = mapped_column(default=list)
    category_ids: Mapped[list[Any]] = mapped_column(default=list)
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    is_active: Mapped[bool] = mapped_column(default=True)


class Voucher(IdMixin, TimestampMixin, Base):
    """An order voucher a shopper types at the cart. ``used_count`` only moves through a
    conditional UPDATE inside the order's transaction, so it never passes ``usage_limit``."""

    __tablename__ = "vouchers"
    __table_args__ = (
        CheckConstraint("kind IN ('percent', 'fixed', 'free_shipping')", name="kind_known"),
        CheckConstraint("value >= 0", name="value_not_negative"),
        CheckConstraint(
            "kind <> 'percent' OR (value > 0 AND value <= 10000)", name="percent_range"
        ),
        CheckConstraint("min_order >= 0", name="min_order_not_negative"),
        CheckConstraint("usage_limit IS NULL OR usage_limit > 0", name="limit_positive"),
        CheckConstraint(
            "per_customer_limit IS NULL OR per_customer_limit > 0", name="per_customer_positive"
        ),
        CheckConstraint("used_count >= 0", name="used_not_negative"),
        CheckConstraint("usage_limit IS NULL OR used_count <= usage_limit", name="within_limit"),
    )

    code: Mapped[str] = mapped_column(String(40), unique=True)  # stored upper case
    description: Mapped[str] = mapped_column(String(300), default="")
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[int] = mapped_column(BigInteger, default=0)
    max_discount: Mapped[int | None] = mapped_column(BigInteger)  # cap of a percent voucher
    min_order: Mapped[int] = mapped_column(BigInteger, default=0)  # eligible subtotal
    product_ids: Mapped[list[Any]] = mapped_column(default=list)
    category_ids: Mapped[list[Any]] = mapped_column(default=list)
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    usage_limit: Mapped[int | None]
    per_customer_limit: Mapped[int | None]
    used_count: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)


class VoucherCustomerUsage(Base):
    """Uses of a voucher per customer ("user:12" or "email:a@b.vn"), moved like used_count."""

    __tablename__ = "voucher_customer_usages"
    __table_args__ = (CheckConstraint("used >= 0", name="used_not_negative"),)

    voucher_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("vouchers.id", ondelete="CASCADE"), primary_key=True
    )
    customer_key: Mapped[str] = mapped_column(String(300), primary_key=True)
    used: Mapped[int] = mapped_column(default=0)


class VoucherRedemption(IdMixin, Base):
    """One voucher on one order: what it took off, for the order page and the admin."""

    __tablename__ = "voucher_redemptions"
    __table_args__ = (UniqueConstraint("order_id"),)

    voucher_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("vouchers.id", ondelete="RESTRICT"), index=True
    )
    order_id: Mapped[int] = mapped_column(BigId, ForeignKey("orders.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    customer_key: Mapped[str] = mapped_column(String(300))
    discount: Mapped[int] = mapped_column(BigInteger, default=0)
    shipping_waived: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
