"""Stock on hand, reservations and the movement ledger (DESIGN.md §4 "No oversell").

Stock only changes through mercato.inventory.service, by conditional UPDATEs, and every
change writes a StockMovement with the values before and after.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from mercato.kit.time import utcnow
from mercato.models.base import Base, BigId, IdMixin


class MovementKind(StrEnum):
    RESTOCK = "restock"  # goods received (admin); sets last_restocked_at
    ADJUSTMENT = "adjustment"  # counted, damaged, lost... (admin, with a reason)
    RESERVE = "reserve"  # held for a checkout; quantity unchanged
    RELEASE = "release"  # hold given back (abandoned, cancelled, expired)
    SALE = "sale"  # a held unit leaves: quantity and reserved both fall
    RETURN = "return"  # a sold unit comes back


class Inventory(Base):
    __tablename__ = "inventory"
    __table_args__ = (
        CheckConstraint(
            "quantity >= 0 AND reserved >= 0 AND reserved <= quantity", name="stock_bounds"
        ),
        CheckConstraint("low_stock_threshold >= 0", name="threshold_not_negative"),
        # The admin's low-stock list (seed §5.3).
        Index(
            "ix_inventory_low_stock",
            "product_id",
            sqlite_where=text("quantity <= low_stock_threshold"),
            postgresql_where=text("quantity <= low_stock_threshold"),
        ),
    )

    product_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    quantity: Mapped[int] = mapped_column(default=0)  # on hand, including reserved units
    reserved: Mapped[int] = mapped_column(default=0)
    low_stock_threshold: Mapped[int] = mapped_column(default=5)
    last_restocked_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def available(self) -> int:
        return self.quantity - self.reserved


class StockMovement(IdMixin, Base):
    """The ledger: one row per stock change. Sum of quantity_delta = quantity on hand."""

    __tablename__ = "stock_movements"
    __table_args__ = (
        CheckConstraint(
            "kind IN ({})".format(", ".join(repr(k.value) for k in MovementKind)),
            name="kind_known",
        ),
        Index("ix_stock_movements_product_created", "product_id", "created_at"),
    )

    product_id: Mapped[int] = mapped_column(BigId, ForeignKey("products.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))
    quantity_delta: Mapped[int] = mapped_column(default=0)
    quantity_before: Mapped[int]
    quantity_after: Mapped[int]
    reserved_delta: Mapped[int] = mapped_column(default=0)
    reserved_before: Mapped[int]
    reserved_after: Mapped[int]
    reason: Mapped[str] = mapped_column(String(500), default="")
    reference: Mapped[str] = mapped_column(String(100), default="", index=True)
    actor_id: Mapped[int | None] = mapped_column(BigId)  # users.id; no FK, the row outlives it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StockReservation(IdMixin, Base):
    """Units held for a cart or order until consumed (sold), released, or expired."""

    __tablename__ = "stock_reservations"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        # The expiry job only looks at open holds.
        Index(
            "ix_stock_reservations_open_expiry",
            "expires_at",
            sqlite_where=text("released_at IS NULL AND consumed_at IS NULL"),
            postgresql_where=text("released_at IS NULL AND consumed_at IS NULL"),
        ),
    )

    product_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    quantity: Mapped[int]
    reference: Mapped[str] = mapped_column(String(100), index=True)  # order number, cart token
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    released_at: Mapped[datetime | None]
    consumed_at: Mapped[datetime | None]

    @property
    def is_open(self) -> bool:
        return self.released_at is None and self.consumed_at is None
