"""Razorpay's web Checkout page: offered only when Razorpay is enabled, its response alone
may load Razorpay's script and frames, and its form credits the premium only with a
signature the SDK verifies; the webhook for the same payment then credits nothing more."""

from __future__ import annotations

from mercato.insurance import payments
from mercato.web.csp import CSP
from tests.helpers import csrf_from, signin
from tests.insurance.support import (
    PASSWORD,
    STORE,
    apply,
    checkout_signature,
    make_plan,
    razorpay_event,
    webhook_headers,
    with_razorpay,
)

BASE = f"/{STORE}"


async def _start(client, db, runtime, customer):
    plan = await make_plan(db)
    policy = await apply(db, runtime, customer, plan)
    await signin(client, STORE, customer.email, PASSWORD)
    token = await csrf_from(client, f"{BASE}/account/policies/{policy.id}")
    started = await client.post(
        f"{BASE}/account/policies/{policy.id}/pay",
        data={"csrf_token": token, "provider": "razorpay"},
    )
    return policy, token, started


async def test_the_checkout_page_alone_may_load_razorpay(
    client, db, ins_runtime, customer, monkeypatch
):
    with_razorpay(monkeypatch)
    policy, token, started = await _start(client, db, ins_runtime, customer)
    assert started.status_code == 303
    location = started.headers["location"]
    assert "/insurance/razorpay/order_T" in location
    page = await client.get(location)
    assert page.status_code == 200
    policy_csp = page.headers["content-security-policy"]
    assert "script-src 'self' https://checkout.razorpay.com/v1/checkout.js;" in policy_csp
    assert "frame-src 'self' https://api.razorpay.com https://checkout.razorpay.com" in policy_csp
    assert "'unsafe-inline'" not in policy_csp and "style-src 'self';" in policy_csp
    assert 'src="https://checkout.razorpay.com/v1/checkout.js"' in page.text
    assert " style=" not in page.text and "<script>" not in page.text
    # Every other page keeps the strict policy, the policy page offering Razorpay included
    for url in (f"account/policies/{policy.id}", "insurance/plans", ""):
        other = await client.get(f"{BASE}/{url}")
        assert other.headers["content-security-policy"] == CSP, url
    assert "with Razorpay" in (await client.get(f"{BASE}/account/policies/{policy.id}")).text


async def test_a_verified_checkout_credits_once_and_a_forged_one_nothing(
    client, db, ins_runtime, customer, monkeypatch
):
    with_razorpay(monkeypatch)
    policy, token, started = await _start(client, db, ins_runtime, customer)
    location = started.headers["location"]
    order_ref = location.rsplit("/", 1)[1]
    # A forged signature is refused and changes nothing
    forged = await client.post(
        location,
        data={
            "csrf_token": token,
            "razorpay_order_id": order_ref,
            "razorpay_payment_id": "pay_W001",
            "razorpay_signature": checkout_signature(order_ref, "pay_W001", secret="guess"),
        },
    )
    assert forged.status_code == 303
    await db.refresh(policy)
    assert (policy.status, policy.payment_status) == ("PENDING", "PENDING")
    # The genuine handler values credit the premium
    paid = await client.post(
        location,
        data={
            "csrf_token": token,
            "razorpay_order_id": order_ref,
            "razorpay_payment_id": "pay_W001",
            "razorpay_signature": checkout_signature(order_ref, "pay_W001"),
        },
    )
    assert paid.status_code == 303
    await db.refresh(policy)
    assert (policy.status, policy.payment_status) == ("PENDING_APPROVAL", "PAID")
    # The webhook for the same payment arrives later: recorded, credited nothing more
    body = razorpay_event("payment.captured", order_ref, "pay_W001", policy.premium_minor)
    outcome = await payments.handle_webhook(
        db, ins_runtime, "razorpay", body, webhook_headers(body, "evt_W1")
    )
    assert outcome == "already credited"
    # A paid checkout page no longer widens the policy
    again = await client.get(location)
    assert again.headers["content-security-policy"] == CSP


async def test_without_razorpay_the_page_does_not_exist(
    client, db, ins_runtime, customer, make_user
):
    policy, token, started = await _start(client, db, ins_runtime, customer)
    assert started.status_code == 303 and "/razorpay/" not in started.headers["location"]
    missing = await client.get(f"{BASE}/insurance/razorpay/order_T000000000001")
    assert missing.status_code == 404
    assert missing.headers["content-security-policy"] == CSP


async def test_another_customer_cannot_open_or_verify_the_checkout(
    client, db, ins_runtime, customer, make_user, monkeypatch
):
    with_razorpay(monkeypatch)
    policy, token, started = await _start(client, db, ins_runtime, customer)
    location = started.headers["location"]
    other = await make_user("neighbour@example.in")
    await client.post(f"{BASE}/account/signout", data={"csrf_token": token})
    client.cookies.clear()
    await signin(client, STORE, other.email, PASSWORD)
    assert (await client.get(location)).status_code == 404
    token = await csrf_from(client, f"{BASE}/account/policies")
    assert (await client.post(location, data={"csrf_token": token})).status_code == 404
