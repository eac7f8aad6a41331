"""Qala's public pages: discovery (timeline, filters, search), brand, collection and product
pages, the 2D try-on, and the boutique application. Browsing is open to everyone; the
product and brand pages leave slots (``brands/_product_actions.html``,
``brands/_brand_actions.html``) for the inquiries and conversations modules.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from pydantic import ValidationError

from mercato.brands import access, boutiques, discovery
from mercato.brands.schemas import BoutiqueIn
from mercato.identity.deps import CurrentUser
from mercato.kit.errors import DomainError, NotFound, validation_message
from mercato.site.caching import revalidated
from mercato.web.deps import Db
from mercato.web.flash import redirect
from mercato.web.templating import render

router = APIRouter()
STATIC = Path(__file__).parent / "static"
ASSETS = {
    "qala.css": "text/css",
    "timeline.js": "text/javascript",
    "carousel.js": "text/javascript",
    "tryon.js": "text/javascript",
}
# One version for all assets: any change to any file gives every URL a new query string.
ASSET_VERSION = hashlib.sha256(
    b"".join((STATIC / name).read_bytes() for name in sorted(ASSETS) if (STATIC / name).is_file())
).hexdigest()[:12]
BOUTIQUE_FIELDS = ("name", "city", "country", "website", "instagram", "about")


def asset(runtime: Any, name: str) -> str:
    return runtime.path(f"qala-assets/{name}") + "?v=" + ASSET_VERSION


async def add_assets(request: Request, db: Db) -> None:
    """Page dependency: ``qala_asset(name)`` for templates (the store theme's home too) and
    ``qala_role`` ("brand", "buyer", "staff" or None) for the header's links."""
    from mercato.identity.permissions import has_permission, permissions_of
    from mercato.web.templating import add_template_context

    runtime = request.state.runtime
    user = getattr(request.state, "user", None)
    role = None
    if user is not None:
        if await access.brand_ids_for_user(db, user.id):
            role = "brand"
        elif has_permission(await permissions_of(db, user.id), "admin.access"):
            role = "staff"
        else:
            role = "buyer"
    add_template_context(
        request,
        qala_asset=lambda name: asset(runtime, name),
        qala_role=role,
        country_name=discovery.country_name,
        stock_labels=discovery.STOCK_LABELS,
    )


@router.get("/qala-assets/{name}", include_in_schema=False)
async def static_asset(request: Request, name: str) -> Response:
    if name not in ASSETS:
        raise NotFound("No such file.")
    versioned = request.query_params.get("v") == ASSET_VERSION
    cache = "public, max-age=31536000, immutable" if versioned else "public, max-age=300"
    return FileResponse(STATIC / name, media_type=ASSETS[name], headers={"cache-control": cache})


@router.get("/discover")
async def discover(request: Request, db: Db) -> Response:
    storage = request.state.runtime.storage
    filters = discovery.Filters.from_query(request.query_params)
    results = await discovery.search(db, storage, filters.q) if filters.q else None
    brands = await discovery.timeline(db, storage, filters)
    return revalidated(
        request,
        render(
            request,
            "brands/discover.html",
            {
                "filters": filters,
                "brands": brands,
                "results": results,
                "options": await discovery.filter_options(db),
            },
        ),
    )


@router.get("/brands")
async def brands_index(request: Request) -> Response:
    return redirect(request, "discover")


@router.get("/brands/{slug}")
async def brand(request: Request, slug: str, db: Db) -> Response:
    page = await discovery.brand_page(db, request.state.runtime.storage, slug)
    return revalidated(
        request, render(request, "brands/brand.html", {"page": page, "brand": page.brand})
    )


@router.get("/brands/{slug}/collections/{collection}")
async def collection(request: Request, slug: str, collection: str, db: Db) -> Response:
    page = await discovery.collection_page(db, request.state.runtime.storage, slug, collection)
    return revalidated(
        request, render(request, "brands/collection.html", {"page": page, "brand": page.brand})
    )


@router.get("/products/{slug}")
async def product(request: Request, slug: str, db: Db) -> Response:
    page = await discovery.product_page(db, request.state.runtime.storage, slug)
    return revalidated(
        request,
        render(
            request,
            "brands/product.html",
            {"page": page, "product": page.product, "brand": page.brand},
        ),
    )


@router.get("/products/{slug}/try-on")
async def try_on(request: Request, slug: str, db: Db) -> Response:
    page = await discovery.product_page(db, request.state.runtime.storage, slug)
    if not page.cutout_url:
        raise NotFound("This product has no try-on picture yet.")
    return render(
        request, "brands/tryon.html", {"page": page, "product": page.product, "brand": page.brand}
    )


# ---- boutique application ---------------------------------------------------------------


def errors_of(exc: ValidationError) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for e in exc.errors():
        name = str(e["loc"][0]) if e.get("loc") else "__all__"
        found.setdefault(name, []).append(validation_message(e))
    return found


async def _boutique_page(
    request: Request,
    db: Any,
    user: Any,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
    status_code: int = 200,
) -> Response:
    boutique = await boutiques.boutique_of(db, user.id)
    if values is None:
        values = {f: getattr(boutique, f) for f in BOUTIQUE_FIELDS} if boutique else {}
    return render(
        request,
        "brands/boutique.html",
        {
            "boutique": boutique,
            "values": values,
            "errors": errors or {},
            "labels": boutiques.STATUS_LABELS,
            "countries": _countries(),
            "is_brand_user": bool(await access.brand_ids_for_user(db, user.id)),
        },
        status_code=status_code,
    )


def _countries() -> list[tuple[str, str]]:
    from babel import Locale

    names = Locale.parse("en").territories
    return sorted(
        ((code, name) for code, name in names.items() if len(code) == 2 and code.isalpha()),
        key=lambda pair: pair[1],
    )


@router.get("/boutique")
async def boutique_form(request: Request, db: Db, user: CurrentUser) -> Response:
    return await _boutique_page(request, db, user)


@router.post("/boutique")
async def boutique_save(request: Request, db: Db, user: CurrentUser) -> Response:
    form = await request.form()
    values = {f: str(form.get(f) or "").strip() for f in BOUTIQUE_FIELDS}
    try:
        data = BoutiqueIn(**values)
    except ValidationError as exc:
        return await _boutique_page(
            request, db, user, values=values, errors=errors_of(exc), status_code=422
        )
    before = await boutiques.boutique_of(db, user.id)
    was = before.status if before else None
    try:
        boutique = await boutiques.apply(db, user, data)
    except DomainError as exc:
        return await _boutique_page(
            request,
            db,
            user,
            values=values,
            errors={exc.field or "__all__": [exc.message]},
            status_code=exc.status_code,
        )
    if boutique.status == "pending" and was != "pending":
        await boutiques.tell_reviewers(db, request.state.runtime, boutique)
        return redirect(
            request, "boutique", "Thank you. We review boutiques within one working day."
        )
    return redirect(request, "boutique", "Your boutique's details are saved.")
