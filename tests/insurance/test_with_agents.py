"""With the real agents module: a policy sold with an agent's code pays commissions to the
three-level chain on approval and reverses them on cancellation."""

from __future__ import annotations

from sqlalchemy import select

from mercato.insurance import payments
from mercato.insurance import service as insurance_service
from mercato.insurance.schemas import ApplicationIn
from mercato.models import Commission, Notification
from tests.agents.support import make_chain
from tests.insurance.support import application, make_plan, photo_uploads


async def test_a_sale_through_an_agent_chain(db, ins_runtime, customer, admin):
    seller, parent, grandparent = await make_chain(db, ins_runtime, depth=3)
    plan = await make_plan(db, premium_minor=1_234_57)  # does not divide evenly
    data = ApplicationIn.model_validate({**application(plan.id), "agent_code": seller.code})
    policy = await insurance_service.apply(db, ins_runtime, customer, data, photo_uploads())
    assert (policy.agent_id, policy.agent_user_id) == (seller.id, seller.user_id)
    payment = await payments.start(db, ins_runtime, customer, policy, "sandbox")
    await payments.credit(
        db,
        ins_runtime,
        provider="sandbox",
        order_ref=payment.order_ref,
        payment_id="sbx_ag1",
        amount=payment.amount,
        currency="INR",
    )
    await insurance_service.approve(db, ins_runtime, admin, policy.id)
    records = list(
        await db.scalars(
            select(Commission)
            .where(Commission.source_type == "policy", Commission.source_id == policy.id)
            .order_by(Commission.level)
        )
    )
    assert [(c.agent_id, c.level, c.status) for c in records] == [
        (seller.id, 1, "pending"),
        (parent.id, 2, "pending"),
        (grandparent.id, 3, "pending"),
    ]
    assert all(c.label == f"Policy #{policy.policy_number}" for c in records)
    assert await db.scalar(select(Notification.id).where(Notification.user_id == seller.user_id))
    await insurance_service.cancel(db, ins_runtime, policy, "Animal sold", refund=True)
    reversals = list(
        await db.scalars(
            select(Commission).where(
                Commission.source_id == policy.id, Commission.kind == "reversal"
            )
        )
    )
    assert sorted(r.amount for r in reversals) == sorted(-c.amount for c in records)
