"""Storefront pages of the b2b module: "verify your business" (register, upload documents,
submit, see the reviewer's request and re-submit) and the seller's own products."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import select

from mercato.b2b import access, sellers, service
from mercato.identity.deps import CurrentUser
from mercato.kit.errors import DomainError, validation_message
from mercato.platform import audit
from mercato.web.deps import Db, Runtime
from mercato.web.flash import redirect
from mercato.web.templating import render

router = APIRouter()
FIELDS = (
    "name",
    "contact_name",
    "contact_phone",
    "contact_email",
    "address_line",
    "city",
    "district",
    "postal_code",
    "tin",
    "trade_license_number",
)


async def _verify_page(
    request: Request,
    db,
    user,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    status_code: int = 200,
) -> Response:
    company = await service.company_of(db, user)
    if values is None and company is not None:
        values = {f: getattr(company, f) for f in FIELDS if f != "tin"}
        values["tin"] = ""
    return render(
        request,
        "b2b/verify.html",
        {
            "company": company,
            "documents": await service.documents_of(db, company.id) if company else [],
            "history": await service.events_of(db, company.id) if company else [],
            "values": values or {"contact_email": user.email, "contact_name": user.name},
            "errors": errors or {},
            "editable": company is None or company.status in service.EDITABLE,
            "status_labels": service.STATUS_LABELS,
            "document_labels": service.DOCUMENT_LABELS,
            "masked_tin": service.masked_tin(company) if company else "",
        },
        status_code=status_code,
    )


@router.get("/verify")
async def verify(request: Request, db: Db, user: CurrentUser) -> Response:
    return await _verify_page(request, db, user)


def _errors_of(exc: ValidationError) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for e in exc.errors():
        name = str(e["loc"][0]) if e.get("loc") else "__all__"
        found.setdefault(name, []).append(validation_message(e))
    return found


@router.post("/verify")
async def save_details(request: Request, db: Db, runtime: Runtime, user: CurrentUser) -> Response:
    form = await request.form()
    values = {f: str(form.get(f) or "").strip() for f in FIELDS}
    try:
        data = service.CompanyIn(**values)
    except ValidationError as exc:
        values["tin"] = ""
        return await _verify_page(
            request, db, user, values=values, errors=_errors_of(exc), status_code=422
        )
    company = await service.company_of(db, user)
    try:
        if company is None:
            await service.register(db, user, data, service.cipher(runtime))
        else:
            await service.update_details(db, company, user, data, service.cipher(runtime))
    except DomainError as exc:
        values["tin"] = ""
        return await _verify_page(
            request,
            db,
            user,
            values=values,
            errors={exc.field or "__all__": [exc.message]},
            status_code=exc.status_code,
        )
    return redirect(request, "verify", "Saved. Now upload your trade licence and submit.")


@router.post("/verify/documents")
async def upload(request: Request, db: Db, runtime: Runtime, user: CurrentUser) -> Response:
    company = await service.company_of(db, user)
    if company is None:
        return redirect(request, "verify", "Enter your business details first.", "error")
    form = await request.form()
    upload = form.get("file")
    raw = b""
    filename = ""
    if upload is not None and hasattr(upload, "read"):
        raw = await upload.read(service.MAX_DOCUMENT_BYTES + 1)
        filename = upload.filename or ""
    try:
        await service.add_document(
            db,
            service.private_storage(runtime),
            company,
            user,
            kind=str(form.get("kind") or ""),
            filename=filename,
            raw=raw,
        )
    except DomainError as exc:
        return await _verify_page(
            request, db, user, errors={"file": [exc.message]}, status_code=exc.status_code
        )
    return redirect(request, "verify", "Document uploaded.")


@router.get("/verify/documents/{document_id:int}")
async def my_document(document_id: int, db: Db, runtime: Runtime, user: CurrentUser) -> Response:
    from mercato.b2b.api import _download

    company = await service.company_of(db, user)
    if company is None:
        from mercato.kit.errors import NotFound

        raise NotFound("We could not find that document.")
    return await _download(db, runtime, company.id, document_id)


@router.post("/verify/submit")
async def submit(request: Request, db: Db, runtime: Runtime, user: CurrentUser) -> Response:
    company = await service.company_of(db, user)
    if company is None:
        return redirect(request, "verify", "Enter your business details first.", "error")
    try:
        await service.submit(db, company, user)
        await service.tell_reviewers(db, runtime, company)
    except DomainError as exc:
        return await _verify_page(
            request, db, user, errors={"__all__": [exc.message]}, status_code=exc.status_code
        )
    return redirect(request, "verify", "Thank you. We review businesses within one working day.")


SellerAbilities = Depends(
    access.require_ability(
        lambda a: a.products == "own" or a.products == "all", "This page is for sellers."
    )
)


@router.get("/seller/products")
async def seller_products(
    request: Request, db: Db, found: access.Abilities = SellerAbilities
) -> Response:
    """A seller's own products; an admin sees every product and may filter by seller."""
    raw = request.query_params.get("seller", "")
    seller_id = int(raw) if raw.isdigit() and found.products == "all" else None
    from mercato.models.b2b import Seller

    return render(
        request,
        "b2b/seller_products.html",
        {
            "rows": await sellers.rows(db, found, seller_id),
            "abilities": found,
            "sellers": {s.id: s for s in await db.scalars(select(Seller))},
            "seller_id": seller_id,
        },
    )


@router.get("/seller/products/{product_id:int}")
async def seller_product(
    request: Request, product_id: int, db: Db, found: access.Abilities = SellerAbilities
) -> Response:
    product = await sellers.own_product(db, found, product_id)
    return render(request, "b2b/seller_product.html", {"product": product, "errors": {}})


@router.post("/seller/products/{product_id:int}")
async def save_seller_product(
    request: Request, product_id: int, db: Db, found: access.Abilities = SellerAbilities
) -> Response:
    product = await sellers.own_product(db, found, product_id)
    form = await request.form()
    try:
        data = sellers.SellerProductIn(
            name=str(form.get("name") or ""),
            short_description=str(form.get("short_description") or ""),
            description=str(form.get("description") or ""),
            is_active=form.get("is_active") == "on",
        )
    except ValidationError as exc:
        return render(
            request,
            "b2b/seller_product.html",
            {"product": product, "errors": _errors_of(exc)},
            status_code=422,
        )
    _, before, after = await sellers.update(db, found, product_id, data)
    await audit.record(
        db,
        actor=request.state.user,
        action="b2b.seller_product.update",
        entity_type="product",
        entity_id=product_id,
        before=before,
        after=after,
        request=request,
    )
    return redirect(request, "seller/products", f"{product.name} saved.")
