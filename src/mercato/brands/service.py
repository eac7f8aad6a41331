"""The rules of brands, collections, lookbooks, press and brand products. Services flush,
never commit: the request owns the transaction.

Every dashboard write names the brand it acts for, and every lookup of a collection,
product or image is scoped to that brand: a brand user who guesses another brand's ids
gets NotFound (a 404), exactly like a missing row.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.brands.schemas import BrandIn, BrandProductIn, CollectionIn, OnboardIn, PressIn
from mercato.catalog import media
from mercato.catalog import service as catalog_service
from mercato.catalog.schemas import ProductIn
from mercato.kit.errors import Conflict, NotFound, ValidationFailed
from mercato.models import Category, Product, ProductImage, Role, User, UserRole
from mercato.models.brands import (
    Brand,
    BrandCollection,
    BrandMember,
    BrandProduct,
    LookbookImage,
    PressFeature,
    ProductSize,
    brand_categories,
)
from mercato.platform.files import Storage, clean_image, new_key

MAX_IMAGE_BYTES = 8 * 1024 * 1024
MAX_LOOKBOOK_IMAGES = 40
MAX_PRODUCT_IMAGES = 12
BRAND_ROLE = "brand"

slugify = catalog_service.slugify


# ---- brands ---------------------------------------------------------------------------


async def brand_by_slug(db: AsyncSession, slug: str, *, live_only: bool = True) -> Brand:
    stmt = select(Brand).where(Brand.slug == slug)
    if live_only:
        stmt = stmt.where(Brand.is_active.is_(True))
    brand = await db.scalar(stmt)
    if brand is None:
        raise NotFound("We could not find that brand.")
    return brand


async def brand_by_id(db: AsyncSession, brand_id: int) -> Brand:
    brand = await db.get(Brand, brand_id)
    if brand is None:
        raise NotFound("We could not find that brand.")
    return brand


async def managed_brand(db: AsyncSession, user_id: int, brand_id: int | None = None) -> Brand:
    """The brand a dashboard request acts for: the one asked for if the user is its member,
    else the user's first brand. Not a member: NotFound (404), so ids cannot be probed."""
    stmt = select(Brand).join(BrandMember, BrandMember.brand_id == Brand.id)
    stmt = stmt.where(BrandMember.user_id == user_id)
    if brand_id is not None:
        stmt = stmt.where(Brand.id == brand_id)
    brand = await db.scalar(stmt.order_by(Brand.id).limit(1))
    if brand is None:
        raise NotFound("We could not find that brand.")
    return brand


async def brands_of_user(db: AsyncSession, user_id: int) -> list[Brand]:
    stmt = (
        select(Brand)
        .join(BrandMember, BrandMember.brand_id == Brand.id)
        .where(BrandMember.user_id == user_id)
        .order_by(Brand.name)
    )
    return list(await db.scalars(stmt))


async def category_ids_of(db: AsyncSession, brand_id: int) -> list[int]:
    rows = await db.scalars(
        select(brand_categories.c.category_id).where(brand_categories.c.brand_id == brand_id)
    )
    return list(rows)


async def _set_categories(db: AsyncSession, brand_id: int, category_ids: list[int]) -> None:
    wanted = sorted(set(category_ids))
    if wanted:
        found = set(await db.scalars(select(Category.id).where(Category.id.in_(wanted))))
        if found != set(wanted):
            raise ValidationFailed("Choose existing categories.", field="category_ids")
    await db.execute(delete(brand_categories).where(brand_categories.c.brand_id == brand_id))
    if wanted:
        await db.execute(
            insert(brand_categories), [{"brand_id": brand_id, "category_id": c} for c in wanted]
        )


async def _unique_flush(db: AsyncSession, message: str, field: str) -> None:
    try:
        async with db.begin_nested():
            await db.flush()
    except IntegrityError as exc:
        raise Conflict(message, field=field) from exc


_BRAND_FIELDS = (
    "name",
    "tagline",
    "description",
    "story",
    "location_city",
    "location_country",
    "founded_year",
    "accent_colour",
    "min_units_per_style",
    "instagram",
    "website",
)


async def create_brand(db: AsyncSession, data: BrandIn) -> Brand:
    slug = slugify(data.slug or data.name)
    if not slug:
        raise ValidationFailed("Give the brand a slug.", field="slug")
    if await db.scalar(select(Brand.id).where(Brand.slug == slug)):
        raise Conflict("Another brand already uses this slug.", field="slug")
    brand = Brand(slug=slug, **{f: getattr(data, f) for f in _BRAND_FIELDS})
    db.add(brand)
    await _unique_flush(db, "Another brand already uses this slug.", "slug")
    await _set_categories(db, brand.id, data.category_ids)
    return brand


async def update_brand(db: AsyncSession, brand: Brand, data: BrandIn) -> dict[str, Any]:
    """Profile edits by the brand's users; the slug (its public address) stays. Returns
    the values before, for the audit log."""
    before = {f: getattr(brand, f) for f in _BRAND_FIELDS}
    for f in _BRAND_FIELDS:
        setattr(brand, f, getattr(data, f))
    await db.flush()
    await _set_categories(db, brand.id, data.category_ids)
    return before


async def set_logo(db: AsyncSession, storage: Storage, brand: Brand, raw: bytes) -> Brand:
    clean = clean_image(raw, max_bytes=MAX_IMAGE_BYTES, field="logo")
    key = new_key(f"brands/{brand.id}", clean.extension)
    await storage.save(key, clean.data)
    brand.logo_key, brand.logo_width, brand.logo_height = key, clean.width, clean.height
    await db.flush()
    return brand


async def set_featured(db: AsyncSession, brand: Brand, featured: bool) -> Brand:
    brand.is_featured = featured
    await db.flush()
    return brand


async def set_active(db: AsyncSession, brand: Brand, active: bool) -> Brand:
    brand.is_active = active
    await db.flush()
    return brand


async def add_member(db: AsyncSession, brand: Brand, user: User, role: str = "owner") -> None:
    exists = await db.scalar(
        select(BrandMember.id).where(
            BrandMember.brand_id == brand.id, BrandMember.user_id == user.id
        )
    )
    if exists is None:
        db.add(BrandMember(brand_id=brand.id, user_id=user.id, role=role))
    role_row = await db.scalar(select(Role).where(Role.name == BRAND_ROLE))
    if role_row is not None:
        held = await db.scalar(
            select(UserRole.user_id).where(
                UserRole.user_id == user.id, UserRole.role_id == role_row.id
            )
        )
        if held is None:
            db.add(UserRole(user_id=user.id, role_id=role_row.id))
    await db.flush()


async def user_for_brand(
    db: AsyncSession, email: str, name: str, password: str
) -> tuple[User, bool]:
    """An existing account by email, or a new one with the password the admin chose (checked
    by the sign-up rule). Returns (user, created)."""
    from mercato.kit.security import hash_password, password_problems
    from mercato.kit.time import utcnow

    email = email.strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise ValidationFailed("That email address is not valid.", field="user_email")
    user = await db.scalar(select(User).where(User.email == email))
    if user is not None:
        return user, False
    name = " ".join(name.split())
    if not name:
        raise ValidationFailed("Give the brand user's name.", field="user_name")
    problems = password_problems(password, [email, name])
    if problems:
        raise ValidationFailed(" ".join(problems), field="user_password")
    user = User(
        email=email, name=name, password_hash=hash_password(password), email_verified_at=utcnow()
    )
    db.add(user)
    await db.flush()
    return user, True


async def members_of(db: AsyncSession, brand_id: int) -> list[tuple[BrandMember, User]]:
    rows = await db.execute(
        select(BrandMember, User)
        .join(User, User.id == BrandMember.user_id)
        .where(BrandMember.brand_id == brand_id)
        .order_by(BrandMember.created_at, BrandMember.id)
    )
    return [(m, u) for m, u in rows.all()]


async def remove_member(db: AsyncSession, brand: Brand, member_id: int) -> None:
    member = await db.scalar(
        select(BrandMember).where(BrandMember.id == member_id, BrandMember.brand_id == brand.id)
    )
    if member is None:
        raise NotFound("This brand has no such user.")
    await db.delete(member)
    await db.flush()


async def onboard(db: AsyncSession, data: OnboardIn) -> tuple[Brand, User, bool]:
    """Admin onboarding: the brand and its first user (an existing account is linked,
    otherwise one is made). Returns (brand, user, user_was_created)."""
    user, created = await user_for_brand(db, data.user_email, data.user_name, data.user_password)
    brand = await create_brand(db, data.brand)
    await add_member(db, brand, user)
    return brand, user, created


# ---- collections and lookbooks ------------------------------------------------------


async def collection_of(db: AsyncSession, brand_id: int, collection_id: int) -> BrandCollection:
    found = await db.scalar(
        select(BrandCollection).where(
            BrandCollection.id == collection_id, BrandCollection.brand_id == brand_id
        )
    )
    if found is None:
        raise NotFound("This brand has no such collection.", field="collection_id")
    return found


async def collections_of(
    db: AsyncSession, brand_id: int, *, published_only: bool = False
) -> list[BrandCollection]:
    stmt = select(BrandCollection).where(BrandCollection.brand_id == brand_id)
    if published_only:
        stmt = stmt.where(BrandCollection.is_published.is_(True))
    stmt = stmt.order_by(
        BrandCollection.year.desc(), BrandCollection.season.desc(), BrandCollection.id
    )
    return list(await db.scalars(stmt))


async def save_collection(
    db: AsyncSession, brand: Brand, data: CollectionIn, collection: BrandCollection | None = None
) -> BrandCollection:
    slug = slugify(data.slug or f"{data.season}-{data.year}-{data.name}")
    if not slug:
        raise ValidationFailed("Give the collection a slug.", field="slug")
    taken = select(BrandCollection.id).where(
        BrandCollection.brand_id == brand.id, BrandCollection.slug == slug
    )
    if collection is not None:
        taken = taken.where(BrandCollection.id != collection.id)
    if await db.scalar(taken):
        raise Conflict("Another collection of this brand uses this slug.", field="slug")
    if collection is None:
        collection = BrandCollection(
            brand_id=brand.id, slug=slug, season=data.season, year=data.year, name=data.name
        )
        db.add(collection)
    collection.slug, collection.name = slug, data.name
    collection.season, collection.year = data.season, data.year
    collection.description, collection.is_published = data.description, data.is_published
    await _unique_flush(db, "Another collection of this brand uses this slug.", "slug")
    return collection


async def lookbook_of(
    db: AsyncSession, collection_ids: list[int]
) -> dict[int, list[LookbookImage]]:
    """Lookbook images of several collections in one query, each list in position order."""
    found: dict[int, list[LookbookImage]] = {cid: [] for cid in collection_ids}
    if not collection_ids:
        return found
    stmt = (
        select(LookbookImage)
        .where(LookbookImage.collection_id.in_(collection_ids))
        .order_by(LookbookImage.collection_id, LookbookImage.position, LookbookImage.id)
    )
    for image in await db.scalars(stmt):
        found[image.collection_id].append(image)
    return found


async def add_lookbook_image(
    db: AsyncSession,
    storage: Storage,
    collection: BrandCollection,
    raw: bytes,
    alt_text: str = "",
) -> LookbookImage:
    """Validated by content, re-encoded without metadata (platform.files.clean_image), then
    appended. The file is written before the row, so a failed request leaves at most an
    unused file, never a row pointing at nothing."""
    count = await db.scalar(
        select(func.count()).where(LookbookImage.collection_id == collection.id)
    )
    if (count or 0) >= MAX_LOOKBOOK_IMAGES:
        raise ValidationFailed(
            f"A lookbook holds at most {MAX_LOOKBOOK_IMAGES} images.", field="file"
        )
    clean = clean_image(raw, max_bytes=MAX_IMAGE_BYTES)
    key = new_key(f"lookbooks/{collection.id}", clean.extension)
    await storage.save(key, clean.data)
    # WebP copies at the catalogue's widths, named as a product image's, for the srcset.
    variants: list[dict[str, Any]] = []
    stem = key.rsplit(".", 1)[0]
    for width, height, data in media.webp_variants(clean.data):
        variant_key = f"{stem}-{width}.webp"
        await storage.save(variant_key, data)
        variants.append({"width": width, "height": height, "key": variant_key})
    return await _append_lookbook(
        db, collection, key, clean.width, clean.height, alt_text, variants=variants
    )


async def _append_lookbook(
    db: AsyncSession,
    collection: BrandCollection,
    key: str,
    width: int | None,
    height: int | None,
    alt_text: str,
    *,
    variants: list[dict[str, Any]] | None = None,
) -> LookbookImage:
    last = await db.scalar(
        select(func.max(LookbookImage.position)).where(LookbookImage.collection_id == collection.id)
    )
    image = LookbookImage(
        collection_id=collection.id,
        storage_key=key,
        alt_text=(alt_text.strip() or f"{collection.name} lookbook")[:300],
        position=(last if last is not None else -1) + 1,
        width=width,
        height=height,
        variants=variants or [],
    )
    db.add(image)
    await db.flush()
    return image


async def move_lookbook_image(
    db: AsyncSession, collection: BrandCollection, image_id: int, step: int
) -> None:
    """Swap an image with its neighbour (step -1: earlier, +1: later)."""
    images = (await lookbook_of(db, [collection.id]))[collection.id]
    index = next((n for n, i in enumerate(images) if i.id == image_id), None)
    if index is None:
        raise NotFound("This lookbook has no such image.", field="image_id")
    other = index + (1 if step > 0 else -1)
    if 0 <= other < len(images):
        images[index], images[other] = images[other], images[index]
    for position, image in enumerate(images):
        image.position = position
    await db.flush()


async def remove_lookbook_image(
    db: AsyncSession, collection: BrandCollection, image_id: int
) -> None:
    image = await db.scalar(
        select(LookbookImage).where(
            LookbookImage.id == image_id, LookbookImage.collection_id == collection.id
        )
    )
    if image is None:
        raise NotFound("This lookbook has no such image.", field="image_id")
    await db.delete(image)
    await db.flush()


# ---- press ------------------------------------------------------------------------------


async def press_of(db: AsyncSession, brand_id: int) -> list[PressFeature]:
    stmt = (
        select(PressFeature)
        .where(PressFeature.brand_id == brand_id)
        .order_by(PressFeature.published_on.desc(), PressFeature.id.desc())
    )
    return list(await db.scalars(stmt))


async def add_press(db: AsyncSession, brand: Brand, data: PressIn) -> PressFeature:
    row = PressFeature(brand_id=brand.id, **data.model_dump())
    db.add(row)
    await db.flush()
    return row


async def remove_press(db: AsyncSession, brand: Brand, press_id: int) -> None:
    row = await db.scalar(
        select(PressFeature).where(PressFeature.id == press_id, PressFeature.brand_id == brand.id)
    )
    if row is None:
        raise NotFound("This brand has no such press feature.")
    await db.delete(row)
    await db.flush()


# ---- products ---------------------------------------------------------------------------


async def product_of(
    db: AsyncSession, brand_id: int, product_id: int
) -> tuple[Product, BrandProduct]:
    row = (
        await db.execute(
            select(Product, BrandProduct)
            .join(BrandProduct, BrandProduct.product_id == Product.id)
            .where(
                Product.id == product_id,
                BrandProduct.brand_id == brand_id,
                Product.deleted_at.is_(None),
            )
        )
    ).first()
    if row is None:
        raise NotFound("This brand has no such product.", field="product_id")
    return row[0], row[1]


async def sizes_of(db: AsyncSession, product_ids: list[int]) -> dict[int, list[ProductSize]]:
    found: dict[int, list[ProductSize]] = {pid: [] for pid in product_ids}
    if not product_ids:
        return found
    stmt = (
        select(ProductSize)
        .where(ProductSize.product_id.in_(product_ids))
        .order_by(ProductSize.product_id, ProductSize.sort, ProductSize.id)
    )
    for size in await db.scalars(stmt):
        found[size.product_id].append(size)
    return found


async def _replace_sizes(db: AsyncSession, product_id: int, data: BrandProductIn) -> None:
    await db.execute(delete(ProductSize).where(ProductSize.product_id == product_id))
    for position, size in enumerate(data.sizes):
        db.add(
            ProductSize(
                product_id=product_id,
                label=size.label,
                sort=position,
                stock_state=size.stock_state,
                quantity=size.quantity,
            )
        )
    await db.flush()


async def _check_collection(db: AsyncSession, brand: Brand, collection_id: int | None) -> None:
    if collection_id is not None:
        await collection_of(db, brand.id, collection_id)


def _core_values(data: BrandProductIn, sku: str, slug: str) -> ProductIn:
    return ProductIn(
        name=data.name,
        sku=sku,
        slug=slug,
        price=data.price,
        category_id=data.category_id,
        short_description=data.short_description,
        description=data.description,
        is_active=data.is_active,
    )


def _apply_details(link: BrandProduct, data: BrandProductIn) -> None:
    link.collection_id = data.collection_id
    link.fabric = data.fabric
    link.colours = data.colours
    link.suggested_retail_price = data.suggested_retail_price
    link.lead_time_days = data.lead_time_days
    link.customisation_options = data.customisation_options


async def create_product(
    db: AsyncSession, brand: Brand, data: BrandProductIn, *, sku: str = ""
) -> Product:
    await _check_collection(db, brand, data.collection_id)
    slug = slugify(data.slug or f"{brand.slug}-{data.name}")
    sku = sku or f"{brand.slug[:12].upper()}-{secrets.token_hex(4).upper()}"
    # Brands ship from their own workshops: the core stock ledger is not used for Qala
    # (the size run carries availability), so the product starts with zero core stock.
    product = await catalog_service.create_product(db, _core_values(data, sku, slug))
    link = BrandProduct(product_id=product.id, brand_id=brand.id)
    _apply_details(link, data)
    db.add(link)
    await db.flush()
    await _replace_sizes(db, product.id, data)
    return product


async def update_product(
    db: AsyncSession, brand: Brand, product_id: int, data: BrandProductIn
) -> Product:
    product, link = await product_of(db, brand.id, product_id)
    await _check_collection(db, brand, data.collection_id)
    slug = slugify(data.slug) if data.slug else product.slug
    await catalog_service.update_product(db, product.id, _core_values(data, product.sku, slug))
    _apply_details(link, data)
    await db.flush()
    await _replace_sizes(db, product.id, data)
    return product


async def add_product_image(
    db: AsyncSession, storage: Storage, brand: Brand, product_id: int, raw: bytes, alt: str = ""
) -> ProductImage:
    product, _ = await product_of(db, brand.id, product_id)
    count = await db.scalar(select(func.count()).where(ProductImage.product_id == product.id))
    if (count or 0) >= MAX_PRODUCT_IMAGES:
        raise ValidationFailed(
            f"A product holds at most {MAX_PRODUCT_IMAGES} images.", field="file"
        )
    return await media.store_image(
        db, storage, product.id, raw, max_bytes=MAX_IMAGE_BYTES, alt_text=alt
    )


async def remove_product_image(
    db: AsyncSession, brand: Brand, product_id: int, image_id: int
) -> None:
    product, _ = await product_of(db, brand.id, product_id)
    await media.remove_image(db, product.id, image_id)


async def products_of_brand(
    db: AsyncSession, brand_id: int, *, include_inactive: bool = False
) -> list[tuple[Product, BrandProduct]]:
    stmt = (
        select(Product, BrandProduct)
        .join(BrandProduct, BrandProduct.product_id == Product.id)
        .where(BrandProduct.brand_id == brand_id, Product.deleted_at.is_(None))
        .order_by(Product.name, Product.id)
    )
    if not include_inactive:
        stmt = stmt.where(Product.is_active.is_(True))
    return [(p, link) for p, link in (await db.execute(stmt)).all()]
