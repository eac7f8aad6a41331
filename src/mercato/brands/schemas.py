"""What the brand dashboard, the admin, the boutique form and the API send, and what the API
answers. Money is integer minor units of the store's currency; the wholesale price is the
core product's ``price``."""

from __future__ import annotations

import re
from datetime import date
from typing import Generic, TypeVar

from pydantic import BaseModel, Field, field_validator, model_validator

from mercato.models.brands import SEASONS, STOCK_STATES

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_HANDLE = re.compile(r"^[A-Za-z0-9._]{1,30}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
MAX_INT = 2**63 - 1
T = TypeVar("T")


def _web_address(value: str) -> str:
    value = value.strip()
    if value and not re.match(r"^https?://[^\s/$.?#][^\s]*$", value):
        raise ValueError("Give a full web address starting with https://")
    return value


def _country(value: str) -> str:
    value = value.strip().upper()
    if not _COUNTRY.match(value):
        raise ValueError("Choose a country.")
    return value


def _handle(value: str) -> str:
    value = value.strip().removeprefix("@")
    if value and not _HANDLE.match(value):
        raise ValueError("An Instagram handle is letters, digits, dots and underscores.")
    return value


class BrandIn(BaseModel):
    name: str = Field(min_length=1, max_length=160)
    slug: str = Field(default="", max_length=120)
    tagline: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=2000)
    story: str = Field(default="", max_length=8000)
    location_city: str = Field(default="", max_length=120)
    location_country: str = ""
    founded_year: int | None = Field(default=None, ge=1800, le=2100)
    accent_colour: str = ""
    min_units_per_style: int | None = Field(default=None, ge=1, le=100000)
    instagram: str = ""
    website: str = ""
    category_ids: list[int] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("Name is required.")
        return value

    @field_validator("location_country")
    @classmethod
    def _country_code(cls, value: str) -> str:
        return _country(value) if value.strip() else ""

    @field_validator("accent_colour")
    @classmethod
    def _colour(cls, value: str) -> str:
        value = value.strip()
        if value and not _HEX.match(value):
            raise ValueError("Give the colour as #RRGGBB.")
        return value.lower()

    @field_validator("instagram")
    @classmethod
    def _instagram(cls, value: str) -> str:
        return _handle(value)

    @field_validator("website")
    @classmethod
    def _website(cls, value: str) -> str:
        return _web_address(value)


class CollectionIn(BaseModel):
    name: str = Field(min_length=1, max_length=160)
    slug: str = Field(default="", max_length=120)
    season: str
    year: int = Field(ge=1900, le=2100)
    description: str = Field(default="", max_length=4000)
    is_published: bool = True

    @field_validator("season")
    @classmethod
    def _season(cls, value: str) -> str:
        value = value.strip().upper()
        if value not in SEASONS:
            raise ValueError("Season is SS (spring/summer) or AW (autumn/winter).")
        return value


class SizeIn(BaseModel):
    label: str = Field(min_length=1, max_length=20)
    stock_state: str = "in_stock"
    quantity: int | None = Field(default=None, ge=0, le=10_000_000)

    @field_validator("label")
    @classmethod
    def _label(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("A size needs a label.")
        return value

    @field_validator("stock_state")
    @classmethod
    def _state(cls, value: str) -> str:
        if value not in STOCK_STATES:
            raise ValueError("Choose in stock, low stock, made to order or sold out.")
        return value


class BrandProductIn(BaseModel):
    """A brand's product: the core product's fields plus the fashion details."""

    name: str = Field(min_length=1, max_length=200)
    slug: str = Field(default="", max_length=220)
    price: int = Field(ge=0, le=MAX_INT)  # wholesale, minor units
    suggested_retail_price: int | None = Field(default=None, ge=0, le=MAX_INT)
    category_id: int | None = Field(default=None, ge=1, le=MAX_INT)
    collection_id: int | None = Field(default=None, ge=1, le=MAX_INT)
    short_description: str = Field(default="", max_length=255)
    description: str = Field(default="", max_length=8000)
    fabric: str = Field(default="", max_length=2000)
    colours: list[str] = Field(default_factory=list, max_length=20)
    lead_time_days: int = Field(default=0, ge=0, le=730)
    customisation_options: list[str] = Field(default_factory=list, max_length=20)
    is_active: bool = True
    sizes: list[SizeIn] = Field(default_factory=list, max_length=30)

    @field_validator("colours", "customisation_options")
    @classmethod
    def _clean_list(cls, values: list[str]) -> list[str]:
        seen: list[str] = []
        for value in values:
            value = " ".join(str(value).split())[:60]
            if value and value not in seen:
                seen.append(value)
        return seen

    @model_validator(mode="after")
    def _checks(self) -> BrandProductIn:
        labels = [s.label.lower() for s in self.sizes]
        if len(labels) != len(set(labels)):
            raise ValueError("Each size appears once.")
        if self.suggested_retail_price is not None and self.suggested_retail_price < self.price:
            raise ValueError("The suggested retail price is at least the wholesale price.")
        return self


class PressIn(BaseModel):
    publication: str = Field(min_length=1, max_length=120)
    title: str = Field(min_length=1, max_length=240)
    published_on: date
    url: str = ""

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return _web_address(value)


class BoutiqueIn(BaseModel):
    name: str = Field(min_length=2, max_length=160)
    city: str = Field(min_length=1, max_length=120)
    country: str
    website: str = ""
    instagram: str = ""
    about: str = Field(default="", max_length=2000)

    @field_validator("name", "city")
    @classmethod
    def _text(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("This field is required.")
        return value

    @field_validator("country")
    @classmethod
    def _country_code(cls, value: str) -> str:
        return _country(value)

    @field_validator("instagram")
    @classmethod
    def _instagram(cls, value: str) -> str:
        return _handle(value)

    @field_validator("website")
    @classmethod
    def _website(cls, value: str) -> str:
        return _web_address(value)


class OnboardIn(BaseModel):
    """Admin: a new brand and its first brand user (an existing account, or a new one)."""

    brand: BrandIn
    user_email: str = Field(min_length=3, max_length=254)
    user_name: str = Field(default="", max_length=120)
    user_password: str = Field(default="", max_length=200)


# ---- API answers -----------------------------------------------------------------------


class ImageOut(BaseModel):
    url: str
    width: int | None = None
    height: int | None = None
    alt: str = ""


class PressOut(BaseModel):
    publication: str
    title: str
    published_on: date
    url: str


class CollectionOut(BaseModel):
    slug: str
    name: str
    season: str
    year: int
    label: str
    description: str
    lookbook: list[ImageOut] = Field(default_factory=list)


class BrandSummaryOut(BaseModel):
    slug: str
    name: str
    tagline: str
    location_city: str
    location_country: str
    founded_year: int | None
    is_featured: bool
    logo: ImageOut | None = None
    categories: list[str] = Field(default_factory=list)


class BrandOut(BrandSummaryOut):
    description: str
    story: str
    min_units_per_style: int | None
    instagram: str
    website: str
    press: list[PressOut] = Field(default_factory=list)
    collections: list[CollectionOut] = Field(default_factory=list)


class SizeOut(BaseModel):
    label: str
    stock_state: str
    quantity: int | None


class ProductOut(BaseModel):
    id: int
    slug: str
    name: str
    brand: str
    brand_slug: str
    collection: str | None = None
    category: str | None = None
    currency: str
    wholesale_price: int
    suggested_retail_price: int | None
    fabric: str
    colours: list[str]
    lead_time_days: int
    customisation_options: list[str]
    sizes: list[SizeOut]
    images: list[ImageOut]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int
