"""Dashboard: the overview, and the brand's profile, logo and press features."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import select

from mercato.brands import service
from mercato.brands.dashboard.common import (
    Errors,
    as_int,
    brand_of,
    optional_int,
    posted,
    record,
    refusal,
    render_page,
    to,
    upload,
)
from mercato.brands.pages import errors_of
from mercato.brands.schemas import BrandIn, PressIn
from mercato.identity.deps import CurrentUser
from mercato.kit.errors import DomainError
from mercato.models import Category, User
from mercato.models.brands import Brand
from mercato.web.deps import Db, Runtime
from mercato.web.flash import redirect

router = APIRouter(prefix="/brand")

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
PRESS_FIELDS = ("publication", "title", "published_on", "url")


@router.get("")
async def overview(request: Request, db: Db, user: CurrentUser) -> Response:
    brand = await brand_of(request, db, user)
    products = await service.products_of_brand(db, brand.id, include_inactive=True)
    collections = await service.collections_of(db, brand.id)
    return await render_page(
        request,
        db,
        user,
        brand,
        "overview.html",
        {"product_count": len(products), "collections": collections},
        section="overview",
    )


async def _profile_page(
    request: Request,
    db: Any,
    user: User,
    brand: Brand,
    *,
    values: dict[str, Any] | None = None,
    errors: Errors | None = None,
    status_code: int = 200,
) -> Response:
    categories = list(
        await db.scalars(select(Category).order_by(Category.sort_order, Category.name))
    )
    chosen = await service.category_ids_of(db, brand.id)
    if values is None:
        values = {f: getattr(brand, f) for f in PROFILE_FIELDS}
        values["category_ids"] = chosen
    return await render_page(
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
    brand = await brand_of(request, db, user)
    return await _profile_page(request, db, user, brand)


@router.post("/profile")
async def save_profile(request: Request, db: Db, user: CurrentUser) -> Response:
    form, brand = await posted(request, db, user)
    values: dict[str, Any] = {f: str(form.get(f) or "").strip() for f in PROFILE_FIELDS}
    values["category_ids"] = [i for i in (as_int(v) for v in form.getlist("category_ids")) if i]
    raw = dict(values)
    for number in ("founded_year", "min_units_per_style"):
        if values[number] and optional_int(values[number]) is None:
            errors = {number: ["Enter a whole number."]}
            return await _profile_page(
                request, db, user, brand, values=raw, errors=errors, status_code=422
            )
        values[number] = optional_int(values[number])
    try:
        before = await service.update_brand(db, brand, BrandIn(**values, slug=brand.slug))
    except (ValidationError, DomainError) as exc:
        errors, status = refusal(exc)
        return await _profile_page(
            request, db, user, brand, values=raw, errors=errors, status_code=status
        )
    after = {f: getattr(brand, f) for f in before}
    await record(
        request, db, user, "profile.update", ("brand", brand.id), before=before, after=after
    )
    return redirect(request, to(brand, "profile"), "Profile saved.")


@router.post("/logo")
async def upload_logo(request: Request, db: Db, runtime: Runtime, user: CurrentUser) -> Response:
    form, brand = await posted(request, db, user)
    try:
        await service.set_logo(db, runtime.storage, brand, await upload(form, "logo"))
    except DomainError as exc:
        errors, status = refusal(exc, field="logo")
        return await _profile_page(request, db, user, brand, errors=errors, status_code=status)
    after = {"logo_key": brand.logo_key}
    await record(request, db, user, "logo.update", ("brand", brand.id), after=after)
    return redirect(request, to(brand, "profile"), "Logo updated.")


@router.post("/press")
async def add_press(request: Request, db: Db, user: CurrentUser) -> Response:
    form, brand = await posted(request, db, user)
    values = {f: str(form.get(f) or "").strip() for f in PRESS_FIELDS}
    try:
        row = await service.add_press(db, brand, PressIn(**values))
    except ValidationError as exc:
        # The press form sits on the profile page: its fields are named press_<field>.
        errors = {f"press_{k}": v for k, v in errors_of(exc).items()}
        return await _profile_page(request, db, user, brand, errors=errors, status_code=422)
    after = {"press_id": row.id, "publication": row.publication}
    await record(request, db, user, "press.add", ("brand", brand.id), after=after)
    return redirect(request, to(brand, "profile"), "Press feature added.")


@router.post("/press/{press_id:int}/delete")
async def delete_press(request: Request, press_id: int, db: Db, user: CurrentUser) -> Response:
    _, brand = await posted(request, db, user)
    await service.remove_press(db, brand, press_id)
    before = {"press_id": press_id}
    await record(request, db, user, "press.delete", ("brand", brand.id), before=before)
    return redirect(request, to(brand, "profile"), "Press feature removed.")
