"""The wishlist module: saved products for signed-in customers (flag ``features.wishlist``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mercato.customers import features
from mercato.platform.modules import Module
from mercato.wishlist import api, pages, service
from mercato.wishlist.deps import header_link


async def product_page(db: Any, request: Any, product: Any) -> dict[str, Any]:
    """The product page's wishlist button: shown when the flag is on; state per customer."""
    if not await features.is_enabled(db, request.state.runtime, "wishlist", request):
        return {"wishlist_on": False}
    user = getattr(request.state, "user", None)
    in_wishlist = bool(user) and await service.contains(db, user.id, product.id)
    return {"wishlist_on": True, "in_wishlist": in_wishlist}


wishlist_module = Module(
    name="wishlist",
    title="Wishlist",
    requires=("catalog", "customers"),
    pages=[pages.router],
    api=[api.router],
    page_dependencies=[header_link],
    product_page=product_page,
    template_dir=str(Path(__file__).parent / "templates"),
)
