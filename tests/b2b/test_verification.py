"""Business registration and verification: register → documents → submit → the reviewer
approves, rejects with a reason, or asks for more and the buyer re-submits."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from mercato.b2b import access, service
from mercato.kit.errors import Conflict, ValidationFailed
from mercato.models import AuditEntry, Notification, User
from mercato.models.b2b import VerificationEvent
from tests.b2b.conftest import PDF, ROOT, company_in, signin, token
from tests.helpers import csrf_from


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "PNG")
    return out.getvalue()


async def test_register_upload_submit_then_request_info_then_resubmit_and_approve(
    wdb, wholesale, make_user
):
    # Given a buyer who registers a business with a trade licence
    buyer = await make_user("rahim@example.com", "buyer")
    admin = await make_user("admin-b2b@example.com", "admin")
    fields = service.cipher(wholesale)
    company = await service.register(wdb, buyer, company_in(), fields)
    storage = service.private_storage(wholesale)
    await service.add_document(
        wdb, storage, company, buyer, kind="trade_license", filename="licence.pdf", raw=PDF
    )
    assert company.status == "unverified"
    assert fields.decrypt(company.tin_cipher) == "123456789012"
    assert service.masked_tin(company).endswith("9012") and "1234" not in service.masked_tin(
        company
    )

    # When it is submitted and the reviewer asks for more information
    await service.submit(wdb, company, buyer)
    assert company.status == "pending" and company.submitted_at is not None
    await service.request_info(wdb, wholesale, company, admin, "Please add your TIN certificate.")
    assert company.status == "info_requested"
    assert company.reason == "Please add your TIN certificate."
    assert not await access.is_verified_buyer(wdb, buyer)

    # Then the buyer adds the document and re-submits; the reviewer approves
    await service.add_document(
        wdb, storage, company, buyer, kind="tin_certificate", filename="tin.png", raw=_png()
    )
    await service.submit(wdb, company, buyer)
    await service.approve(wdb, wholesale, company, admin)
    assert company.status == "verified"
    assert company.reviewed_by == admin.id and company.reviewed_at is not None
    assert await access.is_verified_buyer(wdb, buyer)
    actions = list(
        await wdb.scalars(
            select(VerificationEvent.action)
            .where(VerificationEvent.company_id == company.id)
            .order_by(VerificationEvent.id)
        )
    )
    assert actions == [
        "registered",
        "document_added",
        "submitted",
        "info_requested",
        "document_added",
        "submitted",
        "approved",
    ]
    titles = list(
        await wdb.scalars(select(Notification.title).where(Notification.user_id == buyer.id))
    )
    assert "We need more information" in titles and "Your business is verified" in titles


async def test_submit_needs_a_trade_licence_and_a_decision_needs_a_reason(
    wdb, wholesale, make_user
):
    buyer = await make_user("rahim@example.com", "buyer")
    admin = await make_user("admin-b2b@example.com", "admin")
    company = await service.register(wdb, buyer, company_in(), service.cipher(wholesale))
    with pytest.raises(ValidationFailed) as refused:
        await service.submit(wdb, company, buyer)
    assert refused.value.field == "documents"
    await service.add_document(
        wdb,
        service.private_storage(wholesale),
        company,
        buyer,
        kind="trade_license",
        filename="l.pdf",
        raw=PDF,
    )
    await service.submit(wdb, company, buyer)
    with pytest.raises(ValidationFailed):
        await service.reject(wdb, wholesale, company, admin, "  ")
    assert company.status == "pending"
    await service.reject(wdb, wholesale, company, admin, "The trade licence has expired.")
    assert company.status == "rejected"
    # A decided business cannot be decided again, nor approved without a new submission.
    with pytest.raises(Conflict):
        await service.approve(wdb, wholesale, company, admin)


async def test_documents_are_checked_by_content_and_size(wdb, wholesale, make_user):
    buyer = await make_user("rahim@example.com", "buyer")
    company = await service.register(wdb, buyer, company_in(), service.cipher(wholesale))
    storage = service.private_storage(wholesale)
    for raw in (b"MZ\x90\x00 not a pdf", b"<html><script>alert(1)</script>", b""):
        with pytest.raises(ValidationFailed):
            await service.add_document(
                wdb, storage, company, buyer, kind="trade_license", filename="x.pdf", raw=raw
            )
    too_big = b"%PDF-1.4\n" + b"0" * service.MAX_DOCUMENT_BYTES + b"\n%%EOF\n"
    with pytest.raises(ValidationFailed):
        await service.add_document(
            wdb, storage, company, buyer, kind="trade_license", filename="x.pdf", raw=too_big
        )
    with pytest.raises(ValidationFailed):
        await service.add_document(
            wdb, storage, company, buyer, kind="passport", filename="x.pdf", raw=PDF
        )


async def test_documents_are_private_files(wdb, wholesale, make_user):
    buyer = await make_user("rahim@example.com", "buyer")
    company = await service.register(wdb, buyer, company_in(), service.cipher(wholesale))
    doc = await service.add_document(
        wdb,
        service.private_storage(wholesale),
        company,
        buyer,
        kind="trade_license",
        filename="../../licence.pdf",
        raw=PDF,
    )
    found = await service.document_file(wdb, company.id, doc.id)
    public_root = wholesale.storage.root.resolve()
    private = service.private_storage(wholesale).local_path(found.file.key)
    assert private.is_file() and not private.is_relative_to(public_root)
    assert doc.filename == "licence.pdf"


async def test_the_api_flow_and_the_review_queue(client, wdb, make_user):
    await make_user("rahim@example.com", "buyer")
    await make_user("admin-b2b@example.com", "admin")
    buyer = await token(client, "rahim@example.com")
    admin = await token(client, "admin-b2b@example.com")
    api = f"{ROOT}/api/v1/business-verifications"

    bad = await client.post(api, json=company_in().model_dump() | {"tin": "12"}, headers=buyer)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "tin"
    created = await client.post(api, json=company_in().model_dump(), headers=buyer)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "unverified" and body["tin"].endswith("9012")
    assert "123456789012" not in created.text
    again = await client.post(api, json=company_in().model_dump(), headers=buyer)
    assert again.status_code == 409

    uploaded = await client.post(
        f"{api}/mine/documents",
        data={"kind": "trade_license"},
        files={"file": ("licence.pdf", PDF, "application/pdf")},
        headers=buyer,
    )
    assert uploaded.status_code == 201, uploaded.text
    submitted = await client.post(f"{api}/mine/submit", headers=buyer)
    assert submitted.json()["status"] == "pending"
    reviewer = await wdb.scalar(select(User).where(User.email == "admin-b2b@example.com"))
    told = list(
        await wdb.scalars(select(Notification.title).where(Notification.user_id == reviewer.id))
    )
    assert told == ["Karim Textiles Ltd. asks to be verified"]

    # The buyer cannot review, not even their own business.
    company_id = body["id"]
    assert (await client.get(api, headers=buyer)).status_code == 403
    assert (await client.post(f"{api}/{company_id}/approve", headers=buyer)).status_code == 403

    listed = await client.get(api, headers=admin)
    assert [c["id"] for c in listed.json()] == [company_id]
    asked = await client.post(
        f"{api}/{company_id}/request-info", json={"reason": "Upload a clearer scan."}, headers=admin
    )
    assert asked.json()["status"] == "info_requested"
    mine = await client.get(f"{api}/mine", headers=buyer)
    assert mine.json()["reason"] == "Upload a clearer scan."
    await client.post(f"{api}/mine/submit", headers=buyer)
    approved = await client.post(f"{api}/{company_id}/approve", headers=admin)
    assert approved.json()["status"] == "verified"
    twice = await client.post(f"{api}/{company_id}/approve", headers=admin)
    assert twice.status_code == 409

    terms = await client.put(
        f"{api}/{company_id}/net-terms", json={"net_terms": "net30"}, headers=admin
    )
    assert terms.json()["net_terms"] == "net30"
    doc_id = uploaded.json()["id"]
    download = await client.get(f"{api}/{company_id}/documents/{doc_id}", headers=admin)
    assert download.content == PDF and download.headers["cache-control"] == "private, no-store"
    actions = set(await wdb.scalars(select(AuditEntry.action)))
    assert {"b2b.request_info", "b2b.approve", "b2b.net_terms"} <= actions


async def test_a_buyer_cannot_read_another_companys_documents(client, wdb, wholesale, make_user):
    owner = await make_user("owner@example.com", "buyer")
    await make_user("other@example.com", "buyer")
    company = await service.register(wdb, owner, company_in(), service.cipher(wholesale))
    doc = await service.add_document(
        wdb,
        service.private_storage(wholesale),
        company,
        owner,
        kind="trade_license",
        filename="l.pdf",
        raw=PDF,
    )
    other = await token(client, "other@example.com")
    api = f"{ROOT}/api/v1/business-verifications"
    assert (await client.get(f"{api}/mine/documents/{doc.id}", headers=other)).status_code == 404
    assert (
        await client.get(f"{api}/{company.id}/documents/{doc.id}", headers=other)
    ).status_code == 403
    await signin(client, "other@example.com")
    page = await client.get(f"{ROOT}/verify/documents/{doc.id}")
    assert page.status_code == 404


async def test_the_verify_pages_register_upload_and_submit(client, wdb, make_user):
    await make_user("rahim@example.com", "buyer")
    await signin(client, "rahim@example.com")
    csrf = await csrf_from(client, f"{ROOT}/verify")
    form = company_in().model_dump() | {"csrf_token": csrf}
    missing = await client.post(f"{ROOT}/verify", data=form | {"tin": "abc"})
    assert missing.status_code == 422 and "A TIN has 12 digits." in missing.text
    saved = await client.post(f"{ROOT}/verify", data=form)
    assert saved.status_code == 303
    forged = await client.post(
        f"{ROOT}/verify/documents",
        data={"kind": "trade_license"},
        files={"file": ("l.pdf", PDF, "application/pdf")},
    )
    assert forged.status_code == 403  # no CSRF token
    uploaded = await client.post(
        f"{ROOT}/verify/documents",
        data={"kind": "trade_license", "csrf_token": csrf},
        files={"file": ("l.pdf", PDF, "application/pdf")},
    )
    assert uploaded.status_code == 303
    submitted = await client.post(f"{ROOT}/verify/submit", data={"csrf_token": csrf})
    assert submitted.status_code == 303
    page = await client.get(f"{ROOT}/verify")
    assert "Waiting for review" in page.text and "l.pdf" in page.text


async def test_the_admin_queue_decides_with_audit(client, wdb, wholesale, make_user):
    buyer = await make_user("rahim@example.com", "buyer")
    await make_user("admin-b2b@example.com", "admin")
    company = await service.register(wdb, buyer, company_in(), service.cipher(wholesale))
    company.status = "pending"
    await wdb.flush()
    await signin(client, "admin-b2b@example.com")
    queue = await client.get(f"{ROOT}/admin/b2b/verifications")
    assert queue.status_code == 200 and "Karim Textiles Ltd." in queue.text
    csrf = await csrf_from(client, f"{ROOT}/admin/b2b/verifications/{company.id}")
    rejected = await client.post(
        f"{ROOT}/admin/b2b/verifications/{company.id}/reject",
        data={"csrf_token": csrf, "reason": "The licence number does not match the scan."},
    )
    assert rejected.status_code == 303
    await wdb.refresh(company)
    assert company.status == "rejected"
    assert company.reason == "The licence number does not match the scan."
    entry = await wdb.scalar(select(AuditEntry).where(AuditEntry.action == "b2b.reject"))
    assert entry is not None and entry.before["status"] == "pending"
