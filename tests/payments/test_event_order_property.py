"""Property: whatever order provider events arrive in (redelivered, late, failures after
success), an order is paid iff a matching success arrived, it is paid once, and once paid it
never goes back to unpaid or failed."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from mercato.models.inventory import StockMovement
from mercato.models.orders import Order, OrderEvent
from mercato.orders import repository
from mercato.payments import service as payments_service
from mercato.payments.providers import sandbox
from tests.orders.support import make_order, make_product

KINDS = ["payment.succeeded", "payment.failed", "payment.processing", "checkout.expired"]
events = st.lists(
    st.tuples(st.sampled_from(KINDS), st.integers(0, 2)),  # (type, which delivery id)
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=events)
async def test_paid_once_and_never_unpaid(db, runtime, steps):
    product = await make_product(db, stock=5)
    order, _ = await make_order(db, runtime, items=[(product, 2)])
    await payments_service.start_payment(
        db,
        runtime,
        order,
        provider="sandbox",
        return_url="/atelier-arome/",
        cancel_url="/atelier-arome/",
    )
    [attempt] = await repository.attempts(db, order.id)
    secret = sandbox.webhook_secret(runtime)
    bodies: dict[tuple[str, int], bytes] = {}
    seen_paid = False
    for kind, copy in steps:
        # The same (kind, copy) is a redelivery of one event: same id, same bytes.
        body = bodies.setdefault(
            (kind, copy),
            sandbox.event_body(
                event_type=kind,
                reference=attempt.reference,
                order_number=order.number,
                amount=order.total,
                currency="USD",
            ),
        )
        await payments_service.handle_webhook(
            db,
            runtime,
            "sandbox",
            body,
            {sandbox.SIGNATURE_HEADER: sandbox.signature_header(secret, body)},
        )
        seen_paid = seen_paid or kind == "payment.succeeded"
        current = await db.scalar(
            select(Order).where(Order.id == order.id).execution_options(populate_existing=True)
        )
        if seen_paid:
            assert (current.status, current.payment_status) == ("confirmed", "paid")
        else:
            assert current.status == "pending"
            assert current.payment_status in ("unpaid", "failed")
    paid_events = await db.scalar(
        select(func.count())
        .select_from(OrderEvent)
        .where(OrderEvent.order_id == order.id, OrderEvent.to_status == "confirmed")
    )
    sales = await db.scalar(
        select(func.count())
        .select_from(StockMovement)
        .where(StockMovement.reference == order.number, StockMovement.kind == "sale")
    )
    assert paid_events == sales == (1 if seen_paid else 0)
