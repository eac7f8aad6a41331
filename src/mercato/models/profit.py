"""Profit sharing (seed 002): settings with their history, per-product platform %, and the
profit ledger of orders.

Settings are append-only: a change is a new row, the newest row of a key is in force, so the
history of every setting is the table itself. The ledger holds one "sale" row per order line
when the order is paid and "reversal" rows (negative figures) for cancellations and refunds;
nothing in it is ever edited, and an order's profit is the sum of its rows.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mercato.kit.time import utcnow
from mercato.models.base import Base, BigId, IdMixin


class ProfitSetting(IdMixin, Base):
    __tablename__ = "profit_settings"
    __table_args__ = (Index("ix_profit_settings_key_id", "key", "id"),)

    key: Mapped[str] = mapped_column(String(80))
    category: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(200))  # canonical text: "15.00", "true", "5"
    note: Mapped[str] = mapped_column(String(300), default="")
    changed_by: Mapped[int | None] = mapped_column(BigId)  # users.id; no FK, history outlives
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ProductProfitRate(Base):
    """A product's own platform profit % (basis points), overriding the store default."""

    __tablename__ = "product_profit_rates"
    __table_args__ = (
        CheckConstraint("platform_bp >= 0 AND platform_bp <= 10000", name="bp_range"),
    )

    product_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    platform_bp: Mapped[int]
    updated_by: Mapped[int | None] = mapped_column(BigId)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ProfitEntry(IdMixin, Base):
    __tablename__ = "profit_entries"
    __table_args__ = (
        CheckConstraint("kind IN ('sale', 'reversal')", name="kind_known"),
        CheckConstraint("gross_profit = revenue - cost", name="gross_adds_up"),
        CheckConstraint("seller_share + final_platform = gross_profit", name="split_adds_up"),
        CheckConstraint(
            "(kind = 'sale' AND revenue >= 0 AND quantity >= 0)"
            " OR (kind = 'reversal' AND revenue <= 0 AND quantity <= 0)",
            name="sign_by_kind",
        ),
        # One sale per line; one reversal per line and cause (a refund event, a cancellation).
        UniqueConstraint(
            "order_line_id", "kind", "reference", name="uq_profit_entries_once_per_cause"
        ),
        Index("ix_profit_entries_occurred", "occurred_at"),
        Index("ix_profit_entries_product_occurred", "product_id", "occurred_at"),
        Index("ix_profit_entries_seller_occurred", "seller_id", "occurred_at"),
    )

    order_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    order_line_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("order_lines.id", ondelete="CASCADE")
    )
    order_number: Mapped[str] = mapped_column(String(32))
    product_id: Mapped[int | None] = mapped_column(BigId)  # no FK: the ledger outlives products
    seller_id: Mapped[int | None] = mapped_column(BigId)  # the product's seller at the sale
    sku: Mapped[str] = mapped_column(String(64), default="")
    name: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(10))
    reference: Mapped[str] = mapped_column(String(60), default="")
    currency: Mapped[str] = mapped_column(String(3))  # the store's currency
    quantity: Mapped[int]
    unit_price: Mapped[int] = mapped_column(BigInteger, default=0)
    unit_cost: Mapped[int] = mapped_column(BigInteger, default=0)
    revenue: Mapped[int] = mapped_column(BigInteger)
    cost: Mapped[int] = mapped_column(BigInteger)
    gross_profit: Mapped[int] = mapped_column(BigInteger)
    platform_share: Mapped[int] = mapped_column(BigInteger)
    seller_share: Mapped[int] = mapped_column(BigInteger)
    final_platform: Mapped[int] = mapped_column(BigInteger)
    platform_bp: Mapped[int] = mapped_column(default=0)  # the rates used, basis points
    seller_bp: Mapped[int] = mapped_column(default=0)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def profit_per_unit(self) -> int:
        return self.unit_price - self.unit_cost
