"""Admin pages of Qala: onboard a brand with its first user, feature / unfeature and
deactivate brands, and the boutique approval queue (approve, or reject with a reason; the
boutique hears by notification and email). Every change is audited."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import func, select

from mercato.admin.pages import admin_render
from mercato.brands import access, boutiques, service
from mercato.brands.pages import errors_of
from mercato.brands.schemas import BrandIn, OnboardIn
from mercato.identity.deps import require_permission
from mercato.kit.errors import DomainError
from mercato.models import User
from mercato.models.brands import BOUTIQUE_STATUSES, Brand, BrandMember
from mercato.platform import audit
from mercato.web.deps import Db, Runtime
from mercato.web.flash import redirect

router = APIRouter(prefix="/brands")
Manager = Annotated[User, Depends(require_permission(access.BRANDS_MANAGE))]
Reviewer = Annotated[User, Depends(require_permission(access.BOUTIQUES_REVIEW))]


@router.get("")
async def brands(request: Request, db: Db, _: Manager) -> Response:
    rows = list(await db.scalars(select(Brand).order_by(Brand.name)))
    members = dict(
        (
            await db.execute(
                select(BrandMember.brand_id, func.count()).group_by(BrandMember.brand_id)
            )
        ).all()
    )
    return admin_render(
        request, "brands/admin/brands.html", {"brands": rows, "members": members}, section="brands"
    )


ONBOARD_FIELDS = ("name", "slug", "tagline", "location_city", "location_country", "founded_year")
USER_FIELDS = ("user_email", "user_name", "user_password")


def _onboard_page(
    request: Request, values: dict[str, Any], errors: dict[str, list[str]], status_code: int = 200
) -> Response:
    return admin_render(
        request,
        "brands/admin/onboard.html",
        {"values": values, "errors": errors},
        section="brands",
        status_code=status_code,
    )


@router.get("/new")
async def onboard_form(request: Request, _: Manager) -> Response:
    return _onboard_page(request, {}, {})


@router.post("/new")
async def onboard(request: Request, db: Db, actor: Manager) -> Response:
    form = await request.form()
    values = {f: str(form.get(f) or "").strip() for f in ONBOARD_FIELDS + USER_FIELDS}
    year = values["founded_year"]
    if year and not (year.isdigit() and len(year) == 4):
        return _onboard_page(request, values, {"founded_year": ["Enter a year such as 2012."]}, 422)
    try:
        brand_in = BrandIn(
            **{f: values[f] for f in ONBOARD_FIELDS if f != "founded_year"},
            founded_year=int(year) if year else None,
        )
        data = OnboardIn(brand=brand_in, **{f: values[f] for f in USER_FIELDS})
        brand, user, created = await service.onboard(db, data)
    except ValidationError as exc:
        errors = errors_of(exc)
        if "brand" in errors:  # nested model errors name their own field
            errors = {
                **errors,
                **{str(e["loc"][-1]): [e["msg"]] for e in exc.errors() if e["loc"][0] == "brand"},
            }
        values["user_password"] = ""
        return _onboard_page(request, values, errors, 422)
    except DomainError as exc:
        values["user_password"] = ""
        return _onboard_page(
            request, values, {exc.field or "__all__": [exc.message]}, exc.status_code
        )
    await audit.record(
        db,
        actor=actor,
        action="brands.onboard",
        entity_type="brand",
        entity_id=brand.id,
        before=None,
        after={"slug": brand.slug, "user": user.email, "user_created": created},
        request=request,
    )
    who = "a new account" if created else "their existing account"
    return redirect(
        request, "admin/brands", f"{brand.name} is on board; {user.email} manages it with {who}."
    )


@router.get("/{brand_id:int}")
async def brand_users(request: Request, brand_id: int, db: Db, _: Manager) -> Response:
    return await _users_page(request, db, brand_id, {}, {})


async def _users_page(request, db, brand_id, values, errors, status_code: int = 200) -> Response:
    brand = await service.brand_by_id(db, brand_id)
    return admin_render(
        request,
        "brands/admin/brand.html",
        {
            "brand": brand,
            "members": await service.members_of(db, brand.id),
            "values": values,
            "errors": errors,
        },
        section="brands",
        status_code=status_code,
    )


@router.post("/{brand_id:int}/users")
async def add_brand_user(request: Request, brand_id: int, db: Db, actor: Manager) -> Response:
    brand = await service.brand_by_id(db, brand_id)
    form = await request.form()
    values = {f: str(form.get(f) or "").strip() for f in USER_FIELDS}
    try:
        user, created = await service.user_for_brand(
            db, values["user_email"], values["user_name"], values["user_password"]
        )
        await service.add_member(db, brand, user, "editor")
    except DomainError as exc:
        values["user_password"] = ""
        return await _users_page(
            request, db, brand_id, values, {exc.field or "__all__": [exc.message]}, exc.status_code
        )
    await audit.record(
        db,
        actor=actor,
        action="brands.member.add",
        entity_type="brand",
        entity_id=brand.id,
        before=None,
        after={"user": user.email, "user_created": created},
        request=request,
    )
    return redirect(request, f"admin/brands/{brand.id}", f"{user.email} now manages {brand.name}.")


@router.post("/{brand_id:int}/users/{member_id:int}/remove")
async def remove_brand_user(
    request: Request, brand_id: int, member_id: int, db: Db, actor: Manager
) -> Response:
    brand = await service.brand_by_id(db, brand_id)
    await service.remove_member(db, brand, member_id)
    await audit.record(
        db,
        actor=actor,
        action="brands.member.remove",
        entity_type="brand",
        entity_id=brand.id,
        before={"member_id": member_id},
        after=None,
        request=request,
    )
    return redirect(request, f"admin/brands/{brand.id}", "User removed from the brand.")


@router.post("/{brand_id:int}/{action}")
async def change(request: Request, brand_id: int, action: str, db: Db, actor: Manager) -> Response:
    brand = await service.brand_by_id(db, brand_id)
    before = {"is_featured": brand.is_featured, "is_active": brand.is_active}
    if action in ("feature", "unfeature"):
        await service.set_featured(db, brand, action == "feature")
    elif action in ("activate", "deactivate"):
        await service.set_active(db, brand, action == "activate")
    else:
        return redirect(request, "admin/brands", "Unknown action.", "error")
    await audit.record(
        db,
        actor=actor,
        action=f"brands.{action}",
        entity_type="brand",
        entity_id=brand.id,
        before=before,
        after={"is_featured": brand.is_featured, "is_active": brand.is_active},
        request=request,
    )
    return redirect(request, "admin/brands", f"{brand.name}: {action}d.")


# ---- boutiques ---------------------------------------------------------------------------


@router.get("/boutiques")
async def boutique_queue(request: Request, db: Db, _: Reviewer) -> Response:
    status = request.query_params.get("status", "pending")
    status = status if status in BOUTIQUE_STATUSES else "pending"
    return admin_render(
        request,
        "brands/admin/boutiques.html",
        {
            "rows": await boutiques.queue(db, status),
            "status": status,
            "statuses": BOUTIQUE_STATUSES,
            "labels": boutiques.STATUS_LABELS,
        },
        section="brands",
    )


@router.get("/boutiques/{boutique_id:int}")
async def boutique_detail(request: Request, boutique_id: int, db: Db, _: Reviewer) -> Response:
    boutique, user = await boutiques.get(db, boutique_id)
    return admin_render(
        request,
        "brands/admin/boutique.html",
        {"boutique": boutique, "user": user, "labels": boutiques.STATUS_LABELS, "errors": {}},
        section="brands",
    )


@router.post("/boutiques/{boutique_id:int}/{decision}")
async def decide(
    request: Request, boutique_id: int, decision: str, db: Db, runtime: Runtime, actor: Reviewer
) -> Response:
    back = f"admin/brands/boutiques/{boutique_id}"
    form = await request.form()
    boutique, _ = await boutiques.get(db, boutique_id)
    before = {"status": boutique.status}
    try:
        if decision == "approve":
            await boutiques.approve(db, runtime, boutique_id, actor)
        elif decision == "reject":
            await boutiques.reject(db, runtime, boutique_id, actor, str(form.get("reason") or ""))
        else:
            return redirect(request, back, "Unknown action.", "error")
    except DomainError as exc:
        return redirect(request, back, exc.message, "error")
    await audit.record(
        db,
        actor=actor,
        action=f"brands.boutique.{decision}",
        entity_type="boutique",
        entity_id=boutique_id,
        before=before,
        after={"status": boutique.status, "reason": boutique.reason},
        request=request,
    )
    return redirect(request, back, f"{boutique.name}: {boutiques.STATUS_LABELS[boutique.status]}.")
