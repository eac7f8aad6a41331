"""Insurance pages: plans and calculator, the application form, the customer's policy
pages, the sandbox payment, and other people's policies refused."""

from __future__ import annotations

from sqlalchemy import select

from mercato.insurance import payments
from mercato.models import OutboxEvent
from mercato.models.insurance import Policy
from mercato.platform.outbox import HandlerContext
from tests.helpers import csrf_from, signin
from tests.insurance.support import PASSWORD, STORE, apply, make_plan, next_tag, photo_bytes

BASE = f"/{STORE}"


def _form(plan_id: int, **changes: str) -> dict[str, str]:
    data = {
        "plan_id": str(plan_id),
        "cattle.type": "cow",
        "cattle.ear_tag": next_tag(),
        "cattle.age": "5",
        "cattle.breed": "Sahiwal",
        "cattle.gender": "female",
        "cattle.milk_yield": "9",
        "cattle.health_status": "Healthy",
        "owner.name": "Sunita Deshmukh",
        "owner.email": "sunita@example.in",
        "owner.phone": "98765 43210",
        "owner.address": "Ward 4, near the temple",
        "owner.city": "Kolhapur",
        "owner.state": "Maharashtra",
        "owner.pincode": "416001",
    }
    data.update(changes)
    return data


def _photos(n: int = 2):
    return [("photos", (f"p{i}.png", photo_bytes(), "image/png")) for i in range(n)]


async def test_plans_page_and_calculator(client, db):
    plan = await make_plan(db, name="Gau Suraksha Test", cattle_type="cow")
    page = await client.get(f"{BASE}/insurance/plans")
    assert page.status_code == 200 and "Gau Suraksha Test" in page.text
    assert "₹2,000.00" in page.text
    checked = await client.get(
        f"{BASE}/insurance/plans", params={"cattle_type": "buffalo", "age": "4"}
    )
    assert "covers cows only" in checked.text
    bad = await client.get(f"{BASE}/insurance/plans", params={"age": "x99"})
    assert bad.status_code == 200
    assert plan.id


async def test_apply_through_the_form(client, db, customer):
    plan = await make_plan(db)
    assert (await client.get(f"{BASE}/insurance/apply")).status_code in (303, 307)
    await signin(client, STORE, customer.email, PASSWORD)
    token = await csrf_from(client, f"{BASE}/insurance/apply?plan={plan.id}")
    wrong = await client.post(
        f"{BASE}/insurance/apply",
        data={**_form(plan.id, **{"owner.pincode": "0123"}), "csrf_token": token},
        files=_photos(),
    )
    assert wrong.status_code == 422
    assert "A pincode is 6 digits" in wrong.text and 'aria-invalid="true"' in wrong.text
    one_photo = await client.post(
        f"{BASE}/insurance/apply", data={**_form(plan.id), "csrf_token": token}, files=_photos(1)
    )
    assert one_photo.status_code == 422 and "at least 2 photos" in one_photo.text
    done = await client.post(
        f"{BASE}/insurance/apply", data={**_form(plan.id), "csrf_token": token}, files=_photos()
    )
    assert done.status_code == 303, done.text[:500]
    page = await client.get(done.headers["location"])
    assert page.status_code == 200 and "Pay the premium" in page.text


async def test_a_form_without_csrf_is_refused(client, db, customer):
    plan = await make_plan(db)
    await signin(client, STORE, customer.email, PASSWORD)
    refused = await client.post(f"{BASE}/insurance/apply", data=_form(plan.id), files=_photos())
    assert refused.status_code == 403


async def test_another_customers_policy_pages_are_not_found(
    client, db, ins_runtime, customer, make_user
):
    plan = await make_plan(db)
    policy = await apply(db, ins_runtime, customer, plan)
    other = await make_user("other@example.in")
    await signin(client, STORE, other.email, PASSWORD)
    for url in (
        f"account/policies/{policy.id}",
        f"account/policies/{policy.id}/photos/1",
        f"account/policies/{policy.id}/certificate.pdf",
        f"account/policies/{policy.id}/claims/new",
    ):
        assert (await client.get(f"{BASE}/{url}")).status_code == 404, url
    token = await csrf_from(client, f"{BASE}/account/policies")
    for url in (f"account/policies/{policy.id}/pay", f"account/policies/{policy.id}/cancel"):
        answer = await client.post(f"{BASE}/{url}", data={"csrf_token": token})
        assert answer.status_code == 404, url
    assert (await client.get(f"{BASE}/admin/insurance/policies")).status_code in (403, 404)


async def test_pay_on_the_sandbox_page(client, db, ins_runtime, customer):
    plan = await make_plan(db)
    policy = await apply(db, ins_runtime, customer, plan)
    await signin(client, STORE, customer.email, PASSWORD)
    token = await csrf_from(client, f"{BASE}/account/policies/{policy.id}")
    started = await client.post(
        f"{BASE}/account/policies/{policy.id}/pay", data={"csrf_token": token}
    )
    assert started.status_code == 303 and "/insurance/sandbox/" in started.headers["location"]
    card_page = await client.get(started.headers["location"])
    assert "4242424242424242" in card_page.text
    paid = await client.post(
        started.headers["location"], data={"csrf_token": token, "card_number": "4242424242424242"}
    )
    assert paid.status_code == 303
    event = await db.scalar(
        select(OutboxEvent).where(OutboxEvent.event_type == payments.SANDBOX_EVENT)
    )
    await payments.deliver_sandbox_event(HandlerContext(ins_runtime, db, event), event)
    await db.flush()
    page = await client.get(f"{BASE}/account/policies/{policy.id}")
    assert "Awaiting approval" in page.text
    mine = await client.get(f"{BASE}/account/policies")
    assert "Payment history" in mine.text and "Paid" in mine.text
    assert (await db.get(Policy, policy.id)).status == "PENDING_APPROVAL"
