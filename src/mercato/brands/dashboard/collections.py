"""Dashboard: the brand's collections and their lookbooks (upload, order, remove)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from mercato.brands import service
from mercato.brands.dashboard.common import (
    REFUSALS,
    Errors,
    brand_of,
    optional_int,
    posted,
    record,
    refusal,
    render_page,
    to,
    upload,
)
from mercato.brands.schemas import CollectionIn
from mercato.identity.deps import CurrentUser
from mercato.kit.errors import DomainError
from mercato.models import User
from mercato.models.brands import Brand, BrandCollection
from mercato.web.deps import Db, Runtime
from mercato.web.flash import redirect

router = APIRouter(prefix="/brand")
COLLECTION_FIELDS = ("name", "slug", "season", "year", "description")


async def _collections_page(
    request: Request,
    db: Any,
    user: User,
    brand: Brand,
    *,
    values: dict[str, Any] | None = None,
    errors: Errors | None = None,
    status_code: int = 200,
) -> Response:
    collections = await service.collections_of(db, brand.id)
    return await render_page(
        request,
        db,
        user,
        brand,
        "collections.html",
        {"collections": collections, "values": values or {"season": "SS"}, "errors": errors or {}},
        status_code=status_code,
        section="collections",
    )


@router.get("/collections")
async def collections(request: Request, db: Db, user: CurrentUser) -> Response:
    brand = await brand_of(request, db, user)
    return await _collections_page(request, db, user, brand)


def _collection_in(form: Any, values: dict[str, Any]) -> CollectionIn:
    """Fills ``values`` (shown again on a refusal) and returns the checked collection."""
    values.update({f: str(form.get(f) or "").strip() for f in COLLECTION_FIELDS})
    values["is_published"] = form.get("is_published") == "on"
    year = optional_int(values["year"])
    return CollectionIn(**{**values, "year": year if year is not None else 0})


@router.post("/collections")
async def create_collection(request: Request, db: Db, user: CurrentUser) -> Response:
    form, brand = await posted(request, db, user)
    values: dict[str, Any] = {}
    try:
        collection = await service.save_collection(db, brand, _collection_in(form, values))
    except REFUSALS as exc:
        errors, status = refusal(exc)
        return await _collections_page(
            request, db, user, brand, values=values or None, errors=errors, status_code=status
        )
    after = {"name": collection.name}
    await record(
        request, db, user, "collection.create", ("brand_collection", collection.id), after=after
    )
    return redirect(
        request, to(brand, f"collections/{collection.id}"), "Collection created. Add its lookbook."
    )


async def _collection_page(
    request: Request,
    db: Any,
    user: User,
    brand: Brand,
    collection: BrandCollection,
    *,
    values: dict[str, Any] | None = None,
    errors: Errors | None = None,
    status_code: int = 200,
) -> Response:
    images = (await service.lookbook_of(db, [collection.id]))[collection.id]
    storage = request.state.runtime.storage
    if values is None:
        values = {f: getattr(collection, f) for f in COLLECTION_FIELDS}
        values["is_published"] = collection.is_published
    return await render_page(
        request,
        db,
        user,
        brand,
        "collection.html",
        {
            "collection": collection,
            "images": [(i, storage.url(i.storage_key)) for i in images],
            "values": values,
            "errors": errors or {},
        },
        status_code=status_code,
        section="collections",
    )


@router.get("/collections/{collection_id:int}")
async def collection(request: Request, collection_id: int, db: Db, user: CurrentUser) -> Response:
    brand = await brand_of(request, db, user)
    found = await service.collection_of(db, brand.id, collection_id)
    return await _collection_page(request, db, user, brand, found)


@router.post("/collections/{collection_id:int}")
async def save_collection(
    request: Request, collection_id: int, db: Db, user: CurrentUser
) -> Response:
    form, brand = await posted(request, db, user)
    found = await service.collection_of(db, brand.id, collection_id)
    values: dict[str, Any] = {}
    try:
        await service.save_collection(db, brand, _collection_in(form, values), found)
    except REFUSALS as exc:
        errors, status = refusal(exc)
        return await _collection_page(
            request,
            db,
            user,
            brand,
            found,
            values=values or None,
            errors=errors,
            status_code=status,
        )
    after = {"name": found.name}
    await record(
        request, db, user, "collection.update", ("brand_collection", found.id), after=after
    )
    return redirect(request, to(brand, f"collections/{found.id}"), "Collection saved.")


@router.post("/collections/{collection_id:int}/images")
async def upload_lookbook(
    request: Request, collection_id: int, db: Db, runtime: Runtime, user: CurrentUser
) -> Response:
    form, brand = await posted(request, db, user)
    found = await service.collection_of(db, brand.id, collection_id)
    alt = str(form.get("alt_text") or "")
    try:
        image = await service.add_lookbook_image(
            db, runtime.storage, found, await upload(form), alt
        )
    except DomainError as exc:
        errors, status = refusal(exc, field="file")
        return await _collection_page(
            request, db, user, brand, found, errors=errors, status_code=status
        )
    after = {"image_id": image.id}
    await record(request, db, user, "lookbook.add", ("brand_collection", found.id), after=after)
    return redirect(request, to(brand, f"collections/{found.id}"), "Image added to the lookbook.")


@router.post("/collections/{collection_id:int}/images/{image_id:int}/{action}")
async def change_lookbook(
    request: Request, collection_id: int, image_id: int, action: str, db: Db, user: CurrentUser
) -> Response:
    _, brand = await posted(request, db, user)
    found = await service.collection_of(db, brand.id, collection_id)
    here = to(brand, f"collections/{found.id}")
    if action in ("up", "down"):
        await service.move_lookbook_image(db, found, image_id, -1 if action == "up" else 1)
        message = "Lookbook order changed."
    elif action == "delete":
        await service.remove_lookbook_image(db, found, image_id)
        message = "Image removed."
    else:
        return redirect(request, here, "Unknown action.", "error")
    before = {"image_id": image_id}
    await record(
        request, db, user, f"lookbook.{action}", ("brand_collection", found.id), before=before
    )
    return redirect(request, here, message)
