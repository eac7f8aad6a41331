"""The Qala JSON API under /api/v1 (seed 000's "API-first": the same services as the pages,
for a mobile app): brands, one brand, its collections with lookbooks, and products with the
discovery filters. Read-only and open like the pages; OpenAPI documents every route."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from mercato.brands import discovery
from mercato.brands.schemas import (
    BrandOut,
    BrandSummaryOut,
    CollectionOut,
    ImageOut,
    Page,
    PressOut,
    ProductOut,
    SizeOut,
)
from mercato.models.brands import BrandCollection
from mercato.web.deps import Db
from mercato.web.page_cache import OPT_IN_HEADER

router = APIRouter(tags=["Qala brands"])
MAX_PER_PAGE = 100
CACHE_SECONDS = "300"


def _shared(response: Response) -> None:
    """Public catalogue data, the same for every caller: the page cache may keep it for
    anonymous requests (none with a session cookie or an Authorization header), and drops it
    when a brand table changes (platform.storefront_version)."""
    response.headers[OPT_IN_HEADER] = CACHE_SECONDS


def _image(view: Any) -> ImageOut | None:
    if view is None:
        return None
    return ImageOut(url=view.src, width=view.width, height=view.height, alt=view.alt)


def _summary(card: discovery.BrandCard) -> BrandSummaryOut:
    b = card.brand
    return BrandSummaryOut(
        slug=b.slug,
        name=b.name,
        tagline=b.tagline,
        location_city=b.location_city,
        location_country=b.location_country,
        founded_year=b.founded_year,
        is_featured=b.is_featured,
        logo=_image(card.logo),
        categories=card.categories,
    )


def _collection(c: BrandCollection, images: list[Any]) -> CollectionOut:
    return CollectionOut(
        slug=c.slug,
        name=c.name,
        season=c.season,
        year=c.year,
        label=c.season_label,
        description=c.description,
        lookbook=[i for i in (_image(v) for v in images) if i is not None],
    )


@router.get("/brands", response_model=list[BrandSummaryOut])
async def list_brands(
    request: Request,
    response: Response,
    db: Db,
    q: Annotated[str, Query(max_length=100)] = "",
    category: Annotated[str, Query(max_length=80, description="category slug")] = "",
    country: Annotated[str, Query(max_length=2, description="ISO 3166-1 alpha-2")] = "",
    season: Annotated[str, Query(pattern="^(SS|AW|ss|aw)?$")] = "",
    price: Annotated[str, Query(description="under-150, 150-400 or 400-plus")] = "",
) -> list[BrandSummaryOut]:
    """Live brands in timeline order (oldest house first), filtered like /discover."""
    _shared(response)
    filters = discovery.Filters.from_query(
        {"q": q, "category": category, "country": country, "season": season, "price": price}
    )
    cards = await discovery.timeline(db, request.state.runtime.storage, filters)
    return [_summary(c) for c in cards]


@router.get("/brands/{slug}", response_model=BrandOut)
async def get_brand(request: Request, response: Response, slug: str, db: Db) -> BrandOut:
    _shared(response)
    page = await discovery.brand_page(db, request.state.runtime.storage, slug)
    b = page.brand
    return BrandOut(
        slug=b.slug,
        name=b.name,
        tagline=b.tagline,
        location_city=b.location_city,
        location_country=b.location_country,
        founded_year=b.founded_year,
        is_featured=b.is_featured,
        logo=_image(page.logo),
        categories=page.categories,
        description=b.description,
        story=b.story,
        min_units_per_style=b.min_units_per_style,
        instagram=b.instagram,
        website=b.website,
        press=[
            PressOut(
                publication=p.publication, title=p.title, published_on=p.published_on, url=p.url
            )
            for p in page.press
        ],
        collections=[_collection(c, page.lookbooks[c.id]) for c in page.collections],
    )


@router.get("/brands/{slug}/collections", response_model=list[CollectionOut])
async def brand_collections(
    request: Request, response: Response, slug: str, db: Db
) -> list[CollectionOut]:
    """Published collections, newest season first, each with its lookbook in order."""
    _shared(response)
    page = await discovery.brand_page(db, request.state.runtime.storage, slug)
    return [_collection(c, page.lookbooks[c.id]) for c in page.collections]


def _product(
    card_or_page: Any, currency: str, sizes: list[Any], images: list[Any], collection: str | None
) -> ProductOut:
    p, link, brand = card_or_page.product, card_or_page.link, card_or_page.brand
    return ProductOut(
        id=p.id,
        slug=p.slug,
        name=p.name,
        brand=brand.name,
        brand_slug=brand.slug,
        collection=collection,
        category=getattr(card_or_page, "category", None) or None,
        currency=currency,
        wholesale_price=p.price,
        suggested_retail_price=link.suggested_retail_price,
        fabric=link.fabric,
        colours=list(link.colours),
        lead_time_days=link.lead_time_days,
        customisation_options=list(link.customisation_options),
        sizes=[
            SizeOut(label=s.label, stock_state=s.stock_state, quantity=s.quantity) for s in sizes
        ],
        images=[i for i in (_image(v) for v in images) if i is not None],
    )


@router.get("/products", response_model=Page[ProductOut])
async def list_products(
    request: Request,
    response: Response,
    db: Db,
    brand: Annotated[str, Query(max_length=120, description="brand slug")] = "",
    q: Annotated[str, Query(max_length=100)] = "",
    category: Annotated[str, Query(max_length=80)] = "",
    country: Annotated[str, Query(max_length=2)] = "",
    season: Annotated[str, Query(pattern="^(SS|AW|ss|aw)?$")] = "",
    price: Annotated[str, Query(description="under-150, 150-400 or 400-plus")] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 24,
) -> Page[ProductOut]:
    """Products of live brands, newest first. Prices are integer minor units of
    ``currency``; ``wholesale_price`` is what a boutique pays."""
    from mercato.brands import service

    _shared(response)
    runtime = request.state.runtime
    filters = discovery.Filters.from_query(
        {"q": q, "category": category, "country": country, "season": season, "price": price}
    )
    cards, total = await discovery.products(
        db, runtime.storage, brand_slug=brand, filters=filters, page=page, per_page=per_page
    )
    sizes = await service.sizes_of(db, [c.product.id for c in cards])
    currency = runtime.config.currency
    return Page[ProductOut](
        items=[_product(c, currency, sizes[c.product.id], [c.image], None) for c in cards],
        total=total,
        page=page,
        per_page=per_page,
    )


@router.get("/products/{slug}", response_model=ProductOut)
async def get_product(request: Request, response: Response, slug: str, db: Db) -> ProductOut:
    _shared(response)
    runtime = request.state.runtime
    page = await discovery.product_page(db, runtime.storage, slug)
    return _product(
        page,
        runtime.config.currency,
        page.sizes,
        page.images,
        page.collection.season_label + " " + page.collection.name if page.collection else None,
    )
