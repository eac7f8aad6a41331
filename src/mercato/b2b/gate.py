"""Keeps wholesale prices away from visitors who may not see them, on the catalogue's own
JSON routes (which are anonymous and know nothing of businesses).

The ``b2b_gate`` module is listed before ``catalog`` in the store's modules, so its routes for
``/products`` and ``/products/{slug}`` match first. A visitor allowed to see prices is handed
to the catalogue's route unchanged; anyone else gets the catalogue's answer with the prices
blanked, and price filters or price sorts (which would reveal a price by bisection) are
refused. A test holds the whole rule for the wholesale store, so a misordered store.toml
cannot silently publish prices. A price-visibility hook in the catalogue would make the
ordering unnecessary (docs/decisions.md).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials
from starlette.routing import Match

from mercato.b2b import access
from mercato.identity.api_deps import api_key_scheme, bearer_scheme
from mercato.platform.modules import Module
from mercato.web.deps import Db

PRICE_FIELDS = ("price", "compare_at_price")
PRICE_QUERY = ("min_price", "max_price")
PRICE_SORTS = ("price_asc", "price_desc")
REFUSAL = "Prices are shown to verified businesses only. Verify your business first."

router = APIRouter()


def reveals_price(query: Any) -> bool:
    """Would this catalogue query tell a price (filtering or sorting by it)?"""
    return any(query.get(k) not in (None, "") for k in PRICE_QUERY) or (
        query.get("sort") in PRICE_SORTS
    )


def _blank(item: dict[str, Any]) -> None:
    for field in PRICE_FIELDS:
        if field in item:
            item[field] = None
    for key in ("tiers", "wholesale"):  # fields the pricing modules may add
        if key in item:
            item[key] = None


async def _next_route(request: Request) -> Response:
    """Run the route that would have answered without this module, capturing its reply."""
    scope = dict(request.scope)
    for route in request.app.router.routes:
        # FastAPI wraps each included router; skip ours (and, on older FastAPI, our routes).
        if getattr(route, "original_router", None) is router or getattr(
            route, "endpoint", None
        ) in (list_products, get_product):
            continue
        match, child = route.matches(scope)
        if match == Match.FULL:
            scope.update(child)
            break
    else:
        raise HTTPException(404)
    status = 500
    headers: list[tuple[bytes, bytes]] = []
    chunks: list[bytes] = []

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status = message["status"]
            headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await route.handle(scope, request.receive, send)
    kept = {
        k.decode("latin-1"): v.decode("latin-1")
        for k, v in headers
        if k.lower() not in (b"content-length", b"etag")
    }
    return Response(b"".join(chunks), status_code=status, headers=kept)


async def _gated(
    request: Request,
    db: Any,
    bearer: HTTPAuthorizationCredentials | None,
    key: str | None,
    many: bool,
) -> Response:
    found = await access.api_abilities(request, db, bearer, key)
    if found.view_wholesale_prices:
        answer = await _next_route(request)
        # Prices depend on who asks: never let a shared cache keep them.
        answer.headers["cache-control"] = "private, no-store"
        answer.headers["vary"] = "Authorization, X-API-Key"
        return answer
    if many and reveals_price(request.query_params):
        raise HTTPException(403, REFUSAL)
    answer = await _next_route(request)
    if answer.status_code != 200:
        return answer
    data = json.loads(answer.body)
    for item in data.get("items", []) if many else [data]:
        _blank(item)
    headers = {k: v for k, v in answer.headers.items() if k.lower() != "content-length"}
    headers["cache-control"] = "private, no-store"
    return Response(
        json.dumps(data).encode(), status_code=200, headers=headers, media_type="application/json"
    )


Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]
ApiKey = Annotated[str | None, Depends(api_key_scheme)]


@router.get("/products", include_in_schema=False)
async def list_products(request: Request, db: Db, bearer: Bearer, key: ApiKey) -> Response:
    return await _gated(request, db, bearer, key, many=True)


@router.get("/products/{slug}", include_in_schema=False)
async def get_product(request: Request, db: Db, bearer: Bearer, key: ApiKey) -> Response:
    return await _gated(request, db, bearer, key, many=False)


b2b_gate_module = Module(
    name="b2b_gate",
    title="Wholesale price gate",
    api=[router],
)
