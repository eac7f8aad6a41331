"""Recommendations on the product page and in the cart."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from mercato.cart import service as cart_service
from mercato.cart.deps import cart_token
from mercato.catalog import presenters
from mercato.catalog.pages import card_context, card_images
from mercato.recommendations import service
from mercato.web.deps import Db
from mercato.web.templating import add_template_context


async def _cards(db: Any, runtime: Any, ids: list[int]) -> tuple[list[Any], dict[int, Any]]:
    from mercato.audio.search import cards

    found = await cards(db, ids)
    return found, card_images(runtime, found)


async def product_page(db: Any, request: Request, product: Any) -> dict[str, Any]:
    runtime = request.state.runtime
    similar, similar_images = await _cards(
        db, runtime, await service.related_ids(db, [product.id], "similar")
    )
    bought, bought_images = await _cards(
        db, runtime, await service.related_ids(db, [product.id], "bought_together")
    )
    return {
        "recommended_similar": similar,
        "recommended_bought": bought,
        "recommended_images": {**similar_images, **bought_images},
        # What other modules add to these cards (the promoted prices), like any listing.
        **await card_context(db, request, similar + bought),
    }


async def cart_context(request: Request, db: Db) -> None:
    """Page dependency: on the cart page, what customers who bought these also bought."""
    if not request.url.path.endswith("/cart"):
        return
    user = getattr(request.state, "user", None)
    cart = await cart_service.find_cart(
        db, user_id=user.id if user else None, token=cart_token(request)
    )
    if cart is None:
        return
    view = await cart_service.view(db, cart, runtime=request.state.runtime)
    ids = [line.product.id for line in view.lines]
    found = await service.related_ids(db, ids, "bought_together") or await service.related_ids(
        db, ids, "similar"
    )
    cards, images = await _cards(db, request.state.runtime, found)
    add_template_context(
        request,
        **await card_context(db, request, cards),
        cart_recommendations=cards,
        cart_recommendation_images=images,
        stock_state=presenters.stock_state,
        roman=presenters.roman,
    )
