"""Inquiry pages: the buyer's inquiry list, "Send inquiry", My inquiries with the timeline,
and the brand dashboard's inquiries with the quote form. Every page works without
JavaScript; ``inquiries.js`` refreshes open lists and details on ``inquiry:updated``.

Who may see what: a buyer sees their own inquiries, a brand user those of their brands;
anything else is a 404 (numbers are not probed). Only approved buyers add, send and decide.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from mercato.catalog.admin_forms import FormError, format_amount, parse_amount
from mercato.identity.deps import limit_attempts, require_user
from mercato.inquiries import parties, pdf
from mercato.inquiries import service as inquiry_service
from mercato.kit.errors import DomainError, NotFound
from mercato.models import Product
from mercato.models.brands import BrandProduct, ProductSize
from mercato.web.deps import Db, Runtime
from mercato.web.flash import flash
from mercato.web.templating import render

router = APIRouter()
SEND_RATE = "10/minute"


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def _back(request: Request, runtime: Any, to: str, message: str, kind: str = "success") -> Response:
    response = RedirectResponse(runtime.path(to), status_code=303)
    flash(request, response, message, kind)
    return response


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


async def _product_choices(db: Any, product_id: int) -> dict[str, Any]:
    """What the add form offers for one product: sizes, colours, customisations."""
    product = await db.get(Product, product_id) if product_id else None
    if product is None or product.deleted_at is not None:
        raise NotFound("No such product.", field="product_id")
    details = await db.get(BrandProduct, product_id)
    if details is None:
        raise NotFound("No such product.", field="product_id")
    sizes = list(
        await db.scalars(
            select(ProductSize)
            .where(ProductSize.product_id == product_id)
            .order_by(ProductSize.sort, ProductSize.id)
        )
    )
    brands = await parties.brands_by_id(db, {details.brand_id})
    return {
        "product": product,
        "details": details,
        "sizes": sizes,
        "brand": brands.get(details.brand_id),
    }


# ---------------------------------------------------------------- the draft list


@router.get("/inquiry-list")
async def inquiry_list(request: Request, db: Db, runtime: Runtime) -> Response:
    user = await require_user(request)
    return await _render_list(request, db, user, {}, {})


async def _render_list(
    request: Request,
    db: Any,
    user: Any,
    errors: dict[str, str],
    values: dict[str, str],
    status_code: int = 200,
) -> Response:
    items = await inquiry_service.list_items(db, user.id)
    products = await _products(db, {i.product_id for i in items})
    brands = await parties.brands_by_id(db, {i.brand_id for i in items})
    groups: dict[int, list[Any]] = {}
    for item in items:
        groups.setdefault(item.brand_id, []).append(item)
    return render(
        request,
        "inquiries/list.html",
        {
            "groups": groups,
            "products": products,
            "brands": brands,
            "approved": await parties.is_approved_buyer(db, user.id),
            "errors": errors,
            "values": values,
        },
        status_code=status_code,
    )


async def _products(db: Any, ids: set[int]) -> dict[int, Product]:
    if not ids:
        return {}
    return {p.id: p for p in await db.scalars(select(Product).where(Product.id.in_(ids)))}


@router.get("/inquiry-list/add")
async def add_form(request: Request, db: Db, runtime: Runtime) -> Response:
    await require_user(request)
    choices = await _product_choices(db, _int(request.query_params.get("product")))
    return render(request, "inquiries/add.html", {**choices, "errors": {}, "values": {}})


@router.post("/inquiry-list/items")
async def add_item(request: Request, db: Db, runtime: Runtime) -> Response:
    user = await require_user(request)
    values = await _form(request)
    item = inquiry_service.ItemIn(
        product_id=_int(values.get("product_id")),
        quantity=_int(values.get("quantity"), -1),
        size=values.get("size", ""),
        colour=values.get("colour", ""),
        customisation=values.get("customisation", ""),
    )
    try:
        await inquiry_service.add_to_list(db, user, item)
    except DomainError as exc:
        choices = await _product_choices(db, item.product_id)
        return render(
            request,
            "inquiries/add.html",
            {**choices, "errors": {exc.field or "__all__": exc.message}, "values": values},
            status_code=exc.status_code,
        )
    product = await db.get(Product, item.product_id)
    name = product.name if product else "The product"
    return _back(request, runtime, "inquiry-list", f"{name} is in your inquiry list.")


@router.post("/inquiry-list/items/{item_id}/quantity")
async def change_quantity(item_id: int, request: Request, db: Db, runtime: Runtime) -> Response:
    user = await require_user(request)
    values = await _form(request)
    try:
        await inquiry_service.update_item(db, user.id, item_id, _int(values.get("quantity"), -1))
    except DomainError as exc:
        return _back(request, runtime, "inquiry-list", exc.message, "error")
    return _back(request, runtime, "inquiry-list", "Quantity updated.")


@router.post("/inquiry-list/items/{item_id}/remove")
async def remove(item_id: int, request: Request, db: Db, runtime: Runtime) -> Response:
    user = await require_user(request)
    await inquiry_service.remove_item(db, user.id, item_id)
    return _back(request, runtime, "inquiry-list", "Removed from your inquiry list.", "info")


@router.post("/inquiry-list/send")
async def send(request: Request, db: Db, runtime: Runtime) -> Response:
    user = await require_user(request)
    await limit_attempts(request, (SEND_RATE, f"inquiry-send:{user.id}"))
    values = await _form(request)
    try:
        created = await inquiry_service.send_list(db, runtime, user, note=values.get("note", ""))
    except DomainError as exc:
        return await _render_list(
            request, db, user, {exc.field or "__all__": exc.message}, values, exc.status_code
        )
    query = "&".join(f"n={i.number}" for i in created)
    return RedirectResponse(runtime.path(f"inquiries/sent?{query}"), status_code=303)


# ---------------------------------------------------------------- buyer and brand views


@router.get("/inquiries/sent")
async def confirmation(request: Request, db: Db, runtime: Runtime) -> Response:
    user = await require_user(request)
    numbers = request.query_params.getlist("n")[:50]
    rows = [r for r in await inquiry_service.list_for_buyer(db, user.id) if r.number in numbers]
    brands = await parties.brands_by_id(db, {r.brand_id for r in rows})
    lines = await inquiry_service.lines_of(db, [r.id for r in rows])
    return render(
        request,
        "inquiries/sent.html",
        {"inquiries": rows, "brands": brands, "lines": lines},
    )


@router.get("/inquiries")
async def my_inquiries(request: Request, db: Db, runtime: Runtime) -> Response:
    user = await require_user(request)
    status = request.query_params.get("status", "")
    rows = await inquiry_service.list_for_buyer(db, user.id, status=status)
    return await _render_index(request, db, rows, "buyer", status)


@router.get("/brand/inquiries")
async def brand_inquiries(request: Request, db: Db, runtime: Runtime) -> Response:
    user = await require_user(request)
    who = await parties.who(db, user)
    if not who.is_brand:
        raise NotFound("This page is for brand users.")
    status = request.query_params.get("status", "")
    brand, mine = await parties.dashboard_brand(db, who, request.query_params.get("brand"))
    rows = await inquiry_service.list_for_brand(db, (brand.id,), status=status)
    return await _render_index(
        request, db, rows, "brand", status, {"brand": brand, "my_brands": mine}
    )


async def _render_index(
    request: Request,
    db: Any,
    rows: list[Any],
    side: str,
    status: str,
    frame: dict[str, Any] | None = None,
) -> Response:
    brands = await parties.brands_by_id(db, {r.brand_id for r in rows})
    buyers = await parties.users_by_id(db, {r.buyer_id for r in rows})
    boutiques = await parties.boutiques_by_user(db, {r.buyer_id for r in rows})
    lines = await inquiry_service.lines_of(db, [r.id for r in rows])
    return render(
        request,
        "inquiries/brand_index.html" if side == "brand" else "inquiries/index.html",
        {
            **(frame or {}),
            "inquiries": rows,
            "brands": brands,
            "buyers": buyers,
            "boutiques": boutiques,
            "lines": lines,
            "side": side,
            "status": status,
            "statuses": inquiry_service.STATUS_LABELS,
        },
    )


async def _detail(request: Request, db: Any, number: str, want_side: str | None) -> Response:
    user = await require_user(request)
    who = await parties.who(db, user)
    inquiry, side = await inquiry_service.get_for_user(db, who, number)
    if want_side and side != want_side:
        raise NotFound("No such inquiry.", field="number")
    return await _render_detail(request, db, inquiry, side, {}, {}, who=who)


async def _render_detail(
    request: Request,
    db: Any,
    inquiry: Any,
    side: str,
    errors: dict[str, str],
    values: dict[str, str],
    status_code: int = 200,
    *,
    who: parties.Who | None = None,
) -> Response:
    frame: dict[str, Any] = {}
    if side == "brand" and who is not None:
        _, mine = await parties.dashboard_brand(db, who, inquiry.brand_id)
        frame = {"my_brands": mine}
    lines = (await inquiry_service.lines_of(db, [inquiry.id]))[inquiry.id]
    events = await inquiry_service.timeline(db, inquiry.id)
    brands = await parties.brands_by_id(db, {inquiry.brand_id})
    users = await parties.users_by_id(
        db, {inquiry.buyer_id} | {e.actor_id for e in events if e.actor_id}
    )
    boutiques = await parties.boutiques_by_user(db, {inquiry.buyer_id})
    return render(
        request,
        "inquiries/brand_detail.html" if side == "brand" else "inquiries/detail.html",
        {
            **frame,
            "inquiry": inquiry,
            "lines": lines,
            "events": events,
            "brand": brands.get(inquiry.brand_id),
            "users": users,
            "boutique": boutiques.get(inquiry.buyer_id),
            "side": side,
            "total": inquiry_service.totals(lines),
            "statuses": inquiry_service.STATUS_LABELS,
            "errors": errors,
            "values": values,
            "can_message": "conversations" in request.state.runtime.modules,
            "amount": lambda minor: format_amount(minor, inquiry.currency),
        },
        status_code=status_code,
    )


@router.get("/inquiries/{number}")
async def buyer_detail(number: str, request: Request, db: Db) -> Response:
    return await _detail(request, db, number, None)


@router.get("/brand/inquiries/{number}")
async def brand_detail(number: str, request: Request, db: Db) -> Response:
    return await _detail(request, db, number, "brand")


@router.post("/inquiries/{number}/{action}")
async def buyer_action(
    number: str, action: str, request: Request, db: Db, runtime: Runtime
) -> Response:
    if action not in ("accept", "decline", "withdraw"):
        raise NotFound("We could not find that page.")
    user = await require_user(request)
    inquiry = await inquiry_service.get_for_buyer(db, user.id, number)
    values = await _form(request)
    await parties.require_approved_buyer(db, user.id)
    act = getattr(inquiry_service, action)
    try:
        await act(db, runtime, inquiry, actor=user, note=values.get("note", ""))
    except DomainError as exc:
        return _back(request, runtime, f"inquiries/{number}", exc.message, "error")
    message = {
        "accept": "Accepted. The brand has been told; download the order confirmation below.",
        "decline": "Declined. The brand has been told.",
        "withdraw": "Withdrawn. The brand has been told.",
    }[action]
    return _back(request, runtime, f"inquiries/{number}", message)


@router.post("/brand/inquiries/{number}/quote")
async def brand_quote(number: str, request: Request, db: Db, runtime: Runtime) -> Response:
    user = await require_user(request)
    who = await parties.who(db, user)
    inquiry = await inquiry_service.get_for_brand(db, who.brand_ids, number)
    values = await _form(request)
    lines = (await inquiry_service.lines_of(db, [inquiry.id]))[inquiry.id]
    currency = runtime.config.currency
    answers = []
    errors: dict[str, str] = {}
    for line in lines:
        available = values.get(f"available_{line.id}", "") == "yes"
        price = None
        if available:
            try:
                price = parse_amount(values.get(f"price_{line.id}", ""), currency)
            except FormError as exc:
                errors[f"price_{line.id}"] = str(exc)
        days = _int(values.get(f"lead_{line.id}"), -1) if available else None
        answers.append(
            inquiry_service.LineAnswer(
                line_id=line.id,
                available=available,
                unit_price=price,
                lead_time_days=days,
                note=values.get(f"note_{line.id}", ""),
            )
        )
    if not errors:
        try:
            await inquiry_service.quote(
                db, runtime, inquiry, answers, actor=user, note=values.get("note", "")
            )
        except DomainError as exc:
            errors[_line_field(exc.field, lines)] = exc.message
            status = exc.status_code
        else:
            return _back(request, runtime, f"brand/inquiries/{number}", "Quote sent to the buyer.")
    else:
        status = 422
    return await _render_detail(request, db, inquiry, "brand", errors, values, status, who=who)


def _line_field(field: str | None, lines: list[Any]) -> str:
    """ "lines.2.unit_price" → "price_<line id>" (the form's field names)."""
    if not field or not field.startswith("lines."):
        return field or "__all__"
    parts = field.split(".")
    index = _int(parts[1], -1)
    if not 0 <= index < len(lines):
        return "__all__"
    name = {"unit_price": "price", "lead_time_days": "lead", "note": "note"}.get(
        parts[2] if len(parts) > 2 else "", "available"
    )
    return f"{name}_{lines[index].id}"


@router.get("/inquiries/{number}/confirmation.pdf")
async def confirmation_pdf(number: str, request: Request, db: Db, runtime: Runtime) -> Response:
    """The order confirmation of an accepted inquiry, for both sides."""
    user = await require_user(request)
    who = await parties.who(db, user)
    inquiry, _side = await inquiry_service.get_for_user(db, who, number)
    return await pdf.response(db, runtime, inquiry)
