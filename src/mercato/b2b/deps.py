"""Page dependencies of the b2b module: the visitor's abilities for every page, and price
hiding for visitors who may not see wholesale prices."""

from __future__ import annotations

from fastapi import HTTPException, Request
from markupsafe import Markup

from mercato.b2b import access, gate
from mercato.web.deps import Db
from mercato.web.templating import add_template_context

HIDDEN_PRICE = Markup('<span class="price-hidden">Wholesale price for verified businesses</span>')


async def load_abilities(request: Request, db: Db) -> None:
    """Computes the visitor's abilities once, and makes prices disappear from every
    template that formats them through ``price()`` (the catalogue's ``amount`` macro)
    unless the visitor may see them."""
    found = await access.request_abilities(request, db)
    if not found.view_wholesale_prices and gate.reveals_price(request.query_params):
        # Filtering or sorting the catalogue by price would reveal prices by bisection; the
        # visitor is sent to where prices open up instead.
        runtime = request.state.runtime
        raise HTTPException(303, gate.REFUSAL, {"Location": runtime.path("verify")})
    context = getattr(request.state, "template_context", None) or {}
    shown = context.get("price")
    if found.view_wholesale_prices:
        add_template_context(
            request, b2b=found, can_see_wholesale_prices=access.can_see_wholesale_prices
        )
        return

    def hidden_price(_amount, *_args, **_kwargs) -> Markup:
        return HIDDEN_PRICE

    add_template_context(
        request,
        b2b=found,
        can_see_wholesale_prices=access.can_see_wholesale_prices,
        price=hidden_price,
        shown_price=shown,
    )


async def signin_message(request: Request, db, user) -> list[str]:
    """Buyers who are not verified yet hear at sign-in where prices and ordering are."""
    found = await access.abilities_for(db, user)
    if found.view_wholesale_prices:
        return []
    perms = await access.permissions_of(db, user.id)
    if access.COMPANY_MANAGE not in perms:
        return []
    if found.company_status == "pending":
        return ["Your business is being verified; prices and ordering open once it is approved."]
    return ["Verify your business to see wholesale prices and to order."]
