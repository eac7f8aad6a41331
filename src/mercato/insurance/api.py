"""The seed's insurance endpoints under ``/<store>/api/v1``: plans and the premium
calculator (public), policies and payments (the customer's access token; a selling agent
reads the policies it sold), underwriting (``insurance.read``/``insurance.underwrite``),
claims, and the Razorpay webhook (authenticated by its signature only).

Another person's policy, payment or claim is a 404, never a 403."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from mercato.identity.api_deps import ApiPrincipal, Principal
from mercato.insurance import certificate, claims, files, gateways, payments
from mercato.insurance import service as insurance_service
from mercato.insurance.schemas import (
    ApplicationIn,
    ClaimFileIn,
    ClaimOut,
    ClaimStatusIn,
    DecisionIn,
    DocumentIn,
    DocumentOut,
    PaymentOut,
    PaymentStartIn,
    PaymentStartOut,
    PaymentStartWithPolicy,
    PhotoOut,
    PlanOut,
    PolicyOut,
    PolicyStatusIn,
    QuoteOut,
    StatsOut,
    VerifyIn,
)
from mercato.kit.errors import NotFound, PermissionDenied
from mercato.models import User
from mercato.models.insurance import Claim, Policy, PolicyPayment, PolicyPlan
from mercato.web.deps import Db, Runtime

router = APIRouter(tags=["insurance"])


def _person(principal: ApiPrincipal) -> User:
    """Customer endpoints act for a person: an access token, not an integration's key."""
    if principal.via != "token":
        raise PermissionDenied("Use a customer's access token for this endpoint.")
    return principal.user


def _require(principal: ApiPrincipal, permission: str) -> User:
    if not principal.can(permission):
        raise PermissionDenied(f"This needs the {permission!r} permission.")
    return principal.user


def plan_out(plan: PolicyPlan) -> PlanOut:
    return PlanOut(
        id=plan.id,
        name=plan.name,
        description=plan.description,
        cattle_type=plan.cattle_type,
        min_age=plan.min_age,
        max_age=plan.max_age,
        coverage_minor=plan.coverage_minor,
        premium_minor=insurance_service.premium_of(plan),
        premium_rate_bp=plan.premium_rate_bp,
        currency=plan.currency,
        duration_months=plan.duration_months,
        features=[str(f) for f in plan.features],
        disease_waiting_days=plan.disease_waiting_days,
        is_active=plan.is_active,
    )


async def policy_out(db, runtime, policy: Policy) -> PolicyOut:
    photos = await insurance_service.photos_of(db, policy.id)
    base = f"api/v1/policies/{policy.id}"
    out = PolicyOut.model_validate(policy, from_attributes=True)
    out.photos = [
        PhotoOut(id=p.id, url=runtime.path(f"{base}/photos/{p.id}"), width=p.width, height=p.height)
        for p in photos
    ]
    if certificate.available(policy):
        out.certificate_url = runtime.path(f"{base}/certificate.pdf")
    return out


def payment_out(payment: PolicyPayment) -> PaymentOut:
    return PaymentOut(
        id=payment.id,
        policy_id=payment.policy_id,
        provider=payment.provider,
        order_id=payment.order_ref,
        payment_id=payment.payment_id,
        amount=payment.amount,
        currency=payment.currency,
        status=payment.status,
        method=payment.method,
        paid_at=payment.paid_at,
        refunded_at=payment.refunded_at,
        created_at=payment.created_at,
    )


async def claim_out(db, claim: Claim) -> ClaimOut:
    out = ClaimOut.model_validate(claim, from_attributes=True)
    out.documents = [
        DocumentOut.model_validate(d, from_attributes=True)
        for d in await claims.documents_of(db, claim.id)
    ]
    return out


# --- plans ---------------------------------------------------------------------------------


@router.get("/plans", response_model=list[PlanOut])
async def list_plans(db: Db) -> list[PlanOut]:
    return [plan_out(p) for p in await insurance_service.list_plans(db)]


@router.get("/plans/{plan_id}", response_model=PlanOut)
async def get_plan(plan_id: int, db: Db) -> PlanOut:
    return plan_out(await insurance_service.get_plan(db, plan_id))


@router.get("/plans/{plan_id}/quote", response_model=QuoteOut)
async def quote(
    plan_id: int,
    db: Db,
    cattle_type: Annotated[str | None, Query(pattern="^(cow|buffalo)$")] = None,
    age: Annotated[int | None, Query(ge=0, le=30)] = None,
) -> QuoteOut:
    """The premium calculator: what this plan costs and whether this animal qualifies."""
    plan = await insurance_service.get_plan(db, plan_id)
    reasons = insurance_service.eligibility(plan, cattle_type, age)
    return QuoteOut(
        plan_id=plan.id,
        eligible=not reasons,
        reasons=reasons,
        coverage_minor=plan.coverage_minor,
        premium_minor=insurance_service.premium_of(plan),
        currency=plan.currency,
        duration_months=plan.duration_months,
    )


# --- policies ------------------------------------------------------------------------------


@router.post("/policies", response_model=PolicyOut, status_code=201)
async def create_policy(
    body: ApplicationIn, principal: Principal, db: Db, runtime: Runtime
) -> PolicyOut:
    """Apply for a policy (customer or agent): photos base64-encoded, at least two."""
    user = _person(principal)
    uploads = [
        files.Upload(files.from_base64(p.data, field=f"photos.{i}"), p.filename)
        for i, p in enumerate(body.photos)
    ]
    policy = await insurance_service.apply(db, runtime, user, body, uploads)
    return await policy_out(db, runtime, policy)


@router.get("/policies", response_model=list[PolicyOut])
async def my_policies(principal: Principal, db: Db, runtime: Runtime) -> list[PolicyOut]:
    user = _person(principal)
    return [
        await policy_out(db, runtime, p) for p in await insurance_service.policies_of(db, user.id)
    ]


@router.get("/policies/admin/pending", response_model=list[PolicyOut])
async def pending_policies(principal: Principal, db: Db, runtime: Runtime) -> list[PolicyOut]:
    _require(principal, "insurance.read")
    page = await insurance_service.admin_list(db, status="PENDING_APPROVAL", per_page=100)
    return [await policy_out(db, runtime, p) for p in page.items]


@router.get("/admin/policies", response_model=list[PolicyOut])
async def all_policies(
    principal: Principal,
    db: Db,
    runtime: Runtime,
    status: Annotated[str, Query(max_length=20)] = "",
    page: Annotated[int, Query(ge=1)] = 1,
) -> list[PolicyOut]:
    _require(principal, "insurance.read")
    listing = await insurance_service.admin_list(db, status=status.upper(), page=page)
    return [await policy_out(db, runtime, p) for p in listing.items]


@router.get("/admin/policies/{policy_id}", response_model=PolicyOut)
async def admin_policy(policy_id: int, principal: Principal, db: Db, runtime: Runtime) -> PolicyOut:
    _require(principal, "insurance.read")
    return await policy_out(db, runtime, await insurance_service.get_policy(db, policy_id))


@router.patch("/admin/policies/{policy_id}/status", response_model=PolicyOut)
async def admin_policy_status(
    policy_id: int, body: PolicyStatusIn, principal: Principal, db: Db, runtime: Runtime
) -> PolicyOut:
    """The seed's admin status change: APPROVED, REJECTED (reason, refund) or CANCELLED
    (reason; ``refund`` gives the premium back)."""
    actor = _require(principal, "insurance.underwrite")
    if body.status == "APPROVED":
        policy = await insurance_service.approve(db, runtime, actor, policy_id)
    elif body.status == "REJECTED":
        policy = await insurance_service.reject(db, runtime, actor, policy_id, body.reason)
    else:
        policy = await insurance_service.get_policy(db, policy_id, lock=True)
        await insurance_service.cancel(
            db, runtime, policy, body.reason or "Cancelled by the insurer.", refund=body.refund
        )
    return await policy_out(db, runtime, policy)


@router.get("/admin/insurance-stats", response_model=StatsOut)
async def insurance_stats(principal: Principal, db: Db) -> StatsOut:
    """Policies by status, premium collected and the claims ratio (admin dashboard)."""
    _require(principal, "insurance.read")
    return StatsOut(**await insurance_service.stats(db))


async def _readable_policy(db, principal: ApiPrincipal, policy_id: int) -> Policy:
    if principal.can("insurance.read"):
        return await insurance_service.get_policy(db, policy_id)
    return await insurance_service.policy_for(db, _person(principal), policy_id)


@router.get("/policies/{policy_id}", response_model=PolicyOut)
async def get_policy(policy_id: int, principal: Principal, db: Db, runtime: Runtime) -> PolicyOut:
    return await policy_out(db, runtime, await _readable_policy(db, principal, policy_id))


@router.get("/policies/{policy_id}/photos/{photo_id}", include_in_schema=False)
async def policy_photo(
    policy_id: int, photo_id: int, principal: Principal, db: Db, runtime: Runtime
) -> Response:
    policy = await _readable_policy(db, principal, policy_id)
    for photo in await insurance_service.photos_of(db, policy.id):
        if photo.id == photo_id:
            data = await files.read_private(runtime, photo.storage_key)
            return Response(data, media_type=photo.content_type, headers=_private())
    raise NotFound("We could not find that photo.")


@router.get("/policies/{policy_id}/certificate.pdf", include_in_schema=False)
async def policy_certificate(
    policy_id: int, principal: Principal, db: Db, runtime: Runtime
) -> Response:
    policy = await _readable_policy(db, principal, policy_id)
    plan = await insurance_service.get_plan(db, policy.plan_id, active_only=False)
    return certificate.response(runtime, policy, plan)


@router.post("/policies/{policy_id}/cancel", response_model=PolicyOut)
async def cancel_policy(
    policy_id: int, body: DecisionIn, principal: Principal, db: Db, runtime: Runtime
) -> PolicyOut:
    """The customer withdraws an application before paying."""
    user = _person(principal)
    policy = await insurance_service.policy_for(db, user, policy_id, lock=True)
    if policy.customer_id != user.id or policy.status != "PENDING":
        raise PermissionDenied("Only an unpaid application can be withdrawn by its customer.")
    await insurance_service.cancel(db, runtime, policy, body.reason or "Withdrawn.", refund=False)
    return await policy_out(db, runtime, policy)


@router.patch("/policies/{policy_id}/approve", response_model=PolicyOut)
async def approve_policy(
    policy_id: int, principal: Principal, db: Db, runtime: Runtime
) -> PolicyOut:
    actor = _require(principal, "insurance.underwrite")
    policy = await insurance_service.approve(db, runtime, actor, policy_id)
    return await policy_out(db, runtime, policy)


@router.patch("/policies/{policy_id}/reject", response_model=PolicyOut)
async def reject_policy(
    policy_id: int, body: DecisionIn, principal: Principal, db: Db, runtime: Runtime
) -> PolicyOut:
    actor = _require(principal, "insurance.underwrite")
    policy = await insurance_service.reject(db, runtime, actor, policy_id, body.reason)
    return await policy_out(db, runtime, policy)


@router.patch("/policies/{policy_id}/payment-complete", response_model=PaymentOut)
async def payment_complete(
    policy_id: int, body: VerifyIn, principal: Principal, db: Db, runtime: Runtime
) -> PaymentOut:
    """The seed's "update after payment": the same signature check as /payments/verify."""
    user = _person(principal)
    await insurance_service.policy_for(db, user, policy_id)
    payment, _ = await payments.verify_checkout(
        db,
        runtime,
        user,
        body.razorpay_order_id,
        body.razorpay_payment_id,
        body.razorpay_signature,
    )
    if payment.policy_id != policy_id:
        raise NotFound("We could not find that payment.", field="razorpay_order_id")
    return payment_out(payment)


# --- payments ------------------------------------------------------------------------------


async def _open_order(db, runtime, principal: ApiPrincipal, policy_id: int, provider: str):
    user = _person(principal)
    policy = await insurance_service.policy_for(db, user, policy_id, lock=True)
    payment = await payments.start(db, runtime, user, policy, provider)
    return PaymentStartOut(
        payment_id=payment.id,
        provider=payment.provider,
        order_id=payment.order_ref,
        amount=payment.amount,
        currency=payment.currency,
        key_id=gateways.razorpay_settings().key_id if payment.provider == "razorpay" else "",
        checkout_url=runtime.absolute_url(f"insurance/sandbox/{payment.order_ref}")
        if payment.provider == "sandbox"
        else "",
    )


@router.post("/policies/{policy_id}/payments", response_model=PaymentStartOut, status_code=201)
async def pay_policy(
    policy_id: int, body: PaymentStartIn, principal: Principal, db: Db, runtime: Runtime
) -> PaymentStartOut:
    """Open a Razorpay order (or a sandbox checkout) for the policy's premium."""
    return await _open_order(db, runtime, principal, policy_id, body.provider)


@router.post("/payments/create-order", response_model=PaymentStartOut, status_code=201)
async def create_order(
    body: PaymentStartWithPolicy, principal: Principal, db: Db, runtime: Runtime
) -> PaymentStartOut:
    """The seed's create-order: the same, with the policy in the body."""
    return await _open_order(db, runtime, principal, body.policy_id, body.provider)


@router.post("/payments/verify", response_model=PaymentOut)
async def verify_payment(
    body: VerifyIn, principal: Principal, db: Db, runtime: Runtime
) -> PaymentOut:
    """Razorpay Checkout's success values; credited only if the signature verifies."""
    user = _person(principal)
    payment, _ = await payments.verify_checkout(
        db,
        runtime,
        user,
        body.razorpay_order_id,
        body.razorpay_payment_id,
        body.razorpay_signature,
    )
    return payment_out(payment)


@router.get("/payments/history", response_model=list[PaymentOut])
async def payment_history(principal: Principal, db: Db) -> list[PaymentOut]:
    user = _person(principal)
    return [payment_out(p) for p in await payments.payments_of(db, user.id)]


@router.post("/payments/webhook", include_in_schema=True)
async def razorpay_webhook(request: Request, db: Db, runtime: Runtime) -> JSONResponse:
    """Razorpay's webhook (``payment.captured``, ``payment.failed``), verified by
    ``X-Razorpay-Signature``; each event id is applied once."""
    if "razorpay" not in runtime.config.payment_providers:
        raise NotFound("We could not find that page.")
    body = await request.body()
    try:
        outcome = await payments.handle_webhook(db, runtime, "razorpay", body, request.headers)
    except payments.WebhookRejected:
        return JSONResponse({"detail": "The signature does not verify."}, status_code=400)
    return JSONResponse({"received": True, "outcome": outcome})


# --- claims --------------------------------------------------------------------------------


def _documents(items: list[DocumentIn], field: str = "documents") -> list[tuple[str, files.Upload]]:
    return [
        (d.kind, files.Upload(files.from_base64(d.data, field=f"{field}.{i}"), d.filename))
        for i, d in enumerate(items)
    ]


@router.post("/claims", response_model=ClaimOut, status_code=201)
async def file_claim(body: ClaimFileIn, principal: Principal, db: Db, runtime: Runtime) -> ClaimOut:
    user = _person(principal)
    claim = await claims.file_claim(db, runtime, user, body, _documents(body.documents))
    return await claim_out(db, claim)


@router.get("/claims", response_model=list[ClaimOut])
async def my_claims(principal: Principal, db: Db) -> list[ClaimOut]:
    user = _person(principal)
    return [await claim_out(db, c) for c in await claims.claims_of(db, user.id)]


@router.get("/claims/{claim_id}", response_model=ClaimOut)
async def get_claim(claim_id: int, principal: Principal, db: Db) -> ClaimOut:
    if principal.can("insurance.claims"):
        claim = await db.get(Claim, claim_id)
        if claim is None:
            raise NotFound("We could not find that claim.", field="claim_id")
    else:
        claim, _ = await claims.claim_for(db, _person(principal), claim_id)
    return await claim_out(db, claim)


@router.post("/claims/{claim_id}/documents", response_model=ClaimOut)
async def add_claim_documents(
    claim_id: int, body: list[DocumentIn], principal: Principal, db: Db, runtime: Runtime
) -> ClaimOut:
    user = _person(principal)
    claim = await claims.add_documents(db, runtime, user, claim_id, _documents(body, "body"))
    return await claim_out(db, claim)


@router.patch("/claims/{claim_id}/status", response_model=ClaimOut)
async def claim_status(
    claim_id: int, body: ClaimStatusIn, principal: Principal, db: Db, runtime: Runtime
) -> ClaimOut:
    actor = _require(principal, "insurance.claims")
    claim = await claims.set_status(
        db,
        runtime,
        actor,
        claim_id,
        body.status,
        settled_minor=body.settled_minor,
        reason=body.reason,
        payout_reference=body.payout_reference,
    )
    return await claim_out(db, claim)


def _private() -> dict[str, str]:
    return {"cache-control": "private, no-store", "x-content-type-options": "nosniff"}
