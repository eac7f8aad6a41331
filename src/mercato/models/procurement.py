"""Procurement (seed 002): each product's supply terms (supplier, supplier minimum, pack
size, lead time, buying cost) and purchase orders with their receipts. The reorder level is
the product's own field (``wholesale_terms.reorder_level``, or the core low-stock threshold
in a store without wholesale terms).

Stock itself stays in the core ``inventory`` table: a receipt goes through
``inventory_service.adjust`` (a restock movement with the PO number as reference), and the
receipt row keeps the quantities before and after for the PO's own history.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from mercato.kit.time import utcnow
from mercato.models.base import Base, BigId, IdMixin, TimestampMixin


class PurchaseOrderStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    PARTIALLY_RECEIVED = "partially_received"
    RECEIVED = "received"  # every line in full
    CLOSED = "closed"  # finished: received, or ended short by an admin
    CANCELLED = "cancelled"  # never sent, or sent and withdrawn before anything arrived


class ProductSupply(Base):
    __tablename__ = "product_supply"
    __table_args__ = (
        CheckConstraint(
            "moq >= 1 AND pack_size >= 1 AND lead_time_days >= 0",
            name="terms_valid",
        ),
        CheckConstraint("unit_cost IS NULL OR unit_cost >= 0", name="cost_not_negative"),
    )

    product_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    moq: Mapped[int] = mapped_column(default=1)  # the supplier's minimum order
    pack_size: Mapped[int] = mapped_column(default=1)
    lead_time_days: Mapped[int] = mapped_column(default=5)
    supplier: Mapped[str] = mapped_column(String(200), default="")
    unit_cost: Mapped[int | None] = mapped_column(BigInteger)  # None: the product's cost price
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PurchaseOrder(IdMixin, TimestampMixin, Base):
    __tablename__ = "purchase_orders"
    __table_args__ = (
        CheckConstraint(
            "status IN ({})".format(", ".join(repr(s.value) for s in PurchaseOrderStatus)),
            name="status_known",
        ),
        CheckConstraint("total_cost >= 0", name="total_not_negative"),
        Index("ix_purchase_orders_status_created", "status", "created_at"),
    )

    number: Mapped[str] = mapped_column(String(20), unique=True)  # PO-2026-001
    supplier: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default=PurchaseOrderStatus.DRAFT.value)
    currency: Mapped[str] = mapped_column(String(3))
    expected_date: Mapped[date | None]
    notes: Mapped[str] = mapped_column(Text, default="")
    total_cost: Mapped[int] = mapped_column(BigInteger, default=0)
    created_by: Mapped[int | None] = mapped_column(BigId)
    sent_at: Mapped[datetime | None]
    received_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class PurchaseOrderLine(IdMixin, Base):
    __tablename__ = "purchase_order_lines"
    __table_args__ = (
        CheckConstraint("quantity_ordered > 0", name="ordered_positive"),
        CheckConstraint(
            "quantity_received >= 0 AND quantity_received <= quantity_ordered",
            name="received_bounds",
        ),
        CheckConstraint("unit_cost >= 0", name="cost_not_negative"),
        UniqueConstraint("purchase_order_id", "product_id", name="one_line_per_product"),
    )

    purchase_order_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("purchase_orders.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("products.id", ondelete="RESTRICT"), index=True
    )
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    quantity_ordered: Mapped[int]
    quantity_received: Mapped[int] = mapped_column(default=0)
    unit_cost: Mapped[int] = mapped_column(BigInteger)

    @property
    def outstanding(self) -> int:
        return self.quantity_ordered - self.quantity_received


class PurchaseReceipt(IdMixin, Base):
    __tablename__ = "purchase_receipts"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    purchase_order_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("purchase_orders.id", ondelete="CASCADE"), index=True
    )
    line_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("purchase_order_lines.id", ondelete="CASCADE")
    )
    product_id: Mapped[int] = mapped_column(BigId)
    quantity: Mapped[int]
    quantity_before: Mapped[int]
    quantity_after: Mapped[int]
    received_by: Mapped[int | None] = mapped_column(BigId)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
