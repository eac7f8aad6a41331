"""Claims on approved policies: filing (type, incident in the policy period, amount up to
the coverage, the plan's disease waiting period, documents), review with requests for more
documents, approval with a settled amount or rejection with a reason, then payment. Every
step tells the customer (and the selling agent)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from mercato.insurance import files, notices, states
from mercato.insurance import service as insurance_service
from mercato.insurance.schemas import ClaimIn
from mercato.kit.errors import Conflict, NotFound, ValidationFailed
from mercato.kit.pagination import Page, paginate
from mercato.kit.time import utcnow
from mercato.models import User
from mercato.models.insurance import Claim, ClaimDocument, ClaimStatus, Policy, PolicyStatus

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from mercato.platform.runtime import StoreRuntime

OPEN = (ClaimStatus.PENDING.value, ClaimStatus.UNDER_REVIEW.value)
DOCUMENT_HINTS = {
    "death": "a vet certificate and the post-mortem report",
    "injury": "a vet certificate",
    "theft": "the police report (FIR)",
    "disease": "a vet certificate",
}


async def _save_documents(
    db: AsyncSession,
    runtime: StoreRuntime,
    claim: Claim,
    user: User,
    documents: list[tuple[str, files.Upload]],
    field: str = "documents",
) -> None:
    checked = [
        (kind, upload, files.check_document(upload, f"{field}.{i}"))
        for i, (kind, upload) in enumerate(documents)
    ]
    for kind, upload, clean in checked:
        stored = await files.save_document(
            files.private_storage(runtime), upload, clean, f"claims/{claim.id}"
        )
        db.add(
            ClaimDocument(
                claim_id=claim.id,
                kind=kind,
                storage_key=stored.key,
                content_type=stored.content_type,
                filename=" ".join(upload.filename.split())[:200],
                size=stored.size,
                uploaded_by=user.id,
            )
        )
    await db.flush()


async def file_claim(
    db: AsyncSession,
    runtime: StoreRuntime,
    user: User,
    data: ClaimIn,
    documents: list[tuple[str, files.Upload]],
) -> Claim:
    policy = await insurance_service.policy_for(db, user, data.policy_id)
    today = insurance_service.local_today(runtime)
    if policy.status != PolicyStatus.APPROVED or not policy.start_date or not policy.end_date:
        raise ValidationFailed("Claims are filed on an active policy.", field="policy_id")
    if not policy.start_date <= data.incident_date <= policy.end_date:
        raise ValidationFailed(
            f"The incident must fall within the policy period ({policy.start_date:%d %b %Y} "
            f"to {policy.end_date:%d %b %Y}).",
            field="incident_date",
        )
    if data.incident_date > today:
        raise ValidationFailed("The incident date cannot be in the future.", field="incident_date")
    if data.claim_type == "disease":
        covered_from = policy.start_date + timedelta(days=policy.disease_waiting_days)
        if data.incident_date < covered_from:
            raise ValidationFailed(
                f"Disease is covered from {covered_from:%d %b %Y} "
                f"({policy.disease_waiting_days} days' waiting period).",
                field="incident_date",
            )
    if data.amount_minor > policy.coverage_minor:
        raise ValidationFailed(
            "The amount claimed is more than the policy covers "
            f"({insurance_service.money(runtime, policy.coverage_minor, policy.currency)}).",
            field="amount_minor",
        )
    if not documents:
        raise ValidationFailed(
            f"Attach the documents for this claim: {DOCUMENT_HINTS[data.claim_type]}.",
            field="documents",
        )
    claim = Claim(
        policy_id=policy.id,
        customer_id=policy.customer_id,
        filed_by=user.id,
        claim_type=data.claim_type,
        incident_date=data.incident_date,
        amount_minor=data.amount_minor,
        currency=policy.currency,
        description=data.description.strip(),
        status=ClaimStatus.PENDING.value,
    )
    db.add(claim)
    await db.flush()
    claim.claim_number = f"CLM-{today.year}-{claim.id:06d}"
    await _save_documents(db, runtime, claim, user, documents)
    await _tell(db, runtime, policy, claim, "received")
    await notices.notify_staff(
        db,
        runtime,
        f"New {claim.claim_type} claim {claim.claim_number}",
        f"Policy {policy.policy_number}, {policy.owner_name}.",
        f"admin/insurance/claims/{claim.id}",
    )
    return claim


async def claim_for(db: AsyncSession, user: User, claim_id: int) -> tuple[Claim, Policy]:
    """The claim if ``user`` is its customer or the policy's agent; NotFound otherwise."""
    claim = await db.get(Claim, claim_id)
    policy = await db.get(Policy, claim.policy_id) if claim else None
    if claim is None or policy is None or user.id not in (claim.customer_id, policy.agent_user_id):
        raise NotFound("We could not find that claim.", field="claim_id")
    return claim, policy


async def claims_of(db: AsyncSession, user_id: int) -> list[Claim]:
    return list(
        await db.scalars(
            select(Claim)
            .where(Claim.customer_id == user_id)
            .order_by(Claim.created_at.desc(), Claim.id.desc())
        )
    )


async def claims_for_policy(db: AsyncSession, policy_id: int) -> list[Claim]:
    return list(
        await db.scalars(select(Claim).where(Claim.policy_id == policy_id).order_by(Claim.id))
    )


async def documents_of(db: AsyncSession, claim_id: int) -> list[ClaimDocument]:
    return list(
        await db.scalars(
            select(ClaimDocument)
            .where(ClaimDocument.claim_id == claim_id)
            .order_by(ClaimDocument.id)
        )
    )


async def admin_list(
    db: AsyncSession, *, status: str = "", page: int = 1, per_page: int = 25
) -> Page[Claim]:
    stmt = select(Claim).order_by(Claim.created_at.desc(), Claim.id.desc())
    if status:
        stmt = stmt.where(Claim.status == status)
    return await paginate(db, stmt, page, per_page, clamp=True)


async def add_documents(
    db: AsyncSession,
    runtime: StoreRuntime,
    user: User,
    claim_id: int,
    documents: list[tuple[str, files.Upload]],
) -> Claim:
    claim, policy = await claim_for(db, user, claim_id)
    if claim.status not in OPEN:
        raise Conflict("Documents are added while a claim is open.", field="documents")
    if not documents:
        raise ValidationFailed("Choose at least one file.", field="documents")
    await _save_documents(db, runtime, claim, user, documents)
    if claim.documents_requested:
        claim.documents_requested = ""
        await notices.notify_staff(
            db,
            runtime,
            f"Documents added to claim {claim.claim_number}",
            "The customer answered the request for documents.",
            f"admin/insurance/claims/{claim.id}",
        )
    await db.flush()
    return claim


async def _locked(db: AsyncSession, claim_id: int) -> tuple[Claim, Policy]:
    claim = await db.scalar(
        select(Claim)
        .where(Claim.id == claim_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if claim is None:
        raise NotFound("We could not find that claim.", field="claim_id")
    policy = await db.get(Policy, claim.policy_id)
    assert policy is not None
    return claim, policy


async def request_documents(
    db: AsyncSession, runtime: StoreRuntime, actor: User, claim_id: int, message: str
) -> Claim:
    message = " ".join(message.split())
    if len(message) < 5:
        raise ValidationFailed("Say which documents are needed.", field="message")
    claim, policy = await _locked(db, claim_id)
    if claim.status not in OPEN:
        raise Conflict("Documents can be requested while a claim is open.", field="message")
    if claim.status == ClaimStatus.PENDING:
        states.move_claim(claim, ClaimStatus.UNDER_REVIEW)
        claim.reviewed_by, claim.reviewed_at = actor.id, utcnow()
    claim.documents_requested = message[:500]
    await db.flush()
    await _tell(db, runtime, policy, claim, "documents", note=message)
    return claim


async def set_status(
    db: AsyncSession,
    runtime: StoreRuntime,
    actor: User,
    claim_id: int,
    to: str,
    *,
    settled_minor: int | None = None,
    reason: str = "",
    payout_reference: str = "",
) -> Claim:
    claim, policy = await _locked(db, claim_id)
    reason = " ".join(reason.split())
    settled_ok = settled_minor is not None and 0 < settled_minor <= claim.amount_minor
    if to == ClaimStatus.APPROVED and not settled_ok:
        raise ValidationFailed(
            "The settled amount is more than zero and at most the amount claimed.",
            field="settled_minor",
        )
    if to == ClaimStatus.REJECTED and len(reason) < 5:
        raise ValidationFailed("Tell the customer why (at least 5 characters).", field="reason")
    states.move_claim(claim, to)
    now = utcnow()
    if to == ClaimStatus.UNDER_REVIEW or claim.reviewed_by is None:
        claim.reviewed_by, claim.reviewed_at = actor.id, now
    if to == ClaimStatus.APPROVED:
        claim.settled_minor = settled_minor
        claim.documents_requested = ""
    elif to == ClaimStatus.REJECTED:
        claim.rejection_reason = reason[:500]
        claim.documents_requested = ""
    elif to == ClaimStatus.PAID:
        claim.paid_at = now
        claim.payout_reference = " ".join(payout_reference.split())[:100]
    await db.flush()
    await _tell(db, runtime, policy, claim, to, note=reason)
    return claim


_MESSAGES = {
    "received": ("Claim {n} received", "We have your {t} claim and will review it shortly."),
    "documents": ("More documents needed for claim {n}", "Our reviewer asks: {note}"),
    "under_review": ("Claim {n} is under review", "A reviewer is looking at your claim."),
    "approved": ("Claim {n} approved", "We will pay {amount}; you will hear when it is sent."),
    "rejected": ("Claim {n} rejected", "Reason: {note}"),
    "paid": ("Claim {n} paid", "{amount} has been paid to you."),
}


async def _tell(
    db: AsyncSession, runtime: StoreRuntime, policy: Policy, claim: Claim, step: str, note: str = ""
) -> None:
    title, body = _MESSAGES[step]
    amount = insurance_service.money(
        runtime, claim.settled_minor or claim.amount_minor, claim.currency
    )
    title = title.format(n=claim.claim_number)
    body = body.format(t=claim.claim_type, note=note, amount=amount)
    link = f"account/claims/{claim.id}"
    kind = {"rejected": "warning", "documents": "warning", "paid": "success"}.get(step, "info")
    await notices.notify_user(db, runtime, claim.customer_id, title, body, link, kind)
    if policy.agent_user_id and policy.agent_user_id != claim.customer_id:
        await notices.notify_user(db, runtime, policy.agent_user_id, title, body, link, kind)
    await notices.email(
        db,
        runtime,
        to=policy.owner_email,
        name=policy.owner_name,
        subject=title,
        paragraphs=[body],
        link=link,
        link_label="See your claim",
    )
