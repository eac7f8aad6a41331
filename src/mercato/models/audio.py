"""Audio Tài Lộc shop tables: extra categories per product and the folded search text.

The core gives a product one ``category_id`` (its main category, used in breadcrumbs);
audio equipment sits in several at once (a karaoke speaker is also a Bluetooth speaker),
so ``product_categories`` links a product to any number of categories.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from mercato.kit.time import utcnow
from mercato.models.base import Base, BigId

product_categories = Table(
    "product_categories",
    Base.metadata,
    Column("product_id", BigId, ForeignKey("products.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "category_id",
        BigId,
        ForeignKey("categories.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class SearchDocument(Base):
    """A product's searchable text folded to unaccented lower case (``mercato.seo.text.fold``):
    name, brand, categories, descriptions and specification values. SQLite indexes it with
    FTS5 (``search_documents_fts``, kept in step by triggers), PostgreSQL with a GIN tsvector
    ('simple' configuration: no stemming of Vietnamese) and a trigram index for typos."""

    __tablename__ = "search_documents"

    product_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    document: Mapped[str] = mapped_column(Text, default="")
    # products.updated_at when this text was built: the reindex job refreshes older rows.
    source_updated_at: Mapped[datetime | None]
    indexed_at: Mapped[datetime] = mapped_column(default=utcnow)
