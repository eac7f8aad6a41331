"""Product images (ordered, one primary) and tags. Files themselves are stored and re-encoded
by mercato.platform.files; this module keeps their place in the catalogue."""

from __future__ import annotations

import io
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.catalog import repository as repo
from mercato.catalog.service import get_product, slugify
from mercato.kit.errors import NotFound, ValidationFailed
from mercato.models.catalog import ProductImage, Tag
from mercato.platform.files import Storage, clean_image, new_key

# Widths of the WebP copies a product image gets (cards ~320, page ~640, retina page 960).
VARIANT_WIDTHS = (320, 640, 960)
WEBP_QUALITY = 80


def webp_variants(
    data: bytes, widths: tuple[int, ...] = VARIANT_WIDTHS
) -> list[tuple[int, int, bytes]]:
    """(width, height, WebP bytes) for each width narrower than the image, plus one at the
    image's own width when it is narrower than the widest asked for (never upscaled)."""
    # Imported here: only an image upload or the seed resizes, and Pillow is about 5 MiB in
    # every server worker otherwise (issue 3).
    from PIL import Image

    out: list[tuple[int, int, bytes]] = []
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        source = img.convert("RGBA" if img.mode in ("RGBA", "LA") else "RGB")
    wanted = sorted({w for w in widths if w < source.width} | {min(source.width, max(widths))})
    for width in wanted:
        height = max(1, round(source.height * width / source.width))
        copy = source if width == source.width else source.resize((width, height), Image.LANCZOS)
        buffer = io.BytesIO()
        copy.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
        out.append((width, height, buffer.getvalue()))
    return out


async def store_image(
    db: AsyncSession,
    storage: Storage,
    product_id: int,
    raw: bytes,
    *,
    max_bytes: int,
    alt_text: str = "",
    primary: bool = False,
) -> ProductImage:
    """Check and re-encode an uploaded image (mercato.platform.files.clean_image), store it
    with its WebP variants, and append it to the product. Used by the admin's upload and
    the demo seed. Files are written before the row: a failed transaction can leave unused
    files behind, never a row pointing at a missing file."""
    await get_product(db, product_id)
    clean = clean_image(raw, max_bytes=max_bytes)
    key = new_key(f"products/{product_id}", clean.extension)
    await storage.save(key, clean.data)
    variants: list[dict[str, Any]] = []
    stem = key.rsplit(".", 1)[0]
    for width, height, data in webp_variants(clean.data):
        variant_key = f"{stem}-{width}.webp"
        await storage.save(variant_key, data)
        variants.append({"width": width, "height": height, "key": variant_key})
    return await add_image(
        db,
        product_id,
        storage_key=key,
        alt_text=alt_text,
        width=clean.width,
        height=clean.height,
        variants=variants,
        primary=primary,
    )


async def _make_primary(db: AsyncSession, images: list[ProductImage], chosen: ProductImage) -> None:
    # Clear the old primary first: a unique partial index allows one primary per product.
    for image in images:
        if image.is_primary and image is not chosen:
            image.is_primary = False
    await db.flush()
    chosen.is_primary = True
    await db.flush()


async def add_image(
    db: AsyncSession,
    product_id: int,
    *,
    storage_key: str,
    alt_text: str = "",
    width: int | None = None,
    height: int | None = None,
    variants: list[dict[str, Any]] | None = None,
    primary: bool = False,
) -> ProductImage:
    """Append an image; the first image of a product is its primary one. Without alt text
    the product's name is used, so no product image is ever announced as a bare file."""
    product = await get_product(db, product_id)
    if not storage_key.strip():
        raise ValidationFailed("The image has no stored file.", field="storage_key")
    images = await repo.product_images(db, product_id)
    image = ProductImage(
        product_id=product_id,
        storage_key=storage_key.strip(),
        alt_text=(alt_text.strip() or product.name)[:300],
        width=width,
        height=height,
        variants=variants or [],
        position=max((i.position for i in images), default=-1) + 1,
        is_primary=False,
    )
    db.add(image)
    await db.flush()
    if primary or not images:
        await _make_primary(db, images, image)
    return image


async def _image_of(
    db: AsyncSession, product_id: int, image_id: int
) -> tuple[list[ProductImage], ProductImage]:
    images = await repo.product_images(db, product_id)
    for image in images:
        if image.id == image_id:
            return images, image
    raise NotFound("This product has no such image.", field="image_id")


async def set_primary_image(db: AsyncSession, product_id: int, image_id: int) -> ProductImage:
    images, image = await _image_of(db, product_id, image_id)
    await _make_primary(db, images, image)
    return image


async def remove_image(db: AsyncSession, product_id: int, image_id: int) -> None:
    """Remove an image; if it was the primary one, the next in order takes its place."""
    images, image = await _image_of(db, product_id, image_id)
    await db.delete(image)
    await db.flush()
    rest = [i for i in images if i is not image]
    if image.is_primary and rest:
        await _make_primary(db, rest, rest[0])


async def reorder_images(db: AsyncSession, product_id: int, image_ids: list[int]) -> None:
    """Positions follow ``image_ids``, which must list each of the product's images once."""
    images = await repo.product_images(db, product_id)
    if sorted(image_ids) != sorted(i.id for i in images):
        raise ValidationFailed("List each image of this product exactly once.", field="image_ids")
    position = {image_id: n for n, image_id in enumerate(image_ids)}
    for image in images:
        image.position = position[image.id]
    await db.flush()


async def create_tag(db: AsyncSession, name: str, slug: str = "") -> Tag:
    name = " ".join(name.split())
    if not name:
        raise ValidationFailed("Name is required.", field="name")
    slug = slug.strip().lower() or slugify(name)
    if not slug:
        raise ValidationFailed("Give the tag a slug.", field="slug")
    if await repo.tag_taken(db, "name", name):
        raise ValidationFailed("Another tag already has this name.", field="name")
    if await repo.tag_taken(db, "slug", slug):
        raise ValidationFailed("Another tag already uses this slug.", field="slug")
    tag = Tag(name=name, slug=slug)
    db.add(tag)
    await db.flush()
    return tag


async def set_product_tags(db: AsyncSession, product_id: int, tag_ids: list[int]) -> list[Tag]:
    product = await repo.product_with_tags(db, product_id)
    if product is None:
        raise NotFound("No such product.", field="product_id")
    wanted = set(tag_ids)
    tags = await repo.tags_by_ids(db, list(wanted))
    if len(tags) != len(wanted):
        raise ValidationFailed("Choose existing tags.", field="tag_ids")
    product.tags = tags
    await db.flush()
    return tags
