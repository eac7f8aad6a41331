"""Catalogue admin: the product list, creating and editing products (with an optional image
in the same form), soft delete and restore.

Reading needs ``catalog.read``; every change needs ``catalog.write`` and writes an audit row.
A form with errors comes back with the values as typed and a 422; the request's transaction
is then rolled back as a whole (the unit of work commits only below 400), so a product is
never half saved: fields, tags, attributes and an uploaded image land together or not at all.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from starlette.datastructures import UploadFile
from starlette.responses import Response

from mercato.admin.pages import admin_render
from mercato.catalog import admin_service, attributes, media
from mercato.catalog import service as catalog_service
from mercato.catalog.admin_forms import (
    FormError,
    ProductForm,
    attribute_value_text,
    parse_product_form,
    parse_whole,
    product_values,
)
from mercato.catalog.admin_media import store_upload
from mercato.identity.deps import require_permission
from mercato.kit.errors import ValidationFailed
from mercato.kit.pagination import page_number
from mercato.models import AuditEntry, User
from mercato.models.catalog import Product, ProductImage, Rarity, Season
from mercato.platform import audit
from mercato.web.deps import Db
from mercato.web.flash import redirect

router = APIRouter(prefix="/products")

Reader = Annotated[User, Depends(require_permission("catalog.read"))]
Writer = Annotated[User, Depends(require_permission("catalog.write"))]


def _currency(request: Request) -> str:
    return str(request.state.runtime.config.currency)


@router.get("")
async def product_list(request: Request, db: Db, _: Reader) -> Response:
    filters = admin_service.AdminProductFilters.from_query(request.query_params)
    page = await admin_service.list_products(
        db, filters, page_number(request.query_params.get("page"))
    )
    return admin_render(
        request,
        "admin/catalog/products.html",
        {
            "page": page,
            "filters": filters,
            "categories": await catalog_service.categories(db),
        },
        section="products",
    )


async def _form_page(
    request: Request,
    db: Any,
    *,
    product: Product | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    history: list[AuditEntry] = []
    if product is not None:
        history = list(
            await db.scalars(
                select(AuditEntry)
                .where(AuditEntry.entity_type == "product", AuditEntry.entity_id == str(product.id))
                .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
                .limit(8)
            )
        )
    return admin_render(
        request,
        "admin/catalog/product_form.html",
        {
            "product": product,
            "values": values,
            "errors": errors or {},
            "categories": await catalog_service.categories(db),
            "tags": await admin_service.all_tags(db),
            "definitions": await admin_service.attribute_definitions(db),
            "rarities": [r.value for r in Rarity],
            "seasons": [s.value for s in Season],
            "history": history,
            "currency": _currency(request),
            "upload_max_mb": request.state.runtime.settings.upload_max_bytes // (1024 * 1024),
        },
        section="products",
        status_code=status_code,
    )


def _blank_values() -> dict[str, Any]:
    return {
        "rarity": Rarity.COMMON.value,
        "season": Season.ALL_YEAR.value,
        "is_active": True,
        "is_featured": False,
        "tag_ids": [],
        "stock": "0",
        "low_stock_threshold": "5",
    }


async def _edit_values(db: Any, product: Product, currency: str) -> dict[str, Any]:
    values = product_values(product, currency)
    values["tag_ids"] = [str(t.id) for t in product.tags]
    current = await attributes.attributes_of(db, product.id)
    for definition in await admin_service.attribute_definitions(db):
        values[f"attr_{definition.code}"] = attribute_value_text(
            definition, current.get(definition.code), currency
        )
    return values


@router.get("/new")
async def product_new(request: Request, db: Db, _: Writer) -> Response:
    return await _form_page(request, db, product=None, values=_blank_values())


@router.get("/{product_id:int}")
async def product_edit(request: Request, db: Db, product_id: int, _: Reader) -> Response:
    product = await admin_service.product_for_edit(db, product_id)
    values = await _edit_values(db, product, _currency(request))
    return await _form_page(request, db, product=product, values=values)


async def _read_form(request: Request, db: Any) -> tuple[ProductForm, Any]:
    form = await request.form()
    definitions = await admin_service.attribute_definitions(db)
    parsed = parse_product_form(form, currency=_currency(request), definitions=definitions)
    return parsed, form


async def _apply_extras(
    db: Any, request: Request, product: Product, parsed: ProductForm, form: Any
) -> ProductImage | None:
    """Tags, attributes and the uploaded image: all checked here, before the caller commits."""
    await media.set_product_tags(db, product.id, parsed.tag_ids)
    if parsed.attributes:
        await attributes.set_attributes(db, product.id, parsed.attributes)
    upload = form.get("image")
    if isinstance(upload, UploadFile) and upload.filename:
        alt = form.get("image_alt")
        return await store_upload(
            db, request, product, upload, alt_text=alt if isinstance(alt, str) else ""
        )
    return None


@router.post("/new")
async def product_create(request: Request, db: Db, actor: Writer) -> Response:
    parsed, form = await _read_form(request, db)
    values = parsed.values
    for key in ("stock", "low_stock_threshold"):
        raw = form.get(key)
        values[key] = raw.strip() if isinstance(raw, str) else ""
    stock = threshold = 0
    try:
        stock = parse_whole(values["stock"] or "0")
    except FormError as exc:
        parsed.errors["stock"] = str(exc)
    try:
        threshold = parse_whole(values["low_stock_threshold"] or "5")
    except FormError as exc:
        parsed.errors["low_stock_threshold"] = str(exc)
    if parsed.errors or parsed.data is None:
        return await _form_page(
            request, db, product=None, values=values, errors=parsed.errors, status_code=422
        )
    try:
        product = await catalog_service.create_product(
            db, parsed.data, stock=stock, low_stock_threshold=threshold, actor_id=actor.id
        )
        await _apply_extras(db, request, product, parsed, form)
    except ValidationFailed as exc:
        return await _form_page(
            request,
            db,
            product=None,
            values=values,
            errors={exc.field or "form": exc.message},
            status_code=422,
        )
    await audit.record(
        db,
        actor=actor,
        action="product.create",
        entity_type="product",
        entity_id=product.id,
        before=None,
        after={
            **admin_service.product_snapshot(product),
            "tag_ids": parsed.tag_ids,
            "attributes": _jsonable(parsed.attributes),
            "stock": stock,
        },
        request=request,
    )
    return redirect(request, f"admin/products/{product.id}", f"{product.name} was created.")


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v if isinstance(v, (str, int, bool, type(None))) else str(v) for k, v in values.items()
    }


@router.post("/{product_id:int}")
async def product_update(request: Request, db: Db, product_id: int, actor: Writer) -> Response:
    product = await admin_service.product_for_edit(db, product_id)
    parsed, form = await _read_form(request, db)
    if product.deleted_at is not None:
        parsed.errors["form"] = "Restore this product before editing it."
    if parsed.errors or parsed.data is None:
        return await _form_page(
            request,
            db,
            product=product,
            values=parsed.values,
            errors=parsed.errors,
            status_code=422,
        )
    before = admin_service.product_snapshot(product)
    before["tag_ids"] = sorted(t.id for t in product.tags)
    before["attributes"] = _jsonable(await attributes.attributes_of(db, product.id))
    try:
        await catalog_service.update_product(db, product.id, parsed.data)
        image = await _apply_extras(db, request, product, parsed, form)
    except ValidationFailed as exc:
        return await _form_page(
            request,
            db,
            product=product,
            values=parsed.values,
            errors={exc.field or "form": exc.message},
            status_code=422,
        )
    after = admin_service.product_snapshot(product)
    after["tag_ids"] = parsed.tag_ids
    after["attributes"] = _jsonable(await attributes.attributes_of(db, product.id))
    old, new = admin_service.changed_only(before, after)
    if image is not None:
        new["image_added"] = image.storage_key
    if not new:
        return redirect(request, f"admin/products/{product.id}", "Nothing changed.", "info")
    await audit.record(
        db,
        actor=actor,
        action="product.update",
        entity_type="product",
        entity_id=product.id,
        before=old,
        after=new,
        request=request,
    )
    return redirect(request, f"admin/products/{product.id}", f"{product.name} was saved.")


@router.post("/{product_id:int}/delete")
async def product_delete(request: Request, db: Db, product_id: int, actor: Writer) -> Response:
    product = await admin_service.product_for_edit(db, product_id)
    if product.deleted_at is not None:
        return redirect(request, f"admin/products/{product.id}", "Already deleted.", "info")
    before = admin_service.product_snapshot(product)
    await catalog_service.soft_delete_product(db, product.id)
    await audit.record(
        db,
        actor=actor,
        action="product.delete",
        entity_type="product",
        entity_id=product.id,
        before={"deleted": False, "is_active": before["is_active"]},
        after={"deleted": True, "is_active": False},
        request=request,
    )
    return redirect(
        request,
        f"admin/products/{product.id}",
        f"{product.name} was deleted: hidden from the shop, kept for past orders. "
        "You can restore it.",
    )


@router.post("/{product_id:int}/restore")
async def product_restore(request: Request, db: Db, product_id: int, actor: Writer) -> Response:
    product = await admin_service.product_for_edit(db, product_id)
    await admin_service.restore_product(db, product)
    await audit.record(
        db,
        actor=actor,
        action="product.restore",
        entity_type="product",
        entity_id=product.id,
        before={"deleted": True},
        after={"deleted": False, "is_active": product.is_active},
        request=request,
    )
    return redirect(
        request,
        f"admin/products/{product.id}",
        f"{product.name} was restored. It stays hidden until you tick Active and save.",
    )
