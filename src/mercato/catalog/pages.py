"""Storefront pages of the catalogue: the catalogue with its GET filter form, one page per
humour (category), and the product page; anonymous visitors get an ETag and revalidate
(mercato.site.caching)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from mercato.catalog import presenters
from mercato.catalog import service as catalog_service
from mercato.catalog.schemas import ProductCard
from mercato.kit.errors import ValidationFailed
from mercato.models.catalog import Category, Product
from mercato.site.caching import LONG_CACHE, revalidated
from mercato.web.deps import Db, Runtime
from mercato.web.templating import add_template_context, render

router = APIRouter()
CATALOGUE = "essences"
STATIC = Path(__file__).parent / "static"
_CSS = (STATIC / "catalog.css").read_bytes()
CSS_VERSION = hashlib.sha256(_CSS).hexdigest()[:12]
PER_PAGE = 12
RELATED = 4


async def add_assets(request: Request) -> None:
    """Page dependency: the versioned URL of the catalogue stylesheet, for every template
    that draws product cards (catalogue, product page, a theme's home)."""
    runtime = request.state.runtime
    add_template_context(
        request, catalog_css=runtime.path("assets/catalog.css") + "?v=" + CSS_VERSION
    )


@router.get("/assets/catalog.css", include_in_schema=False)
async def catalog_stylesheet(request: Request) -> Response:
    """Cached for a year when asked by its versioned URL (the version changes with it)."""
    etag = f'"{CSS_VERSION}"'
    versioned = request.query_params.get("v") == CSS_VERSION
    headers = {"etag": etag, "cache-control": LONG_CACHE if versioned else "public, max-age=300"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(_CSS, media_type="text/css", headers=headers)


def card_images(runtime: Any, cards: list[ProductCard]) -> dict[int, Any]:
    return {c.product.id: presenters.image_view(runtime.storage, c.primary_image) for c in cards}


async def card_context(db: Any, request: Request, cards: list[ProductCard]) -> dict[str, Any]:
    """What other modules add to these product cards (``Module.product_cards``)."""
    context: dict[str, Any] = {}
    products = [c.product for c in cards]
    for module in request.state.runtime.modules.modules:
        if module.product_cards is not None and products:
            context.update(await module.product_cards(db, request, products))
    return context


def _href(request: Request, base: str, values: dict[str, str], **changes: Any) -> str:
    params = {k: v for k, v in values.items() if v and k != "page"}
    for key, value in changes.items():
        if value in (None, "", 1) and key == "page" or value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    return base + ("?" + urlencode(params) if params else "")


async def _listing(
    request: Request, db: Db, runtime: Runtime, category: Category | None
) -> Response:
    currency = runtime.config.currency
    query = presenters.read_list_query(
        request.query_params, currency, category=category.slug if category else None
    )
    status = 200
    try:
        listing = await catalog_service.list_products(
            db, query.filters, sort=query.sort, page=query.page, per_page=PER_PAGE
        )
    except ValidationFailed as exc:
        query.errors[exc.field or "q"] = exc.message
        listing = await catalog_service.list_products(db, per_page=PER_PAGE)
        listing.items, listing.total = [], 0
    if query.errors:
        status = 422
    base = runtime.path(f"humours/{category.slug}" if category else CATALOGUE)
    categories = await catalog_service.categories(db)
    notes = await catalog_service.scent_notes(db, runtime)
    context = {
        "listing": listing,
        "query": query,
        "category": category,
        "categories": categories,
        "scent_notes": notes,
        "images": card_images(runtime, listing.items),
        "rarities": presenters.RARITY_LABELS,
        "seasons": presenters.SEASON_LABELS,
        "sorts": {
            k: v for k, v in presenters.SORT_LABELS.items() if k != "relevance" or query.filters.q
        },
        "roman": presenters.roman,
        "stock_state": presenters.stock_state,
        "form_action": base,
        "page_href": lambda n: _href(request, base, query.values, page=n),
        "canonical": runtime.absolute_url(
            _href(request, base, {}, page=listing.page)[len(runtime.path("")) :]
        ),
        "noindex": query.active or bool(query.errors),
        **await card_context(db, request, listing.items),
    }
    response = render(request, "catalog/list.html", context, status_code=status)
    return revalidated(request, response)


@router.get(f"/{CATALOGUE}")
async def catalogue(request: Request, db: Db, runtime: Runtime) -> Response:
    return await _listing(request, db, runtime, None)


@router.get("/humours/{slug}")
async def humour(request: Request, slug: str, db: Db, runtime: Runtime) -> Response:
    category = await catalog_service.category_by_slug(db, slug)
    return await _listing(request, db, runtime, category)


def product_jsonld(
    runtime: Any, product: Product, images: list[Any], stock: presenters.StockState
) -> dict[str, Any]:
    """schema.org Product with its Offer, for search engines."""
    from mercato.kit.money import minor_digits

    currency = runtime.config.currency
    digits = minor_digits(currency)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "sku": product.sku,
        "description": product.meta_description or product.short_description,
        "url": runtime.absolute_url(f"{CATALOGUE}/{product.slug}"),
        "offers": {
            "@type": "Offer",
            "price": f"{product.price / 10**digits:.{digits}f}",
            "priceCurrency": currency,
            "availability": "https://schema.org/"
            + ("OutOfStock" if stock.kind == "sold_out" else "InStock"),
            "url": runtime.absolute_url(f"{CATALOGUE}/{product.slug}"),
        },
        "brand": {"@type": "Brand", "name": runtime.config.name},
    }
    if product.category is not None:
        data["category"] = product.category.name
    if images:
        data["image"] = [runtime.absolute_url(images[0].src[len(runtime.path("")) :])]
    return data


@router.get(f"/{CATALOGUE}/{{slug}}")
async def product_page(request: Request, slug: str, db: Db, runtime: Runtime) -> Response:
    product = await catalog_service.product_page(db, slug)
    stock = presenters.stock_state(product.inventory)
    images = [v for v in (presenters.image_view(runtime.storage, i) for i in product.images) if v]
    related = await catalog_service.related_products(db, product, RELATED)
    context: dict[str, Any] = {
        "product": product,
        "category": product.category,
        "inventory": product.inventory,
        "available": stock.available,
        "stock": stock,
        "images": images,
        "related": related,
        "related_images": card_images(runtime, related),
        "folio": presenters.roman(product.folio_number) if product.folio_number else "",
        "rarity_label": presenters.RARITY_LABELS.get(product.rarity, product.rarity),
        "season_label": presenters.SEASON_LABELS.get(product.season, product.season),
        "roman": presenters.roman,
        "stock_state": presenters.stock_state,
        "canonical": runtime.absolute_url(f"{CATALOGUE}/{product.slug}"),
        "jsonld": product_jsonld(runtime, product, images, stock),
        **await card_context(db, request, related),
    }
    # Other modules add what they show on the product page (wishlist state, reviews...).
    for module in runtime.modules.modules:
        if module.product_page is not None:
            context.update(await module.product_page(db, request, product))
    response = render(request, "catalog/product.html", context)
    return revalidated(request, response)
