"""Which cart a request means: the signed-in customer's, else the guest cart of the
``mercato_cart`` cookie (pages) or the ``X-Cart-Token`` header (API)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.cart import service as cart_service
from mercato.catalog.pages import CATALOGUE
from mercato.identity.deps import load_web_user
from mercato.models import User
from mercato.platform.runtime import StoreRuntime
from mercato.web.deps import get_db
from mercato.web.templating import add_template_context

CART_COOKIE = "mercato_cart"


def cart_token(request: Request) -> str:
    return request.cookies.get(CART_COOKIE, "")[:100]


def set_cart_cookie(runtime: StoreRuntime, response: Response, token: str) -> None:
    response.set_cookie(
        CART_COOKIE,
        token,
        max_age=cart_service.CART_DAYS * 86400,
        path=runtime.path(""),
        httponly=True,
        samesite="lax",
        secure=not runtime.settings.is_development,
    )


async def load_cart_count(
    request: Request,
    user: Annotated[User | None, Depends(load_web_user)],  # cached: no second session query
    db: Annotated[AsyncSession, Depends(get_db)],
) -> int:
    """``cart_count`` for the header on every page: no query for a visitor with neither a
    session nor a cart cookie, else one SUM on the carts' unique keys."""
    token = cart_token(request)
    count = 0
    if user is not None or token:
        count = await cart_service.count_items(
            db, user_id=user.id if user else None, token=token or None
        )
    runtime = request.state.runtime
    add_template_context(
        request,
        cart_count=count,
        # Where a cart line links to: the catalogue's product page.
        product_url=lambda slug: runtime.path(f"{CATALOGUE}/{slug}"),
    )
    return count
