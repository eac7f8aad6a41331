"""The customer's order pages: history, detail (owner or guest key), status for the return
page, invoice, pay now and cancel. Anybody else's order is a 404, never a 403: an order
number must not be confirmed to exist."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from mercato.identity.deps import CurrentUser
from mercato.kit.errors import DomainError, NotFound
from mercato.models.orders import Order, OrderStatus
from mercato.orders import access, invoice, repository, service, states
from mercato.payments import service as payments_service
from mercato.payments.providers import enabled_providers
from mercato.web.deps import Db, Runtime
from mercato.web.flash import redirect
from mercato.web.templating import render

router = APIRouter()
KEY_MAX = 200


async def visible_order(request: Request, db, number: str, key: str | None) -> Order:
    """The order with its lines if the signed-in owner or the key holder asks; else 404."""
    order = await repository.with_lines(db, number)
    user = getattr(request.state, "user", None)
    if order is None or not access.can_view(order, user, key):
        raise NotFound("We could not find that order.")
    return order


def _order_href(runtime, order: Order, key: str | None) -> str:
    relative = f"orders/{order.number}"
    if key and order.user_id is None:
        relative += f"?key={key}"
    return relative


@router.get("/account/orders")
async def order_history(
    request: Request, user: CurrentUser, db: Db, page: int = Query(1, ge=1, le=100_000)
) -> Response:
    listing, counts = await repository.history(db, user.id, page)
    return render(
        request,
        "orders/history.html",
        {"listing": listing, "counts": counts, "label": states.label},
    )


@router.get("/orders/{number}")
async def order_detail(
    request: Request,
    number: str,
    db: Db,
    runtime: Runtime,
    key: str | None = Query(None, max_length=KEY_MAX),
    paid: str = "",
) -> Response:
    order = await visible_order(request, db, number, key)
    events = await repository.timeline(db, order.id, internal=False)
    attempts = await repository.attempts(db, order.id)
    waiting = order.status == OrderStatus.PENDING and (
        bool(paid) or bool(attempts and attempts[-1].status == "processing")
    )
    response = render(
        request,
        "orders/detail.html",
        {
            "order": order,
            "lines": order.lines,
            "events": events,
            "key": key if order.user_id is None else None,
            "label": states.label,
            "can_pay": payments_service.can_pay(order),
            "can_cancel": order.status == OrderStatus.PENDING,
            "providers": enabled_providers(runtime),
            "waiting": waiting,
            "declined": bool(attempts and attempts[-1].status == "failed"),
            "has_invoice": invoice.available(order),
        },
    )
    # Personal data, and the state changes with the payment: never cached.
    response.headers["cache-control"] = "no-store"
    return response


WAIT_MAX_SECONDS = 10.0
WAIT_STEP_SECONDS = 0.1


def _status(order_status: str, payment_status: str, paid: bool, number: str) -> dict[str, Any]:
    return {
        "number": number,
        "status": order_status,
        "status_label": states.label(order_status),
        "payment_status": payment_status,
        "paid": paid,
    }


@router.get("/orders/{number}/status.json")
async def order_status(
    request: Request,
    number: str,
    db: Db,
    runtime: Runtime,
    key: str | None = Query(None, max_length=KEY_MAX),
    wait: float = Query(0, ge=0, le=WAIT_MAX_SECONDS),
) -> Response:
    """The order's state. With ``wait`` (seconds) and an order still awaiting its payment,
    the answer waits until the state changes or the time is up (a long poll): a return page
    learns of the provider's confirmation within a tenth of a second with one request
    instead of one every few hundred milliseconds."""
    order = await visible_order(request, db, number, key)
    state = _status(order.status, order.payment_status, order.paid_at is not None, order.number)
    if wait and order.status == OrderStatus.PENDING.value and order.payment_status != "failed":
        # Hand the connection back while waiting: a pool must not be held by sleepers.
        await db.commit()
        state = await _changed_state(runtime, order.id, state, wait)
    return JSONResponse(state, headers={"cache-control": "no-store"})


async def _changed_state(
    runtime: Any, order_id: int, state: dict[str, Any], wait: float
) -> dict[str, Any]:
    """Read the order's state every WAIT_STEP_SECONDS (one indexed row, a short read
    transaction each) until it differs from ``state`` or ``wait`` seconds have passed. The
    worker that marks it paid may run in another process, so this reads the database."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while (left := deadline - loop.time()) > 0:
        await asyncio.sleep(min(WAIT_STEP_SECONDS, left))
        async with runtime.db.transaction(write=False) as fresh:
            status, payment_status, paid = await repository.payment_state(fresh, order_id)
        now = _status(status, payment_status, paid, state["number"])
        if now != state:
            return now
    return state


@router.get("/orders/{number}/invoice.pdf")
async def order_invoice(
    request: Request,
    number: str,
    db: Db,
    runtime: Runtime,
    key: str | None = Query(None, max_length=KEY_MAX),
) -> Response:
    order = await visible_order(request, db, number, key)
    return invoice.response(runtime, order)


async def _form_key(request: Request) -> tuple[Any, str | None]:
    form = await request.form()
    key = form.get("key")
    return form, (key[:KEY_MAX] if isinstance(key, str) and key else None)


@router.post("/orders/{number}/cancel")
async def cancel_order(request: Request, number: str, db: Db, runtime: Runtime) -> Response:
    _, key = await _form_key(request)
    order = await visible_order(request, db, number, key)
    try:
        await service.cancel(
            db,
            runtime,
            order,
            via="customer",
            actor=request.state.user,
            reason="Cancelled by the customer.",
        )
    except DomainError as exc:
        return redirect(request, _order_href(runtime, order, key), exc.message, "error")
    return redirect(request, _order_href(runtime, order, key), "Your order is cancelled.")


@router.post("/orders/{number}/pay")
async def pay_order(request: Request, number: str, db: Db, runtime: Runtime) -> Response:
    form, key = await _form_key(request)
    order = await visible_order(request, db, number, key)
    provider = str(form.get("provider") or "")
    back = _order_href(runtime, order, key)
    try:
        url = await payments_service.start_payment(
            db,
            runtime,
            order,
            provider=provider,
            return_url=runtime.path(back + ("&" if "?" in back else "?") + "paid=1"),
            cancel_url=runtime.path(back),
        )
    except DomainError as exc:
        return redirect(request, _order_href(runtime, order, key), exc.message, "error")
    return RedirectResponse(url, status_code=303)
