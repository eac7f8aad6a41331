"""Categories (the humours, with their symbol, colour, description, SEO and order) and tags
in the admin. Reading needs ``catalog.read``; changes need ``catalog.write`` and are audited.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from mercato.admin.pages import admin_render
from mercato.catalog import admin_service, media
from mercato.catalog import service as catalog_service
from mercato.catalog.admin_forms import parse_category_form
from mercato.identity.deps import require_permission
from mercato.kit.errors import Conflict, ValidationFailed
from mercato.models import User
from mercato.models.catalog import Category
from mercato.platform import audit
from mercato.web.deps import Db
from mercato.web.flash import redirect

router = APIRouter()

Reader = Annotated[User, Depends(require_permission("catalog.read"))]
Writer = Annotated[User, Depends(require_permission("catalog.write"))]


# --- categories ----------------------------------------------------------------------------


@router.get("/categories")
async def category_list(request: Request, db: Db, _: Reader) -> Response:
    return admin_render(
        request,
        "admin/catalog/categories.html",
        {"rows": await admin_service.categories_with_counts(db)},
        section="categories",
    )


async def _category_page(
    request: Request,
    *,
    category: Category | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return admin_render(
        request,
        "admin/catalog/category_form.html",
        {"category": category, "values": values, "errors": errors or {}},
        section="categories",
        status_code=status_code,
    )


@router.get("/categories/new")
async def category_new(request: Request, _: Writer) -> Response:
    return await _category_page(request, category=None, values={"sort_order": "0"})


@router.post("/categories/new")
async def category_create(request: Request, db: Db, actor: Writer) -> Response:
    values, data, errors = parse_category_form(await request.form())
    if data is None:
        return await _category_page(
            request, category=None, values=values, errors=errors, status_code=422
        )
    try:
        category = await catalog_service.create_category(db, data)
    except ValidationFailed as exc:
        return await _category_page(
            request,
            category=None,
            values=values,
            errors={exc.field or "form": exc.message},
            status_code=422,
        )
    await audit.record(
        db,
        actor=actor,
        action="category.create",
        entity_type="category",
        entity_id=category.id,
        after=admin_service.category_snapshot(category),
        request=request,
    )
    return redirect(request, "admin/categories", f"Category {category.name} was created.")


@router.get("/categories/{category_id:int}")
async def category_edit(request: Request, db: Db, category_id: int, _: Reader) -> Response:
    category = await admin_service.get_category(db, category_id)
    values = {k: str(v) for k, v in admin_service.category_snapshot(category).items()}
    return await _category_page(request, category=category, values=values)


@router.post("/categories/{category_id:int}")
async def category_update(request: Request, db: Db, category_id: int, actor: Writer) -> Response:
    category = await admin_service.get_category(db, category_id)
    values, data, errors = parse_category_form(await request.form())
    if data is None:
        return await _category_page(
            request, category=category, values=values, errors=errors, status_code=422
        )
    before = admin_service.category_snapshot(category)
    try:
        await admin_service.update_category(db, category, data)
    except ValidationFailed as exc:
        return await _category_page(
            request,
            category=category,
            values=values,
            errors={exc.field or "form": exc.message},
            status_code=422,
        )
    old, new = admin_service.changed_only(before, admin_service.category_snapshot(category))
    if not new:
        return redirect(request, "admin/categories", "Nothing changed.", "info")
    await audit.record(
        db,
        actor=actor,
        action="category.update",
        entity_type="category",
        entity_id=category.id,
        before=old,
        after=new,
        request=request,
    )
    return redirect(request, "admin/categories", f"Category {category.name} was saved.")


@router.post("/categories/{category_id:int}/delete")
async def category_delete(request: Request, db: Db, category_id: int, actor: Writer) -> Response:
    category = await admin_service.get_category(db, category_id)
    before = admin_service.category_snapshot(category)
    try:
        await admin_service.delete_category(db, category)
    except Conflict as exc:
        values = {k: str(v) for k, v in before.items()}
        return await _category_page(
            request,
            category=category,
            values=values,
            errors={"delete": exc.message},
            status_code=409,
        )
    await audit.record(
        db,
        actor=actor,
        action="category.delete",
        entity_type="category",
        entity_id=category_id,
        before=before,
        after=None,
        request=request,
    )
    return redirect(request, "admin/categories", f"Category {before['name']} was deleted.")


# --- tags ----------------------------------------------------------------------------------


async def _tags_page(
    request: Request,
    db: Any,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    editing: int | None = None,
    status_code: int = 200,
) -> Response:
    return admin_render(
        request,
        "admin/catalog/tags.html",
        {
            "rows": await admin_service.tags_with_counts(db),
            "values": values or {},
            "errors": errors or {},
            "editing": editing,
        },
        section="tags",
        status_code=status_code,
    )


def _tag_fields(form: Any) -> dict[str, str]:
    name, slug = form.get("name"), form.get("slug")
    return {
        "name": name.strip() if isinstance(name, str) else "",
        "slug": slug.strip() if isinstance(slug, str) else "",
    }


@router.get("/tags")
async def tag_list(request: Request, db: Db, _: Reader) -> Response:
    return await _tags_page(request, db)


@router.post("/tags")
async def tag_create(request: Request, db: Db, actor: Writer) -> Response:
    values = _tag_fields(await request.form())
    try:
        if len(values["name"]) > 80:
            raise ValidationFailed("Keep the name under 80 characters.", field="name")
        if len(values["slug"]) > 100:
            raise ValidationFailed("Keep the slug under 100 characters.", field="slug")
        tag = await media.create_tag(db, values["name"], values["slug"])
    except ValidationFailed as exc:
        return await _tags_page(
            request, db, values=values, errors={exc.field or "name": exc.message}, status_code=422
        )
    await audit.record(
        db,
        actor=actor,
        action="tag.create",
        entity_type="tag",
        entity_id=tag.id,
        after={"name": tag.name, "slug": tag.slug},
        request=request,
    )
    return redirect(request, "admin/tags", f"Tag {tag.name} was created.")


@router.post("/tags/{tag_id:int}")
async def tag_update(request: Request, db: Db, tag_id: int, actor: Writer) -> Response:
    tag = await admin_service.get_tag(db, tag_id)
    values = _tag_fields(await request.form())
    before = {"name": tag.name, "slug": tag.slug}
    try:
        if len(values["slug"]) > 100:
            raise ValidationFailed("Keep the slug under 100 characters.", field="slug")
        await admin_service.update_tag(db, tag, values["name"], values["slug"])
    except ValidationFailed as exc:
        return await _tags_page(
            request,
            db,
            values=values,
            errors={f"{tag_id}.{exc.field or 'name'}": exc.message},
            editing=tag_id,
            status_code=422,
        )
    after = {"name": tag.name, "slug": tag.slug}
    if after == before:
        return redirect(request, "admin/tags", "Nothing changed.", "info")
    await audit.record(
        db,
        actor=actor,
        action="tag.update",
        entity_type="tag",
        entity_id=tag.id,
        before=before,
        after=after,
        request=request,
    )
    return redirect(request, "admin/tags", f"Tag {tag.name} was saved.")


@router.post("/tags/{tag_id:int}/delete")
async def tag_delete(request: Request, db: Db, tag_id: int, actor: Writer) -> Response:
    tag = await admin_service.get_tag(db, tag_id)
    before = {"name": tag.name, "slug": tag.slug}
    await admin_service.delete_tag(db, tag)
    await audit.record(
        db,
        actor=actor,
        action="tag.delete",
        entity_type="tag",
        entity_id=tag_id,
        before=before,
        after=None,
        request=request,
    )
    return redirect(
        request, "admin/tags", f"Tag {before['name']} was deleted; products keep the rest."
    )
