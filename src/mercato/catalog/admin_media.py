"""Product images in the admin: upload (checked by content, re-encoded, size-limited), alt
text, order, primary choice and removal. Every change needs ``catalog.write`` and is audited.

Files are checked before anything is written, so a refused upload leaves neither a file nor a
row; a removed image's file is kept, because past orders keep the key of the image they
showed (order line snapshots).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import UploadFile
from starlette.responses import Response

from mercato.catalog import admin_service, media
from mercato.identity.deps import require_permission
from mercato.kit.errors import ValidationFailed
from mercato.models import User
from mercato.models.catalog import Product, ProductImage
from mercato.platform import audit
from mercato.web.deps import Db
from mercato.web.flash import redirect

router = APIRouter(prefix="/products")

Writer = Annotated[User, Depends(require_permission("catalog.write"))]
ALT_MAX = 300


async def read_upload(request: Request, upload: UploadFile) -> bytes:
    """At most the size limit plus one byte: an oversized file is refused (by
    media.store_image's check) without reading all of it into memory."""
    limit = int(request.state.runtime.settings.upload_max_bytes)
    return await upload.read(limit + 1)


async def store_upload(
    db: Any,
    request: Request,
    product: Product,
    upload: UploadFile,
    *,
    alt_text: str = "",
) -> ProductImage:
    """Check by content, re-encode and store the upload with its WebP variants, through
    media.store_image (the same path as the demo seed); its errors name the "image" field."""
    alt_text = " ".join(alt_text.split())
    if len(alt_text) > ALT_MAX:
        raise ValidationFailed(f"Keep the alt text under {ALT_MAX} characters.", field="image_alt")
    runtime = request.state.runtime
    try:
        return await media.store_image(
            db,
            runtime.storage,
            product.id,
            await read_upload(request, upload),
            max_bytes=int(runtime.settings.upload_max_bytes),
            alt_text=alt_text,
        )
    except ValidationFailed as exc:
        if exc.field in (None, "file"):
            raise ValidationFailed(exc.message, field="image") from exc
        raise


def _back(request: Request, product_id: int, message: str, kind: str = "success") -> Response:
    return redirect(request, f"admin/products/{product_id}#images", message, kind)


async def _audit(
    db: Any,
    request: Request,
    actor: User,
    product_id: int,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    await audit.record(
        db,
        actor=actor,
        action=action,
        entity_type="product",
        entity_id=product_id,
        before=before,
        after=after,
        request=request,
    )


async def _live_product(db: Any, product_id: int) -> Product:
    product = await admin_service.product_for_edit(db, product_id)
    if product.deleted_at is not None:
        raise ValidationFailed("Restore this product before changing its images.", field="image")
    return product


def _image(product: Product, image_id: int) -> ProductImage:
    for image in product.images:
        if image.id == image_id:
            return image
    from mercato.kit.errors import NotFound

    raise NotFound("This product has no such image.")


@router.post("/{product_id:int}/images")
async def image_upload(request: Request, db: Db, product_id: int, actor: Writer) -> Response:
    product = await _live_product(db, product_id)
    form = await request.form()
    upload = form.get("image")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise ValidationFailed("Choose an image file to upload.", field="image")
    alt = form.get("image_alt")
    image = await store_upload(
        db, request, product, upload, alt_text=alt if isinstance(alt, str) else ""
    )
    await _audit(
        db,
        request,
        actor,
        product.id,
        "product.image.add",
        None,
        {"image_id": image.id, "key": image.storage_key, "alt_text": image.alt_text},
    )
    return _back(request, product.id, "Image added.")


@router.post("/{product_id:int}/images/{image_id:int}/alt")
async def image_alt(
    request: Request, db: Db, product_id: int, image_id: int, actor: Writer
) -> Response:
    product = await _live_product(db, product_id)
    image = _image(product, image_id)
    form = await request.form()
    raw = form.get("alt_text")
    alt = " ".join((raw if isinstance(raw, str) else "").split())
    if not alt:
        raise ValidationFailed("Describe the image for people who cannot see it.", field="alt_text")
    if len(alt) > ALT_MAX:
        raise ValidationFailed(f"Keep the alt text under {ALT_MAX} characters.", field="alt_text")
    before = image.alt_text
    image.alt_text = alt
    await db.flush()
    await _audit(
        db,
        request,
        actor,
        product.id,
        "product.image.alt",
        {"image_id": image.id, "alt_text": before},
        {"image_id": image.id, "alt_text": alt},
    )
    return _back(request, product.id, "Alt text saved.")


@router.post("/{product_id:int}/images/{image_id:int}/primary")
async def image_primary(
    request: Request, db: Db, product_id: int, image_id: int, actor: Writer
) -> Response:
    product = await _live_product(db, product_id)
    old = next((i.id for i in product.images if i.is_primary), None)
    _image(product, image_id)
    await media.set_primary_image(db, product.id, image_id)
    await _audit(
        db,
        request,
        actor,
        product.id,
        "product.image.primary",
        {"primary_image_id": old},
        {"primary_image_id": image_id},
    )
    return _back(request, product.id, "Primary image chosen.")


@router.post("/{product_id:int}/images/{image_id:int}/move")
async def image_move(
    request: Request, db: Db, product_id: int, image_id: int, actor: Writer
) -> Response:
    """One step up or down: works without JavaScript and with a keyboard."""
    product = await _live_product(db, product_id)
    _image(product, image_id)
    form = await request.form()
    direction = form.get("direction")
    ids = [i.id for i in sorted(product.images, key=lambda i: (i.position, i.id))]
    at = ids.index(image_id)
    to = at - 1 if direction == "up" else at + 1 if direction == "down" else None
    if to is None:
        raise ValidationFailed("Move the image up or down.", field="direction")
    if not 0 <= to < len(ids):
        return _back(request, product.id, "The image is already at that end.", "info")
    before = list(ids)
    ids[at], ids[to] = ids[to], ids[at]
    await media.reorder_images(db, product.id, ids)
    await _audit(
        db, request, actor, product.id, "product.image.reorder", {"order": before}, {"order": ids}
    )
    return _back(request, product.id, "Image order saved.")


@router.post("/{product_id:int}/images/{image_id:int}/remove")
async def image_remove(
    request: Request, db: Db, product_id: int, image_id: int, actor: Writer
) -> Response:
    product = await _live_product(db, product_id)
    image = _image(product, image_id)
    before = {"image_id": image.id, "key": image.storage_key, "alt_text": image.alt_text}
    await media.remove_image(db, product.id, image_id)
    await _audit(db, request, actor, product.id, "product.image.remove", before, None)
    return _back(request, product.id, "Image removed.")
