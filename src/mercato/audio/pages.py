"""Audio Tài Lộc storefront pages: the search page with filters and facet counts, and what
the product page adds (specification table, categories)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy import select

from mercato.audio import search, specs
from mercato.catalog import attributes, presenters
from mercato.catalog import repository as catalog_repo
from mercato.catalog.pages import card_context, card_images
from mercato.kit.errors import NotFound
from mercato.kit.i18n import N_, _
from mercato.kit.money import minor_digits
from mercato.models.audio import product_categories
from mercato.models.catalog import Category
from mercato.web.deps import Db, Runtime
from mercato.web.templating import render

router = APIRouter()
STATIC = Path(__file__).parent / "static"
SCRIPTS = ("live-orders.js",)
SEARCH_PATH = "tim-kiem"
MAX_QUERY = 200


def _price(raw: str | None, currency: str) -> int | None:
    """A price typed in whole currency units ("1.500.000" or "1500000"); None if unusable."""
    digits = "".join(ch for ch in (raw or "") if ch.isdigit())
    if not digits or len(digits) > 15:
        return None
    return int(digits) * 10 ** minor_digits(currency)


def read_query(params: Any, currency: str) -> search.SearchQuery:
    """The shopper's search from the URL; anything unusable is ignored, never an error."""
    filters = {code: str(params.get(code))[:120] for code in specs.FACETS if params.get(code)}
    try:
        page = int(params.get("page") or 1)
    except ValueError:
        page = 1
    sort = params.get("sort") or "relevance"
    return search.SearchQuery(
        q=str(params.get("q") or "")[:MAX_QUERY],
        category=str(params.get("danh-muc") or "")[:140],
        filters=filters,
        min_price=_price(params.get("gia-tu"), currency),
        max_price=_price(params.get("gia-den"), currency),
        sort=sort if sort in search.SORTS else "relevance",
        page=max(1, min(page, search.MAX_PAGE)),
    )


def _values(query: search.SearchQuery, params: Any) -> dict[str, str]:
    values = {"q": query.q, "danh-muc": query.category, "sort": query.sort}
    values.update(query.filters)
    for key in ("gia-tu", "gia-den"):
        if params.get(key):
            values[key] = str(params.get(key))[:20]
    return {k: v for k, v in values.items() if v and not (k == "sort" and v == "relevance")}


CATEGORY_PATH = "danh-muc"


@router.get(f"/{SEARCH_PATH}")
async def search_page(request: Request, db: Db, runtime: Runtime) -> Response:
    return await _results(request, db, runtime, None)


@router.get(f"/{CATEGORY_PATH}/{{slug}}")
async def category_page(request: Request, slug: str, db: Db, runtime: Runtime) -> Response:
    """A category's landing page: the search with its category fixed, indexable, with its
    own canonical URL (filtered and searched views are noindex)."""
    category = await catalog_repo.category_by_slug(db, slug[:140])
    if category is None:
        raise NotFound(_("There is no such category."))
    return await _results(request, db, runtime, category)


async def _results(request: Request, db: Db, runtime: Runtime, category: Any) -> Response:
    query = read_query(request.query_params, runtime.config.currency)
    if category is not None:
        query.category = category.slug
    result = await search.search(db, runtime, query)
    cards = await search.cards(db, result.product_ids)
    base = runtime.path(f"{CATEGORY_PATH}/{category.slug}" if category else SEARCH_PATH)
    values = _values(query, request.query_params)
    if category is not None:
        values.pop("danh-muc", None)

    def href(**changes: Any) -> str:
        params = dict(values)
        for key, value in changes.items():
            if value in (None, ""):
                params.pop(key, None)
            else:
                params[key] = str(value)
        if params.get("page") == "1":
            params.pop("page")
        return base + ("?" + urlencode(params) if params else "")

    context = {
        "query": query,
        "values": values,
        "result": result,
        "cards": cards,
        "images": card_images(runtime, cards),
        "href": href,
        "sorts": [
            ("relevance", N_("Best match")),
            ("price_asc", N_("Price: low to high")),
            ("price_desc", N_("Price: high to low")),
            ("newest", N_("Newest")),
            ("name", N_("Name A–Z")),
        ],
        "roman": presenters.roman,
        "stock_state": presenters.stock_state,
        "canonical": runtime.absolute_url(
            f"{CATEGORY_PATH}/{category.slug}" if category else SEARCH_PATH
        ),
        "noindex": bool(values),
        "category": category,
        "form_action": base,
        # What other modules add to the cards: the promoted price (promotions).
        **await card_context(db, request, cards),
    }
    return render(request, "audio/search.html", context)


async def product_page(db: Any, request: Request, product: Any) -> dict[str, Any]:
    """Adds the specification table and every category of the product to its page."""
    values = await attributes.attributes_of(db, product.id)
    linked = list(
        await db.scalars(
            select(Category)
            .join(product_categories, product_categories.c.category_id == Category.id)
            .where(product_categories.c.product_id == product.id)
            .order_by(Category.sort_order, Category.name)
        )
    )
    return {
        "spec_rows": specs.table(values),
        "brand": values.get("brand", ""),
        "product_categories": linked,
        "search_path": SEARCH_PATH,
    }


async def sitemap(db: Any, runtime: Any) -> list[tuple[str, Any]]:
    """The search page and every category landing page, for sitemap.xml."""
    categories = await catalog_repo.categories(db)
    return [(SEARCH_PATH, None)] + [(f"{CATEGORY_PATH}/{c.slug}", c.updated_at) for c in categories]


@router.get("/audio-assets/{name}", include_in_schema=False)
async def asset(name: str) -> FileResponse:
    if name not in SCRIPTS:
        raise NotFound("No such file.")
    return FileResponse(
        STATIC / name,
        media_type="text/javascript",
        headers={"cache-control": "public, max-age=3600"},
    )
