"""Dashboard: the brand's products, their size runs and pictures."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from mercato.brands import service
from mercato.brands.dashboard.common import (
    REFUSALS,
    Errors,
    brand_of,
    posted,
    record,
    refusal,
    render_page,
    to,
    upload,
)
from mercato.brands.dashboard.product_form import (
    new_product_values,
    product_in,
    values_of_form,
    values_of_product,
)
from mercato.identity.deps import CurrentUser
from mercato.kit.errors import DomainError
from mercato.models import Category, User
from mercato.models.brands import STOCK_STATES, Brand
from mercato.web.deps import Db, Runtime
from mercato.web.flash import redirect

router = APIRouter(prefix="/brand")


@router.get("/products")
async def products(request: Request, db: Db, user: CurrentUser) -> Response:
    brand = await brand_of(request, db, user)
    rows = await service.products_of_brand(db, brand.id, include_inactive=True)
    sizes = await service.sizes_of(db, [p.id for p, _ in rows])
    return await render_page(
        request,
        db,
        user,
        brand,
        "products.html",
        {"rows": rows, "sizes": sizes},
        section="products",
    )


async def _product_page(
    request: Request,
    db: Any,
    user: User,
    brand: Brand,
    product: Any = None,
    *,
    values: dict[str, Any] | None = None,
    errors: Errors | None = None,
    status_code: int = 200,
) -> Response:
    storage = request.state.runtime.storage
    images = []
    if product is not None:
        from mercato.catalog import repository as catalog_repo

        images = [
            (i, storage.url(i.storage_key))
            for i in await catalog_repo.product_images(db, product.id)
        ]
    return await render_page(
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


@router.get("/products/new")
async def new_product(request: Request, db: Db, user: CurrentUser) -> Response:
    brand = await brand_of(request, db, user)
    return await _product_page(request, db, user, brand, values=new_product_values())


async def _save_product(request: Request, db: Any, user: User, product_id: int | None) -> Response:
    form, brand = await posted(request, db, user)
    product = None
    if product_id is not None:
        product, _ = await service.product_of(db, brand.id, product_id)
    values = values_of_form(form)
    try:
        data = product_in(values)
        if product is None:
            product = await service.create_product(db, brand, data)
            action = "create"
        else:
            await service.update_product(db, brand, product.id, data)
            action = "update"
    except REFUSALS as exc:
        errors, status = refusal(exc)
        return await _product_page(
            request, db, user, brand, product, values=values, errors=errors, status_code=status
        )
    after = {"name": product.name, "price": product.price}
    await record(request, db, user, f"product.{action}", ("product", product.id), after=after)
    return redirect(request, to(brand, f"products/{product.id}"), f"{product.name} saved.")


@router.post("/products/new")
async def create_product(request: Request, db: Db, user: CurrentUser) -> Response:
    return await _save_product(request, db, user, None)


@router.get("/products/{product_id:int}")
async def product(request: Request, product_id: int, db: Db, user: CurrentUser) -> Response:
    brand = await brand_of(request, db, user)
    found, link = await service.product_of(db, brand.id, product_id)
    sizes = (await service.sizes_of(db, [found.id]))[found.id]
    values = values_of_product(found, link, sizes)
    return await _product_page(request, db, user, brand, found, values=values)


@router.post("/products/{product_id:int}")
async def update_product(request: Request, product_id: int, db: Db, user: CurrentUser) -> Response:
    return await _save_product(request, db, user, product_id)


@router.post("/products/{product_id:int}/images")
async def upload_product_image(
    request: Request, product_id: int, db: Db, runtime: Runtime, user: CurrentUser
) -> Response:
    form, brand = await posted(request, db, user)
    found, link = await service.product_of(db, brand.id, product_id)
    alt = str(form.get("alt_text") or "")
    try:
        image = await service.add_product_image(
            db, runtime.storage, brand, found.id, await upload(form), alt
        )
    except DomainError as exc:
        errors, status = refusal(exc, field="file")
        sizes = (await service.sizes_of(db, [found.id]))[found.id]
        values = values_of_product(found, link, sizes)
        return await _product_page(
            request, db, user, brand, found, values=values, errors=errors, status_code=status
        )
    after = {"image_id": image.id}
    await record(request, db, user, "product_image.add", ("product", found.id), after=after)
    return redirect(request, to(brand, f"products/{found.id}"), "Picture added.")


@router.post("/products/{product_id:int}/images/{image_id:int}/delete")
async def delete_product_image(
    request: Request, product_id: int, image_id: int, db: Db, user: CurrentUser
) -> Response:
    _, brand = await posted(request, db, user)
    await service.remove_product_image(db, brand, product_id, image_id)
    before = {"image_id": image_id}
    await record(request, db, user, "product_image.delete", ("product", product_id), before=before)
    return redirect(request, to(brand, f"products/{product_id}"), "Picture removed.")
