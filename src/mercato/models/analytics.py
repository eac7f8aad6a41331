"""Product views counted per product and store-local day: one row per pair, incremented by
an upsert, so recording a view never grows a table by one row per visit."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, Index, PrimaryKeyConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mercato.models.base import Base, BigId


class ProductViewDaily(Base):
    __tablename__ = "product_view_daily"
    __table_args__ = (
        PrimaryKeyConstraint("product_id", "day"),
        Index("ix_product_view_daily_day", "day"),
    )

    product_id: Mapped[int] = mapped_column(BigId, ForeignKey("products.id", ondelete="CASCADE"))
    day: Mapped[date]
    views: Mapped[int] = mapped_column(default=0)
