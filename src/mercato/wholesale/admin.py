"""Admin: open business invoices (overdue first) with "record payment", and the answers to
requests for quotation. Every change is audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from mercato.admin.pages import admin_render
from mercato.identity.deps import require_permission
from mercato.kit.errors import DomainError
from mercato.models import User
from mercato.orders import service as orders_service
from mercato.payments import offline as offline_payments
from mercato.platform import audit
from mercato.web.deps import Db, Runtime
from mercato.web.flash import flash
from mercato.wholesale import business
from mercato.wholesale import quotes as quote_service

INVOICES = "wholesale.invoices.manage"
QUOTES = "wholesale.quotes.answer"

router = APIRouter(prefix="/wholesale")
InvoiceStaff = Annotated[User, Depends(require_permission(INVOICES))]
QuoteStaff = Annotated[User, Depends(require_permission(QUOTES))]


def _back(request: Request, runtime, to: str, message: str, kind: str = "success") -> Response:
    response = RedirectResponse(runtime.path(f"admin/wholesale/{to}"), status_code=303)
    flash(request, response, message, kind)
    return response


@router.get("/invoices")
async def invoices(request: Request, db: Db, runtime: Runtime, _: InvoiceStaff) -> Response:
    rows = await business.open_invoices(db, runtime)
    return admin_render(
        request,
        "wholesale/admin_invoices.html",
        {
            "rows": rows,
            "overdue": [r for r in rows if r.overdue_days > 0],
            "labels": business.LABELS,
        },
        section="wholesale",
    )


@router.post("/invoices/{number}/payment")
async def record_payment(
    request: Request, number: str, db: Db, runtime: Runtime, actor: InvoiceStaff
) -> Response:
    form = await request.form()
    try:
        amount = int(str(form.get("amount", "")).strip())
    except ValueError:
        amount = -1
    order = await orders_service.get_by_number(db, number)
    try:
        await offline_payments.record_payment(
            db,
            order,
            amount=amount,
            reference=str(form.get("reference", "")),
            actor=actor,
            request=request,
        )
    except DomainError as exc:
        return _back(request, runtime, "invoices", exc.message, "error")
    return _back(request, runtime, "invoices", f"Payment of order {number} recorded.")


@router.get("/quotes")
async def quotes(request: Request, db: Db, _: QuoteStaff) -> Response:
    rows = await quote_service.list_for_staff(db)
    return admin_render(
        request,
        "wholesale/admin_quotes.html",
        {"quotes": rows, "is_live": quote_service.is_live},
        section="wholesale",
    )


@router.post("/quotes/{number}/answer")
async def answer_quote(
    request: Request, number: str, db: Db, runtime: Runtime, actor: QuoteStaff
) -> Response:
    form = await request.form()
    quote = await quote_service.get(db, number)
    try:
        unit_price = round(float(str(form.get("unit_price", "")).strip()) * 100)
        valid_days = int(str(form.get("valid_days", "")).strip())
    except ValueError:
        return _back(request, runtime, "quotes", "Enter a price and a number of days.", "error")
    try:
        await quote_service.answer(
            db,
            quote,
            unit_price=unit_price,
            valid_days=valid_days,
            note=str(form.get("note", "")),
            actor_id=actor.id,
        )
    except DomainError as exc:
        return _back(request, runtime, "quotes", exc.message, "error")
    await audit.record(
        db,
        actor=actor,
        action="wholesale.quote_answered",
        entity_type="quote",
        entity_id=number,
        after={"unit_price": unit_price, "valid_days": valid_days},
        request=request,
    )
    return _back(request, runtime, "quotes", f"Quote {number} answered.")
