"""The reviews feature flag as a dependency: switched off, every review route is 404."""

from __future__ import annotations

from fastapi import Request

from mercato.customers import features
from mercato.kit.errors import NotFound
from mercato.web.deps import Db


async def reviews_enabled(request: Request, db: Db) -> None:
    if not await features.is_enabled(db, request.state.runtime, "reviews", request):
        raise NotFound("We could not find that page.")
