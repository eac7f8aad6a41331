"""Designer brands of the Qala store (seed 000): brands as seller accounts and their members,
seasonal collections with ordered lookbooks, press features, the link of a core catalogue
product to its brand and collection with its fashion details and size run, and the boutiques
(buyer profiles) an admin approves before they may send inquiries or messages.

The core ``products`` table stays the one product table: name, slug, wholesale price (integer
minor units), images, category and search come from it; ``brand_products`` adds what only a
fashion wholesale catalogue needs.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

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
)
from sqlalchemy.orm import Mapped, mapped_column

from mercato.kit.time import utcnow
from mercato.models.base import Base, BigId, IdMixin, TimestampMixin

SEASONS = ("SS", "AW")  # spring/summer, autumn/winter: the fashion calendar's two seasons
MEMBER_ROLES = ("owner", "editor")
BOUTIQUE_STATUSES = ("pending", "approved", "rejected")
# What a buyer is told about one size: a count is only shown while it is low.
STOCK_STATES = ("in_stock", "low_stock", "made_to_order", "sold_out")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Brand(IdMixin, TimestampMixin, Base):
    """A designer brand: the seller account buyers discover and deal with directly."""

    __tablename__ = "brands"
    __table_args__ = (
        CheckConstraint(
            "founded_year IS NULL OR (founded_year >= 1800 AND founded_year <= 2100)",
            name="founded_year_plausible",
        ),
        CheckConstraint(
            "min_units_per_style IS NULL OR min_units_per_style >= 1", name="minimum_positive"
        ),
        # The discovery timeline and the home page's featured row read live brands in order.
        Index("ix_brands_active_featured", "is_active", "is_featured"),
        Index("ix_brands_location", "location_country", "location_city"),
    )

    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    tagline: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    story: Mapped[str] = mapped_column(Text, default="")  # plain text, paragraphs by blank lines
    location_city: Mapped[str] = mapped_column(String(120), default="")
    location_country: Mapped[str] = mapped_column(String(2), default="")  # ISO 3166-1 alpha-2
    founded_year: Mapped[int | None]
    # Storage key of the logo (re-encoded PNG/WebP), with its size for width/height attributes.
    logo_key: Mapped[str] = mapped_column(String(300), default="")
    logo_width: Mapped[int | None]
    logo_height: Mapped[int | None]
    # Brand colour for generated artwork and the timeline card's accent ("#1f2a44").
    accent_colour: Mapped[str] = mapped_column(String(7), default="")
    is_featured: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    # Smallest order per style the brand accepts (inquiry validation); None = no minimum.
    min_units_per_style: Mapped[int | None]
    instagram: Mapped[str] = mapped_column(String(80), default="")
    website: Mapped[str] = mapped_column(String(300), default="")


brand_categories = Table(
    "brand_categories",
    Base.metadata,
    Column("brand_id", BigId, ForeignKey("brands.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "category_id",
        BigId,
        ForeignKey("categories.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class BrandMember(IdMixin, Base):
    """A user who manages a brand from the brand dashboard. A user may belong to several
    brands (an agency), once each."""

    __tablename__ = "brand_members"
    __table_args__ = (
        UniqueConstraint("brand_id", "user_id"),
        CheckConstraint(_in("role", MEMBER_ROLES), name="role_known"),
    )

    brand_id: Mapped[int] = mapped_column(BigId, ForeignKey("brands.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16), default="owner")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BrandCollection(IdMixin, TimestampMixin, Base):
    """A seasonal collection ("SS 2026"): its lookbook images are shown in position order."""

    __tablename__ = "brand_collections"
    __table_args__ = (
        UniqueConstraint("brand_id", "slug"),
        CheckConstraint(_in("season", SEASONS), name="season_known"),
        CheckConstraint("year >= 1900 AND year <= 2100", name="year_plausible"),
        # "New collections" on the home page and the season filter.
        Index("ix_brand_collections_season", "year", "season"),
    )

    brand_id: Mapped[int] = mapped_column(BigId, ForeignKey("brands.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(160))
    season: Mapped[str] = mapped_column(String(2))
    year: Mapped[int]
    description: Mapped[str] = mapped_column(Text, default="")
    is_published: Mapped[bool] = mapped_column(default=True)

    @property
    def season_label(self) -> str:
        return f"{self.season} {self.year}"


class LookbookImage(IdMixin, Base):
    """One lookbook photograph of a collection; the bytes live in the store's file storage."""

    __tablename__ = "brand_lookbook_images"
    __table_args__ = (Index("ix_brand_lookbook_images_position", "collection_id", "position"),)

    collection_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("brand_collections.id", ondelete="CASCADE")
    )
    storage_key: Mapped[str] = mapped_column(String(300))
    alt_text: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(default=0)
    width: Mapped[int | None]
    height: Mapped[int | None]
    # WebP copies [{"width", "height", "key"}] for a srcset, as ProductImage.variants.
    variants: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PressFeature(IdMixin, Base):
    """Press coverage shown on the brand page ("Vogue", title, date, link)."""

    __tablename__ = "brand_press_features"
    __table_args__ = (Index("ix_brand_press_features_brand_date", "brand_id", "published_on"),)

    brand_id: Mapped[int] = mapped_column(BigId, ForeignKey("brands.id", ondelete="CASCADE"))
    publication: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(240))
    published_on: Mapped[date]
    url: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BrandProduct(Base):
    """Which brand (and collection) a core catalogue product belongs to, with the fashion
    details of the seed's product: fabric, colours, suggested retail price, lead time and the
    customisations the brand offers. A product has at most one brand (the primary key).

    The core product's ``price`` is the wholesale price; the suggested retail price is in the
    same currency and minor units.
    """

    __tablename__ = "brand_products"
    __table_args__ = (
        CheckConstraint(
            "suggested_retail_price IS NULL OR suggested_retail_price >= 0",
            name="retail_price_not_negative",
        ),
        CheckConstraint("lead_time_days >= 0", name="lead_time_not_negative"),
    )

    product_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    brand_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("brands.id", ondelete="CASCADE"), index=True
    )
    collection_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("brand_collections.id", ondelete="SET NULL"), index=True
    )
    fabric: Mapped[str] = mapped_column(Text, default="")
    colours: Mapped[list[Any]] = mapped_column(default=list)  # ["Navy", "Cream"]
    suggested_retail_price: Mapped[int | None] = mapped_column(BigInteger)  # minor units
    lead_time_days: Mapped[int] = mapped_column(default=0)
    # Customisations a buyer may ask for in an inquiry ("Longer sleeves", "Custom lining").
    customisation_options: Mapped[list[Any]] = mapped_column(default=list)
    # Transparent PNG cut-out of the garment for the 2D try-on; "" when there is none.
    cutout_key: Mapped[str] = mapped_column(String(300), default="")


class ProductSize(IdMixin, Base):
    """One size of a product's size run with its stock state (seed: Size {size, inStock,
    quantity}). Inquiries validate the size label against these rows."""

    __tablename__ = "product_sizes"
    __table_args__ = (
        UniqueConstraint("product_id", "label"),
        CheckConstraint(_in("stock_state", STOCK_STATES), name="stock_state_known"),
        CheckConstraint("quantity IS NULL OR quantity >= 0", name="quantity_not_negative"),
        Index("ix_product_sizes_product_sort", "product_id", "sort"),
    )

    product_id: Mapped[int] = mapped_column(BigId, ForeignKey("products.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(20))  # "XS", "M", "38", "One size"
    sort: Mapped[int] = mapped_column(default=0)
    stock_state: Mapped[str] = mapped_column(String(16), default="in_stock")
    quantity: Mapped[int | None]  # units ready to ship, when the brand tracks them

    @property
    def available(self) -> bool:
        return self.stock_state != "sold_out"


class Boutique(IdMixin, TimestampMixin, Base):
    """A buyer's boutique (buyer profile). Browsing is open to everyone; only a boutique with
    status ``approved`` may send inquiries and messages."""

    __tablename__ = "boutiques"
    __table_args__ = (
        UniqueConstraint("user_id"),
        CheckConstraint(_in("status", BOUTIQUE_STATUSES), name="status_known"),
        CheckConstraint("status <> 'rejected' OR length(reason) > 0", name="reason_when_rejected"),
        Index("ix_boutiques_status_created", "status", "created_at"),
    )

    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(160))
    city: Mapped[str] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    website: Mapped[str] = mapped_column(String(300), default="")
    instagram: Mapped[str] = mapped_column(String(80), default="")  # handle without "@"
    about: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="pending")
    reason: Mapped[str] = mapped_column(Text, default="")  # why it was rejected
    reviewed_by: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    reviewed_at: Mapped[datetime | None]


# The brief's name for the buyer profile; one table serves both words.
BuyerProfile = Boutique
