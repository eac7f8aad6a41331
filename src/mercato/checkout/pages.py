"""Checkout pages: address → delivery → gift options → review → pay. Plain forms (no
JavaScript needed); each step stores its answers on the cart (``Cart.checkout``) and
redirects to the next; errors re-render the step with the values kept."""

from __future__ import annotations

from functools import cache
from typing import Any

from babel import Locale
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from mercato.cart import service as cart_service
from mercato.cart.deps import cart_token
from mercato.checkout import service as checkout_service
from mercato.checkout.service import CheckoutDetails
from mercato.identity.deps import client_ip, limit_attempts
from mercato.kit.errors import DomainError, RateLimited
from mercato.kit.i18n import N_, _, current_locale
from mercato.kit.time import utcnow
from mercato.models.commerce import Cart
from mercato.payments import service as payments_service
from mercato.payments.providers import enabled_providers
from mercato.pricing import service as pricing_service
from mercato.web.deps import Db, Runtime
from mercato.web.flash import redirect
from mercato.web.templating import render

router = APIRouter(prefix="/checkout")

STEPS = [
    ("address", N_("Address")),
    ("shipping", N_("Delivery")),
    ("gift", N_("Gift")),
    ("review", N_("Review")),
]
ADDRESS_FIELDS = (
    "first_name", "last_name", "company", "line1", "line2", "city", "region", "postal_code",
    "country", "phone",
)  # fmt: skip


@cache
def countries(locale: str = "en") -> list[tuple[str, str]]:
    """ISO 3166-1 alpha-2 codes with their names in the store's language."""
    names = Locale.parse(locale.replace("-", "_").split("_")[0]).territories
    return sorted(
        ((code, name) for code, name in names.items() if len(code) == 2 and code.isalpha()),
        key=lambda pair: pair[1],
    )


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v.strip() for k, v in form.items() if isinstance(v, str)}


def _user(request: Request) -> Any:
    return getattr(request.state, "user", None)


async def _cart(request: Request, db: Db) -> Cart | None:
    user = _user(request)
    return await cart_service.find_cart(
        db, user_id=user.id if user else None, token=cart_token(request)
    )


def _errors(exc: DomainError) -> dict[str, str]:
    field = exc.field or "__all__"
    return {field.removeprefix("address."): exc.message}


async def _page(
    request: Request,
    db: Db,
    runtime: Runtime,
    cart: Cart,
    step: str,
    extra: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    """A step with the order summary beside it, priced in the shopper's currency."""
    view = await cart_service.view(db, cart, runtime=request.state.runtime)
    state = checkout_service.state_of(cart)
    address = state.get("address") or {}
    q = await checkout_service.quote(
        db,
        runtime,
        view,
        country=address.get("country", ""),
        region=address.get("region", ""),
        rate_id=state.get("rate_id"),
        currency=request.state.conversion.currency,
        gift_wrap=bool(state.get("gift_wrap")),
    )
    context = {
        "cart": view,
        "state": state,
        "quote": q,
        "totals": q.totals,
        "step": step,
        "steps": STEPS,
        "errors": {},
        "values": {},
        **(extra or {}),
    }
    response = render(request, f"checkout/{step}.html", context, status_code=status_code)
    response.headers["cache-control"] = "no-store"
    return response


async def _ready(request: Request, db: Db, need: tuple[str, ...] = ()) -> Cart | Response:
    """The cart if it can go through checkout and the earlier steps are done; else a
    redirect to where the shopper must go."""
    cart = await _cart(request, db)
    if cart is None:
        return redirect(request, "cart", _("Your cart is empty."), "info")
    view = await cart_service.view(db, cart, runtime=request.state.runtime)
    if view.is_empty:
        return redirect(request, "cart", _("Your cart is empty."), "info")
    if view.problems:
        return redirect(request, "cart", view.problems[0], "warning")
    state = checkout_service.state_of(cart)
    if "address" in need and not state.get("address"):
        return redirect(request, "checkout/address")
    if "shipping" in need and not state.get("rate_id"):
        return redirect(request, "checkout/shipping")
    return cart


@router.get("")
async def checkout_start(request: Request, db: Db) -> Response:
    found = await _ready(request, db)
    if isinstance(found, Response):
        return found
    return redirect(request, "checkout/address")


# ---------------------------------------------------------------- address


@router.get("/address")
async def address_form(request: Request, db: Db, runtime: Runtime) -> Response:
    found = await _ready(request, db)
    if isinstance(found, Response):
        return found
    state = checkout_service.state_of(found)
    user = _user(request)
    saved = await checkout_service.saved_addresses(db, user.id) if user else []
    values = {"email": state.get("email", ""), **(state.get("address") or {})}
    if not values.get("country"):
        values["country"] = "US"
    choice = str(state.get("address_id") or (saved[0].id if saved else "new"))
    return await _page(
        request, db, runtime, found, "address",
        {"values": values, "saved": saved, "choice": choice,
         "countries": countries(current_locale(runtime.config.locale))},
    )  # fmt: skip


@router.post("/address")
async def save_address(request: Request, db: Db, runtime: Runtime) -> Response:
    found = await _ready(request, db)
    if isinstance(found, Response):
        return found
    values = await _form(request)
    user = _user(request)
    saved = await checkout_service.saved_addresses(db, user.id) if user else []
    choice = values.get("address_id", "new") if user else "new"
    try:
        if user and choice != "new":
            address_row = await checkout_service.saved_address(db, user.id, int(choice or 0))
            address, address_id, email = address_row.snapshot(), address_row.id, user.email
        else:
            email = user.email if user else checkout_service.check_email(values.get("email", ""))
            address = checkout_service.check_address({k: values.get(k, "") for k in ADDRESS_FIELDS})
            address_id = None
    except (DomainError, ValueError) as exc:
        errors = (
            _errors(exc)
            if isinstance(exc, DomainError)
            else {"address_id": _("Choose an address.")}
        )
        return await _page(
            request, db, runtime, found, "address",
            {"values": values, "saved": saved, "choice": choice, "errors": errors,
             "countries": countries(current_locale(runtime.config.locale))},
            status_code=422,
        )  # fmt: skip
    checkout_service.save_state(found, email=email, address=address, address_id=address_id)
    return redirect(request, "checkout/shipping")


# ---------------------------------------------------------------- shipping


@router.get("/shipping")
async def shipping_form(request: Request, db: Db, runtime: Runtime) -> Response:
    found = await _ready(request, db, ("address",))
    if isinstance(found, Response):
        return found
    return await _page(request, db, runtime, found, "shipping")


@router.post("/shipping")
async def save_shipping(request: Request, db: Db, runtime: Runtime) -> Response:
    found = await _ready(request, db, ("address",))
    if isinstance(found, Response):
        return found
    values = await _form(request)
    view = await cart_service.view(db, found, runtime=runtime)
    country = checkout_service.state_of(found)["address"]["country"]
    try:
        rate_id = int(values.get("rate_id", ""))
    except ValueError:
        rate_id = -1
    option = await pricing_service.shipping_option(db, country, view.subtotal, rate_id)
    if option is None:
        return await _page(
            request, db, runtime, found, "shipping",
            {"errors": {"rate_id": _("Choose a delivery method.")}}, status_code=422,
        )  # fmt: skip
    changes: dict[str, Any] = {"rate_id": option.rate_id}
    if not option.allows_scheduled_date:
        changes["delivery_date"] = None
    checkout_service.save_state(found, **changes)
    return redirect(request, "checkout/gift")


# ---------------------------------------------------------------- gift options


async def _earliest(db: Db, runtime: Runtime, cart: Cart) -> Any:
    state = checkout_service.state_of(cart)
    view = await cart_service.view(db, cart, runtime=runtime)
    option = await pricing_service.shipping_option(
        db, state["address"]["country"], view.subtotal, state.get("rate_id")
    )
    if option is None:
        return None, None
    options = await pricing_service.checkout_options(db)
    earliest = checkout_service.earliest_delivery(
        utcnow(), runtime.config.timezone, option.lead_days_min, options.cutoff_hour
    )
    return option, earliest


@router.get("/gift")
async def gift_form(request: Request, db: Db, runtime: Runtime) -> Response:
    found = await _ready(request, db, ("address", "shipping"))
    if isinstance(found, Response):
        return found
    option, earliest = await _earliest(db, runtime, found)
    if option is None:
        return redirect(request, "checkout/shipping", _("Please choose a delivery method."), "info")
    state = checkout_service.state_of(found)
    wrap = (await pricing_service.checkout_options(db)).gift_wrap_price
    return await _page(
        request, db, runtime, found, "gift",
        {"values": state, "option": option, "earliest": earliest, "wrap_price": wrap},
    )  # fmt: skip


@router.post("/gift")
async def save_gift(request: Request, db: Db, runtime: Runtime) -> Response:
    found = await _ready(request, db, ("address", "shipping"))
    if isinstance(found, Response):
        return found
    values = await _form(request)
    option, earliest = await _earliest(db, runtime, found)
    if option is None:
        return redirect(request, "checkout/shipping", _("Please choose a delivery method."), "info")
    wrap = (await pricing_service.checkout_options(db)).gift_wrap_price
    errors: dict[str, str] = {}
    message = values.get("gift_message", "")
    note = values.get("note", "")
    if len(message) > checkout_service.GIFT_MESSAGE_MAX:
        errors["gift_message"] = _(
            "A gift message has at most %(count)s characters (this one has %(length)s).",
            count=checkout_service.GIFT_MESSAGE_MAX,
            length=len(message),
        )
    if len(note) > checkout_service.NOTE_MAX:
        errors["note"] = _(
            "A note has at most %(count)s characters.", count=checkout_service.NOTE_MAX
        )
    delivery = None
    try:
        delivery = checkout_service.check_delivery_date(
            values.get("delivery_date") or None, option, earliest
        )
    except DomainError as exc:
        errors[exc.field or "delivery_date"] = exc.message
    if errors:
        return await _page(
            request, db, runtime, found, "gift",
            {"values": values, "option": option, "earliest": earliest, "wrap_price": wrap,
             "errors": errors},
            status_code=422,
        )  # fmt: skip
    checkout_service.save_state(
        found,
        gift_wrap=values.get("gift_wrap") == "yes",
        gift_message=message,
        note=note,
        delivery_date=delivery.isoformat() if delivery else None,
    )
    return redirect(request, "checkout/review")


# ---------------------------------------------------------------- review and pay


@router.get("/review")
async def review(request: Request, db: Db, runtime: Runtime) -> Response:
    found = await _ready(request, db, ("address", "shipping"))
    if isinstance(found, Response):
        return found
    return await _page(
        request, db, runtime, found, "review", {"providers": enabled_providers(runtime)}
    )


@router.post("/place")
async def place(request: Request, db: Db, runtime: Runtime) -> Response:
    found = await _ready(request, db, ("address", "shipping"))
    if isinstance(found, Response):
        return found
    values = await _form(request)
    providers = enabled_providers(runtime)
    provider = values.get("provider") or (providers[0].name if providers else "")

    async def again(message: str, status: int) -> Response:
        return await _page(
            request, db, runtime, found, "review",
            {"providers": providers, "errors": {"__all__": message}}, status_code=status,
        )  # fmt: skip

    try:
        await limit_attempts(
            request, (runtime.settings.rate_limit_checkout, f"checkout-ip:{client_ip(request)}")
        )
    except RateLimited as exc:
        response = await again(_("Too many attempts; please wait a minute and try again."), 429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    state = checkout_service.state_of(found)
    details = CheckoutDetails.from_state(state)
    details.currency = request.state.conversion.currency
    try:
        placed = await checkout_service.place_order(
            db, runtime, found, details, user=_user(request)
        )
        back, cancel = checkout_service.return_paths(placed.order, placed.access_key)
        url = await payments_service.start_payment(
            db, runtime, placed.order, provider=provider,
            return_url=runtime.absolute_url(back), cancel_url=runtime.absolute_url(cancel),
        )  # fmt: skip
    except DomainError as exc:
        # A 4xx rolls the whole request back: no order, no hold, the cart as it was.
        if (
            exc.field
            and exc.field not in ("cart", "provider", "order")
            and "items." not in (exc.field or "")
        ):
            step = "address" if exc.field.startswith(("address", "email")) else "gift"
            if exc.field == "shipping_rate_id":
                step = "shipping"
            return redirect(request, f"checkout/{step}", exc.message, "error")
        return await again(exc.message, exc.status_code)
    return RedirectResponse(url, status_code=303)
