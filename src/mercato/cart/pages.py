"""The cart page and its forms. Every form works without JavaScript (POST, then a redirect
with a message); cart.js posts the same forms with ``Accept: application/json`` and gets
the new count, a message and the drawer's HTML back, so the page updates without a reload.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from mercato.cart import service as cart_service
from mercato.cart.deps import cart_token, set_cart_cookie
from mercato.identity.pages import safe_next
from mercato.kit.errors import DomainError
from mercato.kit.i18n import _
from mercato.models.commerce import Cart
from mercato.web.deps import Db, Runtime
from mercato.web.flash import flash
from mercato.web.templating import add_template_context, render

router = APIRouter()


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _user_id(request: Request) -> int | None:
    user = getattr(request.state, "user", None)
    return user.id if user else None


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()  # parsed (and cached) by the CSRF check
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _int(value: str | None, default: int | None = None) -> Any:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default if default is not None else value


async def _answer(
    request: Request,
    db: Db,
    runtime: Runtime,
    cart: Cart | None,
    *,
    message: str,
    kind: str = "success",
    status: int = 200,
    new_token: str | None = None,
    back: str | None = None,
    field: str | None = None,
) -> Response:
    """JSON for cart.js (count, message, drawer HTML), else a redirect with a message."""
    if _wants_json(request):
        cart_view = await cart_service.view(db, cart, runtime=runtime)
        add_template_context(request, cart_count=cart_view.count)
        drawer = render(request, "cart/_drawer_body.html", {"cart": cart_view}).body.decode()
        body: dict[str, Any] = {
            "ok": status < 400,
            "message": message,
            "count": cart_view.count,
            "drawer": drawer,
        }
        if status >= 400:
            body["detail"] = message
            body["errors"] = [{"field": field, "message": message, "code": kind}] if field else []
        response: Response = JSONResponse(body, status_code=status)
    else:
        response = RedirectResponse(back or runtime.path("cart"), status_code=303)
        flash(request, response, message, "error" if status >= 400 else kind)
    if new_token and response.status_code < 400:  # a 4xx rolls the new cart back
        set_cart_cookie(runtime, response, new_token)
    return response


@router.get("/cart")
async def cart_page(request: Request, db: Db) -> Response:
    cart = await cart_service.find_cart(db, user_id=_user_id(request), token=cart_token(request))
    cart_view = await cart_service.view(db, cart, runtime=request.state.runtime)
    response = render(request, "cart/cart.html", {"cart": cart_view})
    response.headers["cache-control"] = "no-store"
    return response


@router.get("/cart/drawer")
async def cart_drawer(request: Request, db: Db) -> Response:
    """The drawer's contents, fetched by cart.js when the shopper opens it."""
    cart = await cart_service.find_cart(db, user_id=_user_id(request), token=cart_token(request))
    cart_view = await cart_service.view(db, cart, runtime=request.state.runtime)
    response = render(request, "cart/_drawer_body.html", {"cart": cart_view})
    response.headers["cache-control"] = "no-store"
    return response


@router.post("/cart/items")
async def add_to_cart(request: Request, db: Db, runtime: Runtime) -> Response:
    values = await _form(request)
    back = safe_next(runtime, values.get("next"))
    product_id = _int(values.get("product_id"), -1)
    quantity = _int(values.get("quantity") or "1")
    cart, new_token = await cart_service.open_cart(
        db, user_id=_user_id(request), token=cart_token(request)
    )
    try:
        item = await cart_service.add_item(db, cart, product_id, quantity, runtime=runtime)
    except DomainError as exc:
        # The new cart row (if any) is kept: the visitor gets its cookie either way.
        return await _answer(
            request,
            db,
            runtime,
            cart,
            message=exc.message,
            status=exc.status_code,
            new_token=new_token,
            back=back,
            field=exc.field,
            kind=exc.code,
        )
    product = await cart_service.sellable_product(db, item.product_id)
    return await _answer(
        request,
        db,
        runtime,
        cart,
        message=_(
            "%(product)s is in your cart (%(count)s).", product=product.name, count=item.quantity
        ),
        new_token=new_token,
        back=back,
    )


@router.post("/cart/items/{product_id}")
async def update_item(request: Request, product_id: int, db: Db, runtime: Runtime) -> Response:
    values = await _form(request)
    cart = await cart_service.find_cart(db, user_id=_user_id(request), token=cart_token(request))
    if cart is None:
        return await _answer(
            request, db, runtime, None, message=_("Your cart is empty."), status=404, field="cart"
        )
    try:
        item = await cart_service.set_quantity(
            db, cart, product_id, _int(values.get("quantity")), runtime=runtime
        )
    except DomainError as exc:
        return await _answer(
            request,
            db,
            runtime,
            cart,
            message=exc.message,
            status=exc.status_code,
            field=exc.field,
            kind=exc.code,
        )
    message = _("Your cart is updated.") if item else _("The item is removed from your cart.")
    return await _answer(request, db, runtime, cart, message=message)


@router.post("/cart/items/{product_id}/remove")
async def remove_item(request: Request, product_id: int, db: Db, runtime: Runtime) -> Response:
    cart = await cart_service.find_cart(db, user_id=_user_id(request), token=cart_token(request))
    removed = cart is not None and await cart_service.remove_item(db, cart, product_id)
    message = (
        _("The item is removed from your cart.")
        if removed
        else _("That item was not in your cart.")
    )
    return await _answer(request, db, runtime, cart, message=message, kind="info")
