"""Business verification in the JSON API: ``/api/v1/business-verifications``.

A buyer works on ``.../mine`` (their own business: register, edit, upload documents,
submit); reviewers with ``b2b.verify`` list the queue and decide by id. Another company's id
is "not found" for a buyer because buyers never address companies by id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from mercato.b2b import access, sellers, service
from mercato.b2b.service import CompanyIn
from mercato.identity.api_deps import ApiPrincipal, Principal, require_api_permission
from mercato.kit.errors import NotFound
from mercato.models import Inventory
from mercato.models.b2b import Company
from mercato.platform import audit
from mercato.web.deps import Db, Runtime

router = APIRouter(prefix="/business-verifications", tags=["business verification"])
Reviewer = Annotated[ApiPrincipal, Depends(require_api_permission(access.VERIFY))]
Manager = Annotated[ApiPrincipal, Depends(require_api_permission(access.COMPANY_MANAGE))]


class DocumentOut(BaseModel):
    id: int
    kind: str
    filename: str
    content_type: str
    size: int
    created_at: datetime


class EventOut(BaseModel):
    action: str
    from_status: str
    to_status: str
    note: str
    created_at: datetime


class CompanyOut(BaseModel):
    id: int
    name: str
    contact_name: str
    contact_phone: str
    contact_email: str
    address_line: str
    city: str
    district: str
    postal_code: str
    tin: str = Field(description="Masked: only the last four digits are shown.")
    trade_license_number: str
    status: Literal["unverified", "pending", "verified", "rejected", "info_requested"]
    reason: str = Field(description="Why it was rejected, or what information is needed.")
    net_terms: Literal["none", "net15", "net30"]
    submitted_at: datetime | None
    reviewed_at: datetime | None
    documents: list[DocumentOut] = []
    history: list[EventOut] = []


class DecisionIn(BaseModel):
    reason: str = Field(default="", max_length=2000)


class NetTermsIn(BaseModel):
    net_terms: Literal["none", "net15", "net30"]


async def _out(db, company: Company, *, detail: bool = True) -> CompanyOut:
    out = CompanyOut(
        id=company.id,
        name=company.name,
        contact_name=company.contact_name,
        contact_phone=company.contact_phone,
        contact_email=company.contact_email,
        address_line=company.address_line,
        city=company.city,
        district=company.district,
        postal_code=company.postal_code,
        tin=service.masked_tin(company),
        trade_license_number=company.trade_license_number,
        status=company.status,  # type: ignore[arg-type]
        reason=company.reason,
        net_terms=company.net_terms,  # type: ignore[arg-type]
        submitted_at=company.submitted_at,
        reviewed_at=company.reviewed_at,
    )
    if detail:
        for doc in await service.documents_of(db, company.id):
            found = await service.document_file(db, company.id, doc.id)
            out.documents.append(
                DocumentOut(
                    id=doc.id,
                    kind=doc.kind,
                    filename=doc.filename,
                    content_type=found.file.content_type,
                    size=found.file.size,
                    created_at=doc.created_at,
                )
            )
        out.history = [
            EventOut(
                action=e.action,
                from_status=e.from_status,
                to_status=e.to_status,
                note=e.note,
                created_at=e.created_at,
            )
            for e in await service.events_of(db, company.id)
        ]
    return out


async def _mine(db, principal: ApiPrincipal) -> Company:
    company = await service.company_of(db, principal.user)
    if company is None:
        raise NotFound("You have not registered a business yet.")
    return company


@router.post("", status_code=201, response_model=CompanyOut, summary="Register your business")
async def register(body: CompanyIn, db: Db, runtime: Runtime, principal: Manager) -> CompanyOut:
    company = await service.register(db, principal.user, body, service.cipher(runtime))
    return await _out(db, company)


@router.get("/mine", response_model=CompanyOut, summary="Your business and its status")
async def mine(db: Db, principal: Principal) -> CompanyOut:
    return await _out(db, await _mine(db, principal))


@router.put("/mine", response_model=CompanyOut, summary="Correct your business's details")
async def edit(body: CompanyIn, db: Db, runtime: Runtime, principal: Manager) -> CompanyOut:
    company = await _mine(db, principal)
    await service.update_details(db, company, principal.user, body, service.cipher(runtime))
    return await _out(db, company)


@router.post(
    "/mine/documents",
    status_code=201,
    response_model=DocumentOut,
    summary="Upload a trade licence or certificate (PDF, JPEG, PNG or WebP, at most 5 MB)",
)
async def upload(
    db: Db,
    runtime: Runtime,
    principal: Manager,
    kind: Annotated[Literal["trade_license", "tin_certificate", "other"], Form()],
    file: Annotated[UploadFile, File()],
) -> DocumentOut:
    company = await _mine(db, principal)
    raw = await file.read(service.MAX_DOCUMENT_BYTES + 1)
    doc = await service.add_document(
        db,
        service.private_storage(runtime),
        company,
        principal.user,
        kind=kind,
        filename=file.filename or "",
        raw=raw,
    )
    found = await service.document_file(db, company.id, doc.id)
    return DocumentOut(
        id=doc.id,
        kind=doc.kind,
        filename=doc.filename,
        content_type=found.file.content_type,
        size=found.file.size,
        created_at=doc.created_at,
    )


@router.get("/mine/documents/{document_id:int}", summary="Download one of your documents")
async def my_document(document_id: int, db: Db, runtime: Runtime, principal: Principal) -> Response:
    company = await _mine(db, principal)
    return await _download(db, runtime, company.id, document_id)


@router.post("/mine/submit", response_model=CompanyOut, summary="Send your business for review")
async def submit(db: Db, runtime: Runtime, principal: Manager) -> CompanyOut:
    company = await _mine(db, principal)
    await service.submit(db, company, principal.user)
    await service.tell_reviewers(db, runtime, company)
    return await _out(db, company)


@router.get("", response_model=list[CompanyOut], summary="The review queue")
async def review_queue(
    db: Db,
    _: Reviewer,
    status: Annotated[
        Literal["unverified", "pending", "verified", "rejected", "info_requested", "all"],
        Query(description="Default: pending, oldest submission first."),
    ] = "pending",
) -> list[CompanyOut]:
    rows = await service.queue(db, None if status == "all" else status)
    return [await _out(db, c, detail=False) for c in rows]


@router.get("/{company_id:int}", response_model=CompanyOut, summary="One business")
async def one(company_id: int, db: Db, _: Reviewer) -> CompanyOut:
    return await _out(db, await service.get_company(db, company_id))


@router.get("/{company_id:int}/documents/{document_id:int}", summary="Download a document")
async def document(
    company_id: int, document_id: int, db: Db, runtime: Runtime, _: Reviewer
) -> Response:
    return await _download(db, runtime, company_id, document_id)


async def _download(db, runtime, company_id: int, document_id: int) -> Response:
    found = await service.document_file(db, company_id, document_id)
    data = await service.private_storage(runtime).read(found.file.key)
    return Response(
        data,
        media_type=found.file.content_type,
        headers={
            "content-disposition": f'attachment; filename="document-{document_id}"',
            "cache-control": "private, no-store",
            "x-content-type-options": "nosniff",
        },
    )


async def _decide(
    request: Request, db, runtime, principal: ApiPrincipal, company_id: int, action: str, reason=""
) -> CompanyOut:
    company = await service.get_company(db, company_id)
    before = company.status
    if action == "approve":
        await service.approve(db, runtime, company, principal.user)
    elif action == "reject":
        await service.reject(db, runtime, company, principal.user, reason)
    else:
        await service.request_info(db, runtime, company, principal.user, reason)
    await audit.record(
        db,
        actor=principal.user,
        action=f"b2b.{action}",
        entity_type="company",
        entity_id=company.id,
        before={"status": before},
        after={"status": company.status, "reason": company.reason},
        request=request,
    )
    return await _out(db, company)


@router.post("/{company_id:int}/approve", response_model=CompanyOut, summary="Approve")
async def approve(
    request: Request, company_id: int, db: Db, runtime: Runtime, principal: Reviewer
) -> CompanyOut:
    return await _decide(request, db, runtime, principal, company_id, "approve")


@router.post("/{company_id:int}/reject", response_model=CompanyOut, summary="Reject with a reason")
async def reject(
    request: Request,
    company_id: int,
    body: DecisionIn,
    db: Db,
    runtime: Runtime,
    principal: Reviewer,
) -> CompanyOut:
    return await _decide(request, db, runtime, principal, company_id, "reject", body.reason)


@router.post(
    "/{company_id:int}/request-info", response_model=CompanyOut, summary="Ask for more information"
)
async def request_info(
    request: Request,
    company_id: int,
    body: DecisionIn,
    db: Db,
    runtime: Runtime,
    principal: Reviewer,
) -> CompanyOut:
    return await _decide(request, db, runtime, principal, company_id, "request_info", body.reason)


@router.put("/{company_id:int}/net-terms", response_model=CompanyOut, summary="Grant net terms")
async def net_terms(
    request: Request,
    company_id: int,
    body: NetTermsIn,
    db: Db,
    principal: Reviewer,
) -> CompanyOut:
    company = await service.get_company(db, company_id)
    before = company.net_terms
    await service.set_net_terms(db, company, principal.user, body.net_terms)
    await audit.record(
        db,
        actor=principal.user,
        action="b2b.net_terms",
        entity_type="company",
        entity_id=company.id,
        before={"net_terms": before},
        after={"net_terms": company.net_terms},
        request=request,
    )
    return await _out(db, company)


seller_router = APIRouter(prefix="/seller", tags=["sellers"])
SellerScope = Annotated[
    access.Abilities,
    Depends(access.require_ability(lambda a: a.products in ("all", "own"), "For sellers only.")),
]


class SellerProductOut(BaseModel):
    id: int
    sku: str
    name: str
    price: int = Field(description="Wholesale price (first tier), minor units.")
    cost_price: int | None
    on_hand: int
    is_active: bool


def _seller_out(p, inv) -> SellerProductOut:
    return SellerProductOut(
        id=p.id,
        sku=p.sku,
        name=p.name,
        price=p.price,
        cost_price=p.cost_price,
        on_hand=inv.quantity if inv else 0,
        is_active=p.is_active,
    )


@seller_router.get(
    "/products", response_model=list[SellerProductOut], summary="The seller's own products"
)
async def seller_products(
    db: Db,
    found: SellerScope,
    seller_id: Annotated[int | None, Query(description="Admins: one seller's products.")] = None,
) -> list[SellerProductOut]:
    """A seller sees only their products; an admin sees every product."""
    return [_seller_out(p, inv) for p, inv, _ in await sellers.rows(db, found, seller_id)]


@seller_router.patch(
    "/products/{product_id:int}",
    response_model=SellerProductOut,
    summary="Change the name, descriptions or availability of one's own product",
)
async def edit_seller_product(
    request: Request, product_id: int, body: sellers.SellerProductIn, db: Db, found: SellerScope
) -> SellerProductOut:
    product, before, after = await sellers.update(db, found, product_id, body)
    await audit.record(
        db,
        actor=request.state.user,
        action="b2b.seller_product.update",
        entity_type="product",
        entity_id=product.id,
        before=before,
        after=after,
        request=request,
    )
    inv = await db.scalar(select(Inventory).where(Inventory.product_id == product.id))
    return _seller_out(product, inv)
