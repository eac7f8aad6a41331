"""Insurance admin: overview, the approval queue with photos and details, approve / reject /
cancel, plans, and claims review. Reading needs ``insurance.read``; underwriting, plans and
claims have their own permissions. Every change writes an audit row."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from starlette.responses import Response

from mercato.admin.pages import admin_render
from mercato.identity.deps import require_permission
from mercato.insurance import certificate, claims, files, payments, reports, states
from mercato.insurance import service as insurance_service
from mercato.insurance.pages import PRIVATE, _errors_of, _rupees_to_paise, document_response
from mercato.insurance.schemas import PlanIn
from mercato.kit.errors import DomainError, NotFound, ValidationFailed
from mercato.kit.pagination import page_number
from mercato.models import User
from mercato.models.insurance import Claim, Policy, PolicyPlan, PolicyStatus
from mercato.platform import audit
from mercato.web.deps import Db, Runtime
from mercato.web.flash import redirect

router = APIRouter(prefix="/insurance")

Reader = Annotated[User, Depends(require_permission("insurance.read"))]
Underwriter = Annotated[User, Depends(require_permission("insurance.underwrite"))]
PlanWriter = Annotated[User, Depends(require_permission("insurance.plans"))]
ClaimReviewer = Annotated[User, Depends(require_permission("insurance.claims"))]


def _ctx(**values: Any) -> dict[str, Any]:
    return {"policy_label": states.policy_label, "claim_label": states.claim_label, **values}


def _snapshot(policy: Policy) -> dict[str, Any]:
    return {
        "status": policy.status,
        "payment_status": policy.payment_status,
        "policy_number": policy.policy_number,
    }


# --- overview ------------------------------------------------------------------------------


@router.get("")
async def overview(request: Request, db: Db, runtime: Runtime, _: Reader) -> Response:
    numbers = await insurance_service.stats(db)
    start, end = reports.default_period(insurance_service.local_today(runtime))
    trend = await reports.build(
        db, start=start, end=end, timezone=runtime.config.timezone, currency=runtime.config.currency
    )
    return admin_render(
        request,
        "admin/insurance_overview.html",
        _ctx(
            by_status=numbers["policies_by_status"],
            collected=numbers["premium_collected_minor"],
            claims_by_status=numbers["claims_by_status"],
            settled=numbers["claims_settled_minor"],
            ratio=numbers["claims_ratio"],
            statuses=list(PolicyStatus),
            pending=await reports.pending_agent_work(db),
            money_chart=reports.money_chart(trend),
            policy_chart=reports.policy_chart(trend),
        ),
        section="insurance",
    )


# --- policies ------------------------------------------------------------------------------


@router.get("/policies")
async def policy_list(request: Request, db: Db, _: Reader) -> Response:
    status = request.query_params.get("status", "")
    status = status if status in PolicyStatus.__members__ else ""
    page = await insurance_service.admin_list(
        db, status=status, page=page_number(request.query_params.get("page"))
    )
    return admin_render(
        request,
        "admin/insurance_policies.html",
        _ctx(page=page, status=status, statuses=list(PolicyStatus)),
        section="insurance/policies",
    )


async def _policy_page(
    request: Request, db, policy: Policy, errors: dict[str, str] | None = None, status: int = 200
) -> Response:
    return admin_render(
        request,
        "admin/insurance_policy.html",
        _ctx(
            policy=policy,
            plan=await insurance_service.get_plan(db, policy.plan_id, active_only=False),
            photos=await insurance_service.photos_of(db, policy.id),
            payments=await payments.payments_for_policy(db, policy.id),
            claims=await claims.claims_for_policy(db, policy.id),
            has_certificate=certificate.available(policy),
            errors=errors or {},
        ),
        section="insurance/policies",
        status_code=status,
    )


@router.get("/policies/{policy_id:int}")
async def policy_detail(request: Request, policy_id: int, db: Db, _: Reader) -> Response:
    return await _policy_page(request, db, await insurance_service.get_policy(db, policy_id))


@router.get("/policies/{policy_id:int}/photos/{photo_id:int}")
async def policy_photo(
    policy_id: int, photo_id: int, db: Db, runtime: Runtime, _: Reader
) -> Response:
    for photo in await insurance_service.photos_of(db, policy_id):
        if photo.id == photo_id:
            data = await files.read_private(runtime, photo.storage_key)
            return Response(data, media_type=photo.content_type, headers=PRIVATE)
    raise NotFound("We could not find that photo.")


@router.get("/policies/{policy_id:int}/certificate.pdf")
async def policy_certificate(policy_id: int, db: Db, runtime: Runtime, _: Reader) -> Response:
    policy = await insurance_service.get_policy(db, policy_id)
    plan = await insurance_service.get_plan(db, policy.plan_id, active_only=False)
    return certificate.response(runtime, policy, plan)


async def _decide(request: Request, db, policy_id: int, action: str, work) -> Response:
    policy = await insurance_service.get_policy(db, policy_id)
    before = _snapshot(policy)
    try:
        await work()
    except DomainError as exc:
        # The refused change may have left the row half-changed in memory: re-read it.
        await db.refresh(policy)
        return await _policy_page(
            request, db, policy, {exc.field or "status": exc.message}, exc.status_code
        )
    await audit.record(
        db,
        actor=request.state.user,
        action=f"insurance.policy.{action}",
        entity_type="insurance_policy",
        entity_id=policy.id,
        before=before,
        after=_snapshot(policy),
        request=request,
    )
    messages = {
        "approve": f"Policy {policy.policy_number} approved; the customer has been emailed.",
        "reject": "Application rejected and the premium refunded.",
        "cancel": "Policy cancelled.",
    }
    return redirect(request, f"admin/insurance/policies/{policy.id}", messages[action])


@router.post("/policies/{policy_id:int}/approve")
async def approve(
    request: Request, policy_id: int, db: Db, runtime: Runtime, user: Underwriter
) -> Response:
    async def work() -> None:
        await insurance_service.approve(db, runtime, user, policy_id)

    return await _decide(request, db, policy_id, "approve", work)


@router.post("/policies/{policy_id:int}/reject")
async def reject(
    request: Request, policy_id: int, db: Db, runtime: Runtime, user: Underwriter
) -> Response:
    reason = str((await request.form()).get("reason") or "")

    async def work() -> None:
        await insurance_service.reject(db, runtime, user, policy_id, reason)

    return await _decide(request, db, policy_id, "reject", work)


@router.post("/policies/{policy_id:int}/cancel")
async def cancel(
    request: Request, policy_id: int, db: Db, runtime: Runtime, user: Underwriter
) -> Response:
    form = await request.form()
    reason = str(form.get("reason") or "")
    refund = form.get("refund") == "yes"

    async def work() -> None:
        policy = await insurance_service.get_policy(db, policy_id, lock=True)
        if len(" ".join(reason.split())) < 5:
            raise ValidationFailed("Give a reason (at least 5 characters).", field="cancel_reason")
        await insurance_service.cancel(db, runtime, policy, reason, refund=refund)

    return await _decide(request, db, policy_id, "cancel", work)


# --- plans ---------------------------------------------------------------------------------


@router.get("/plans")
async def plan_list(request: Request, db: Db, _: Reader) -> Response:
    plans = await insurance_service.list_plans(db, active_only=False)
    return admin_render(
        request,
        "admin/insurance_plans.html",
        _ctx(plans=plans, premium_of=insurance_service.premium_of),
        section="insurance/plans",
    )


def _plan_form(plan: PolicyPlan | None) -> dict[str, Any]:
    if plan is None:
        return {"duration_months": "12", "disease_waiting_days": "15", "is_active": "yes"}
    return {
        "name": plan.name,
        "description": plan.description,
        "cattle_type": plan.cattle_type,
        "min_age": str(plan.min_age),
        "max_age": str(plan.max_age),
        "coverage": f"{plan.coverage_minor / 100:.2f}",
        "premium": f"{plan.premium_minor / 100:.2f}" if plan.premium_minor else "",
        "rate": f"{plan.premium_rate_bp / 100:.2f}" if plan.premium_rate_bp else "",
        "duration_months": str(plan.duration_months),
        "features": "\n".join(str(f) for f in plan.features),
        "disease_waiting_days": str(plan.disease_waiting_days),
        "is_active": "yes" if plan.is_active else "",
    }


def _plan_page(request, plan, form, errors, status: int = 200) -> Response:
    return admin_render(
        request,
        "admin/insurance_plan_form.html",
        _ctx(plan=plan, form=form, errors=errors),
        section="insurance/plans",
        status_code=status,
    )


@router.get("/plans/new")
async def plan_new(request: Request, _: PlanWriter) -> Response:
    return _plan_page(request, None, _plan_form(None), {})


@router.get("/plans/{plan_id:int}")
async def plan_edit(request: Request, plan_id: int, db: Db, _: PlanWriter) -> Response:
    plan = await insurance_service.get_plan(db, plan_id, active_only=False)
    return _plan_page(request, plan, _plan_form(plan), {})


def _percent_to_bp(value: str) -> int | None:
    # "3.75" % is 375 basis points: the same two decimals as rupees to paise.
    return _rupees_to_paise(value)


@router.post("/plans/new")
async def plan_create(request: Request, db: Db, user: PlanWriter) -> Response:
    return await _plan_save(request, db, user, None)


@router.post("/plans/{plan_id:int}")
async def plan_update(request: Request, plan_id: int, db: Db, user: PlanWriter) -> Response:
    plan = await insurance_service.get_plan(db, plan_id, active_only=False)
    return await _plan_save(request, db, user, plan)


async def _plan_save(request: Request, db, user: User, plan: PolicyPlan | None) -> Response:
    raw = await request.form()
    form = {k: str(v) for k, v in raw.items() if k != "csrf_token"}
    errors: dict[str, str] = {}
    coverage = _rupees_to_paise(form.get("coverage", ""))
    premium = _rupees_to_paise(form.get("premium", "")) if form.get("premium", "").strip() else None
    rate = _percent_to_bp(form.get("rate", "")) if form.get("rate", "").strip() else None
    if coverage is None:
        errors["coverage_minor"] = "Enter the coverage in rupees."
    if form.get("premium", "").strip() and premium is None:
        errors["premium_minor"] = "Enter the premium in rupees."
    if form.get("rate", "").strip() and rate is None:
        errors["premium_rate_bp"] = "Enter the rate as a percentage, e.g. 3.75."
    if not errors:
        try:
            data = PlanIn.model_validate(
                {
                    "name": form.get("name", ""),
                    "description": form.get("description", ""),
                    "cattle_type": form.get("cattle_type", ""),
                    "min_age": form.get("min_age", ""),
                    "max_age": form.get("max_age", ""),
                    "coverage_minor": coverage,
                    "premium_minor": premium,
                    "premium_rate_bp": rate,
                    "duration_months": form.get("duration_months", ""),
                    "features": form.get("features", "").splitlines(),
                    "disease_waiting_days": form.get("disease_waiting_days") or 0,
                    "is_active": form.get("is_active") == "yes",
                }
            )
            before = _plan_form(plan) if plan else None
            saved = await insurance_service.save_plan(db, data, plan)
            await audit.record(
                db,
                actor=user,
                action="insurance.plan.save",
                entity_type="insurance_plan",
                entity_id=saved.id,
                before=before,
                after=_plan_form(saved),
                request=request,
            )
            return redirect(request, "admin/insurance/plans", f"Plan “{saved.name}” saved.")
        except ValidationError as exc:
            errors = _errors_of(exc)
        except DomainError as exc:
            errors = {exc.field or "name": exc.message}
    return _plan_page(request, plan, form, errors, 422)


# --- claims --------------------------------------------------------------------------------


@router.get("/claims")
async def claim_list(request: Request, db: Db, _: Reader) -> Response:
    status = request.query_params.get("status", "")
    status = status if status in states.CLAIM_LABELS else ""
    page = await claims.admin_list(
        db, status=status, page=page_number(request.query_params.get("page"))
    )
    return admin_render(
        request,
        "admin/insurance_claims.html",
        _ctx(page=page, status=status, statuses=list(states.CLAIM_LABELS)),
        section="insurance/claims",
    )


async def _claim_page(request, db, claim_id: int, errors=None, status: int = 200) -> Response:
    claim = await db.get(Claim, claim_id)
    if claim is None:
        raise NotFound("We could not find that claim.")
    policy = await db.get(Policy, claim.policy_id)
    return admin_render(
        request,
        "admin/insurance_claim.html",
        _ctx(
            claim=claim,
            policy=policy,
            documents=await claims.documents_of(db, claim.id),
            moves=sorted(states.CLAIM_MOVES.get(claim.status, ())),
            errors=errors or {},
        ),
        section="insurance/claims",
        status_code=status,
    )


@router.get("/claims/{claim_id:int}")
async def claim_detail(request: Request, claim_id: int, db: Db, _: Reader) -> Response:
    return await _claim_page(request, db, claim_id)


@router.get("/claims/{claim_id:int}/documents/{document_id:int}")
async def claim_document(
    claim_id: int, document_id: int, db: Db, runtime: Runtime, _: Reader
) -> Response:
    return await document_response(db, runtime, claim_id, document_id)


@router.post("/claims/{claim_id:int}/status")
async def claim_status(
    request: Request, claim_id: int, db: Db, runtime: Runtime, user: ClaimReviewer
) -> Response:
    form = await request.form()
    to = str(form.get("status") or "")
    settled_raw = str(form.get("settled") or "")
    settled = _rupees_to_paise(settled_raw) if settled_raw.strip() else None
    claim = await db.get(Claim, claim_id)
    before = {"status": claim.status} if claim else None
    try:
        if to == "documents":
            await claims.request_documents(
                db, runtime, user, claim_id, str(form.get("message") or "")
            )
        else:
            await claims.set_status(
                db,
                runtime,
                user,
                claim_id,
                to,
                settled_minor=settled,
                reason=str(form.get("reason") or ""),
                payout_reference=str(form.get("payout_reference") or ""),
            )
    except DomainError as exc:
        if claim is not None:
            await db.refresh(claim)
        return await _claim_page(
            request, db, claim_id, {exc.field or "status": exc.message}, exc.status_code
        )
    assert claim is not None
    await audit.record(
        db,
        actor=user,
        action=f"insurance.claim.{to}",
        entity_type="insurance_claim",
        entity_id=claim_id,
        before=before,
        after={"status": claim.status, "settled_minor": claim.settled_minor},
        request=request,
    )
    return redirect(request, f"admin/insurance/claims/{claim_id}", "Claim updated.")
