"""Recommendations computed by a scheduled job (mercato.recommendations.jobs)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from mercato.kit.time import utcnow
from mercato.models.base import Base, BigId


class ProductRecommendation(Base):
    """``related_id`` is recommended beside ``product_id``: kind "bought_together" (orders
    holding both) or "similar" (specifications and text). Higher score first."""

    __tablename__ = "product_recommendations"
    __table_args__ = (
        CheckConstraint("kind IN ('bought_together', 'similar')", name="kind_known"),
        CheckConstraint("product_id <> related_id", name="not_itself"),
        Index("ix_product_recommendations_lookup", "product_id", "kind", "score"),
    )

    product_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    related_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    score: Mapped[int] = mapped_column(default=0)  # co-orders, or similarity × 1000
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
