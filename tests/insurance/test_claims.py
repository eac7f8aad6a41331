"""Claims: only on an active policy, incident in the period, the plan's disease waiting
period, amount up to the coverage, documents; review steps notify; other people refused."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mercato.insurance import claims
from mercato.insurance import service as insurance_service
from mercato.insurance.files import Upload
from mercato.insurance.schemas import ClaimIn
from mercato.kit.errors import Conflict, NotFound, ValidationFailed
from mercato.models import Notification
from tests.helpers import csrf_from, signin
from tests.insurance.support import PASSWORD, STORE, photo_bytes
from tests.insurance.test_admin import paid_policy

PDF = b"%PDF-1.4\n% vet certificate\n"


async def active_policy(db, runtime, customer, admin, days_ago: int = 40):
    policy = await paid_policy(db, runtime, customer)
    await insurance_service.approve(db, runtime, admin, policy.id)
    # Move the period back so incidents can lie in the past
    policy.start_date = policy.start_date - timedelta(days=days_ago)
    policy.end_date = insurance_service.add_months(policy.start_date, 12)
    await db.flush()
    return policy


def _claim(policy, **changes):
    values = {
        "policy_id": policy.id,
        "claim_type": "death",
        "incident_date": policy.start_date + timedelta(days=30) if policy.start_date else None,
        "amount_minor": 40_000_00,
        "description": "Died of snake bite in the field at night.",
    }
    values.update(changes)
    return ClaimIn.model_validate(values)


DOCS = [
    ("vet_certificate", Upload(PDF, "vet.pdf")),
    ("ear_tag_photo", Upload(photo_bytes(), "t.png")),
]


async def test_a_claim_gets_a_number_and_tells_everyone(db, ins_runtime, customer, admin):
    policy = await active_policy(db, ins_runtime, customer, admin)
    claim = await claims.file_claim(db, ins_runtime, customer, _claim(policy), DOCS)
    assert claim.claim_number.startswith("CLM-") and claim.status == "pending"
    assert [d.content_type for d in await claims.documents_of(db, claim.id)] == [
        "application/pdf",
        "image/jpeg",
    ]
    titles = set(await db.scalars(select(Notification.title)))
    assert f"Claim {claim.claim_number} received" in titles
    assert f"New death claim {claim.claim_number}" in titles


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"incident_date": "before"}, "incident_date"),
        ({"incident_date": "future"}, "incident_date"),
        ({"amount_minor": 50_000_01}, "amount_minor"),
        ({"claim_type": "disease", "incident_date": "day5"}, "incident_date"),
    ],
)
async def test_claim_rules(db, ins_runtime, customer, admin, changes, field):
    policy = await active_policy(db, ins_runtime, customer, admin)
    today = insurance_service.local_today(ins_runtime)
    dates = {
        "before": policy.start_date - timedelta(days=1),
        "future": today + timedelta(days=1),
        "day5": policy.start_date + timedelta(days=5),  # the plan waits 15 days for disease
    }
    if "incident_date" in changes:
        changes["incident_date"] = dates[changes["incident_date"]]
    with pytest.raises(ValidationFailed) as refused:
        await claims.file_claim(db, ins_runtime, customer, _claim(policy, **changes), DOCS)
    assert refused.value.field == field


async def test_disease_after_the_waiting_period_and_documents_required(
    db, ins_runtime, customer, admin
):
    policy = await active_policy(db, ins_runtime, customer, admin)
    later = _claim(policy, claim_type="disease", incident_date=policy.start_date + timedelta(15))
    with pytest.raises(ValidationFailed) as refused:
        await claims.file_claim(db, ins_runtime, customer, later, [])
    assert refused.value.field == "documents"
    assert (await claims.file_claim(db, ins_runtime, customer, later, DOCS)).status == "pending"


async def test_no_claim_on_a_policy_that_is_not_active_or_not_yours(
    db, ins_runtime, customer, admin, make_user
):
    pending = await paid_policy(db, ins_runtime, customer)
    with pytest.raises(ValidationFailed):
        await claims.file_claim(
            db, ins_runtime, customer, _claim(pending, incident_date="2026-01-01"), DOCS
        )
    policy = await active_policy(db, ins_runtime, customer, admin)
    stranger = await make_user("stranger@example.in")
    with pytest.raises(NotFound):
        await claims.file_claim(db, ins_runtime, stranger, _claim(policy), DOCS)
    claim = await claims.file_claim(db, ins_runtime, customer, _claim(policy), DOCS)
    with pytest.raises(NotFound):
        await claims.claim_for(db, stranger, claim.id)
    with pytest.raises(NotFound):
        await claims.add_documents(db, ins_runtime, stranger, claim.id, DOCS)


async def test_review_documents_approve_and_pay(db, ins_runtime, customer, admin):
    policy = await active_policy(db, ins_runtime, customer, admin)
    claim = await claims.file_claim(db, ins_runtime, customer, _claim(policy), DOCS)
    with pytest.raises(Conflict):
        await claims.set_status(db, ins_runtime, admin, claim.id, "paid")
    await claims.request_documents(db, ins_runtime, admin, claim.id, "Post-mortem report please")
    assert (claim.status, claim.documents_requested) == (
        "under_review",
        "Post-mortem report please",
    )
    await claims.add_documents(db, ins_runtime, customer, claim.id, [("post_mortem", Upload(PDF))])
    assert claim.documents_requested == ""
    with pytest.raises(ValidationFailed):
        await claims.set_status(
            db, ins_runtime, admin, claim.id, "approved", settled_minor=claim.amount_minor + 1
        )
    await claims.set_status(db, ins_runtime, admin, claim.id, "approved", settled_minor=38_000_00)
    await claims.set_status(db, ins_runtime, admin, claim.id, "paid", payout_reference="UTR123")
    assert (claim.status, claim.settled_minor, claim.payout_reference) == (
        "paid",
        38_000_00,
        "UTR123",
    )
    with pytest.raises(Conflict):
        await claims.add_documents(db, ins_runtime, customer, claim.id, DOCS)
    steps = await db.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == customer.id, Notification.title.contains(claim.claim_number))
    )
    assert steps == 4  # received, documents asked, approved, paid


async def test_file_through_the_page_and_review_in_the_admin(
    client, db, ins_runtime, customer, admin
):
    policy = await active_policy(db, ins_runtime, customer, admin)
    await signin(client, STORE, customer.email, PASSWORD)
    url = f"/{STORE}/account/policies/{policy.id}/claims/new"
    token = await csrf_from(client, url)
    form = {
        "csrf_token": token,
        "claim_type": "death",
        "incident_date": (policy.start_date + timedelta(days=20)).isoformat(),
        "amount": "45,000",
        "description": "Found dead near the canal in the morning.",
    }
    files = [
        ("doc_vet_certificate", ("vet.pdf", PDF, "application/pdf")),
        ("doc_post_mortem", ("pm.png", photo_bytes(), "image/png")),
    ]
    too_much = await client.post(url, data={**form, "amount": "60000"}, files=files)
    assert too_much.status_code == 422 and "more than the policy covers" in too_much.text
    filed = await client.post(url, data=form, files=files)
    assert filed.status_code == 303, filed.text[:300]
    page = await client.get(filed.headers["location"])
    assert "Received" in page.text and "Vet certificate" in page.text
    claim_id = int(filed.headers["location"].rstrip("/").split("/")[-1])
    client.cookies.clear()
    await signin(client, STORE, admin.email, PASSWORD)
    admin_url = f"/{STORE}/admin/insurance/claims/{claim_id}"
    token = await csrf_from(client, admin_url)
    for data in (
        {"status": "under_review"},
        {"status": "approved", "settled": "45000"},
        {"status": "paid", "payout_reference": "NEFT-77"},
    ):
        answer = await client.post(f"{admin_url}/status", data={"csrf_token": token, **data})
        assert answer.status_code == 303, answer.text[:300]
    listing = await client.get(f"/{STORE}/admin/insurance/claims")
    assert "Paid" in listing.text


async def test_claims_api_roles(client, db, ins_runtime, customer, admin, make_user):
    policy = await active_policy(db, ins_runtime, customer, admin)

    async def token(email):
        answer = await client.post(
            f"/{STORE}/api/v1/auth/token", json={"email": email, "password": PASSWORD}
        )
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    mine = await token(customer.email)
    body = {
        "policy_id": policy.id,
        "claim_type": "injury",
        "incident_date": (policy.start_date + timedelta(days=3)).isoformat(),
        "amount_minor": 5_000_00,
        "description": "Broken leg after a fall in the shed.",
        "documents": [{"kind": "vet_certificate", "data": base64.b64encode(PDF).decode()}],
    }
    created = await client.post(f"/{STORE}/api/v1/claims", json=body, headers=mine)
    assert created.status_code == 201, created.text
    cid = created.json()["id"]
    other = await make_user("other@example.in")
    theirs = await token(other.email)
    assert (await client.get(f"/{STORE}/api/v1/claims/{cid}", headers=theirs)).status_code == 404
    assert (
        await client.post(f"/{STORE}/api/v1/claims", json=body, headers=theirs)
    ).status_code == 404
    refused = await client.patch(
        f"/{STORE}/api/v1/claims/{cid}/status", json={"status": "under_review"}, headers=mine
    )
    assert refused.status_code == 403
    staff = await token(admin.email)
    moved = await client.patch(
        f"/{STORE}/api/v1/claims/{cid}/status", json={"status": "under_review"}, headers=staff
    )
    assert moved.status_code == 200 and moved.json()["status"] == "under_review"
    assert [
        c["id"] for c in (await client.get(f"/{STORE}/api/v1/claims", headers=mine)).json()
    ] == [cid]
