"""The store's home page, sitemap.xml and robots.txt.

The home gathers what the enabled modules offer (featured products and categories from the
catalogue, testimonials and the alchemy steps from content); each store's theme decides how
to draw them by overriding ``site/home.html``.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from mercato.site.caching import revalidated
from mercato.web.deps import Db
from mercato.web.templating import render

router = APIRouter()
FEATURED = 4


async def _catalogue_context(db: Any, runtime: Any) -> dict[str, Any]:
    from mercato.catalog import presenters
    from mercato.catalog import service as catalog_service
    from mercato.catalog.pages import card_images
    from mercato.catalog.schemas import ProductFilters

    featured = await catalog_service.list_products(
        db, ProductFilters(featured=True), per_page=FEATURED
    )
    return {
        "featured": featured.items,
        "featured_images": card_images(runtime, featured.items),
        "categories": await catalog_service.categories(db),
        "category_counts": await catalog_service.category_counts(db, runtime),
        "roman": presenters.roman,
        "stock_state": presenters.stock_state,
    }


async def _content_context(db: Any) -> dict[str, Any]:
    from mercato.content import service as content_service

    return {
        "testimonials": await content_service.shown_testimonials(db),
        "alchemy_steps": await content_service.alchemy_steps(db),
    }


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, db: Db) -> Response:
    runtime = request.state.runtime
    context: dict[str, Any] = {"canonical": runtime.absolute_url("")}
    if "catalog" in runtime.modules:
        from mercato.catalog.pages import card_context

        context.update(await _catalogue_context(db, runtime))
        context.update(await card_context(db, request, context["featured"]))
    if "content" in runtime.modules:
        context.update(await _content_context(db))
    for module in runtime.modules.modules:
        if module.home_page is not None:
            context.update(await module.home_page(db, request))
    return revalidated(request, render(request, "site/home.html", context))


@router.get("/robots.txt", include_in_schema=False)
async def robots(request: Request) -> Response:
    runtime = request.state.runtime
    lines = [
        "User-agent: *",
        f"Disallow: {runtime.path('admin')}",
        f"Disallow: {runtime.path('account')}",
        f"Disallow: {runtime.path('api')}",
        "Allow: /",
        f"Sitemap: {runtime.absolute_url('sitemap.xml')}",
    ]
    return Response(
        "\n".join(lines) + "\n",
        media_type="text/plain",
        headers={"cache-control": "public, max-age=3600"},
    )


@router.get("/sitemap.xml", include_in_schema=False)
async def sitemap(request: Request, db: Db) -> Response:
    runtime = request.state.runtime
    urls: list[tuple[str, Any]] = [("", None)]
    if "catalog" in runtime.modules:
        from mercato.catalog import service as catalog_service
        from mercato.catalog.pages import CATALOGUE

        urls.append((CATALOGUE, None))
        urls += [(f"humours/{c.slug}", c.updated_at) for c in await catalog_service.categories(db)]
        urls += [
            (f"{CATALOGUE}/{slug}", at) for slug, at in await catalog_service.sitemap_entries(db)
        ]
    if "content" in runtime.modules:
        from mercato.content import service as content_service

        urls += [(f"pages/{slug}", at) for slug, at in await content_service.sitemap_pages(db)]
    for module in runtime.modules.modules:
        if module.sitemap is not None:
            urls += await module.sitemap(db, runtime)
    body = ['<?xml version="1.0" encoding="UTF-8"?>']
    body.append('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')
    for relative, updated in urls:
        lastmod = f"<lastmod>{updated.date().isoformat()}</lastmod>" if updated else ""
        body.append(f"<url><loc>{escape(runtime.absolute_url(relative))}</loc>{lastmod}</url>")
    body.append("</urlset>")
    return Response(
        "\n".join(body),
        media_type="application/xml",
        headers={"cache-control": "public, max-age=3600"},
    )
