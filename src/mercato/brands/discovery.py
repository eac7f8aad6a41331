"""The read side of Qala: home, the discovery timeline with its filters, search across
brands, collections and products, and the brand, collection and product pages. Pages and
the JSON API both call these, so they show the same things under the same rules.

Each page reads a fixed number of queries whatever it shows (lookbooks, sizes and images
are fetched for all rows at once), which tests/brands bound.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from babel import Locale
from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.brands import service
from mercato.catalog import repository as catalog_repo
from mercato.catalog import search as catalog_search
from mercato.catalog.presenters import ImageView, image_view
from mercato.kit.errors import NotFound
from mercato.models import Category, Product, ProductImage
from mercato.models.brands import (
    SEASONS,
    Brand,
    BrandCollection,
    BrandProduct,
    LookbookImage,
    PressFeature,
    ProductSize,
    brand_categories,
)
from mercato.platform.files import Storage

# Wholesale price bands in the store currency's minor units (USD cents for Qala).
PRICE_BANDS: dict[str, tuple[str, int | None, int | None]] = {
    "under-150": ("Under $150", None, 15000),
    "150-400": ("$150 – $400", 15000, 40000),
    "400-plus": ("$400 and over", 40000, None),
}
STOCK_LABELS = {
    "in_stock": "In stock",
    "low_stock": "Low stock",
    "made_to_order": "Made to order",
    "sold_out": "Sold out",
}
SEARCH_LIMIT = 24
HOME_FEATURED = 6
HOME_COLLECTIONS = 6


def country_name(code: str, locale: str = "en") -> str:
    if not code:
        return ""
    return Locale.parse(locale).territories.get(code.upper(), code.upper())


def location_of(brand: Brand) -> str:
    return ", ".join(x for x in (brand.location_city, country_name(brand.location_country)) if x)


def plain_image(storage: Storage, key: str, width: int | None, height: int | None, alt: str):
    if not key:
        return None
    return ImageView(
        src=storage.url(key), width=width, height=height, alt=alt, srcset="", variants=[]
    )


def logo_view(storage: Storage, brand: Brand) -> ImageView | None:
    return plain_image(
        storage, brand.logo_key, brand.logo_width, brand.logo_height, f"{brand.name} logo"
    )


def lookbook_view(storage: Storage, image: LookbookImage) -> ImageView:
    """As a product image: the WebP variants of an upload as srcset (the seed's plates have
    none and show the original)."""
    view = image_view(storage, image)  # type: ignore[arg-type]  # same image columns
    assert view is not None
    return view


@dataclass
class Filters:
    q: str = ""
    category: str = ""  # category slug
    country: str = ""  # ISO code
    season: str = ""  # "SS" or "AW"
    price: str = ""  # a PRICE_BANDS key

    @classmethod
    def from_query(cls, params: Any) -> Filters:
        def get(name: str, limit: int = 80) -> str:
            return str(params.get(name, "") or "").strip()[:limit]

        season = get("season").upper()
        price = get("price")
        country = get("country").upper()
        return cls(
            q=get("q", 100),
            category=get("category"),
            # ISO codes are two ASCII letters ("º" is a letter too, and has no upper case).
            country=country
            if len(country) == 2 and country.isascii() and country.isalpha()
            else "",
            season=season if season in SEASONS else "",
            price=price if price in PRICE_BANDS else "",
        )

    def active(self) -> bool:
        return any((self.q, self.category, self.country, self.season, self.price))

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


@dataclass
class BrandCard:
    brand: Brand
    logo: ImageView | None
    cover: ImageView | None
    location: str
    categories: list[str] = field(default_factory=list)
    product_count: int = 0


def _live_products() -> Any:
    return and_(Product.deleted_at.is_(None), Product.is_active.is_(True))


def _price_band(stmt: Select[Any], band: str) -> Select[Any]:
    _, low, high = PRICE_BANDS[band]
    conditions = [BrandProduct.brand_id == Brand.id, _live_products()]
    if low is not None:
        conditions.append(Product.price >= low)
    if high is not None:
        conditions.append(Product.price < high)
    inner = (
        select(BrandProduct.product_id)
        .join(Product, Product.id == BrandProduct.product_id)
        .where(*conditions)
    )
    return stmt.where(exists(inner))


def _brand_query(filters: Filters) -> Select[Any]:
    stmt = select(Brand).where(Brand.is_active.is_(True))
    if filters.category:
        stmt = stmt.where(
            exists(
                select(brand_categories.c.brand_id)
                .join(Category, Category.id == brand_categories.c.category_id)
                .where(brand_categories.c.brand_id == Brand.id, Category.slug == filters.category)
            )
        )
    if filters.country:
        stmt = stmt.where(Brand.location_country == filters.country)
    if filters.season:
        stmt = stmt.where(
            exists(
                select(BrandCollection.id).where(
                    BrandCollection.brand_id == Brand.id,
                    BrandCollection.is_published.is_(True),
                    BrandCollection.season == filters.season,
                )
            )
        )
    if filters.price:
        stmt = _price_band(stmt, filters.price)
    if filters.q:
        pattern = f"%{_escape_like(filters.q.lower())}%"
        stmt = stmt.where(
            or_(
                func.lower(Brand.name).like(pattern, escape="\\"),
                func.lower(Brand.tagline).like(pattern, escape="\\"),
                func.lower(Brand.location_city).like(pattern, escape="\\"),
            )
        )
    return stmt


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def _cards(db: AsyncSession, storage: Storage, brands: list[Brand]) -> list[BrandCard]:
    """Cards for a list of brands in three queries: category names, product counts and the
    cover (first lookbook image of each brand's newest published collection)."""
    ids = [b.id for b in brands]
    if not ids:
        return []
    names: dict[int, list[str]] = {i: [] for i in ids}
    rows = await db.execute(
        select(brand_categories.c.brand_id, Category.name)
        .join(Category, Category.id == brand_categories.c.category_id)
        .where(brand_categories.c.brand_id.in_(ids))
        .order_by(Category.sort_order, Category.name)
    )
    for brand_id, name in rows.all():
        names[brand_id].append(name)
    counts = dict(
        (
            await db.execute(
                select(BrandProduct.brand_id, func.count())
                .join(Product, Product.id == BrandProduct.product_id)
                .where(BrandProduct.brand_id.in_(ids), _live_products())
                .group_by(BrandProduct.brand_id)
            )
        ).all()
    )
    covers: dict[int, ImageView] = {}
    cover_rows = await db.execute(
        select(BrandCollection.brand_id, LookbookImage)
        .join(LookbookImage, LookbookImage.collection_id == BrandCollection.id)
        .where(BrandCollection.brand_id.in_(ids), BrandCollection.is_published.is_(True))
        .order_by(
            BrandCollection.brand_id,
            BrandCollection.year.desc(),
            BrandCollection.season.desc(),
            LookbookImage.position,
        )
    )
    for brand_id, image in cover_rows.all():
        covers.setdefault(brand_id, lookbook_view(storage, image))
    return [
        BrandCard(
            brand=b,
            logo=logo_view(storage, b),
            cover=covers.get(b.id),
            location=location_of(b),
            categories=names[b.id],
            product_count=int(counts.get(b.id, 0)),
        )
        for b in brands
    ]


async def timeline(db: AsyncSession, storage: Storage, filters: Filters) -> list[BrandCard]:
    """The discovery timeline: live brands matching the filters, oldest house first (the
    timeline reads as a history of the brands), name as tie-breaker."""
    stmt = _brand_query(filters).order_by(
        Brand.founded_year.is_(None), Brand.founded_year, Brand.name
    )
    return await _cards(db, storage, list(await db.scalars(stmt.limit(200))))


async def featured(
    db: AsyncSession, storage: Storage, limit: int = HOME_FEATURED
) -> list[BrandCard]:
    stmt = (
        select(Brand)
        .where(Brand.is_active.is_(True), Brand.is_featured.is_(True))
        .order_by(Brand.name)
        .limit(limit)
    )
    return await _cards(db, storage, list(await db.scalars(stmt)))


@dataclass
class CollectionCard:
    collection: BrandCollection
    brand: Brand
    cover: ImageView | None
    image_count: int = 0


async def new_collections(
    db: AsyncSession, storage: Storage, limit: int = HOME_COLLECTIONS, q: str = ""
) -> list[CollectionCard]:
    stmt = (
        select(BrandCollection, Brand)
        .join(Brand, Brand.id == BrandCollection.brand_id)
        .where(BrandCollection.is_published.is_(True), Brand.is_active.is_(True))
    )
    if q:
        pattern = f"%{_escape_like(q.lower())}%"
        stmt = stmt.where(
            or_(
                func.lower(BrandCollection.name).like(pattern, escape="\\"),
                func.lower(BrandCollection.description).like(pattern, escape="\\"),
                func.lower(Brand.name).like(pattern, escape="\\"),
            )
        )
    stmt = stmt.order_by(
        BrandCollection.year.desc(), BrandCollection.season.desc(), BrandCollection.id.desc()
    ).limit(limit)
    rows = (await db.execute(stmt)).all()
    lookbooks = await service.lookbook_of(db, [c.id for c, _ in rows])
    return [
        CollectionCard(
            collection=c,
            brand=b,
            cover=lookbook_view(storage, lookbooks[c.id][0]) if lookbooks[c.id] else None,
            image_count=len(lookbooks[c.id]),
        )
        for c, b in rows
    ]


@dataclass
class ProductCard:
    product: Product
    link: BrandProduct
    brand: Brand
    image: ImageView | None
    category: str = ""


async def _product_cards(
    db: AsyncSession, storage: Storage, rows: list[tuple[Product, BrandProduct, Brand]]
) -> list[ProductCard]:
    images = await catalog_repo.primary_images(db, [p.id for p, _, _ in rows])
    category_ids = {p.category_id for p, _, _ in rows if p.category_id}
    categories: dict[int, str] = {}
    if category_ids:
        categories = dict(
            (
                await db.execute(
                    select(Category.id, Category.name).where(Category.id.in_(category_ids))
                )
            ).all()
        )
    return [
        ProductCard(
            product=p,
            link=link,
            brand=b,
            image=image_view(storage, images.get(p.id)),
            category=categories.get(p.category_id or 0, ""),
        )
        for p, link, b in rows
    ]


def _product_query() -> Select[Any]:
    return (
        select(Product, BrandProduct, Brand)
        .join(BrandProduct, BrandProduct.product_id == Product.id)
        .join(Brand, Brand.id == BrandProduct.brand_id)
        .where(_live_products(), Brand.is_active.is_(True))
    )


async def products(
    db: AsyncSession,
    storage: Storage,
    *,
    brand_slug: str = "",
    filters: Filters | None = None,
    page: int = 1,
    per_page: int = 24,
) -> tuple[list[ProductCard], int]:
    """Products for the API and search, filtered like the timeline; newest first."""
    filters = filters or Filters()
    stmt = _product_query()
    if brand_slug:
        stmt = stmt.where(Brand.slug == brand_slug)
    if filters.category:
        stmt = stmt.join(Category, Category.id == Product.category_id).where(
            Category.slug == filters.category
        )
    if filters.country:
        stmt = stmt.where(Brand.location_country == filters.country)
    if filters.season:
        stmt = stmt.join(BrandCollection, BrandCollection.id == BrandProduct.collection_id).where(
            BrandCollection.season == filters.season
        )
    if filters.price:
        _, low, high = PRICE_BANDS[filters.price]
        if low is not None:
            stmt = stmt.where(Product.price >= low)
        if high is not None:
            stmt = stmt.where(Product.price < high)
    if filters.q:
        found = catalog_search.matches(db, filters.q)
        if found is None:
            return [], 0
        stmt = stmt.join(found, found.c.product_id == Product.id)
    total = await db.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    stmt = stmt.order_by(Product.created_at.desc(), Product.id.desc())
    rows = (await db.execute(stmt.offset((page - 1) * per_page).limit(per_page))).all()
    return await _product_cards(db, storage, [tuple(r) for r in rows]), int(total or 0)


@dataclass
class SearchResults:
    brands: list[BrandCard]
    collections: list[CollectionCard]
    products: list[ProductCard]
    product_total: int

    @property
    def empty(self) -> bool:
        return not (self.brands or self.collections or self.products)


async def search(db: AsyncSession, storage: Storage, q: str) -> SearchResults:
    brands = await timeline(db, storage, Filters(q=q))
    collections = await new_collections(db, storage, limit=SEARCH_LIMIT, q=q)
    found, total = await products(db, storage, filters=Filters(q=q), per_page=SEARCH_LIMIT)
    return SearchResults(brands[:SEARCH_LIMIT], collections, found, total)


async def filter_options(db: AsyncSession) -> dict[str, Any]:
    categories = list(
        await db.scalars(
            select(Category)
            .where(
                exists(
                    select(brand_categories.c.brand_id).where(
                        brand_categories.c.category_id == Category.id
                    )
                )
            )
            .order_by(Category.sort_order, Category.name)
        )
    )
    countries = sorted(
        {
            c
            for c in await db.scalars(
                select(Brand.location_country).where(Brand.is_active.is_(True)).distinct()
            )
            if c
        },
        key=country_name,
    )
    return {
        "categories": categories,
        "countries": [(c, country_name(c)) for c in countries],
        "seasons": [("SS", "Spring/Summer"), ("AW", "Autumn/Winter")],
        "price_bands": [(k, v[0]) for k, v in PRICE_BANDS.items()],
    }


# ---- brand, collection and product pages ------------------------------------------------


@dataclass
class BrandPage:
    brand: Brand
    logo: ImageView | None
    location: str
    categories: list[str]
    press: list[PressFeature]
    collections: list[BrandCollection]
    lookbooks: dict[int, list[ImageView]]
    products: list[ProductCard]


async def brand_page(db: AsyncSession, storage: Storage, slug: str) -> BrandPage:
    brand = await service.brand_by_slug(db, slug)
    categories = list(
        await db.scalars(
            select(Category.name)
            .join(brand_categories, brand_categories.c.category_id == Category.id)
            .where(brand_categories.c.brand_id == brand.id)
            .order_by(Category.sort_order, Category.name)
        )
    )
    collections = await service.collections_of(db, brand.id, published_only=True)
    lookbooks = await service.lookbook_of(db, [c.id for c in collections])
    rows = (
        await db.execute(
            _product_query()
            .where(BrandProduct.brand_id == brand.id)
            .order_by(Product.name, Product.id)
        )
    ).all()
    return BrandPage(
        brand=brand,
        logo=logo_view(storage, brand),
        location=location_of(brand),
        categories=categories,
        press=await service.press_of(db, brand.id),
        collections=collections,
        lookbooks={
            cid: [lookbook_view(storage, i) for i in images] for cid, images in lookbooks.items()
        },
        products=await _product_cards(db, storage, [tuple(r) for r in rows]),
    )


@dataclass
class CollectionPage:
    brand: Brand
    collection: BrandCollection
    lookbook: list[ImageView]
    products: list[ProductCard]


async def collection_page(
    db: AsyncSession, storage: Storage, brand_slug: str, slug: str
) -> CollectionPage:
    brand = await service.brand_by_slug(db, brand_slug)
    collection = await db.scalar(
        select(BrandCollection).where(
            BrandCollection.brand_id == brand.id,
            BrandCollection.slug == slug,
            BrandCollection.is_published.is_(True),
        )
    )
    if collection is None:
        raise NotFound("We could not find that collection.")
    images = (await service.lookbook_of(db, [collection.id]))[collection.id]
    rows = (
        await db.execute(
            _product_query()
            .where(BrandProduct.collection_id == collection.id)
            .order_by(Product.name, Product.id)
        )
    ).all()
    return CollectionPage(
        brand=brand,
        collection=collection,
        lookbook=[lookbook_view(storage, i) for i in images],
        products=await _product_cards(db, storage, [tuple(r) for r in rows]),
    )


@dataclass
class ProductPage:
    product: Product
    link: BrandProduct
    brand: Brand
    collection: BrandCollection | None
    category: str
    sizes: list[ProductSize]
    images: list[ImageView]
    cutout_url: str


async def product_page(db: AsyncSession, storage: Storage, slug: str) -> ProductPage:
    row = (await db.execute(_product_query().where(Product.slug == slug))).first()
    if row is None:
        raise NotFound("We could not find that product.")
    product, link, brand = row
    collection = await db.get(BrandCollection, link.collection_id) if link.collection_id else None
    category = (
        await db.scalar(select(Category.name).where(Category.id == product.category_id))
        if product.category_id
        else None
    )
    images = list(
        await db.scalars(
            select(ProductImage)
            .where(ProductImage.product_id == product.id)
            .order_by(ProductImage.is_primary.desc(), ProductImage.position, ProductImage.id)
        )
    )
    sizes = (await service.sizes_of(db, [product.id]))[product.id]
    return ProductPage(
        product=product,
        link=link,
        brand=brand,
        collection=collection,
        category=category or "",
        sizes=sizes,
        images=[v for v in (image_view(storage, i) for i in images) if v is not None],
        cutout_url=storage.url(link.cutout_key) if link.cutout_key else "",
    )


async def home_context(db: AsyncSession, request: Any) -> dict[str, Any]:
    """What the Qala home shows (site module's home hook)."""
    storage = request.state.runtime.storage
    return {
        "featured_brands": await featured(db, storage),
        "new_collections": await new_collections(db, storage),
    }


async def sitemap(db: AsyncSession, runtime: Any) -> list[tuple[str, Any]]:
    """sitemap.xml entries (Module.sitemap): discover, live brands, their published
    collections and their live products, with the date each last changed."""
    entries: list[tuple[str, Any]] = [("discover", None)]
    brands = (
        await db.execute(
            select(Brand.id, Brand.slug, Brand.updated_at).where(Brand.is_active.is_(True))
        )
    ).all()
    entries += [(f"brands/{slug}", updated) for _, slug, updated in brands]
    slugs = {brand_id: slug for brand_id, slug, _ in brands}
    collections = await db.execute(
        select(BrandCollection.brand_id, BrandCollection.slug, BrandCollection.updated_at).where(
            BrandCollection.is_published.is_(True), BrandCollection.brand_id.in_(list(slugs))
        )
    )
    entries += [
        (f"brands/{slugs[b]}/collections/{slug}", updated) for b, slug, updated in collections.all()
    ]
    products = await db.execute(
        select(Product.slug, Product.updated_at)
        .join(BrandProduct, BrandProduct.product_id == Product.id)
        .where(_live_products(), BrandProduct.brand_id.in_(list(slugs)))
        .order_by(Product.id)
        .limit(45000)  # one sitemap file holds at most 50,000 URLs
    )
    entries += [(f"products/{slug}", updated) for slug, updated in products.all()]
    return entries
