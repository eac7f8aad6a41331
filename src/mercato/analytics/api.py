"""Analytics for admins in the JSON API: GET /<store>/api/v1/analytics?days=30."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from mercato.analytics import service
from mercato.identity.api_deps import ApiPrincipal, require_api_permission
from mercato.kit.errors import ValidationFailed
from mercato.web.deps import Db, Runtime

router = APIRouter(prefix="/analytics", tags=["analytics"])
Reader = Annotated[ApiPrincipal, Depends(require_api_permission("analytics.read"))]


@router.get("")
async def summary(
    _: Reader, db: Db, runtime: Runtime, days: Annotated[int, Query(description="7, 30 or 90")] = 30
) -> dict[str, Any]:
    """Revenue and orders per day, top products, view-to-order conversion, bookings per
    technician and ticket SLA; cached for five minutes."""
    if days not in (7, 30, 90):
        raise ValidationFailed("days is 7, 30 or 90.", field="days")
    return service.report_json(await service.cached_report(db, runtime, days))
