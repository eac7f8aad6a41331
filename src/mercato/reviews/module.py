"""The reviews module: customer reviews with moderation (flag ``features.reviews``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mercato.customers import features
from mercato.kit.i18n import N_
from mercato.platform.modules import Module, NavItem
from mercato.reviews import admin, api, pages, service


async def product_page(db: Any, request: Any, product: Any) -> dict[str, Any]:
    """Average, count, the first approved reviews and the visitor's own review state."""
    if not await features.is_enabled(db, request.state.runtime, "reviews", request):
        return {"reviews_on": False}
    user = getattr(request.state, "user", None)
    listing = await service.approved(db, product.id, 1, 10)
    mine = await service.own_review(db, user.id, product.id) if user else None
    voted = await service.voted_ids(db, user.id, [r.id for r in listing.items]) if user else set()
    return {
        "reviews_on": True,
        "review_summary": await service.summary(db, product.id),
        "reviews": listing.items,
        "my_review": mine,
        "voted_ids": voted,
    }


reviews_module = Module(
    name="reviews",
    title="Reviews",
    requires=("catalog", "customers"),
    pages=[pages.router],
    api=[api.router],
    admin=[admin.router],
    permissions={"reviews.moderate": "Approve or reject customer reviews"},
    default_roles={"staff": ["reviews.moderate"]},
    admin_nav=[NavItem(N_("Reviews"), "reviews", "reviews.moderate", order=65)],
    product_page=product_page,
    template_dir=str(Path(__file__).parent / "templates"),
)
