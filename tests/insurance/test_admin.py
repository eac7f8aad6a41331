"""Underwriting in the admin: the approval queue, approve (number, dates, certificate,
commissions, notices), reject with refund, cancel with commission reversal, plans CRUD, and
roles refused."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import select

from mercato.insurance import payments
from mercato.insurance import service as insurance_service
from mercato.models import AuditEntry, EmailMessage, Notification
from mercato.models.insurance import PolicyPlan
from mercato.platform.email import attachment_files
from tests.helpers import csrf_from, signin
from tests.insurance.support import PASSWORD, STORE, apply, make_plan

BASE = f"/{STORE}"


class FakeAgents:
    """Stands in for mercato.agents.service: records what insurance asks of it."""

    def __init__(self, agent_user_id: int) -> None:
        self.agent_user_id = agent_user_id
        self.sales: list[dict] = []
        self.reversals: list[dict] = []

    async def agent_by_code(self, session, code):
        return SimpleNamespace(id=42, user_id=self.agent_user_id) if code == "AGT42" else None

    async def record_sale_commissions(self, session, **kwargs):
        self.sales.append(kwargs)
        return []

    async def reverse_commissions(self, session, **kwargs):
        self.reversals.append(kwargs)
        return []


async def paid_policy(db, runtime, customer, **cattle):
    plan = await make_plan(db)
    policy = await apply(db, runtime, customer, plan, **cattle)
    payment = await payments.start(db, runtime, customer, policy, "sandbox")
    outcome = await payments.credit(
        db,
        runtime,
        provider="sandbox",
        order_ref=payment.order_ref,
        payment_id=f"sbx_pay_{policy.id}",
        amount=payment.amount,
        currency=payment.currency,
    )
    assert outcome == "paid"
    return policy


async def test_approval_from_the_queue(
    client, db, ins_runtime, customer, admin, make_user, monkeypatch
):
    agent_user = await make_user("agent@example.in", role_names=("customer",), name="Agent")
    agents = FakeAgents(agent_user.id)
    monkeypatch.setattr(insurance_service, "agents_service", lambda: agents)
    from mercato.insurance.schemas import ApplicationIn
    from tests.insurance.support import application, photo_uploads

    plan = await make_plan(db)
    data = ApplicationIn.model_validate({**application(plan.id), "agent_code": "AGT42"})
    policy = await insurance_service.apply(db, ins_runtime, customer, data, photo_uploads())
    payment = await payments.start(db, ins_runtime, customer, policy, "sandbox")
    await payments.credit(
        db,
        ins_runtime,
        provider="sandbox",
        order_ref=payment.order_ref,
        payment_id="p1",
        amount=payment.amount,
        currency="INR",
    )
    await signin(client, STORE, admin.email, PASSWORD)
    queue = await client.get(
        f"{BASE}/admin/insurance/policies", params={"status": "PENDING_APPROVAL"}
    )
    assert queue.status_code == 200 and policy.ear_tag in queue.text
    detail = await client.get(f"{BASE}/admin/insurance/policies/{policy.id}")
    assert detail.status_code == 200 and "/photos/" in detail.text
    photo = await client.get(
        f"{BASE}/admin/insurance/policies/{policy.id}/photos/"
        + detail.text.split("/photos/")[1].split('"')[0]
    )
    assert photo.status_code == 200
    token = await csrf_from(client, f"{BASE}/admin/insurance/policies/{policy.id}")
    done = await client.post(
        f"{BASE}/admin/insurance/policies/{policy.id}/approve", data={"csrf_token": token}
    )
    assert done.status_code == 303
    await db.refresh(policy)
    assert policy.status == "APPROVED" and policy.policy_number.startswith("GR-")
    assert policy.end_date == insurance_service.add_months(policy.start_date, 12)
    assert agents.sales == [
        {
            "agent_id": 42,
            "source_type": "policy",
            "source_id": policy.id,
            "base_amount_minor": policy.premium_minor,
            "label": f"Policy #{policy.policy_number}",
        }
    ]
    mail = await db.scalar(
        select(EmailMessage).where(EmailMessage.to_address == policy.owner_email)
    )
    assert mail is not None and "certificate.pdf" in mail.text_body
    # The certificate PDF is attached (stored privately, attached when the worker sends)
    [attached] = mail.attachments
    assert attached["filename"] == f"policy-{policy.policy_number}.pdf"
    assert attached["content_type"] == "application/pdf"
    [(_, data)] = await attachment_files(mail, ins_runtime)
    assert data.startswith(b"%PDF")
    told = set(
        await db.scalars(
            select(Notification.user_id).where(Notification.title.contains(policy.policy_number))
        )
    )
    assert {customer.id, agent_user.id} <= told
    assert await db.scalar(
        select(AuditEntry).where(AuditEntry.action == "insurance.policy.approve")
    )
    # The customer downloads the certificate
    client.cookies.clear()
    await signin(client, STORE, customer.email, PASSWORD)
    pdf = await client.get(f"{BASE}/account/policies/{policy.id}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # Cancelling later reverses the agents' commissions
    await insurance_service.cancel(db, ins_runtime, policy, "Animal sold", refund=True)
    assert agents.reversals == [
        {"source_type": "policy", "source_id": policy.id, "reason": "Animal sold"}
    ]
    assert policy.payment_status == "REFUNDED"


async def test_reject_needs_a_reason_and_refunds(client, db, ins_runtime, customer, admin):
    policy = await paid_policy(db, ins_runtime, customer)
    await signin(client, STORE, admin.email, PASSWORD)
    url = f"{BASE}/admin/insurance/policies/{policy.id}"
    token = await csrf_from(client, url)
    short = await client.post(f"{url}/reject", data={"csrf_token": token, "reason": "no"})
    assert short.status_code == 422 and "at least 5 characters" in short.text
    done = await client.post(
        f"{url}/reject", data={"csrf_token": token, "reason": "The ear tag is not visible"}
    )
    assert done.status_code == 303
    await db.refresh(policy)
    assert (policy.status, policy.payment_status) == ("REJECTED", "REFUNDED")


async def test_wrong_roles_are_refused(client, db, ins_runtime, customer, make_user):
    policy = await paid_policy(db, ins_runtime, customer)
    await signin(client, STORE, customer.email, PASSWORD)
    assert (await client.get(f"{BASE}/admin/insurance/policies")).status_code == 403
    client.cookies.clear()
    clerk = await make_user("clerk@example.in", role_names=("staff",), name="Clerk")
    await signin(client, STORE, clerk.email, PASSWORD)
    url = f"{BASE}/admin/insurance/policies/{policy.id}"
    token = await csrf_from(client, url)  # staff may read the queue...
    refused = await client.post(f"{url}/approve", data={"csrf_token": token})
    assert refused.status_code == 403  # ...but not underwrite
    assert (await client.get(f"{BASE}/admin/insurance/plans/new")).status_code == 403
    await db.refresh(policy)
    assert policy.status == "PENDING_APPROVAL"


async def test_plans_are_created_and_edited(client, db, admin):
    await signin(client, STORE, admin.email, PASSWORD)
    token = await csrf_from(client, f"{BASE}/admin/insurance/plans/new")
    form = {
        "csrf_token": token,
        "name": "Murrah Gold",
        "cattle_type": "buffalo",
        "min_age": "3",
        "max_age": "12",
        "coverage": "80,000",
        "premium": "2400",
        "rate": "3.5",
        "duration_months": "12",
        "disease_waiting_days": "30",
        "features": "Death\nTheft\n",
        "is_active": "yes",
    }
    both = await client.post(f"{BASE}/admin/insurance/plans/new", data=form)
    assert both.status_code == 422 and "not both" in both.text
    created = await client.post(f"{BASE}/admin/insurance/plans/new", data={**form, "premium": ""})
    assert created.status_code == 303
    plan = await db.scalar(select(PolicyPlan).where(PolicyPlan.name == "Murrah Gold"))
    assert (plan.coverage_minor, plan.premium_rate_bp, plan.features) == (
        80_000_00,
        350,
        ["Death", "Theft"],
    )
    assert insurance_service.premium_of(plan) == 2_800_00
    edited = await client.post(
        f"{BASE}/admin/insurance/plans/{plan.id}", data={**form, "rate": "", "is_active": ""}
    )
    assert edited.status_code == 303
    await db.refresh(plan)
    assert (plan.premium_minor, plan.premium_rate_bp, plan.is_active) == (2_400_00, None, False)
    public = await client.get(f"{BASE}/insurance/plans")
    assert "<h2>Murrah Gold</h2>" not in public.text


async def test_jobs_remind_before_the_end_and_expire_after(db, ins_runtime, customer, admin):
    policy = await paid_policy(db, ins_runtime, customer)
    await insurance_service.approve(db, ins_runtime, admin, policy.id)
    today = insurance_service.local_today(ins_runtime)
    policy.end_date = today + timedelta(days=10)
    assert await insurance_service.send_renewal_reminders(db, ins_runtime) == 1
    assert await insurance_service.send_renewal_reminders(db, ins_runtime) == 0  # once
    assert await insurance_service.expire_policies(db, ins_runtime) == 0
    policy.end_date = today - timedelta(days=1)
    assert await insurance_service.expire_policies(db, ins_runtime) == 1
    assert policy.status == "EXPIRED"


async def test_unpaid_applications_are_cancelled_after_two_weeks(db, ins_runtime, customer):
    plan = await make_plan(db)
    old = await apply(db, ins_runtime, customer, plan)
    fresh = await apply(db, ins_runtime, customer, plan)
    old.created_at = old.created_at - timedelta(days=15)
    await db.flush()
    assert await insurance_service.cancel_stale_applications(db, ins_runtime) == 1
    assert (old.status, fresh.status) == ("CANCELLED", "PENDING")
    # A payment arriving afterwards is refunded rather than credited
    payment = await payments.start(db, ins_runtime, customer, fresh, "sandbox")
    await insurance_service.cancel(db, ins_runtime, fresh, "Withdrawn", refund=False)
    outcome = await payments.credit(
        db,
        ins_runtime,
        provider="sandbox",
        order_ref=payment.order_ref,
        payment_id="late_1",
        amount=payment.amount,
        currency="INR",
    )
    assert outcome == "late payment refunded" and payment.status == "refunded"
