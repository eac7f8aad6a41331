"""Every query of the catalogue domain."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, literal, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from mercato.catalog import search
from mercato.catalog.schemas import ProductFilters, ProductSort
from mercato.models.catalog import (
    AttributeDefinition,
    Category,
    Product,
    ProductAttributeValue,
    ProductImage,
    Tag,
)
from mercato.models.inventory import Inventory


async def category_by_id(db: AsyncSession, category_id: int) -> Category | None:
    return await db.get(Category, category_id)


async def category_by_slug(db: AsyncSession, slug: str) -> Category | None:
    return await db.scalar(select(Category).where(Category.slug == slug))


async def categories(db: AsyncSession) -> list[Category]:
    return list(await db.scalars(select(Category).order_by(Category.sort_order, Category.name)))


async def category_taken(
    db: AsyncSession, field: str, value: str, exclude_id: int | None = None
) -> bool:
    column = getattr(Category, field)
    stmt = select(Category.id).where(column == value)
    if exclude_id is not None:
        stmt = stmt.where(Category.id != exclude_id)
    return await db.scalar(stmt.limit(1)) is not None


async def product_taken(
    db: AsyncSession, field: str, value: str, exclude_id: int | None = None
) -> bool:
    """Slugs and SKUs stay taken by soft-deleted products: old links and orders name them."""
    column = getattr(Product, field)
    stmt = select(Product.id).where(column == value)
    if exclude_id is not None:
        stmt = stmt.where(Product.id != exclude_id)
    return await db.scalar(stmt.limit(1)) is not None


async def product_by_id(db: AsyncSession, product_id: int) -> Product | None:
    return await db.scalar(
        select(Product).where(Product.id == product_id, Product.deleted_at.is_(None))
    )


async def product_detail(db: AsyncSession, slug: str) -> Product | None:
    """A live product with its category, images, tags and stock (for the product page)."""
    stmt = (
        select(Product)
        .where(Product.slug == slug, Product.deleted_at.is_(None), Product.is_active)
        .options(
            # to-one rows ride in the same SELECT; the lists take one query each
            joinedload(Product.category),
            joinedload(Product.inventory),
            selectinload(Product.images),
            selectinload(Product.tags),
        )
    )
    return await db.scalar(stmt)


async def related_products(db: AsyncSession, product: Product, limit: int) -> list[Product]:
    """Live products of the same category or sharing a scent note, same category first,
    with category and stock loaded: one query whatever ``limit`` is."""
    same_category = (
        Product.category_id == product.category_id
        if product.category_id is not None
        else literal(False)
    )
    shared_note = [_has_scent_note(db, note) for note in (product.scent_notes or [])[:6]]
    stmt = (
        select(Product)
        .outerjoin(Category, Product.category_id == Category.id)
        .outerjoin(Inventory, Inventory.product_id == Product.id)
        .options(contains_eager(Product.category), contains_eager(Product.inventory))
        .where(
            Product.deleted_at.is_(None),
            Product.is_active,
            Product.id != product.id,
            or_(same_category, *shared_note),
        )
        .order_by(
            case((same_category, 0), else_=1),
            Product.is_featured.desc(),
            Product.name,
            Product.id,
        )
        .limit(limit)
    )
    return list((await db.scalars(stmt)).unique())


async def category_counts(db: AsyncSession) -> dict[int, int]:
    """Live products per category (the humour cards), one GROUP BY."""
    stmt = (
        select(Product.category_id, func.count())
        .where(Product.deleted_at.is_(None), Product.is_active, Product.category_id.is_not(None))
        .group_by(Product.category_id)
    )
    return {row[0]: row[1] for row in await db.execute(stmt)}


async def scent_notes(db: AsyncSession) -> list[str]:
    """Every scent note used by a live product, for the catalogue's note filter."""
    if db.get_bind().dialect.name == "postgresql":
        sql = (
            "SELECT DISTINCT n FROM products p, jsonb_array_elements_text(p.scent_notes) n "
            "WHERE p.deleted_at IS NULL AND p.is_active"
        )
    else:
        sql = (
            "SELECT DISTINCT je.value FROM products p, json_each(p.scent_notes) je "
            "WHERE p.deleted_at IS NULL AND p.is_active"
        )
    seen: dict[str, str] = {}
    for (note,) in await db.execute(text(sql)):
        seen.setdefault(str(note).lower(), str(note))
    return sorted(seen.values(), key=str.lower)


async def sitemap_entries(db: AsyncSession) -> list[tuple[str, Any]]:
    """(slug, updated_at) of every live product, for sitemap.xml."""
    stmt = (
        select(Product.slug, Product.updated_at)
        .where(Product.deleted_at.is_(None), Product.is_active)
        .order_by(Product.id)
    )
    return [(row[0], row[1]) for row in await db.execute(stmt)]


def _has_scent_note(db: AsyncSession, note: str) -> ColumnElement[bool]:
    """Case-insensitive membership in the JSON list, on each engine's JSON functions."""
    if db.get_bind().dialect.name == "postgresql":
        elements = func.jsonb_array_elements_text(Product.scent_notes)
    else:
        elements = func.json_each(Product.scent_notes)
    notes = elements.table_valued("value").alias("note")
    return (
        select(literal(1))
        .select_from(notes)
        .where(func.lower(notes.c.value) == note.strip().lower())
        .exists()
    )


_ORDER: dict[ProductSort, tuple[Any, ...]] = {
    ProductSort.FEATURED: (
        Product.is_featured.desc(),
        Product.created_at.desc(),
        Product.id.desc(),
    ),
    ProductSort.NEWEST: (Product.created_at.desc(), Product.id.desc()),
    ProductSort.PRICE_ASC: (Product.price.asc(), Product.id.asc()),
    ProductSort.PRICE_DESC: (Product.price.desc(), Product.id.desc()),
    ProductSort.NAME: (Product.name.asc(), Product.id.asc()),
}
_ORDER[ProductSort.RELEVANCE] = _ORDER[ProductSort.FEATURED]


def product_list_query(db: AsyncSession, filters: ProductFilters, sort: ProductSort) -> Select[Any]:
    """Products with their category and stock in one SELECT (outer joins, contains_eager);
    the id as last sort key keeps pages stable."""
    stmt, found = _listed(db, _with_display_joins(select(Product)), filters)
    if found is not None and sort == ProductSort.RELEVANCE:
        return _filtered(db, stmt, filters).order_by(found.rank, Product.id)
    return _filtered(db, stmt, filters).order_by(*_ORDER[sort])


def ranked_search_query(
    db: AsyncSession, filters: ProductFilters, cap: int, *, limit: int, offset: int
) -> Select[Any]:
    """A search by relevance in one statement: ``(product, candidates)`` rows of one page.

    The candidates are the first ``cap + 1`` matches by id that the filters keep, read in
    the full-text index's own order (FTS5 stops reading there); only they are ranked
    (bm25 / ts_rank_cd, the costly part, is computed for each row ranked) and counted, so a
    word found in 50,000 products costs what 1,001 do. ``candidates`` past ``cap`` means
    "more than ``cap``". The page's ids are sorted before the wide rows are read, so only
    ``limit`` rows are loaded with their category and stock. ``filters.q`` must hold words.
    """
    in_scan = search.ranks_while_matching(db)
    stmt, found = _listed(db, select(Product.id.label("id")), filters, ranked=in_scan)
    if found is None:
        raise ValueError("ranked_search_query needs words to search for")
    if in_scan:
        stmt = stmt.add_columns(found.rank.label("rank"))
    if filters.in_stock:
        stmt = stmt.join(Inventory, Inventory.product_id == Product.id)
    candidates = (
        _filtered(db, stmt, filters).order_by(found.product_id).limit(cap + 1).cte("candidates")
    )
    ranks = search.ranked(db, filters.q, candidates).subquery("ranks")
    page = (
        select(ranks.c.id, ranks.c.rank)
        .order_by(ranks.c.rank, ranks.c.id)
        .limit(limit)
        .offset(offset)
        .subquery("page")
    )
    counted = select(func.count()).select_from(candidates).scalar_subquery()
    return (
        _with_display_joins(select(Product, counted.label("candidates")))
        .join(page, page.c.id == Product.id)
        .order_by(page.c.rank, Product.id)
    )


def capped_count_query(db: AsyncSession, filters: ProductFilters, limit: int) -> Select[Any]:
    """How many products the filters keep, counting at most ``limit + 1``: a count past
    ``limit`` means "more than ``limit``". It reads at most ``limit + 1`` index entries
    where an exact total reads every one (100,000 on a large catalogue). Stock is joined
    only when a filter reads it; a search is matched without its rank."""
    stmt, _ = _listed(db, select(Product.id), filters, ranked=False)
    if filters.in_stock:
        stmt = stmt.join(Inventory, Inventory.product_id == Product.id)
    first = _filtered(db, stmt, filters).limit(limit + 1).subquery("first")
    return select(func.count()).select_from(first)


def _with_display_joins(stmt: Select[Any]) -> Select[Any]:
    """Category and stock ride in the same SELECT as the product (outer joins)."""
    return (
        stmt.outerjoin(Category, Product.category_id == Category.id)
        .outerjoin(Inventory, Inventory.product_id == Product.id)
        .options(contains_eager(Product.category), contains_eager(Product.inventory))
    )


def _listed(
    db: AsyncSession,
    stmt: Select[Any],
    filters: ProductFilters,
    *,
    ranked: bool = True,
) -> tuple[Select[Any], Any]:
    """What the list and its count share: not deleted, live unless asked, and the search
    match joined in (returned too, for ordering by relevance)."""
    stmt = stmt.where(Product.deleted_at.is_(None))
    if not filters.include_inactive:
        stmt = stmt.where(Product.is_active)
    found = search.match(db, filters.q, ranked=ranked)
    if found is not None and found.table is not None:
        stmt = stmt.join(found.table, found.product_id == Product.id)
    if found is not None and found.condition is not None:
        stmt = stmt.where(found.condition)
    return stmt, found


def _filtered(db: AsyncSession, stmt: Select[Any], filters: ProductFilters) -> Select[Any]:
    if filters.category:
        # the slug's id as a scalar subquery, not a condition on the joined category: the
        # planner then walks the live (is_active, category_id, price) index of that one
        # category (PostgreSQL scanned the price index of every product, 39 ms at 100,000)
        category_id = select(Category.id).where(Category.slug == filters.category)
        stmt = stmt.where(Product.category_id == category_id.scalar_subquery())
    if filters.rarity:
        stmt = stmt.where(Product.rarity == filters.rarity)
    if filters.season:
        stmt = stmt.where(Product.season == filters.season)
    if filters.scent_note and filters.scent_note.strip():
        stmt = stmt.where(_has_scent_note(db, filters.scent_note))
    if filters.min_price is not None:
        stmt = stmt.where(Product.price >= filters.min_price)
    if filters.max_price is not None:
        stmt = stmt.where(Product.price <= filters.max_price)
    if filters.in_stock:
        stmt = stmt.where(Inventory.quantity - Inventory.reserved > 0)
    if filters.featured:
        stmt = stmt.where(Product.is_featured)
    return stmt


async def primary_images(db: AsyncSession, product_ids: Sequence[int]) -> dict[int, ProductImage]:
    """One query for a whole page: the primary image, or else the first by position."""
    if not product_ids:
        return {}
    stmt = (
        select(ProductImage)
        .where(ProductImage.product_id.in_(list(product_ids)))
        .order_by(
            ProductImage.product_id,
            ProductImage.is_primary.desc(),
            ProductImage.position,
            ProductImage.id,
        )
    )
    chosen: dict[int, ProductImage] = {}
    for image in await db.scalars(stmt):
        chosen.setdefault(image.product_id, image)
    return chosen


async def attribute_code_taken(db: AsyncSession, code: str) -> bool:
    stmt = select(AttributeDefinition.id).where(AttributeDefinition.code == code)
    return await db.scalar(stmt.limit(1)) is not None


async def attribute_definitions(
    db: AsyncSession, codes: Sequence[str]
) -> dict[str, AttributeDefinition]:
    stmt = select(AttributeDefinition).where(AttributeDefinition.code.in_(list(codes)))
    return {d.code: d for d in await db.scalars(stmt)}


async def attribute_values(
    db: AsyncSession, product_id: int, definition_ids: Sequence[int]
) -> dict[int, ProductAttributeValue]:
    stmt = select(ProductAttributeValue).where(
        ProductAttributeValue.product_id == product_id,
        ProductAttributeValue.definition_id.in_(list(definition_ids)),
    )
    return {v.definition_id: v for v in await db.scalars(stmt)}


async def product_attributes(
    db: AsyncSession, product_id: int
) -> list[tuple[AttributeDefinition, ProductAttributeValue]]:
    stmt = (
        select(AttributeDefinition, ProductAttributeValue)
        .join(ProductAttributeValue, ProductAttributeValue.definition_id == AttributeDefinition.id)
        .where(ProductAttributeValue.product_id == product_id)
        .order_by(AttributeDefinition.position, AttributeDefinition.code)
    )
    return [(row[0], row[1]) for row in await db.execute(stmt)]


async def product_images(db: AsyncSession, product_id: int) -> list[ProductImage]:
    stmt = (
        select(ProductImage)
        .where(ProductImage.product_id == product_id)
        .order_by(ProductImage.position, ProductImage.id)
    )
    return list(await db.scalars(stmt))


async def tags_by_ids(db: AsyncSession, tag_ids: Sequence[int]) -> list[Tag]:
    if not tag_ids:
        return []
    return list(await db.scalars(select(Tag).where(Tag.id.in_(list(tag_ids))).order_by(Tag.name)))


async def tag_taken(db: AsyncSession, field: str, value: str) -> bool:
    stmt = select(Tag.id).where(getattr(Tag, field) == value)
    return await db.scalar(stmt.limit(1)) is not None


async def product_with_tags(db: AsyncSession, product_id: int) -> Product | None:
    stmt = (
        select(Product)
        .where(Product.id == product_id, Product.deleted_at.is_(None))
        .options(selectinload(Product.tags))
    )
    return await db.scalar(stmt)
