"""Admin: the business verification queue (``b2b.verify``): read the details and documents,
approve, reject with a reason, ask for more information, grant net terms. Audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from mercato.admin.pages import admin_render
from mercato.b2b import access, service
from mercato.identity.deps import require_permission
from mercato.kit.errors import DomainError
from mercato.models import User
from mercato.platform import audit
from mercato.web.deps import Db, Runtime
from mercato.web.flash import redirect

router = APIRouter(prefix="/b2b")
Reviewer = Annotated[User, Depends(require_permission(access.VERIFY))]
STATUSES = ("pending", "info_requested", "verified", "rejected", "unverified")


@router.get("/verifications")
async def queue(request: Request, db: Db, _: Reviewer) -> Response:
    status = request.query_params.get("status", "pending")
    status = status if status in STATUSES else "pending"
    return admin_render(
        request,
        "b2b/admin_queue.html",
        {
            "companies": await service.queue(db, status),
            "status": status,
            "statuses": STATUSES,
            "labels": service.STATUS_LABELS,
        },
        section="b2b",
    )


@router.get("/verifications/{company_id:int}")
async def detail(request: Request, company_id: int, db: Db, _: Reviewer) -> Response:
    company = await service.get_company(db, company_id)
    return admin_render(
        request,
        "b2b/admin_company.html",
        {
            "company": company,
            "documents": await service.documents_of(db, company.id),
            "history": await service.events_of(db, company.id),
            "labels": service.STATUS_LABELS,
            "document_labels": service.DOCUMENT_LABELS,
            "masked_tin": service.masked_tin(company),
        },
        section="b2b",
    )


@router.get("/verifications/{company_id:int}/documents/{document_id:int}")
async def document(
    company_id: int, document_id: int, db: Db, runtime: Runtime, _: Reviewer
) -> Response:
    from mercato.b2b.api import _download

    return await _download(db, runtime, company_id, document_id)


@router.post("/verifications/{company_id:int}/{decision}")
async def decide(
    request: Request,
    company_id: int,
    decision: str,
    db: Db,
    runtime: Runtime,
    actor: Reviewer,
) -> Response:
    company = await service.get_company(db, company_id)
    form = await request.form()
    reason = str(form.get("reason") or "")
    before = {"status": company.status, "net_terms": company.net_terms}
    back = f"admin/b2b/verifications/{company.id}"
    try:
        if decision == "approve":
            await service.approve(db, runtime, company, actor)
        elif decision == "reject":
            await service.reject(db, runtime, company, actor, reason)
        elif decision == "request-info":
            await service.request_info(db, runtime, company, actor, reason)
        elif decision == "net-terms":
            await service.set_net_terms(db, company, actor, str(form.get("net_terms") or ""))
        else:
            return redirect(request, back, "Unknown action.", "error")
    except DomainError as exc:
        return redirect(request, back, exc.message, "error")
    await audit.record(
        db,
        actor=actor,
        action=f"b2b.{decision}",
        entity_type="company",
        entity_id=company.id,
        before=before,
        after={"status": company.status, "net_terms": company.net_terms, "reason": company.reason},
        request=request,
    )
    return redirect(request, back, f"{company.name}: {service.STATUS_LABELS[company.status]}.")
