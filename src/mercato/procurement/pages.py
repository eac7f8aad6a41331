"""The seller's inventory page (/<store>/seller/inventory): stock alerts, forecasts and the
stock log of the seller's own products only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from mercato.b2b import access
from mercato.kit.errors import DomainError, NotFound
from mercato.kit.pagination import page_number
from mercato.procurement import service
from mercato.procurement.api import allowed_products
from mercato.procurement.views import forecast_chart
from mercato.web.deps import Db, Runtime
from mercato.web.templating import render

router = APIRouter(prefix="/seller/inventory")

OwnInventory = Annotated[
    access.Abilities, Depends(access.require_ability(lambda a: a.inventory is not None))
]


def _private(response: Response) -> Response:
    response.headers["cache-control"] = "no-store"
    return response


@router.get("")
async def seller_inventory(
    request: Request, db: Db, runtime: Runtime, abilities: OwnInventory
) -> Response:
    allowed = await allowed_products(db, abilities)
    try:
        filters = service.LogFilters.parse(request.query_params)
    except DomainError:
        filters = service.LogFilters()
    page = await service.logs(
        db,
        filters,
        timezone=runtime.config.timezone,
        allowed_products=allowed,
        page=page_number(request.query_params.get("page")),
    )
    context = {
        "alerts": await service.alerts(db, product_ids=allowed),
        "page": page,
        "filters": filters,
        "actions": service.ACTIONS,
        "action_of": service.action_of,
    }
    return _private(render(request, "procurement/seller_inventory.html", context))


@router.get("/forecast/{product_id:int}")
async def seller_forecast(
    request: Request, db: Db, runtime: Runtime, product_id: int, abilities: OwnInventory
) -> Response:
    allowed = await allowed_products(db, abilities)
    if allowed is not None and product_id not in allowed:
        raise NotFound("We could not find that product's stock.")
    f = await service.forecast_product(db, product_id, timezone=runtime.config.timezone)
    return _private(
        render(request, "procurement/forecast_page.html", {"f": f, "chart": forecast_chart(f)})
    )
