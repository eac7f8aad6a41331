"""Business checkout pages: one form (PO number, delivery address, delivery method, payment
method) and the invoice PDF. Verified buyers only; another buyer's invoice is a 404."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from mercato.cart import service as cart_service
from mercato.kit.errors import DomainError, NotFound
from mercato.orders import service as orders_service
from mercato.payments.providers.offline import OFFLINE
from mercato.pricing import service as pricing_service
from mercato.web.deps import Db, Runtime
from mercato.web.flash import flash
from mercato.web.templating import render
from mercato.wholesale import business
from mercato.wholesale import invoice as invoice_pdf

router = APIRouter()
ADDRESS_FIELDS = ("first_name", "last_name", "company", "line1", "line2", "city", "region",
                  "postal_code", "phone")  # fmt: skip


async def _buyer(request: Request, db: Any, runtime: Any) -> Any:
    from mercato.b2b import access

    user = getattr(request.state, "user", None)
    if user is None:
        return RedirectResponse(runtime.path("account/signin"), status_code=303)
    if not (await access.request_abilities(request, db)).place_orders:
        response = RedirectResponse(runtime.path("verify"), status_code=303)
        flash(request, response, "Verify your business first.", "warning")
        return response
    return user


async def _form_page(
    request: Request,
    db: Any,
    runtime: Any,
    user: Any,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    from mercato.b2b import access

    cart = await cart_service.find_cart(db, user_id=user.id)
    view = await cart_service.view(db, cart, runtime=runtime)
    if view.is_empty or view.problems:
        back = RedirectResponse(runtime.path("cart"), status_code=303)
        flash(request, back, view.problems[0] if view.problems else "Your cart is empty.",
              "warning")  # fmt: skip
        return back
    company = await access.buyer_company(db, user)
    address = business.company_address(company, user) if company else {}
    options = await pricing_service.shipping_options(db, "BD", view.subtotal)
    methods = business.methods_for(company) if company else ["bank_transfer", "cod"]
    context = {
        "cart": view,
        "company": company,
        "address": {**address, **{k: v for k, v in (values or {}).items() if k in ADDRESS_FIELDS}},
        "values": values or {},
        "errors": errors or {},
        "options": options,
        "methods": [
            (m, business.LABELS[m], OFFLINE[business.METHODS[m][0]].instructions) for m in methods
        ],  # fmt: skip
    }
    response = render(request, "wholesale/checkout.html", context, status_code=status_code)
    response.headers["cache-control"] = "no-store"
    return response


@router.get("/wholesale/checkout")
async def checkout_form(request: Request, db: Db, runtime: Runtime) -> Response:
    user = await _buyer(request, db, runtime)
    if isinstance(user, Response):
        return user
    return await _form_page(request, db, runtime, user)


@router.post("/wholesale/checkout")
async def checkout_place(request: Request, db: Db, runtime: Runtime) -> Response:
    user = await _buyer(request, db, runtime)
    if isinstance(user, Response):
        return user
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    cart = await cart_service.find_cart(db, user_id=user.id)
    if cart is None:
        return RedirectResponse(runtime.path("cart"), status_code=303)
    try:
        rate_id = int(values.get("rate_id", ""))
    except ValueError:
        rate_id = None
    address = {k: values.get(k, "") for k in ADDRESS_FIELDS} | {"country": "BD"}
    data = business.BusinessCheckout(
        po_number=values.get("po_number", ""),
        address=address,
        shipping_rate_id=rate_id,
        payment_method=values.get("payment_method", ""),
        note=values.get("note", ""),
    )
    try:
        order, _ = await business.place(db, runtime, cart, user, data)
    except DomainError as exc:
        # Nothing was written: the unit of work rolls a 4xx back.
        field = (exc.field or "__all__").removeprefix("address.")
        return await _form_page(
            request, db, runtime, user, values=values, errors={field: exc.message},
            status_code=exc.status_code,
        )  # fmt: skip
    response = RedirectResponse(runtime.path("wholesale/orders"), status_code=303)
    flash(request, response, f"Order {order.number} placed. Its invoice is ready below.")
    return response


@router.get("/wholesale/orders")
async def business_orders(request: Request, db: Db, runtime: Runtime) -> Response:
    """The buyer's business orders with PO number, payment, due date and invoice."""
    user = await _buyer(request, db, runtime)
    if isinstance(user, Response):
        return user
    rows = await business.orders_of(db, user.id)
    today = business.local_date(runtime)
    response = render(
        request,
        "wholesale/orders.html",
        {"rows": rows, "labels": business.LABELS, "today": today},
    )
    response.headers["cache-control"] = "no-store"
    return response


@router.get("/wholesale/orders/{number}/invoice.pdf")
async def invoice(request: Request, number: str, db: Db, runtime: Runtime) -> Response:
    """The buyer's own invoice, or any for staff who manage invoices; else 404."""
    from mercato.identity.permissions import has_permission, permissions_of

    user = getattr(request.state, "user", None)
    if user is None:
        raise NotFound("No such invoice.")
    try:
        order = await orders_service.get_by_number(db, number)
    except NotFound:
        raise NotFound("No such invoice.") from None
    details = await business.details_of(db, order)
    staff = has_permission(await permissions_of(db, user.id), "wholesale.invoices.manage")
    if details is None or (order.user_id != user.id and not staff):
        raise NotFound("No such invoice.")
    lines = await orders_service.lines_of(db, order)
    return invoice_pdf.response(runtime, order, lines, details)


async def checkout_link(request: Request) -> None:
    """Page dependency: the cart's "Checkout" button leads to the business checkout."""
    from mercato.web.templating import add_template_context

    add_template_context(request, checkout_path="wholesale/checkout")
