"""Admin pages for premium payments and broadcast notifications: what they show, the
permission each needs, and errors shown on their field."""

from __future__ import annotations

from sqlalchemy import select

from mercato.insurance import payments
from mercato.models import AuditEntry, Notification
from tests.helpers import csrf_from, signin
from tests.insurance.support import PASSWORD, STORE, apply, make_plan

BASE = f"/{STORE}/admin/insurance"


async def test_payments_are_listed_for_readers_only(client, db, ins_runtime, customer, admin):
    plan = await make_plan(db)
    policy = await apply(db, ins_runtime, customer, plan)
    payment = await payments.start(db, ins_runtime, customer, policy, "sandbox")
    await signin(client, STORE, customer.email, PASSWORD)
    assert (await client.get(f"{BASE}/payments")).status_code in (403, 404)
    client.cookies.clear()
    await signin(client, STORE, admin.email, PASSWORD)
    page = await client.get(f"{BASE}/payments")
    assert page.status_code == 200 and payment.order_ref in page.text and "₹2,000.00" in page.text
    paid_only = await client.get(f"{BASE}/payments", params={"status": "succeeded"})
    assert payment.order_ref not in paid_only.text
    assert (await client.get(f"{BASE}/payments?status=<x>&page=zz")).status_code == 200


async def test_a_broadcast_reaches_the_chosen_role_and_is_audited(
    client, db, customer, admin, make_user
):
    staffer = await make_user("desk@example.in", role_names=("staff",))
    await signin(client, STORE, staffer.email, PASSWORD)
    assert (await client.get(f"{BASE}/broadcast")).status_code == 403
    client.cookies.clear()
    await signin(client, STORE, admin.email, PASSWORD)
    token = await csrf_from(client, f"{BASE}/broadcast")
    empty = await client.post(
        f"{BASE}/broadcast", data={"csrf_token": token, "audience": "customer", "title": " "}
    )
    assert empty.status_code == 422 and 'aria-invalid="true"' in empty.text
    odd = await client.post(
        f"{BASE}/broadcast", data={"csrf_token": token, "audience": "root", "title": "Hi"}
    )
    assert odd.status_code == 422 and "Choose who receives it." in odd.text
    sent = await client.post(
        f"{BASE}/broadcast",
        data={"csrf_token": token, "audience": "customer", "title": "Vaccination camp on Sunday"},
    )
    assert sent.status_code == 303
    got = set(
        await db.scalars(
            select(Notification.user_id).where(Notification.title == "Vaccination camp on Sunday")
        )
    )
    assert customer.id in got and admin.id not in got and staffer.id not in got
    entry = await db.scalar(
        select(AuditEntry).where(AuditEntry.action == "notifications.broadcast")
    )
    assert entry is not None and entry.after["sent"] == len(got)
    refused = await client.post(f"{BASE}/broadcast", data={"audience": "", "title": "x"})
    assert refused.status_code == 403  # no CSRF token
