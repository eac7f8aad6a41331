"""Insurance pages: plans with the premium calculator, the application form, the
customer's policies, payments and claims, and the sandbox's hosted card page. Forms work
without JavaScript; errors are shown by their field (the API's field paths)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from mercato.identity.deps import CurrentUser
from mercato.insurance import certificate, claims, files, gateways, payments, states
from mercato.insurance import service as insurance_service
from mercato.insurance.schemas import ApplicationIn, ClaimIn
from mercato.kit.errors import DomainError, NotFound, ValidationFailed, validation_message
from mercato.models.insurance import PolicyStatus
from mercato.web.deps import Db, Runtime
from mercato.web.flash import redirect
from mercato.web.templating import render

router = APIRouter()
MAX_FILES = 10

CATTLE_FIELDS = ("type", "ear_tag", "age", "breed", "gender", "milk_yield", "health_status")
OWNER_FIELDS = ("name", "email", "phone", "address", "city", "state", "pincode")


# Plainer words than pydantic's for the mistakes people make in forms.
FRIENDLY = {
    "literal_error": "Choose one of the options.",
    "int_parsing": "Enter a whole number.",
    "decimal_parsing": "Enter a number, e.g. 12.5.",
    "date_from_datetime_parsing": "Enter a date.",
    "date_parsing": "Enter a date.",
}


def _errors_of(exc: ValidationError) -> dict[str, str]:
    out: dict[str, str] = {}
    for error in exc.errors():
        key = ".".join(str(p) for p in error.get("loc", ()))
        kind = str(error.get("type", ""))
        message = validation_message(error)
        if error.get("input") in ("", None) and kind != "value_error":
            message = "Please fill in this field."
        else:
            message = FRIENDLY.get(kind, message)
        out.setdefault(key or "form", message)
    return out


async def _uploads(form: Any, name: str) -> list[files.Upload]:
    found = []
    for item in form.getlist(name)[:MAX_FILES]:
        if isinstance(item, UploadFile) and item.filename:
            data = await item.read(files.MAX_DOCUMENT_BYTES + 1)
            if data:
                found.append(files.Upload(data, item.filename))
    return found


def _context(**values: Any) -> dict[str, Any]:
    return {"policy_label": states.policy_label, "claim_label": states.claim_label, **values}


# --- plans and calculator ------------------------------------------------------------------


@router.get("/insurance/plans")
async def plans_page(request: Request, db: Db) -> Response:
    query = request.query_params
    cattle_type = (
        query.get("cattle_type") if query.get("cattle_type") in ("cow", "buffalo") else None
    )
    try:
        age = int(query["age"]) if query.get("age", "").strip() else None
    except ValueError:
        age = None
    age_error = "" if age is None or 0 <= age <= 30 else "Enter an age from 0 to 30 years."
    if age_error:
        age = None
    plans = await insurance_service.list_plans(db)
    quotes = {
        p.id: {
            "premium": insurance_service.premium_of(p),
            "reasons": insurance_service.eligibility(p, cattle_type, age),
        }
        for p in plans
    }
    return render(
        request,
        "insurance/plans.html",
        _context(
            plans=plans,
            quotes=quotes,
            checked=cattle_type is not None or age is not None,
            form={"cattle_type": cattle_type or "", "age": query.get("age", "")},
            age_error=age_error,
        ),
    )


# --- applying ------------------------------------------------------------------------------


async def _apply_page(
    request: Request, db, user, form: dict[str, Any], errors: dict[str, str], status: int = 200
) -> Response:
    return render(
        request,
        "insurance/apply.html",
        _context(
            plans=await insurance_service.list_plans(db),
            form=form,
            errors=errors,
            photo_errors=[m for k, m in errors.items() if k.startswith("photos")],
            agents_on="agents" in request.state.runtime.modules,
        ),
        status_code=status,
    )


@router.get("/insurance/apply")
async def apply_form(request: Request, user: CurrentUser, db: Db) -> Response:
    form = {
        "plan_id": request.query_params.get("plan", ""),
        "owner.name": user.name,
        "owner.email": user.email,
        "owner.phone": user.phone,
        "agent_code": request.query_params.get("agent", ""),
    }
    return await _apply_page(request, db, user, form, {})


@router.post("/insurance/apply")
async def apply_submit(request: Request, user: CurrentUser, db: Db, runtime: Runtime) -> Response:
    raw = await request.form()
    form = {k: str(v) for k, v in raw.items() if isinstance(v, str) and k != "csrf_token"}
    cattle: dict[str, str | None] = {f: form.get(f"cattle.{f}", "") for f in CATTLE_FIELDS}
    cattle["milk_yield"] = cattle["milk_yield"] or None  # optional: empty means not given
    data = {
        "plan_id": form.get("plan_id") or None,
        "agent_code": form.get("agent_code", ""),
        "cattle": cattle,
        "owner": {f: form.get(f"owner.{f}", "") for f in OWNER_FIELDS},
    }
    try:
        application = ApplicationIn.model_validate(data)
    except ValidationError as exc:
        return await _apply_page(request, db, user, form, _errors_of(exc), 422)
    try:
        policy = await insurance_service.apply(
            db, runtime, user, application, await _uploads(raw, "photos")
        )
    except ValidationFailed as exc:
        return await _apply_page(request, db, user, form, {exc.field or "form": exc.message}, 422)
    return redirect(
        request,
        f"account/policies/{policy.id}",
        "Application saved. Pay the premium to send it for approval.",
    )


# --- the customer's policies ---------------------------------------------------------------


@router.get("/account/policies")
async def my_policies(request: Request, user: CurrentUser, db: Db) -> Response:
    return render(
        request,
        "insurance/my_policies.html",
        _context(
            policies=await insurance_service.policies_of(db, user.id),
            payments=await payments.payments_of(db, user.id),
            claims=await claims.claims_of(db, user.id),
        ),
    )


@router.get("/account/policies/{policy_id:int}")
async def policy_page(
    request: Request, policy_id: int, user: CurrentUser, db: Db, runtime: Runtime
) -> Response:
    policy = await insurance_service.policy_for(db, user, policy_id)
    plan = await insurance_service.get_plan(db, policy.plan_id, active_only=False)
    return render(
        request,
        "insurance/policy.html",
        _context(
            policy=policy,
            plan=plan,
            photos=await insurance_service.photos_of(db, policy.id),
            payments=await payments.payments_for_policy(db, policy.id),
            claims=await claims.claims_for_policy(db, policy.id),
            has_certificate=certificate.available(policy),
            can_pay=policy.status == PolicyStatus.PENDING and policy.customer_id == user.id,
            providers=gateways.offered(runtime),
            can_claim=policy.status == PolicyStatus.APPROVED,
        ),
    )


@router.get("/account/policies/{policy_id:int}/photos/{photo_id:int}")
async def policy_photo(
    policy_id: int, photo_id: int, user: CurrentUser, db: Db, runtime: Runtime
) -> Response:
    policy = await insurance_service.policy_for(db, user, policy_id)
    for photo in await insurance_service.photos_of(db, policy.id):
        if photo.id == photo_id:
            data = await files.read_private(runtime, photo.storage_key)
            return Response(data, media_type=photo.content_type, headers=PRIVATE)
    raise NotFound("We could not find that photo.")


@router.get("/account/policies/{policy_id:int}/certificate.pdf")
async def policy_certificate(
    policy_id: int, user: CurrentUser, db: Db, runtime: Runtime
) -> Response:
    policy = await insurance_service.policy_for(db, user, policy_id)
    plan = await insurance_service.get_plan(db, policy.plan_id, active_only=False)
    return certificate.response(runtime, policy, plan)


@router.post("/account/policies/{policy_id:int}/pay")
async def pay(
    request: Request, policy_id: int, user: CurrentUser, db: Db, runtime: Runtime
) -> Response:
    policy = await insurance_service.policy_for(db, user, policy_id, lock=True)
    provider = str((await request.form()).get("provider") or gateways.SANDBOX)
    try:
        payment = await payments.start(db, runtime, user, policy, provider)
    except DomainError as exc:
        return redirect(request, f"account/policies/{policy.id}", exc.message, "error")
    if payment.provider == gateways.RAZORPAY:
        return redirect(request, f"insurance/razorpay/{payment.order_ref}")
    return redirect(request, f"insurance/sandbox/{payment.order_ref}")


@router.post("/account/policies/{policy_id:int}/cancel")
async def withdraw(
    request: Request, policy_id: int, user: CurrentUser, db: Db, runtime: Runtime
) -> Response:
    policy = await insurance_service.policy_for(db, user, policy_id, lock=True)
    if policy.customer_id != user.id or policy.status != PolicyStatus.PENDING:
        return redirect(
            request,
            f"account/policies/{policy.id}",
            "Only an unpaid application can be withdrawn.",
            "error",
        )
    await insurance_service.cancel(db, runtime, policy, "Withdrawn by the customer.", refund=False)
    return redirect(request, f"account/policies/{policy.id}", "Application withdrawn.")


# --- the sandbox's card page ---------------------------------------------------------------


@router.get("/insurance/sandbox/{order_ref}")
async def sandbox_page(request: Request, order_ref: str, user: CurrentUser, db: Db) -> Response:
    payment = await payments.sandbox_payment(db, user, order_ref)
    return render(
        request,
        "insurance/sandbox.html",
        _context(
            payment=payment,
            cards={"succeeds": payments.CARD_SUCCEEDS, "declined": payments.CARD_DECLINED},
            errors={},
        ),
    )


@router.post("/insurance/sandbox/{order_ref}")
async def sandbox_submit(
    request: Request, order_ref: str, user: CurrentUser, db: Db, runtime: Runtime
) -> Response:
    form = await request.form()
    payment = await payments.sandbox_payment(db, user, order_ref)
    try:
        result = await payments.sandbox_submit(
            db, runtime, user, order_ref, str(form.get("card_number") or "")
        )
    except DomainError as exc:
        return render(
            request,
            "insurance/sandbox.html",
            _context(
                payment=payment,
                cards={"succeeds": payments.CARD_SUCCEEDS, "declined": payments.CARD_DECLINED},
                errors={exc.field or "card_number": exc.message},
            ),
            status_code=exc.status_code,
        )
    message = (
        "Payment sent. The confirmation arrives in a moment; refresh this page to see it."
        if result == "succeeded"
        else "The card was declined. You can try again."
    )
    kind = "success" if result == "succeeded" else "error"
    return redirect(request, f"account/policies/{payment.policy_id}", message, kind)


# --- claims --------------------------------------------------------------------------------


def _document_kinds() -> list[tuple[str, str]]:
    return [
        ("vet_certificate", "Vet certificate"),
        ("post_mortem", "Post-mortem report"),
        ("ear_tag_photo", "Ear-tag photo"),
        ("police_report", "Police report (FIR)"),
        ("other", "Other document"),
    ]


async def _claim_documents(raw: Any) -> list[tuple[str, files.Upload]]:
    found = []
    for kind, _label in _document_kinds():
        for upload in await _uploads(raw, f"doc_{kind}"):
            found.append((kind, upload))
    return found


@router.get("/account/policies/{policy_id:int}/claims/new")
async def claim_form(request: Request, policy_id: int, user: CurrentUser, db: Db) -> Response:
    policy = await insurance_service.policy_for(db, user, policy_id)
    return render(
        request,
        "insurance/claim_form.html",
        _context(policy=policy, form={}, errors={}, kinds=_document_kinds()),
    )


@router.post("/account/policies/{policy_id:int}/claims/new")
async def claim_submit(
    request: Request, policy_id: int, user: CurrentUser, db: Db, runtime: Runtime
) -> Response:
    policy = await insurance_service.policy_for(db, user, policy_id)
    raw = await request.form()
    form = {k: str(v) for k, v in raw.items() if isinstance(v, str) and k != "csrf_token"}
    errors: dict[str, str] = {}
    amount = _rupees_to_paise(form.get("amount", ""))
    if amount is None:
        errors["amount_minor"] = "Enter the amount in rupees, e.g. 45000."
    else:
        try:
            data = ClaimIn.model_validate(
                {
                    "policy_id": policy.id,
                    "claim_type": form.get("claim_type", ""),
                    "incident_date": form.get("incident_date", ""),
                    "amount_minor": amount,
                    "description": form.get("description", ""),
                }
            )
            claim = await claims.file_claim(db, runtime, user, data, await _claim_documents(raw))
            return redirect(
                request, f"account/claims/{claim.id}", f"Claim {claim.claim_number} filed."
            )
        except ValidationError as exc:
            errors = _errors_of(exc)
        except ValidationFailed as exc:
            errors = {exc.field or "form": exc.message}
    return render(
        request,
        "insurance/claim_form.html",
        _context(policy=policy, form=form, errors=errors, kinds=_document_kinds()),
        status_code=422,
    )


def _rupees_to_paise(value: str) -> int | None:
    text = value.replace(",", "").replace("₹", "").strip()
    try:
        whole, _, fraction = text.partition(".")
        if not whole.isdigit() or (fraction and (not fraction.isdigit() or len(fraction) > 2)):
            return None
        return int(whole) * 100 + int((fraction or "0").ljust(2, "0"))
    except ValueError:
        return None


@router.get("/account/claims/{claim_id:int}")
async def claim_page(request: Request, claim_id: int, user: CurrentUser, db: Db) -> Response:
    claim, policy = await claims.claim_for(db, user, claim_id)
    return render(
        request,
        "insurance/claim.html",
        _context(
            claim=claim,
            policy=policy,
            documents=await claims.documents_of(db, claim.id),
            kinds=_document_kinds(),
            can_add=claim.status in claims.OPEN,
            errors={},
        ),
    )


@router.post("/account/claims/{claim_id:int}/documents")
async def claim_add_documents(
    request: Request, claim_id: int, user: CurrentUser, db: Db, runtime: Runtime
) -> Response:
    raw = await request.form()
    try:
        await claims.add_documents(db, runtime, user, claim_id, await _claim_documents(raw))
    except ValidationFailed as exc:
        return redirect(request, f"account/claims/{claim_id}", exc.message, "error")
    return redirect(request, f"account/claims/{claim_id}", "Documents added.")


@router.get("/account/claims/{claim_id:int}/documents/{document_id:int}")
async def claim_document(
    claim_id: int, document_id: int, user: CurrentUser, db: Db, runtime: Runtime
) -> Response:
    claim, _ = await claims.claim_for(db, user, claim_id)
    return await document_response(db, runtime, claim.id, document_id)


async def document_response(db, runtime, claim_id: int, document_id: int) -> Response:
    for doc in await claims.documents_of(db, claim_id):
        if doc.id == document_id:
            data = await files.read_private(runtime, doc.storage_key)
            disposition = "attachment" if doc.content_type == "application/pdf" else "inline"
            headers = {**PRIVATE, "content-disposition": f'{disposition}; filename="doc-{doc.id}"'}
            return Response(data, media_type=doc.content_type, headers=headers)
    raise NotFound("We could not find that document.")


PRIVATE = {"cache-control": "private, no-store", "x-content-type-options": "nosniff"}
