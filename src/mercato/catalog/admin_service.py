"""What only the catalogue admin needs beyond mercato.catalog.service: the staff product list
(search, filters on status and stock, sorts), restoring a soft-deleted product, editing and
deleting categories and tags, and the snapshots written to the audit log.

The product list runs three queries whatever the page size: COUNT, the page with category
and stock joined in, and the page's primary images.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager, selectinload

from mercato.catalog import repository as repo
from mercato.catalog.schemas import CategoryIn, ProductCard
from mercato.catalog.service import _COLOUR, _required, _slug, slugify
from mercato.kit.errors import Conflict, NotFound, ValidationFailed
from mercato.kit.pagination import Page, paginate
from mercato.models.catalog import AttributeDefinition, Category, Product, Tag
from mercato.models.inventory import Inventory

PER_PAGE = 25
STATUSES = ("live", "active", "inactive", "deleted", "all")
STOCK_STATES = ("in", "low", "out")
SORTS = {
    "name": (Product.name.asc(), Product.id.asc()),
    "-name": (Product.name.desc(), Product.id.desc()),
    "price": (Product.price.asc(), Product.id.asc()),
    "-price": (Product.price.desc(), Product.id.desc()),
    "stock": ((Inventory.quantity - Inventory.reserved).asc(), Product.id.asc()),
    "-stock": ((Inventory.quantity - Inventory.reserved).desc(), Product.id.desc()),
    "updated": (Product.updated_at.asc(), Product.id.asc()),
    "-updated": (Product.updated_at.desc(), Product.id.desc()),
}


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


@dataclass
class AdminProductFilters:
    q: str = ""
    category: str = ""  # category id as text; "" any
    status: str = "live"  # live = not deleted (active or not)
    stock: str = ""
    sort: str = "name"

    @classmethod
    def from_query(cls, params: Any) -> AdminProductFilters:
        status = params.get("status", "live")
        stock = params.get("stock", "")
        sort = params.get("sort", "name")
        category = params.get("category", "")
        return cls(
            q=" ".join(str(params.get("q", "")).split())[:100],
            category=category if category.isdigit() else "",
            status=status if status in STATUSES else "live",
            stock=stock if stock in STOCK_STATES else "",
            sort=sort if sort in SORTS else "name",
        )

    @property
    def active(self) -> bool:
        return bool(self.q or self.category or self.stock or self.status != "live")


def _list_query(filters: AdminProductFilters) -> Select[Any]:
    available = func.coalesce(Inventory.quantity, 0) - func.coalesce(Inventory.reserved, 0)
    stmt = (
        select(Product)
        .outerjoin(Category, Product.category_id == Category.id)
        .outerjoin(Inventory, Inventory.product_id == Product.id)
        .options(contains_eager(Product.category), contains_eager(Product.inventory))
    )
    if filters.status == "deleted":
        stmt = stmt.where(Product.deleted_at.is_not(None))
    elif filters.status != "all":
        stmt = stmt.where(Product.deleted_at.is_(None))
        if filters.status == "active":
            stmt = stmt.where(Product.is_active)
        elif filters.status == "inactive":
            stmt = stmt.where(Product.is_active.is_(False))
    if filters.q:
        pattern = _like(filters.q)
        stmt = stmt.where(
            or_(
                func.lower(Product.name).like(pattern, escape="\\"),
                func.lower(Product.sku).like(pattern, escape="\\"),
                func.lower(Product.latin_name).like(pattern, escape="\\"),
            )
        )
    if filters.category:
        stmt = stmt.where(Product.category_id == int(filters.category))
    if filters.stock == "out":
        stmt = stmt.where(available <= 0)
    elif filters.stock == "low":
        stmt = stmt.where(available > 0, available <= Inventory.low_stock_threshold)
    elif filters.stock == "in":
        stmt = stmt.where(available > 0)
    return stmt.order_by(*SORTS[filters.sort])


async def list_products(
    db: AsyncSession, filters: AdminProductFilters, page: int, per_page: int = PER_PAGE
) -> Page[ProductCard]:
    result = await paginate(db, _list_query(filters), page, per_page, clamp=True)
    products: list[Product] = result.items
    images = await repo.primary_images(db, [p.id for p in products])
    cards = [
        ProductCard(
            product=p, category=p.category, inventory=p.inventory, primary_image=images.get(p.id)
        )
        for p in products
    ]
    return Page(items=cards, total=result.total, page=result.page, per_page=per_page)


async def product_for_edit(db: AsyncSession, product_id: int) -> Product:
    """Any product, deleted or not, with what the edit page shows."""
    product = await db.scalar(
        select(Product)
        .where(Product.id == product_id)
        .options(
            selectinload(Product.category),
            selectinload(Product.tags),
            selectinload(Product.images),
            selectinload(Product.inventory),
        )
        .execution_options(populate_existing=True)
    )
    if product is None:
        raise NotFound("No such product.")
    return product


async def restore_product(db: AsyncSession, product: Product) -> Product:
    """Back in the catalogue but not on sale: staff check it, then set it active."""
    if product.deleted_at is None:
        raise Conflict("This product is not deleted.")
    product.deleted_at = None
    await db.flush()
    return product


def product_snapshot(product: Product) -> dict[str, Any]:
    """The audited fields, as plain JSON values."""
    keys = (
        "name",
        "slug",
        "sku",
        "latin_name",
        "short_description",
        "description",
        "usage_guidance",
        "price",
        "compare_at_price",
        "cost_price",
        "category_id",
        "rarity",
        "season",
        "scent_notes",
        "extraction_method",
        "botanical_family",
        "origin",
        "harvest_season",
        "volume_ul",
        "folio_number",
        "max_per_customer",
        "is_active",
        "is_featured",
        "meta_title",
        "meta_description",
    )
    snap = {k: getattr(product, k) for k in keys}
    snap["scent_notes"] = list(snap["scent_notes"] or [])
    snap["deleted"] = product.deleted_at is not None
    return snap


def changed_only(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Keep the audit row readable: only the keys whose value changed."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


async def attribute_definitions(db: AsyncSession) -> list[AttributeDefinition]:
    return list(
        await db.scalars(
            select(AttributeDefinition)
            .where(AttributeDefinition.applies_to == "product")
            .order_by(AttributeDefinition.position, AttributeDefinition.code)
        )
    )


async def all_tags(db: AsyncSession) -> list[Tag]:
    return list(await db.scalars(select(Tag).order_by(Tag.name)))


# --- categories and tags -------------------------------------------------------------------


async def categories_with_counts(db: AsyncSession) -> list[tuple[Category, int]]:
    counts = (
        select(Product.category_id, func.count().label("n"))
        .where(Product.deleted_at.is_(None))
        .group_by(Product.category_id)
        .subquery()
    )
    stmt = (
        select(Category, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.category_id == Category.id)
        .order_by(Category.sort_order, Category.name)
    )
    return [(row[0], int(row[1])) for row in await db.execute(stmt)]


async def get_category(db: AsyncSession, category_id: int) -> Category:
    category = await repo.category_by_id(db, category_id)
    if category is None:
        raise NotFound("No such category.")
    return category


async def update_category(db: AsyncSession, category: Category, data: CategoryIn) -> Category:
    """The same rules as catalog_service.create_category, excluding the category itself."""
    name = _required(data.name, "name", "Name")
    slug = _slug(data.slug, name)
    if data.colour and not _COLOUR.match(data.colour):
        raise ValidationFailed("Give the colour as #RRGGBB.", field="colour")
    if await repo.category_taken(db, "name", name, category.id):
        raise ValidationFailed("Another category already has this name.", field="name")
    if await repo.category_taken(db, "slug", slug, category.id):
        raise ValidationFailed("Another category already uses this slug.", field="slug")
    values = data.model_dump()
    values.update(name=name, slug=slug)
    for key, value in values.items():
        setattr(category, key, value)
    await db.flush()
    return category


async def delete_category(db: AsyncSession, category: Category) -> None:
    """Only an empty category goes: products (even deleted ones, which orders still name)
    keep their category, and the foreign key is RESTRICT anyway."""
    used = await db.scalar(
        select(func.count()).select_from(Product).where(Product.category_id == category.id)
    )
    if used:
        noun = "product" if used == 1 else "products"
        raise Conflict(
            f"{used} {noun} still use this category (deleted ones included). "
            "Move them to another category first.",
            field="category",
        )
    await db.delete(category)
    await db.flush()


def category_snapshot(category: Category) -> dict[str, Any]:
    keys = (
        "name",
        "slug",
        "description",
        "humour_symbol",
        "colour",
        "sort_order",
        "meta_title",
        "meta_description",
    )
    return {k: getattr(category, k) for k in keys}


async def tags_with_counts(db: AsyncSession) -> list[tuple[Tag, int]]:
    from mercato.models.catalog import product_tags

    counts = (
        select(product_tags.c.tag_id, func.count().label("n"))
        .group_by(product_tags.c.tag_id)
        .subquery()
    )
    stmt = (
        select(Tag, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.tag_id == Tag.id)
        .order_by(Tag.name)
    )
    return [(row[0], int(row[1])) for row in await db.execute(stmt)]


async def get_tag(db: AsyncSession, tag_id: int) -> Tag:
    tag = await db.get(Tag, tag_id)
    if tag is None:
        raise NotFound("No such tag.")
    return tag


async def _tag_taken(db: AsyncSession, field: str, value: str, exclude_id: int) -> bool:
    column = getattr(Tag, field)
    stmt = select(Tag.id).where(column == value, Tag.id != exclude_id).limit(1)
    return await db.scalar(stmt) is not None


async def update_tag(db: AsyncSession, tag: Tag, name: str, slug: str) -> Tag:
    name = " ".join(name.split())
    if not name:
        raise ValidationFailed("Name is required.", field="name")
    if len(name) > 80:
        raise ValidationFailed("Keep the name under 80 characters.", field="name")
    slug = slug.strip().lower() or slugify(name)
    if not slug:
        raise ValidationFailed("Give the tag a slug.", field="slug")
    if await _tag_taken(db, "name", name, tag.id):
        raise ValidationFailed("Another tag already has this name.", field="name")
    if await _tag_taken(db, "slug", slug, tag.id):
        raise ValidationFailed("Another tag already uses this slug.", field="slug")
    tag.name, tag.slug = name, slug
    await db.flush()
    return tag


async def delete_tag(db: AsyncSession, tag: Tag) -> None:
    """Tags are labels: deleting one only takes it off its products (cascade)."""
    await db.delete(tag)
    await db.flush()
