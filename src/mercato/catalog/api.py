"""The public catalogue in the JSON API: products (with search, filters, sorts and pages),
one product, and the categories. Read-only and anonymous, like the storefront pages; the
same services serve both (DESIGN.md §6)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from mercato.catalog import presenters
from mercato.catalog import service as catalog_service
from mercato.catalog.schemas import ProductCard, ProductFilters, ProductSort
from mercato.models.catalog import Category, Product, ProductImage
from mercato.platform.runtime import StoreRuntime
from mercato.web.deps import Db, Runtime

router = APIRouter(tags=["catalogue"])


class CategoryOut(BaseModel):
    slug: str
    name: str
    description: str
    humour_symbol: str = Field(description="Astronomical sign of the humour (☾ ☀ ♁ ☁), or empty.")
    colour: str = Field(description="#RRGGBB, or empty.")
    product_count: int


class ImageVariantOut(BaseModel):
    url: str
    width: int
    height: int


class ImageOut(BaseModel):
    url: str
    alt: str
    width: int | None
    height: int | None
    variants: list[ImageVariantOut] = Field(description="WebP copies, narrowest first.")


class StockOut(BaseModel):
    state: str = Field(description="in_stock, low or sold_out")
    available: int
    label: str


class ProductSummaryOut(BaseModel):
    id: int = Field(description="The product's id, as `product_id` in cart requests.")
    slug: str
    name: str
    latin_name: str
    short_description: str
    # Null where the store shows prices only to some callers (wholesale: verified businesses).
    price: int | None = Field(
        description="Minor units of `currency` (cents for USD); null when the store does not "
        "show this caller its prices."
    )
    compare_at_price: int | None
    currency: str
    category: str | None = Field(description="The category's slug.")
    rarity: str
    season: str
    scent_notes: list[str]
    folio_number: str = Field(description="Roman numeral, or empty.")
    is_featured: bool
    stock: StockOut
    image: ImageOut | None
    url: str


class ProductOut(ProductSummaryOut):
    sku: str
    description: str
    usage_guidance: str
    extraction_method: str
    botanical_family: str
    origin: str
    harvest_season: str
    volume_ml: Decimal | None
    max_per_customer: int | None
    tags: list[str]
    images: list[ImageOut]
    meta_title: str
    meta_description: str


class ProductListOut(BaseModel):
    items: list[ProductSummaryOut]
    page: int
    pages: int = Field(
        description="Pages known so far: the last page when `total_exact`, else at least "
        "one page past this one."
    )
    per_page: int
    total: int = Field(
        description="Matching products; when `total_exact` is false, a lower bound: there "
        "are more than `total` (lists are counted to 1,000 or to this page's end, whichever "
        "is further)."
    )
    total_exact: bool = Field(
        True, description="False when `total` is a lower bound rather than the exact count."
    )


def _image(runtime: StoreRuntime, image: ProductImage | None) -> ImageOut | None:
    view = presenters.image_view(runtime.storage, image)
    if view is None or image is None:
        return None
    return ImageOut(
        url=runtime.storage.url(image.storage_key),
        alt=view.alt,
        width=image.width,
        height=image.height,
        variants=[ImageVariantOut(**v) for v in view.variants],
    )


def _summary(
    runtime: StoreRuntime,
    product: Product,
    category: Category | None,
    stock: presenters.StockState,
    image: ProductImage | None,
) -> dict[str, Any]:
    return {
        "id": product.id,
        "slug": product.slug,
        "name": product.name,
        "latin_name": product.latin_name,
        "short_description": product.short_description,
        "price": product.price,
        "compare_at_price": product.compare_at_price,
        "currency": runtime.config.currency,
        "category": category.slug if category else None,
        "rarity": product.rarity,
        "season": product.season,
        "scent_notes": list(product.scent_notes or []),
        "folio_number": presenters.roman(product.folio_number) if product.folio_number else "",
        "is_featured": product.is_featured,
        "stock": StockOut(state=stock.kind, available=stock.available, label=stock.label),
        "image": _image(runtime, image),
        "url": runtime.absolute_url(f"essences/{product.slug}"),
    }


def _card_out(runtime: StoreRuntime, card: ProductCard) -> ProductSummaryOut:
    stock = presenters.stock_state(card.inventory)
    return ProductSummaryOut(
        **_summary(runtime, card.product, card.category, stock, card.primary_image)
    )


@router.get("/products", response_model=ProductListOut, summary="List and search products")
async def list_products(
    db: Db,
    runtime: Runtime,
    q: Annotated[
        str | None,
        Query(max_length=200, description="Full-text search: name, latin name, notes, text."),
    ] = None,
    category: Annotated[str | None, Query(description="Category slug.")] = None,
    rarity: Annotated[str | None, Query(description="common, rare, limited or seasonal")] = None,
    season: Annotated[
        str | None, Query(description="spring, summer, autumn, winter or all_year")
    ] = None,
    scent_note: Annotated[str | None, Query(max_length=60)] = None,
    min_price: Annotated[int | None, Query(ge=0, description="Minor units.")] = None,
    max_price: Annotated[int | None, Query(ge=0, description="Minor units.")] = None,
    in_stock: bool = False,
    featured: bool = False,
    sort: Annotated[
        ProductSort | None,
        Query(description="Default: relevance when searching, else featured."),
    ] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=catalog_service.MAX_PER_PAGE)] = 24,
) -> ProductListOut:
    filters = ProductFilters(
        q=q,
        category=category,
        rarity=rarity,
        season=season,
        scent_note=scent_note,
        min_price=min_price,
        max_price=max_price,
        in_stock=in_stock,
        featured=featured,
    )
    chosen = sort or (ProductSort.RELEVANCE if q else ProductSort.FEATURED)
    listing = await catalog_service.list_products(
        db, filters, sort=chosen, page=page, per_page=per_page
    )
    return ProductListOut(
        items=[_card_out(runtime, c) for c in listing.items],
        page=listing.page,
        pages=listing.pages,
        per_page=listing.per_page,
        total=listing.total,
        total_exact=listing.total_exact,
    )


@router.get("/products/{slug}", response_model=ProductOut, summary="One product")
async def get_product(slug: str, db: Db, runtime: Runtime) -> ProductOut:
    product = await catalog_service.product_page(db, slug)
    stock = presenters.stock_state(product.inventory)
    primary = next((i for i in product.images if i.is_primary), None) or (
        product.images[0] if product.images else None
    )
    images = [img for img in (_image(runtime, i) for i in product.images) if img is not None]
    return ProductOut(
        **_summary(runtime, product, product.category, stock, primary),
        sku=product.sku,
        description=product.description,
        usage_guidance=product.usage_guidance,
        extraction_method=product.extraction_method,
        botanical_family=product.botanical_family,
        origin=product.origin,
        harvest_season=product.harvest_season,
        volume_ml=product.volume_ml,
        max_per_customer=product.max_per_customer,
        tags=[t.name for t in product.tags],
        images=images,
        meta_title=product.meta_title,
        meta_description=product.meta_description,
    )


@router.get("/categories", response_model=list[CategoryOut], summary="The categories")
async def list_categories(db: Db, runtime: Runtime) -> list[CategoryOut]:
    counts = await catalog_service.category_counts(db, runtime)
    return [
        CategoryOut(
            slug=c.slug,
            name=c.name,
            description=c.description,
            humour_symbol=c.humour_symbol,
            colour=c.colour,
            product_count=counts.get(c.id, 0),
        )
        for c in await catalog_service.categories(db)
    ]
