"""What callers hand the catalogue service, and what a listing returns."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, Field

from mercato.models.catalog import Category, Product, ProductImage
from mercato.models.inventory import Inventory


class ProductIn(BaseModel):
    """A product as the admin form or API sends it. Money in minor units; an empty slug is
    made from the name. The service checks the rules (uniqueness, prices, category)."""

    name: str = Field(max_length=200)
    sku: str = Field(max_length=64)
    slug: str = Field(default="", max_length=220)
    price: int
    compare_at_price: int | None = None
    cost_price: int | None = None
    category_id: int | None = None
    latin_name: str = Field(default="", max_length=200)
    short_description: str = Field(default="", max_length=255)
    description: str = ""
    usage_guidance: str = ""
    rarity: str = "common"
    season: str = "all_year"
    scent_notes: list[str] = Field(default_factory=list)
    extraction_method: str = Field(default="", max_length=120)
    botanical_family: str = Field(default="", max_length=120)
    origin: str = Field(default="", max_length=200)
    harvest_season: str = Field(default="", max_length=120)
    volume_ul: int | None = None
    folio_number: str = Field(default="", max_length=20)
    is_active: bool = True
    is_featured: bool = False
    max_per_customer: int | None = Field(default=None, gt=0)  # None: no limit
    meta_title: str = Field(default="", max_length=200)
    meta_description: str = ""


class CategoryIn(BaseModel):
    name: str = Field(max_length=120)
    slug: str = Field(default="", max_length=140)
    description: str = ""
    humour_symbol: str = Field(default="", max_length=8)
    colour: str = ""
    sort_order: int = 0
    meta_title: str = Field(default="", max_length=200)
    meta_description: str = ""


class ProductSort(StrEnum):
    FEATURED = "featured"
    NEWEST = "newest"
    PRICE_ASC = "price_asc"
    PRICE_DESC = "price_desc"
    NAME = "name"
    RELEVANCE = "relevance"  # best search match first; without a search, like "featured"


@dataclass
class ProductFilters:
    """Storefront list filters; None means "any". Prices in minor units."""

    q: str | None = None  # full-text search (mercato.catalog.search)
    category: str | None = None  # category slug
    rarity: str | None = None
    season: str | None = None
    scent_note: str | None = None
    min_price: int | None = None
    max_price: int | None = None
    in_stock: bool = False
    featured: bool = False
    include_inactive: bool = False  # admin lists; soft-deleted products never show


@dataclass
class ProductCard:
    """One product of a list with what a card draws, loaded in a bounded number of queries."""

    product: Product
    category: Category | None
    inventory: Inventory | None
    primary_image: ProductImage | None = None

    @property
    def in_stock(self) -> bool:
        return self.inventory is not None and self.inventory.available > 0
