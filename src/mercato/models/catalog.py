"""Catalogue: categories, tags, products, images and typed attributes (seed 004 §5.2).

Every store has its own tables, so there is no store column. Prices are integer minor units
of the store's currency (DESIGN.md §4); the currency itself comes from store.toml.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mercato.kit.time import utcnow
from mercato.models.base import Base, BigId, IdMixin, TimestampMixin

if TYPE_CHECKING:
    from mercato.models.inventory import Inventory


class Rarity(StrEnum):
    COMMON = "common"
    RARE = "rare"
    LIMITED = "limited"
    SEASONAL = "seasonal"


class Season(StrEnum):
    SPRING = "spring"
    SUMMER = "summer"
    AUTUMN = "autumn"
    WINTER = "winter"
    ALL_YEAR = "all_year"


class AttributeType(StrEnum):
    TEXT = "text"
    INT = "int"
    DECIMAL = "decimal"
    BOOL = "bool"
    CHOICE = "choice"
    MONEY = "money"


# Decimal attribute values are kept as integers scaled by 10**6 (exact on both engines and
# sortable; SQLite has no exact decimal type). See docs/decisions.md.
DECIMAL_SCALE = 6


def _in_check(column: str, values: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class Category(IdMixin, TimestampMixin, Base):
    __tablename__ = "categories"

    name: Mapped[str] = mapped_column(String(120), unique=True)
    slug: Mapped[str] = mapped_column(String(140), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    humour_symbol: Mapped[str] = mapped_column(String(8), default="")  # ☾ ☀ ♁ ☁
    colour: Mapped[str] = mapped_column(String(7), default="")  # "#B8A9C9"
    sort_order: Mapped[int] = mapped_column(default=0)
    meta_title: Mapped[str] = mapped_column(String(200), default="")
    meta_description: Mapped[str] = mapped_column(Text, default="")


class Tag(IdMixin, Base):
    __tablename__ = "tags"

    name: Mapped[str] = mapped_column(String(80), unique=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)


product_tags = Table(
    "product_tags",
    Base.metadata,
    Column("product_id", BigId, ForeignKey("products.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "tag_id", BigId, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


# A product a shopper can see, as each dialect renders `deleted_at IS NULL AND is_active`:
# SQLite only uses a partial index whose condition matches the query's text.
_LIVE_SQLITE = "deleted_at IS NULL AND is_active = 1"
_LIVE_PG = "deleted_at IS NULL AND is_active"


class Product(IdMixin, TimestampMixin, Base):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("price >= 0", name="price_not_negative"),
        CheckConstraint(
            "compare_at_price IS NULL OR compare_at_price > price", name="compare_at_above_price"
        ),
        CheckConstraint("cost_price IS NULL OR cost_price >= 0", name="cost_not_negative"),
        CheckConstraint("volume_ul IS NULL OR volume_ul > 0", name="volume_positive"),
        CheckConstraint("max_per_customer IS NULL OR max_per_customer > 0", name="limit_positive"),
        CheckConstraint(_in_check("rarity", Rarity), name="rarity_known"),
        CheckConstraint(_in_check("season", Season), name="season_known"),
        Index("ix_products_active_featured", "is_active", "is_featured"),
        # The storefront list: live products of a category in price order (seed §5.3).
        Index(
            "ix_products_listing",
            "is_active",
            "category_id",
            "price",
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
        # The default storefront order (featured, newest, id) over live products: the first
        # page is read in index order and stops at the page size (scanned backwards).
        Index(
            "ix_products_storefront_order",
            "is_featured",
            "created_at",
            "id",
            sqlite_where=text(_LIVE_SQLITE),
            postgresql_where=text(_LIVE_PG),
        ),
        # Live products per category (the humour counts).
        Index(
            "ix_products_live_category",
            "category_id",
            sqlite_where=text(_LIVE_SQLITE),
            postgresql_where=text(_LIVE_PG),
        ),
    )

    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(220), unique=True)
    latin_name: Mapped[str] = mapped_column(String(200), default="")
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    short_description: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    usage_guidance: Mapped[str] = mapped_column(Text, default="")

    price: Mapped[int] = mapped_column(BigInteger, index=True)  # minor units
    compare_at_price: Mapped[int | None] = mapped_column(BigInteger)
    cost_price: Mapped[int | None] = mapped_column(BigInteger)

    category_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("categories.id", ondelete="RESTRICT"), index=True
    )
    rarity: Mapped[str] = mapped_column(String(12), default=Rarity.COMMON.value, index=True)
    season: Mapped[str] = mapped_column(String(12), default=Season.ALL_YEAR.value, index=True)

    scent_notes: Mapped[list[Any]] = mapped_column(default=list)
    extraction_method: Mapped[str] = mapped_column(String(120), default="")
    botanical_family: Mapped[str] = mapped_column(String(120), default="")
    origin: Mapped[str] = mapped_column(String(200), default="")
    harvest_season: Mapped[str] = mapped_column(String(120), default="")
    # Microlitres: exact, integer, and 5 ml = 5000 (seed: Decimal(5,2) millilitres).
    volume_ul: Mapped[int | None] = mapped_column()
    folio_number: Mapped[str] = mapped_column(String(20), default="")  # Roman numeral

    is_active: Mapped[bool] = mapped_column(default=True)
    is_featured: Mapped[bool] = mapped_column(default=False)
    # Most units one customer may buy (limited editions, §2.1); None = no limit.
    max_per_customer: Mapped[int | None] = mapped_column()
    meta_title: Mapped[str] = mapped_column(String(200), default="")
    meta_description: Mapped[str] = mapped_column(Text, default="")
    deleted_at: Mapped[datetime | None]  # soft delete (DESIGN.md §4)

    category: Mapped[Category | None] = relationship(lazy="raise")
    tags: Mapped[list[Tag]] = relationship(secondary=product_tags, lazy="raise")
    images: Mapped[list[ProductImage]] = relationship(
        lazy="raise", order_by="ProductImage.position", passive_deletes=True
    )
    inventory: Mapped[Inventory | None] = relationship(lazy="raise", passive_deletes=True)

    @property
    def volume_ml(self) -> Decimal | None:
        return None if self.volume_ul is None else Decimal(self.volume_ul) / 1000

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


Index("ix_products_created_at", Product.created_at)


class ProductImage(IdMixin, Base):
    __tablename__ = "product_images"
    __table_args__ = (
        Index("ix_product_images_product_position", "product_id", "position"),
        # At most one primary image per product.
        Index(
            "uq_product_images_primary",
            "product_id",
            unique=True,
            sqlite_where=text("is_primary"),
            postgresql_where=text("is_primary"),
        ),
    )

    product_id: Mapped[int] = mapped_column(BigId, ForeignKey("products.id", ondelete="CASCADE"))
    storage_key: Mapped[str] = mapped_column(String(300))  # key in the store's file storage
    alt_text: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(default=0)
    is_primary: Mapped[bool] = mapped_column(default=False)
    width: Mapped[int | None]
    height: Mapped[int | None]
    # Generated WebP sizes: [{"width": 480, "height": 480, "key": "products/1/a-480.webp"}]
    variants: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AttributeDefinition(IdMixin, Base):
    """A store-specific typed field (e.g. the wholesale store's case size) without a migration."""

    __tablename__ = "attribute_definitions"
    __table_args__ = (CheckConstraint(_in_check("type", AttributeType), name="type_known"),)

    code: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    type: Mapped[str] = mapped_column(String(12))
    choices: Mapped[list[Any]] = mapped_column(default=list)  # allowed values of a "choice"
    applies_to: Mapped[str] = mapped_column(String(32), default="product")  # entity kind
    is_required: Mapped[bool] = mapped_column(default=False)
    is_filterable: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)


class ProductAttributeValue(IdMixin, Base):
    """One typed value: text/choice in value_text, int/money/decimal (scaled) in value_int,
    bool in value_bool; exactly one of them is set."""

    __tablename__ = "product_attribute_values"
    __table_args__ = (
        UniqueConstraint("product_id", "definition_id"),
        CheckConstraint(
            "(CASE WHEN value_text IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN value_int IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN value_bool IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_value",
        ),
        Index("ix_product_attribute_values_int", "definition_id", "value_int"),
        Index("ix_product_attribute_values_text", "definition_id", "value_text"),
    )

    product_id: Mapped[int] = mapped_column(BigId, ForeignKey("products.id", ondelete="CASCADE"))
    definition_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("attribute_definitions.id", ondelete="CASCADE")
    )
    value_text: Mapped[str | None] = mapped_column(String(500))
    value_int: Mapped[int | None] = mapped_column(BigInteger)
    value_bool: Mapped[bool | None]

    definition: Mapped[AttributeDefinition] = relationship(lazy="raise")
