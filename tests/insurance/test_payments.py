"""Premium payments: sandbox through the outbox, Razorpay verify call and webhooks, each
payment credited once, bad signatures refused, refunds on rejection."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from mercato.insurance import payments
from mercato.insurance import service as insurance_service
from mercato.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from mercato.models import Notification, OutboxEvent
from mercato.models.insurance import PolicyPayment
from mercato.platform.outbox import HandlerContext
from tests.insurance.support import (
    apply,
    checkout_signature,
    make_plan,
    razorpay_event,
    webhook_headers,
    with_razorpay,
)


async def _pending_policy(db, runtime, customer):
    plan = await make_plan(db)
    return await apply(db, runtime, customer, plan)


async def test_the_sandbox_pays_through_a_signed_event(db, ins_runtime, customer, admin):
    # Given an application and a sandbox checkout
    policy = await _pending_policy(db, ins_runtime, customer)
    payment = await payments.start(db, ins_runtime, customer, policy, "sandbox")
    # When the customer submits the test card, nothing changes until the event is delivered
    assert (
        await payments.sandbox_submit(
            db, ins_runtime, customer, payment.order_ref, "4242 4242 4242 4242"
        )
        == "succeeded"
    )
    assert policy.status == "PENDING"
    event = await db.scalar(
        select(OutboxEvent).where(OutboxEvent.event_type == payments.SANDBOX_EVENT)
    )
    await payments.deliver_sandbox_event(HandlerContext(ins_runtime, db, event), event)
    # Then the policy waits for approval and the admin is told
    await db.refresh(policy)
    assert (policy.status, policy.payment_status) == ("PENDING_APPROVAL", "PAID")
    assert payment.status == "succeeded" and payment.payment_id.startswith("sbx_pay_")
    told = await db.scalar(select(Notification).where(Notification.user_id == admin.id))
    assert told is not None and "awaiting approval" in told.title
    # A second delivery of the same event credits nothing more
    await payments.deliver_sandbox_event(HandlerContext(ins_runtime, db, event), event)
    assert (
        await db.scalar(
            select(func.count()).select_from(Notification).where(Notification.user_id == admin.id)
        )
        == 1
    )


async def test_a_declined_sandbox_card_leaves_the_policy_payable(db, ins_runtime, customer):
    policy = await _pending_policy(db, ins_runtime, customer)
    payment = await payments.start(db, ins_runtime, customer, policy, "sandbox")
    await payments.sandbox_submit(db, ins_runtime, customer, payment.order_ref, "4000000000000002")
    event = await db.scalar(
        select(OutboxEvent).where(OutboxEvent.event_type == payments.SANDBOX_EVENT)
    )
    await payments.deliver_sandbox_event(HandlerContext(ins_runtime, db, event), event)
    assert (policy.status, policy.payment_status, payment.status) == ("PENDING", "FAILED", "failed")
    again = await payments.start(db, ins_runtime, customer, policy, "sandbox")
    assert again.id != payment.id


async def test_only_the_owner_pays_and_an_unknown_card_is_refused(
    db, ins_runtime, customer, make_user
):
    policy = await _pending_policy(db, ins_runtime, customer)
    stranger = await make_user("stranger@example.in")
    with pytest.raises(NotFound):
        await payments.start(db, ins_runtime, stranger, policy, "sandbox")
    payment = await payments.start(db, ins_runtime, customer, policy, "sandbox")
    with pytest.raises(NotFound):
        await payments.sandbox_submit(
            db, ins_runtime, stranger, payment.order_ref, "4242424242424242"
        )
    with pytest.raises(ValidationFailed):
        await payments.sandbox_submit(db, ins_runtime, customer, payment.order_ref, "1234")
    with pytest.raises(ValidationFailed):  # not configured in this deployment
        await payments.start(db, ins_runtime, customer, policy, "razorpay")


async def test_razorpay_verify_then_webhook_credits_once(db, ins_runtime, customer, monkeypatch):
    fake = with_razorpay(monkeypatch)
    policy = await _pending_policy(db, ins_runtime, customer)
    payment = await payments.start(db, ins_runtime, customer, policy, "razorpay")
    assert payment.order_ref.startswith("order_T")
    assert fake.calls[0][1]["amount"] == policy.premium_minor
    # When Checkout's handler values arrive with a valid signature
    sig = checkout_signature(payment.order_ref, "pay_T001")
    _, outcome = await payments.verify_checkout(
        db, ins_runtime, customer, payment.order_ref, "pay_T001", sig
    )
    assert outcome == "paid"
    # Then the webhook for the same payment is recorded but credits nothing again
    body = razorpay_event("payment.captured", payment.order_ref, "pay_T001", policy.premium_minor)
    assert (
        await payments.handle_webhook(
            db, ins_runtime, "razorpay", body, webhook_headers(body, "evt_1")
        )
        == "already credited"
    )
    assert (
        await payments.handle_webhook(
            db, ins_runtime, "razorpay", body, webhook_headers(body, "evt_1")
        )
        == "duplicate"
    )
    assert (policy.status, policy.payment_status) == ("PENDING_APPROVAL", "PAID")


async def test_a_forged_checkout_signature_is_refused(db, ins_runtime, customer, monkeypatch):
    with_razorpay(monkeypatch)
    policy = await _pending_policy(db, ins_runtime, customer)
    payment = await payments.start(db, ins_runtime, customer, policy, "razorpay")
    forged = checkout_signature(payment.order_ref, "pay_T002", secret="not-the-secret")
    with pytest.raises(PermissionDenied):
        await payments.verify_checkout(
            db, ins_runtime, customer, payment.order_ref, "pay_T002", forged
        )
    assert (policy.status, payment.status) == ("PENDING", "created")


async def test_a_webhook_with_a_bad_signature_is_refused(db, ins_runtime, customer, monkeypatch):
    with_razorpay(monkeypatch)
    policy = await _pending_policy(db, ins_runtime, customer)
    payment = await payments.start(db, ins_runtime, customer, policy, "razorpay")
    body = razorpay_event("payment.captured", payment.order_ref, "pay_T003", policy.premium_minor)
    for headers in (
        webhook_headers(body, "evt_2", secret="wrong"),
        {"x-razorpay-event-id": "evt_2"},
        webhook_headers(body + b" ", "evt_2") | {"x-razorpay-signature": "00"},
    ):
        with pytest.raises(payments.WebhookRejected):
            await payments.handle_webhook(db, ins_runtime, "razorpay", body, headers)
    assert policy.payment_status == "PENDING"


async def test_a_captured_payment_of_another_amount_is_not_credited(
    db, ins_runtime, customer, admin, monkeypatch
):
    with_razorpay(monkeypatch)
    policy = await _pending_policy(db, ins_runtime, customer)
    payment = await payments.start(db, ins_runtime, customer, policy, "razorpay")
    body = razorpay_event("payment.captured", payment.order_ref, "pay_T004", 100)
    outcome = await payments.handle_webhook(
        db, ins_runtime, "razorpay", body, webhook_headers(body, "evt_3")
    )
    assert outcome == "amount mismatch"
    assert policy.payment_status == "PENDING"


async def test_rejection_refunds_the_premium(db, ins_runtime, customer, admin, monkeypatch):
    fake = with_razorpay(monkeypatch)
    policy = await _pending_policy(db, ins_runtime, customer)
    payment = await payments.start(db, ins_runtime, customer, policy, "razorpay")
    sig = checkout_signature(payment.order_ref, "pay_T005")
    await payments.verify_checkout(db, ins_runtime, customer, payment.order_ref, "pay_T005", sig)
    with pytest.raises(ValidationFailed):
        await insurance_service.reject(db, ins_runtime, admin, policy.id, "no")
    await insurance_service.reject(db, ins_runtime, admin, policy.id, "Photos do not show the tag")
    assert (policy.status, policy.payment_status) == ("REJECTED", "REFUNDED")
    assert payment.status == "refunded" and payment.refund_id.startswith("rfnd_T")
    assert fake.calls[-1][0].endswith("/payments/pay_T005/refund")
    with pytest.raises(Conflict):
        await insurance_service.approve(db, ins_runtime, admin, policy.id)


async def test_a_second_paid_checkout_is_refunded(db, ins_runtime, customer, monkeypatch):
    with_razorpay(monkeypatch)
    policy = await _pending_policy(db, ins_runtime, customer)
    first = await payments.start(db, ins_runtime, customer, policy, "razorpay")
    second = await payments.start(db, ins_runtime, customer, policy, "razorpay")
    for payment, pid in ((first, "pay_A"), (second, "pay_B")):
        sig = checkout_signature(payment.order_ref, pid)
        await payments.verify_checkout(db, ins_runtime, customer, payment.order_ref, pid, sig)
    assert (first.status, second.status) == ("succeeded", "refunded")
    assert policy.payment_status == "PAID"
    assert (
        await db.scalar(
            select(func.count())
            .select_from(PolicyPayment)
            .where(PolicyPayment.status == "succeeded")
        )
        == 1
    )
