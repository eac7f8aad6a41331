"""Catalogue rules: product and category validation, soft delete, and the storefront list.

Import as ``from mercato.catalog import service as catalog_service``. Services flush, never
commit; errors are ValidationFailed/NotFound with the field they concern.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.catalog import repository as repo
from mercato.catalog import search
from mercato.catalog.schemas import (
    CategoryIn,
    ProductCard,
    ProductFilters,
    ProductIn,
    ProductSort,
)
from mercato.inventory import service as inventory_service
from mercato.kit.errors import NotFound, ValidationFailed
from mercato.kit.pagination import Page
from mercato.kit.text import slugify
from mercato.kit.time import utcnow
from mercato.models.catalog import Category, Product, Rarity, Season

MAX_PER_PAGE = 100
# Past this many products a list says "more than 1,000" instead of counting them all, and a
# search ranks its first 1,001 matches (by id) rather than every match (docs/decisions.md).
COUNT_CAP = 1000
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


def _required(value: str, field: str, label: str) -> str:
    value = value.strip()
    if not value:
        raise ValidationFailed(f"{label} is required.", field=field)
    return value


def _slug(raw: str, name: str) -> str:
    slug = raw.strip().lower() or slugify(name)
    if not _SLUG.match(slug):
        raise ValidationFailed(
            "Use lower-case letters, digits and single hyphens in the slug.", field="slug"
        )
    return slug


def _scent_notes(notes: list[str]) -> list[str]:
    """Trimmed, without blanks or case-insensitive repeats, in the given order."""
    seen: set[str] = set()
    clean: list[str] = []
    for note in notes:
        note = " ".join(note.split())
        if note and note.lower() not in seen:
            if len(note) > 60:
                raise ValidationFailed(
                    "A scent note is at most 60 characters.", field="scent_notes"
                )
            seen.add(note.lower())
            clean.append(note)
    return clean


async def _checked_product_values(
    db: AsyncSession, data: ProductIn, exclude_id: int | None
) -> dict[str, object]:
    name = _required(data.name, "name", "Name")
    sku = _required(data.sku, "sku", "SKU").upper()
    slug = _slug(data.slug, name)
    if data.price < 0:
        raise ValidationFailed("The price cannot be negative.", field="price")
    if data.compare_at_price is not None and data.compare_at_price <= data.price:
        raise ValidationFailed(
            "The compare-at price must be higher than the price, or empty.",
            field="compare_at_price",
        )
    if data.cost_price is not None and data.cost_price < 0:
        raise ValidationFailed("The cost cannot be negative.", field="cost_price")
    if data.volume_ul is not None and data.volume_ul <= 0:
        raise ValidationFailed("The volume must be more than zero.", field="volume_ul")
    if data.rarity not in {r.value for r in Rarity}:
        raise ValidationFailed("Choose a known rarity.", field="rarity")
    if data.season not in {s.value for s in Season}:
        raise ValidationFailed("Choose a known season.", field="season")
    if data.category_id is not None and await repo.category_by_id(db, data.category_id) is None:
        raise ValidationFailed("Choose an existing category.", field="category_id")
    if await repo.product_taken(db, "slug", slug, exclude_id):
        raise ValidationFailed("Another product already uses this slug.", field="slug")
    if await repo.product_taken(db, "sku", sku, exclude_id):
        raise ValidationFailed("Another product already uses this SKU.", field="sku")
    values = data.model_dump()
    values.update(name=name, sku=sku, slug=slug, scent_notes=_scent_notes(data.scent_notes))
    return values


async def _flush_unique(db: AsyncSession, what: str) -> None:
    """A concurrent insert can still win the unique index after our check: same message."""
    try:
        async with db.begin_nested():
            await db.flush()
    except IntegrityError as exc:
        text = str(exc.orig).lower()
        field = "sku" if "sku" in text else "slug" if "slug" in text else "name"
        raise ValidationFailed(f"Another {what} already uses this {field}.", field=field) from exc


async def create_product(
    db: AsyncSession,
    data: ProductIn,
    *,
    stock: int = 0,
    low_stock_threshold: int = 5,
    actor_id: int | None = None,
) -> Product:
    """A new product with its stock row (opening stock goes through the ledger)."""
    values = await _checked_product_values(db, data, None)
    product = Product(**values)
    db.add(product)
    await _flush_unique(db, "product")
    await inventory_service.create_inventory(
        db, product.id, quantity=stock, low_stock_threshold=low_stock_threshold, actor_id=actor_id
    )
    return product


async def update_product(db: AsyncSession, product_id: int, data: ProductIn) -> Product:
    product = await get_product(db, product_id)
    values = await _checked_product_values(db, data, product_id)
    for key, value in values.items():
        setattr(product, key, value)
    await _flush_unique(db, "product")
    return product


async def get_product(db: AsyncSession, product_id: int) -> Product:
    product = await repo.product_by_id(db, product_id)
    if product is None:
        raise NotFound("No such product.", field="product_id")
    return product


async def soft_delete_product(db: AsyncSession, product_id: int) -> Product:
    """Hidden everywhere, kept for orders that name it (DESIGN.md §4)."""
    product = await get_product(db, product_id)
    product.deleted_at = utcnow()
    product.is_active = False
    await db.flush()
    return product


async def product_page(db: AsyncSession, slug: str) -> Product:
    product = await repo.product_detail(db, slug)
    if product is None:
        raise NotFound("This essence is not in the catalogue.")
    return product


@dataclass
class Listing(Page[ProductCard]):
    """A page of product cards whose ``total`` may be a lower bound: with ``total_exact``
    false there are more than ``total`` products, so the pager knows the pages up to there
    (always one past the current page) but not the last one."""

    total_exact: bool = True

    @property
    def pages(self) -> int:
        if self.total_exact:
            return super().pages
        return -(-(self.total + 1) // self.per_page)

    def window(self, around: int = 2) -> list[int | None]:
        if self.total_exact:
            return super().window(around)
        # the last page is unknown: the first page, a gap, and the pages around this one
        numbers = sorted(
            n for n in {1, *range(self.page - around, self.page + around + 1)} if n >= 1
        )
        out: list[int | None] = []
        for n in (n for n in numbers if n <= self.pages):
            if out and n - (out[-1] or 0) > 1:
                out.append(None)
            out.append(n)
        return out


async def list_products(
    db: AsyncSession,
    filters: ProductFilters | None = None,
    *,
    sort: ProductSort | str = ProductSort.FEATURED,
    page: int = 1,
    per_page: int = 24,
) -> Listing:
    """One page of product cards: a capped count, the page (with category and stock) and
    its primary images, three queries whatever the page size; a search by relevance counts
    in its page query, two. Past ``COUNT_CAP`` products the total is a lower bound."""
    filters = filters or ProductFilters()
    if filters.q is not None and len(filters.q) > 200:
        raise ValidationFailed("Search with at most 200 characters.", field="q")
    try:
        sort = ProductSort(sort)
    except ValueError:
        raise ValidationFailed("Choose a known sort order.", field="sort") from None
    if filters.rarity and filters.rarity not in {r.value for r in Rarity}:
        raise ValidationFailed("Choose a known rarity.", field="rarity")
    if filters.season and filters.season not in {s.value for s in Season}:
        raise ValidationFailed("Choose a known season.", field="season")
    if (
        filters.min_price is not None
        and filters.max_price is not None
        and filters.min_price > filters.max_price
    ):
        raise ValidationFailed("The lowest price is above the highest.", field="min_price")
    per_page = min(max(per_page, 1), MAX_PER_PAGE)
    page = max(page, 1)
    offset = (page - 1) * per_page
    if search.terms(filters.q) and sort == ProductSort.RELEVANCE:
        # One fixed candidate set, so the pages of a search never reorder as one pages on.
        limit = COUNT_CAP
        stmt = repo.ranked_search_query(db, filters, COUNT_CAP, limit=per_page, offset=offset)
        rows = (await db.execute(stmt)).all()
        products = [row[0] for row in rows]
        if rows or page == 1:
            counted = int(rows[0][1]) if rows else 0
        else:  # past the last page: the page query had no row to carry the count
            counted = await _counted(db, filters, limit)
    else:
        # Count far enough to know that this page is full and whether another follows.
        limit = max(COUNT_CAP, page * per_page)
        counted = await _counted(db, filters, limit)
        stmt = repo.product_list_query(db, filters, sort).limit(per_page).offset(offset)
        products = list(await db.scalars(stmt))
    exact = counted <= limit
    return Listing(
        items=await _cards(db, products),
        total=counted if exact else limit,
        page=page,
        per_page=per_page,
        total_exact=exact,
    )


async def _counted(db: AsyncSession, filters: ProductFilters, limit: int) -> int:
    return int(await db.scalar(repo.capped_count_query(db, filters, limit)) or 0)


async def _cards(db: AsyncSession, products: list[Product]) -> list[ProductCard]:
    """Cards for products loaded with category and stock: one more query for images."""
    images = await repo.primary_images(db, [p.id for p in products])
    return [
        ProductCard(
            product=p,
            category=p.category,
            inventory=p.inventory,
            primary_image=images.get(p.id),
        )
        for p in products
    ]


async def related_products(db: AsyncSession, product: Product, limit: int = 4) -> list[ProductCard]:
    """Essences to show beside ``product``: its humour first, then shared scent notes.
    Two queries whatever ``limit`` is."""
    return await _cards(db, await repo.related_products(db, product, limit))


async def category_by_slug(db: AsyncSession, slug: str) -> Category:
    category = await repo.category_by_slug(db, slug)
    if category is None:
        raise NotFound("There is no such humour in the catalogue.")
    return category


async def category_counts(db: AsyncSession, runtime: Any = None) -> dict[int, int]:
    return await _derived(runtime, "category_counts", lambda: repo.category_counts(db))


async def _derived(runtime: Any, name: str, compute: Callable[[], Awaitable[Any]]) -> Any:
    """``compute()``, kept by the store's page cache until the catalogue changes when the
    store runs with ``facet_cache`` (on a large catalogue these scan every product)."""
    cache = getattr(runtime, "page_cache", None)
    if cache is None or not runtime.settings.facet_cache:
        return await compute()
    return await cache.remember(name, compute)


async def create_category(db: AsyncSession, data: CategoryIn) -> Category:
    name = _required(data.name, "name", "Name")
    slug = _slug(data.slug, name)
    if data.colour and not _COLOUR.match(data.colour):
        raise ValidationFailed("Give the colour as #RRGGBB.", field="colour")
    if await repo.category_taken(db, "name", name):
        raise ValidationFailed("Another category already has this name.", field="name")
    if await repo.category_taken(db, "slug", slug):
        raise ValidationFailed("Another category already uses this slug.", field="slug")
    values = data.model_dump()
    values.update(name=name, slug=slug)
    category = Category(**values)
    db.add(category)
    await _flush_unique(db, "category")
    return category


async def categories(db: AsyncSession) -> list[Category]:
    return await repo.categories(db)


async def scent_notes(db: AsyncSession, runtime: Any = None) -> list[str]:
    return await _derived(runtime, "scent_notes", lambda: repo.scent_notes(db))


async def sitemap_entries(db: AsyncSession) -> list[tuple[str, object]]:
    return await repo.sitemap_entries(db)
