"""The seed's insurance endpoints under /cattle-insurance/api/v1: roles, other people's
resources, field-path errors and the Razorpay webhook."""

from __future__ import annotations

import pytest

from tests.insurance.support import (
    PASSWORD,
    STORE,
    application,
    b64_photos,
    make_plan,
    razorpay_event,
    webhook_headers,
    with_razorpay,
)

API = f"/{STORE}/api/v1"


async def token(client, email: str) -> dict[str, str]:
    answer = await client.post(f"{API}/auth/token", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


@pytest.fixture
async def plan(db):
    return await make_plan(db, premium_minor=None, premium_rate_bp=375, coverage_minor=60_000_00)


async def _apply(client, headers, plan_id, **cattle):
    return await client.post(
        f"{API}/policies",
        json={**application(plan_id, **cattle), "photos": b64_photos()},
        headers=headers,
    )


async def test_plans_and_quotes_are_public(client, plan):
    listed = await client.get(f"{API}/plans")
    assert listed.status_code == 200
    mine = next(p for p in listed.json() if p["id"] == plan.id)
    assert mine["premium_minor"] == 2_250_00  # 3.75 % of ₹60,000
    quote = await client.get(f"{API}/plans/{plan.id}/quote", params={"cattle_type": "buffalo"})
    assert quote.json()["eligible"] is False and quote.json()["reasons"]
    quote = await client.get(
        f"{API}/plans/{plan.id}/quote", params={"age": 4, "cattle_type": "cow"}
    )
    assert quote.json()["eligible"] is True


async def test_apply_list_and_read_own_policy(client, plan, customer):
    headers = await token(client, customer.email)
    created = await _apply(client, headers, plan.id)
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["status"], body["payment_status"], len(body["photos"])) == (
        "PENDING",
        "PENDING",
        2,
    )
    listed = await client.get(f"{API}/policies", headers=headers)
    assert [p["id"] for p in listed.json()] == [body["id"]]
    photo = await client.get(body["photos"][0]["url"].removeprefix(""), headers=headers)
    assert photo.status_code == 200 and photo.headers["content-type"].startswith("image/")


async def test_errors_name_the_field(client, plan, customer):
    headers = await token(client, customer.email)
    data = application(plan.id)
    data["owner"]["phone"] = "12345"
    answer = await client.post(
        f"{API}/policies", json={**data, "photos": b64_photos()}, headers=headers
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "owner.phone"
    answer = await _apply(client, headers, plan.id, age=15)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "cattle.age"
    answer = await client.post(
        f"{API}/policies", json={**application(plan.id), "photos": b64_photos(1)}, headers=headers
    )
    assert answer.json()["errors"][0]["field"] == "photos"
    bad = {**application(plan.id), "photos": [{"data": "%%%"}, {"data": "%%%"}]}
    answer = await client.post(f"{API}/policies", json=bad, headers=headers)
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "photos.0"


async def test_one_live_policy_per_tag_through_the_api(client, plan, customer):
    headers = await token(client, customer.email)
    assert (await _apply(client, headers, plan.id, ear_tag="IN-API-0001")).status_code == 201
    again = await _apply(client, headers, plan.id, ear_tag="in-api-0001")
    assert again.status_code == 422
    assert again.json()["errors"][0]["field"] == "cattle.ear_tag"


async def test_another_customers_policy_is_not_found(client, plan, customer, make_user):
    mine = await token(client, customer.email)
    created = (await _apply(client, mine, plan.id)).json()
    other = await make_user("other@example.in")
    theirs = await token(client, other.email)
    pid = created["id"]
    for method, url, body in [
        ("GET", f"{API}/policies/{pid}", None),
        ("GET", f"{API}/policies/{pid}/photos/{created['photos'][0]['id']}", None),
        ("POST", f"{API}/policies/{pid}/payments", {"provider": "sandbox"}),
        ("POST", f"{API}/payments/create-order", {"provider": "sandbox", "policy_id": pid}),
        ("POST", f"{API}/policies/{pid}/cancel", {"reason": "mine now"}),
    ]:
        answer = await client.request(method, url, json=body, headers=theirs)
        assert answer.status_code == 404, (url, answer.status_code)
    assert (await client.get(f"{API}/policies")).status_code == 401


async def test_customers_cannot_underwrite(client, plan, customer):
    headers = await token(client, customer.email)
    pid = (await _apply(client, headers, plan.id)).json()["id"]
    assert (await client.patch(f"{API}/policies/{pid}/approve", headers=headers)).status_code == 403
    assert (
        await client.patch(
            f"{API}/policies/{pid}/reject", json={"reason": "x" * 9}, headers=headers
        )
    ).status_code == 403
    assert (await client.get(f"{API}/policies/admin/pending", headers=headers)).status_code == 403
    assert (await client.get(f"{API}/admin/policies", headers=headers)).status_code == 403


async def test_sandbox_order_then_admin_sees_it_pending(client, plan, customer, admin):
    headers = await token(client, customer.email)
    pid = (await _apply(client, headers, plan.id)).json()["id"]
    opened = await client.post(
        f"{API}/payments/create-order",
        json={"provider": "sandbox", "policy_id": pid},
        headers=headers,
    )
    assert opened.status_code == 201, opened.text
    assert opened.json()["checkout_url"].endswith(f"/insurance/sandbox/{opened.json()['order_id']}")
    staff = await token(client, admin.email)
    listed = await client.get(f"{API}/admin/policies", params={"status": "pending"}, headers=staff)
    assert [p["id"] for p in listed.json()] == [pid]
    early = await client.patch(f"{API}/policies/{pid}/approve", headers=staff)
    assert early.status_code == 409  # not paid yet
    history = await client.get(f"{API}/payments/history", headers=headers)
    assert [p["status"] for p in history.json()] == ["created"]


async def test_razorpay_webhook_endpoint(client, plan, customer, monkeypatch):
    with_razorpay(monkeypatch)
    headers = await token(client, customer.email)
    pid = (await _apply(client, headers, plan.id)).json()["id"]
    opened = (
        await client.post(
            f"{API}/policies/{pid}/payments", json={"provider": "razorpay"}, headers=headers
        )
    ).json()
    body = razorpay_event("payment.captured", opened["order_id"], "pay_W1", opened["amount"])
    forged = await client.post(
        f"{API}/payments/webhook", content=body, headers=webhook_headers(body, "e1", secret="x")
    )
    assert forged.status_code == 400
    ok = await client.post(
        f"{API}/payments/webhook", content=body, headers=webhook_headers(body, "e1")
    )
    assert ok.status_code == 200 and ok.json()["outcome"] == "paid"
    again = await client.post(
        f"{API}/payments/webhook", content=body, headers=webhook_headers(body, "e1")
    )
    assert again.json()["outcome"] == "duplicate"
    policy = (await client.get(f"{API}/policies/{pid}", headers=headers)).json()
    assert (policy["status"], policy["payment_status"]) == ("PENDING_APPROVAL", "PAID")
    bad = await client.post(
        f"{API}/payments/verify",
        json={
            "razorpay_order_id": opened["order_id"],
            "razorpay_payment_id": "pay_W1",
            "razorpay_signature": "0" * 64,
        },
        headers=headers,
    )
    assert bad.status_code == 403


async def test_admin_status_endpoint_and_stats(client, db, ins_runtime, plan, customer, admin):
    from mercato.insurance import payments as payments_module

    headers = await token(client, customer.email)
    pid = (await _apply(client, headers, plan.id)).json()["id"]
    opened = (
        await client.post(
            f"{API}/policies/{pid}/payments", json={"provider": "sandbox"}, headers=headers
        )
    ).json()
    await payments_module.credit(
        db,
        ins_runtime,
        provider="sandbox",
        order_ref=opened["order_id"],
        payment_id="sbx_api",
        amount=opened["amount"],
        currency="INR",
    )
    staff = await token(client, admin.email)
    refused = await client.patch(
        f"{API}/admin/policies/{pid}/status", json={"status": "APPROVED"}, headers=headers
    )
    assert refused.status_code == 403
    done = await client.patch(
        f"{API}/admin/policies/{pid}/status", json={"status": "APPROVED"}, headers=staff
    )
    assert done.status_code == 200 and done.json()["policy_number"].startswith("GR-")
    assert done.json()["certificate_url"]
    pdf = await client.get(done.json()["certificate_url"], headers=headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    stats = (await client.get(f"{API}/admin/insurance-stats", headers=staff)).json()
    assert stats["policies_by_status"]["APPROVED"] == 1
    assert stats["premium_collected_minor"] == opened["amount"]
    assert (await client.get(f"{API}/admin/insurance-stats", headers=headers)).status_code == 403
    again = await client.patch(
        f"{API}/admin/policies/{pid}/status",
        json={"status": "REJECTED", "reason": "Too late now"},
        headers=staff,
    )
    assert again.status_code == 409
