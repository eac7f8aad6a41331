"""The wishlist feature flag as a dependency, and the header link's data."""

from __future__ import annotations

from fastapi import Request

from mercato.customers import features
from mercato.kit.errors import NotFound
from mercato.web.deps import Db
from mercato.web.templating import add_template_context
from mercato.wishlist import service


async def wishlist_enabled(request: Request, db: Db) -> None:
    """Routes of a switched-off wishlist answer 404, like a disabled module's."""
    if not await features.is_enabled(db, request.state.runtime, "wishlist", request):
        raise NotFound("We could not find that page.")


async def header_link(request: Request, db: Db) -> None:
    """The header link and its count, for signed-in visitors of a store with the wishlist on."""
    user = getattr(request.state, "user", None)
    if user is None or request.url.path.startswith(request.state.runtime.path("admin")):
        return
    if await features.is_enabled(db, request.state.runtime, "wishlist", request):
        add_template_context(
            request, wishlist_on=True, wishlist_count=await service.count(db, user.id)
        )
