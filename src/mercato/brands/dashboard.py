"""The brand dashboard under /brand: a brand user edits the brand's profile, logo and press,
its collections and lookbooks, and its products with their size runs and pictures.

Which brand: the user's first brand, or ``?brand=<id>`` (GET) / ``brand_id`` (POST) for
someone who manages several. Every lookup goes through ``service.managed_brand`` and the
brand-scoped service functions, so a user of another brand gets 404 for anything here.
Changes are audited. The navigation links /brand/inquiries and /brand/inbox, which the
inquiries and conversations modules serve.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import select

from mercato.brands import service
from mercato.brands.pages import errors_of
from mercato.brands.schemas import BrandIn, BrandProductIn, CollectionIn, PressIn, SizeIn
from mercato.identity.deps import CurrentUser
from mercato.kit.errors import DomainError
from mercato.models import Category, User
from mercato.models.brands import STOCK_STATES, Brand
from mercato.platform import audit
from mercato.web.deps import Db, Runtime
from mercato.web.flash import redirect
from mercato.web.templating import render

router = APIRouter(prefix="/brand")
MAX_UPLOAD = service.MAX_IMAGE_BYTES


def _int(raw: Any) -> int | None:
    text = str(raw or "").strip()
    return int(text) if text.isdigit() and len(text) < 19 else None


async def _brand(request: Request, db: Any, user: User, form: Any = None) -> Brand:
    raw = form.get("brand_id") if form is not None else request.query_params.get("brand")
    return await service.managed_brand(db, user.id, _int(raw))


def _to(brand: Brand, where: str = "") -> str:
    return f"brand{'/' + where if where else ''}?brand={brand.id}"


async def _render(
    request: Request,
    db: Any,
    user: User,
    brand: Brand,
    template: str,
    ctx: dict[str, Any],
    *,
    status_code: int = 200,
    section: str = "",
) -> Response:
    ctx = {
        "brand": brand,
        "my_brands": await service.brands_of_user(db, user.id),
        "section": section,
        "errors": {},
        **ctx,
    }
    return render(request, f"brands/dashboard/{template}", ctx, status_code=status_code)


async def _upload(form: Any, name: str = "file") -> bytes:
    upload = form.get(name)
    if upload is None or not hasattr(upload, "read"):
        return b""
    return await upload.read(MAX_UPLOAD + 1)


# ---- overview -------------------------------------------------------------------------


@router.get("")
async def overview(request: Request, db: Db, user: CurrentUser) -> Response:
    brand = await _brand(request, db, user)
    products = await service.products_of_brand(db, brand.id, include_inactive=True)
    collections = await service.collections_of(db, brand.id)
    return await _render(
        request,
        db,
        user,
        brand,
        "overview.html",
        {"product_count": len(products), "collections": collections},
        section="overview",
    )


# ---- profile, logo, press ---------------------------------------------------------------

PROFILE_FIELDS = (
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


async def _profile_page(request, db, user, brand, *, values=None, errors=None, status_code=200):
    categories = list(
        await db.scalars(select(Category).order_by(Category.sort_order, Category.name))
    )
    chosen = await service.category_ids_of(db, brand.id)
    if values is None:
        values = {f: getattr(brand, f) for f in PROFILE_FIELDS}
        values["category_ids"] = chosen
    return await _render(
        request,
        db,
        user,
        brand,
        "profile.html",
        {
            "values": values,
            "errors": errors or {},
            "categories": categories,
            "press": await service.press_of(db, brand.id),
            "logo_url": request.state.runtime.storage.url(brand.logo_key) if brand.logo_key else "",
        },
        status_code=status_code,
        section="profile",
    )


@router.get("/profile")
async def profile(request: Request, db: Db, user: CurrentUser) -> Response:
    brand = await _brand(request, db, user)
    return await _profile_page(request, db, user, brand)


def _optional_int(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.lstrip("-").isdigit() and len(text) < 12 else None


@router.post("/profile")
async def save_profile(request: Request, db: Db, user: CurrentUser) -> Response:
    form = await request.form()
    brand = await _brand(request, db, user, form)
    values: dict[str, Any] = {f: str(form.get(f) or "").strip() for f in PROFILE_FIELDS}
    values["category_ids"] = [i for i in (_int(v) for v in form.getlist("category_ids")) if i]
    raw = dict(values)
    for number in ("founded_year", "min_units_per_style"):
        if values[number] and _optional_int(values[number]) is None:
            return await _profile_page(
                request,
                db,
                user,
                brand,
                values=raw,
                errors={number: ["Enter a whole number."]},
                status_code=422,
            )
        values[number] = _optional_int(values[number])
    try:
        data = BrandIn(**values, slug=brand.slug)
        before = await service.update_brand(db, brand, data)
    except ValidationError as exc:
        return await _profile_page(
            request, db, user, brand, values=raw, errors=errors_of(exc), status_code=422
        )
    except DomainError as exc:
        return await _profile_page(
            request,
            db,
            user,
            brand,
            values=raw,
            errors={exc.field or "__all__": [exc.message]},
            status_code=exc.status_code,
        )
    await audit.record(
        db,
        actor=user,
        action="brands.profile.update",
        entity_type="brand",
        entity_id=brand.id,
        before={k: v for k, v in before.items()},
        after={f: getattr(brand, f) for f in before},
        request=request,
    )
    return redirect(request, _to(brand, "profile"), "Profile saved.")


@router.post("/logo")
async def upload_logo(request: Request, db: Db, runtime: Runtime, user: CurrentUser) -> Response:
    form = await request.form()
    brand = await _brand(request, db, user, form)
    try:
        await service.set_logo(db, runtime.storage, brand, await _upload(form, "logo"))
    except DomainError as exc:
        return await _profile_page(
            request, db, user, brand, errors={"logo": [exc.message]}, status_code=exc.status_code
        )
    await audit.record(
        db,
        actor=user,
        action="brands.logo.update",
        entity_type="brand",
        entity_id=brand.id,
        before=None,
        after={"logo_key": brand.logo_key},
        request=request,
    )
    return redirect(request, _to(brand, "profile"), "Logo updated.")


@router.post("/press")
async def add_press(request: Request, db: Db, user: CurrentUser) -> Response:
    form = await request.form()
    brand = await _brand(request, db, user, form)
    values = {
        f: str(form.get(f) or "").strip() for f in ("publication", "title", "published_on", "url")
    }
    try:
        row = await service.add_press(db, brand, PressIn(**values))
    except ValidationError as exc:
        errors = {f"press_{k}": v for k, v in errors_of(exc).items()}
        return await _profile_page(request, db, user, brand, errors=errors, status_code=422)
    await audit.record(
        db,
        actor=user,
        action="brands.press.add",
        entity_type="brand",
        entity_id=brand.id,
        before=None,
        after={"press_id": row.id, "publication": row.publication},
        request=request,
    )
    return redirect(request, _to(brand, "profile"), "Press feature added.")


@router.post("/press/{press_id:int}/delete")
async def delete_press(request: Request, press_id: int, db: Db, user: CurrentUser) -> Response:
    form = await request.form()
    brand = await _brand(request, db, user, form)
    await service.remove_press(db, brand, press_id)
    await audit.record(
        db,
        actor=user,
        action="brands.press.delete",
        entity_type="brand",
        entity_id=brand.id,
        before={"press_id": press_id},
        after=None,
        request=request,
    )
    return redirect(request, _to(brand, "profile"), "Press feature removed.")


# ---- collections and lookbooks ----------------------------------------------------------

COLLECTION_FIELDS = ("name", "slug", "season", "year", "description")


async def _collections_page(request, db, user, brand, *, values=None, errors=None, status_code=200):
    collections = await service.collections_of(db, brand.id)
    return await _render(
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
    brand = await _brand(request, db, user)
    return await _collections_page(request, db, user, brand)


def _collection_in(form: Any) -> tuple[dict[str, Any], CollectionIn]:
    values: dict[str, Any] = {f: str(form.get(f) or "").strip() for f in COLLECTION_FIELDS}
    values["is_published"] = form.get("is_published") == "on"
    year = _optional_int(values["year"])
    return values, CollectionIn(**{**values, "year": year if year is not None else 0})


@router.post("/collections")
async def create_collection(request: Request, db: Db, user: CurrentUser) -> Response:
    form = await request.form()
    brand = await _brand(request, db, user, form)
    values: dict[str, Any] = {}
    try:
        values, data = _collection_in(form)
        collection = await service.save_collection(db, brand, data)
    except ValidationError as exc:
        return await _collections_page(
            request, db, user, brand, values=values or None, errors=errors_of(exc), status_code=422
        )
    except DomainError as exc:
        return await _collections_page(
            request,
            db,
            user,
            brand,
            values=values,
            errors={exc.field or "__all__": [exc.message]},
            status_code=exc.status_code,
        )
    await audit.record(
        db,
        actor=user,
        action="brands.collection.create",
        entity_type="brand_collection",
        entity_id=collection.id,
        before=None,
        after={"name": collection.name},
        request=request,
    )
    return redirect(
        request, _to(brand, f"collections/{collection.id}"), "Collection created. Add its lookbook."
    )


async def _collection_page(
    request, db, user, brand, collection, *, values=None, errors=None, status_code=200
):
    images = (await service.lookbook_of(db, [collection.id]))[collection.id]
    storage = request.state.runtime.storage
    if values is None:
        values = {f: getattr(collection, f) for f in COLLECTION_FIELDS}
        values["is_published"] = collection.is_published
    return await _render(
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
    brand = await _brand(request, db, user)
    found = await service.collection_of(db, brand.id, collection_id)
    return await _collection_page(request, db, user, brand, found)


@router.post("/collections/{collection_id:int}")
async def save_collection(
    request: Request, collection_id: int, db: Db, user: CurrentUser
) -> Response:
    form = await request.form()
    brand = await _brand(request, db, user, form)
    found = await service.collection_of(db, brand.id, collection_id)
    values: dict[str, Any] = {}
    try:
        values, data = _collection_in(form)
        await service.save_collection(db, brand, data, found)
    except ValidationError as exc:
        return await _collection_page(
            request,
            db,
            user,
            brand,
            found,
            values=values or None,
            errors=errors_of(exc),
            status_code=422,
        )
    except DomainError as exc:
        return await _collection_page(
            request,
            db,
            user,
            brand,
            found,
            values=values,
            errors={exc.field or "__all__": [exc.message]},
            status_code=exc.status_code,
        )
    await audit.record(
        db,
        actor=user,
        action="brands.collection.update",
        entity_type="brand_collection",
        entity_id=found.id,
        before=None,
        after={"name": found.name},
        request=request,
    )
    return redirect(request, _to(brand, f"collections/{found.id}"), "Collection saved.")


@router.post("/collections/{collection_id:int}/images")
async def upload_lookbook(
    request: Request, collection_id: int, db: Db, runtime: Runtime, user: CurrentUser
) -> Response:
    form = await request.form()
    brand = await _brand(request, db, user, form)
    found = await service.collection_of(db, brand.id, collection_id)
    try:
        image = await service.add_lookbook_image(
            db, runtime.storage, found, await _upload(form), str(form.get("alt_text") or "")
        )
    except DomainError as exc:
        return await _collection_page(
            request,
            db,
            user,
            brand,
            found,
            errors={"file": [exc.message]},
            status_code=exc.status_code,
        )
    await audit.record(
        db,
        actor=user,
        action="brands.lookbook.add",
        entity_type="brand_collection",
        entity_id=found.id,
        before=None,
        after={"image_id": image.id},
        request=request,
    )
    return redirect(request, _to(brand, f"collections/{found.id}"), "Image added to the lookbook.")


@router.post("/collections/{collection_id:int}/images/{image_id:int}/{action}")
async def change_lookbook(
    request: Request, collection_id: int, image_id: int, action: str, db: Db, user: CurrentUser
) -> Response:
    form = await request.form()
    brand = await _brand(request, db, user, form)
    found = await service.collection_of(db, brand.id, collection_id)
    if action in ("up", "down"):
        await service.move_lookbook_image(db, found, image_id, -1 if action == "up" else 1)
        message = "Lookbook order changed."
    elif action == "delete":
        await service.remove_lookbook_image(db, found, image_id)
        message = "Image removed."
    else:
        return redirect(request, _to(brand, f"collections/{found.id}"), "Unknown action.", "error")
    await audit.record(
        db,
        actor=user,
        action=f"brands.lookbook.{action}",
        entity_type="brand_collection",
        entity_id=found.id,
        before={"image_id": image_id},
        after=None,
        request=request,
    )
    return redirect(request, _to(brand, f"collections/{found.id}"), message)


# ---- products ---------------------------------------------------------------------------


@router.get("/products")
async def products(request: Request, db: Db, user: CurrentUser) -> Response:
    brand = await _brand(request, db, user)
    rows = await service.products_of_brand(db, brand.id, include_inactive=True)
    sizes = await service.sizes_of(db, [p.id for p, _ in rows])
    return await _render(
        request,
        db,
        user,
        brand,
        "products.html",
        {"rows": rows, "sizes": sizes},
        section="products",
    )


def _product_values(form: Any) -> dict[str, Any]:
    names = (
        "name",
        "slug",
        "price",
        "suggested_retail_price",
        "category_id",
        "collection_id",
        "short_description",
        "description",
        "fabric",
        "colours",
        "lead_time_days",
        "customisation_options",
    )
    values: dict[str, Any] = {n: str(form.get(n) or "").strip() for n in names}
    values["is_active"] = form.get("is_active") == "on"
    labels = form.getlist("size_label")
    states = form.getlist("size_state")
    quantities = form.getlist("size_quantity")
    values["sizes"] = [
        {
            "label": str(label).strip(),
            "stock_state": str(states[n] if n < len(states) else "in_stock"),
            "quantity": str(quantities[n] if n < len(quantities) else "").strip(),
        }
        for n, label in enumerate(labels)
        if str(label).strip()
    ]
    return values


_AMOUNT = re.compile(r"^\d{1,9}(\.\d{1,2})?$")


def _money(text: str, field: str, errors: dict[str, list[str]]) -> int | None:
    """ "1,200.50" → 120050 minor units (USD has two decimals). Digits, an optional point
    and at most two decimals only: no exponents, signs, NaN or infinities."""
    text = text.replace(",", "").strip()
    if not text:
        return None
    if not _AMOUNT.match(text):
        errors.setdefault(field, []).append("Enter an amount such as 480 or 480.00.")
        return None
    whole, _, cents = text.partition(".")
    return int(whole) * 100 + int((cents + "00")[:2])


def _product_in(values: dict[str, Any]) -> BrandProductIn:
    errors: dict[str, list[str]] = {}
    price = _money(values["price"], "price", errors)
    if price is None and "price" not in errors:
        errors["price"] = ["Enter the wholesale price."]
    srp = _money(values["suggested_retail_price"], "suggested_retail_price", errors)
    lead = _optional_int(values["lead_time_days"] or "0")
    if lead is None:
        errors["lead_time_days"] = ["Enter a number of days."]
    sizes = []
    for size in values["sizes"]:
        quantity = _optional_int(size["quantity"]) if size["quantity"] else None
        if size["quantity"] and quantity is None:
            errors.setdefault("sizes", []).append(f"Size {size['label']}: enter a whole quantity.")
        sizes.append(
            SizeIn.model_construct(
                label=size["label"], stock_state=size["stock_state"], quantity=quantity
            )
        )
    if errors:
        raise _FormErrors(errors)
    return BrandProductIn(
        name=values["name"],
        slug=values["slug"],
        price=price or 0,
        suggested_retail_price=srp,
        category_id=_int(values["category_id"]),
        collection_id=_int(values["collection_id"]),
        short_description=values["short_description"],
        description=values["description"],
        fabric=values["fabric"],
        colours=[c for c in values["colours"].split(",")],
        lead_time_days=lead or 0,
        customisation_options=[c for c in values["customisation_options"].splitlines()],
        is_active=values["is_active"],
        sizes=[s.model_dump() for s in sizes],
    )


class _FormErrors(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors


async def _product_page(
    request, db, user, brand, product=None, *, values=None, errors=None, status_code=200
):
    storage = request.state.runtime.storage
    images = []
    if product is not None:
        from mercato.catalog import repository as catalog_repo

        images = [
            (i, storage.url(i.storage_key))
            for i in await catalog_repo.product_images(db, product.id)
        ]
    return await _render(
        request,
        db,
        user,
        brand,
        "product.html",
        {
            "product": product,
            "values": values,
            "errors": errors or {},
            "images": images,
            "categories": list(
                await db.scalars(select(Category).order_by(Category.sort_order, Category.name))
            ),
            "collections": await service.collections_of(db, brand.id),
            "stock_states": STOCK_STATES,
        },
        status_code=status_code,
        section="products",
    )


def _values_of(product: Any, link: Any, sizes: list[Any]) -> dict[str, Any]:
    def major(amount: int | None) -> str:
        return "" if amount is None else f"{amount / 100:.2f}"

    return {
        "name": product.name,
        "slug": product.slug,
        "price": major(product.price),
        "suggested_retail_price": major(link.suggested_retail_price),
        "category_id": str(product.category_id or ""),
        "collection_id": str(link.collection_id or ""),
        "short_description": product.short_description,
        "description": product.description,
        "fabric": link.fabric,
        "colours": ", ".join(link.colours),
        "lead_time_days": str(link.lead_time_days),
        "customisation_options": "\n".join(link.customisation_options),
        "is_active": product.is_active,
        "sizes": [
            {
                "label": s.label,
                "stock_state": s.stock_state,
                "quantity": "" if s.quantity is None else str(s.quantity),
            }
            for s in sizes
        ],
    }


@router.get("/products/new")
async def new_product(request: Request, db: Db, user: CurrentUser) -> Response:
    brand = await _brand(request, db, user)
    values = {
        "is_active": True,
        "sizes": [
            {"label": s, "stock_state": "in_stock", "quantity": ""}
            for s in ("XS", "S", "M", "L", "XL")
        ],
    }
    return await _product_page(request, db, user, brand, values=values)


async def _save_product(request: Request, db: Any, user: User, product_id: int | None) -> Response:
    form = await request.form()
    brand = await _brand(request, db, user, form)
    product = None
    if product_id is not None:
        product, _ = await service.product_of(db, brand.id, product_id)
    values = _product_values(form)
    try:
        data = _product_in(values)
        if product is None:
            product = await service.create_product(db, brand, data)
            action = "create"
        else:
            await service.update_product(db, brand, product.id, data)
            action = "update"
    except _FormErrors as exc:
        return await _product_page(
            request, db, user, brand, product, values=values, errors=exc.errors, status_code=422
        )
    except ValidationError as exc:
        return await _product_page(
            request, db, user, brand, product, values=values, errors=errors_of(exc), status_code=422
        )
    except DomainError as exc:
        return await _product_page(
            request,
            db,
            user,
            brand,
            product,
            values=values,
            errors={exc.field or "__all__": [exc.message]},
            status_code=exc.status_code,
        )
    await audit.record(
        db,
        actor=user,
        action=f"brands.product.{action}",
        entity_type="product",
        entity_id=product.id,
        before=None,
        after={"name": product.name, "price": product.price},
        request=request,
    )
    return redirect(request, _to(brand, f"products/{product.id}"), f"{product.name} saved.")


@router.post("/products/new")
async def create_product(request: Request, db: Db, user: CurrentUser) -> Response:
    return await _save_product(request, db, user, None)


@router.get("/products/{product_id:int}")
async def product(request: Request, product_id: int, db: Db, user: CurrentUser) -> Response:
    brand = await _brand(request, db, user)
    found, link = await service.product_of(db, brand.id, product_id)
    sizes = (await service.sizes_of(db, [found.id]))[found.id]
    return await _product_page(
        request, db, user, brand, found, values=_values_of(found, link, sizes)
    )


@router.post("/products/{product_id:int}")
async def update_product(request: Request, product_id: int, db: Db, user: CurrentUser) -> Response:
    return await _save_product(request, db, user, product_id)


@router.post("/products/{product_id:int}/images")
async def upload_product_image(
    request: Request, product_id: int, db: Db, runtime: Runtime, user: CurrentUser
) -> Response:
    form = await request.form()
    brand = await _brand(request, db, user, form)
    found, link = await service.product_of(db, brand.id, product_id)
    try:
        image = await service.add_product_image(
            db,
            runtime.storage,
            brand,
            found.id,
            await _upload(form),
            str(form.get("alt_text") or ""),
        )
    except DomainError as exc:
        sizes = (await service.sizes_of(db, [found.id]))[found.id]
        return await _product_page(
            request,
            db,
            user,
            brand,
            found,
            values=_values_of(found, link, sizes),
            errors={"file": [exc.message]},
            status_code=exc.status_code,
        )
    await audit.record(
        db,
        actor=user,
        action="brands.product_image.add",
        entity_type="product",
        entity_id=found.id,
        before=None,
        after={"image_id": image.id},
        request=request,
    )
    return redirect(request, _to(brand, f"products/{found.id}"), "Picture added.")


@router.post("/products/{product_id:int}/images/{image_id:int}/delete")
async def delete_product_image(
    request: Request, product_id: int, image_id: int, db: Db, user: CurrentUser
) -> Response:
    form = await request.form()
    brand = await _brand(request, db, user, form)
    await service.remove_product_image(db, brand, product_id, image_id)
    await audit.record(
        db,
        actor=user,
        action="brands.product_image.delete",
        entity_type="product",
        entity_id=product_id,
        before={"image_id": image_id},
        after=None,
        request=request,
    )
    return redirect(request, _to(brand, f"products/{product_id}"), "Picture removed.")
