"""Admin pages for orders: list with filters, detail with payments and timeline, status
changes (only the valid next states are offered), shipping with tracking, refunds, cancel
and internal notes. Reading needs ``orders.read``; every change needs ``orders.write``
and writes an audit row."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from mercato.admin.pages import admin_render
from mercato.identity.deps import require_permission
from mercato.kit.errors import DomainError, NotFound, ValidationFailed
from mercato.kit.money import minor_digits
from mercato.kit.pagination import page_number
from mercato.models import User
from mercato.models.orders import Order, OrderStatus
from mercato.orders import invoice, repository, service, states
from mercato.platform import audit
from mercato.web.deps import Db, Runtime
from mercato.web.flash import redirect

router = APIRouter(prefix="/orders")

Reader = Annotated[User, Depends(require_permission("orders.read"))]
Writer = Annotated[User, Depends(require_permission("orders.write"))]


def _snapshot(order: Order) -> dict[str, Any]:
    return {
        "status": order.status,
        "payment_status": order.payment_status,
        "refunded_total": order.refunded_total,
        "tracking_number": order.tracking_number,
        "tracking_url": order.tracking_url,
    }


async def _order(db, number: str) -> Order:
    order = await repository.with_lines(db, number)
    if order is None:
        raise NotFound("We could not find that order.")
    return order


@router.get("")
async def order_list(request: Request, db: Db, runtime: Runtime, _: Reader) -> Response:
    filters = repository.AdminFilters.from_query(request.query_params)
    page = await repository.admin_list(
        db,
        filters,
        page_number(request.query_params.get("page")),
        timezone=runtime.config.timezone,
    )
    return admin_render(
        request,
        "admin/orders.html",
        {"page": page, "filters": filters, "statuses": list(OrderStatus), "label": states.label},
        section="orders",
    )


async def _detail(
    request: Request,
    db,
    order: Order,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    actions = [s for s in states.next_states(order.status, "staff")]
    return admin_render(
        request,
        "admin/order.html",
        {
            "order": order,
            # Not order.lines: a refused change may have re-read the order under its lock.
            "lines": await service.lines_of(db, order),
            "events": await repository.timeline(db, order.id, internal=True),
            "attempts": await repository.attempts(db, order.id),
            "refunds": await repository.refunds(db, order.id),
            "actions": actions,
            "action_labels": states.STAFF_ACTIONS,
            "label": states.label,
            "refundable": service.refundable(order),
            "digits": minor_digits(order.currency),
            "has_invoice": invoice.available(order),
            "errors": errors or {},
            "form": form or {},
        },
        section="orders",
        status_code=status_code,
    )


@router.get("/{number}")
async def order_detail(request: Request, db: Db, number: str, _: Reader) -> Response:
    return await _detail(request, db, await _order(db, number))


@router.get("/{number}/invoice.pdf")
async def order_invoice(db: Db, runtime: Runtime, number: str, _: Reader) -> Response:
    return invoice.response(runtime, await _order(db, number))


async def _guarded(request, db, order, action, form: dict[str, Any], field: str, work) -> Response:
    """Run ``work``; on a rule's refusal show the detail page with the message by ``field``."""
    try:
        await work()
    except DomainError as exc:
        return await _detail(
            request,
            db,
            order,
            errors={exc.field or field: exc.message},
            form=form,
            status_code=exc.status_code,
        )
    return redirect(request, f"admin/orders/{order.number}", action)


@router.post("/{number}/status")
async def change_status(
    request: Request, db: Db, runtime: Runtime, number: str, actor: Writer
) -> Response:
    order = await _order(db, number)
    form = {k: str(v) for k, v in (await request.form()).items() if k != "csrf_token"}
    target = form.get("status", "")
    before = _snapshot(order)

    async def work() -> None:
        if target not in states.next_states(order.status, "staff"):
            raise ValidationFailed("Choose one of the offered next steps.", field="status")
        await service.transition(
            db,
            runtime,
            order,
            target,
            actor=actor,
            message=form.get("message", "")[:500],
            tracking_number=form.get("tracking_number", ""),
            tracking_url=form.get("tracking_url", ""),
        )
        await audit.record(
            db,
            actor=actor,
            action=f"order.{target}",
            entity_type="order",
            entity_id=order.number,
            before=before,
            after=_snapshot(order),
            request=request,
        )

    return await _guarded(
        request, db, order, f"Order {states.label(target).lower()}.", form, "status", work
    )


def parse_amount(raw: str, currency: str) -> int:
    """ "12.50" in the order currency → 1250 minor units; refuses extra decimals."""
    text = raw.strip().replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationFailed("Enter an amount such as 12.50.", field="amount") from None
    digits = minor_digits(currency)
    scaled = value.scaleb(digits)
    if not value.is_finite() or scaled != scaled.to_integral_value():
        raise ValidationFailed(
            f"{currency} amounts have at most {digits} decimal places.", field="amount"
        )
    return int(scaled)


@router.post("/{number}/refund")
async def refund(
    request: Request, db: Db, runtime: Runtime, number: str, actor: Writer
) -> Response:
    order = await _order(db, number)
    form = {k: str(v) for k, v in (await request.form()).items() if k != "csrf_token"}
    before = _snapshot(order)

    async def work() -> None:
        amount = parse_amount(form.get("amount", ""), order.currency)
        reason = form.get("reason", "").strip()
        if not reason:
            raise ValidationFailed("Say why you refund: the customer sees it.", field="reason")
        row = await service.refund(
            db,
            runtime,
            order,
            amount=amount,
            reason=reason,
            restock=form.get("restock") == "on",
            actor=actor,
        )
        await audit.record(
            db,
            actor=actor,
            action="order.refund",
            entity_type="order",
            entity_id=order.number,
            before=before,
            after={
                **_snapshot(order),
                "refund_id": row.id,
                "amount": amount,
                "restock": row.restock,
            },
            request=request,
        )

    return await _guarded(request, db, order, "Refund sent.", form, "amount", work)


@router.post("/{number}/cancel")
async def cancel(
    request: Request, db: Db, runtime: Runtime, number: str, actor: Writer
) -> Response:
    order = await _order(db, number)
    form = {k: str(v) for k, v in (await request.form()).items() if k != "csrf_token"}
    before = _snapshot(order)

    async def work() -> None:
        reason = form.get("reason", "").strip()
        if not reason:
            raise ValidationFailed("Give a reason: the customer sees it.", field="reason")
        await service.cancel(db, runtime, order, via="staff", actor=actor, reason=reason)
        await audit.record(
            db,
            actor=actor,
            action="order.cancel",
            entity_type="order",
            entity_id=order.number,
            before=before,
            after=_snapshot(order),
            request=request,
        )

    return await _guarded(request, db, order, "Order cancelled.", form, "reason", work)


@router.post("/{number}/notes")
async def add_note(request: Request, db: Db, number: str, actor: Writer) -> Response:
    order = await _order(db, number)
    form = {k: str(v) for k, v in (await request.form()).items() if k != "csrf_token"}

    async def work() -> None:
        note = await service.add_note(db, order, form.get("note", ""), actor=actor)
        await audit.record(
            db,
            actor=actor,
            action="order.note",
            entity_type="order",
            entity_id=order.number,
            after={"note_id": note.id},
            request=request,
        )

    return await _guarded(request, db, order, "Note added.", form, "note", work)
