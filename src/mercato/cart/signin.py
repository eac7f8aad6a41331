"""Sign-in hook: the guest cart of this browser joins the customer's cart."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from mercato.cart import service as cart_service
from mercato.cart.deps import cart_token


async def merge_at_signin(request: Request, db: Any, user: Any) -> list[str]:
    """Called by identity right after a browser session starts (sign in or sign up).
    Returns messages about units that did not fit (stock, per-customer limit)."""
    token = cart_token(request)
    if not token:
        return []
    return await cart_service.merge_guest_cart(
        db, token=token, user_id=user.id, runtime=request.state.runtime
    )
