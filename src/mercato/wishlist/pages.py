"""Wishlist pages: the list under /account/wishlist and add/remove forms that work without
JavaScript (a POST with the CSRF token, then back to where the visitor was)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from mercato.catalog.presenters import image_view, stock_state
from mercato.identity.deps import CurrentUser
from mercato.identity.pages import safe_next
from mercato.kit.i18n import _
from mercato.web.deps import Db, Runtime
from mercato.web.flash import flash, redirect
from mercato.web.templating import render
from mercato.wishlist import service
from mercato.wishlist.deps import wishlist_enabled

router = APIRouter(dependencies=[Depends(wishlist_enabled)])


@router.get("/account/wishlist")
async def wishlist_page(request: Request, user: CurrentUser, db: Db, runtime: Runtime) -> Response:
    saved = await service.list_saved(db, user.id)
    return render(
        request,
        "wishlist/list.html",
        {
            "saved": saved,
            "images": {s.product.id: image_view(runtime.storage, s.image) for s in saved},
            "stock_state": stock_state,
        },
    )


async def _answer(
    request: Request, db, user_id: int, runtime, message: str, saved: bool, product_id: int
):
    # The optional ES module asks for JSON to toggle without a reload; forms get a redirect.
    if "application/json" in request.headers.get("accept", ""):
        count = await service.count(db, user_id)
        return JSONResponse(
            {"saved": saved, "product_id": product_id, "message": message, "count": count}
        )
    form = await request.form()
    back = safe_next(runtime, str(form.get("next") or "")) or runtime.path("account/wishlist")
    response = redirect(request, "account/wishlist")
    response.headers["location"] = back
    flash(request, response, message)
    return response


@router.post("/wishlist/{product_id:int}")
async def add_to_wishlist(
    request: Request, product_id: int, user: CurrentUser, db: Db, runtime: Runtime
) -> Response:
    product = await service.find_product(db, product_id=product_id)
    await service.add(db, user.id, product.id)
    message = _("%(product)s is in your wishlist.", product=product.name)
    return await _answer(request, db, user.id, runtime, message, True, product.id)


@router.post("/wishlist/{product_id:int}/remove")
async def remove_from_wishlist(
    request: Request, product_id: int, user: CurrentUser, db: Db, runtime: Runtime
) -> Response:
    await service.remove(db, user.id, product_id)
    message = _("Removed from your wishlist.")
    return await _answer(request, db, user.id, runtime, message, False, product_id)
