"""Content admin: pages, testimonials and the alchemy steps.

Reading needs ``content.read``, every change ``content.write`` and writes an audit row with
the values before and after. Errors re-render the form with what was typed.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from mercato.admin.pages import admin_render
from mercato.content import service
from mercato.identity.deps import require_permission
from mercato.kit.errors import ValidationFailed
from mercato.models import User
from mercato.platform import audit
from mercato.web.deps import Db
from mercato.web.flash import redirect

router = APIRouter(prefix="/content")

Reader = Annotated[User, Depends(require_permission("content.read"))]
Writer = Annotated[User, Depends(require_permission("content.write"))]
SECTION = "content"


def _checked(form: Any, name: str) -> bool:
    return form.get(name) in ("1", "on", "true")


@router.get("")
async def overview(request: Request, db: Db, _: Reader) -> Response:
    return admin_render(
        request,
        "admin/content/overview.html",
        {
            "pages": await service.all_pages(db),
            "testimonials": await service.all_testimonials(db),
            "steps": await service.alchemy_steps(db),
        },
        section=SECTION,
    )


# ---- Pages ------------------------------------------------------------------------------


def _page_in(form: Any) -> service.PageIn:
    try:
        position = int(form.get("position") or 0)
    except ValueError:
        raise ValidationFailed("Give the position as a whole number.", field="position") from None
    return service.PageIn(
        title=str(form.get("title") or ""),
        slug=str(form.get("slug") or ""),
        body=str(form.get("body") or ""),
        meta_title=str(form.get("meta_title") or ""),
        meta_description=str(form.get("meta_description") or ""),
        is_published=_checked(form, "is_published"),
        show_in_footer=_checked(form, "show_in_footer"),
        position=position,
    )


def _page_form(
    request: Request, values: dict[str, Any], page: Any, errors: dict[str, str], status: int = 200
) -> Response:
    return admin_render(
        request,
        "admin/content/page_form.html",
        {"values": values, "page": page, "errors": errors},
        section=SECTION,
        status_code=status,
    )


@router.get("/pages/new")
async def new_page(request: Request, _: Writer) -> Response:
    return _page_form(request, {"show_in_footer": True}, None, {})


@router.post("/pages/new")
async def create_page(request: Request, db: Db, actor: Writer) -> Response:
    form = await request.form()
    try:
        page = await service.create_page(db, _page_in(form))
    except ValidationFailed as exc:
        return _page_form(request, dict(form), None, {exc.field or "title": exc.message}, 422)
    await audit.record(
        db, actor=actor, action="content.page.create", entity_type="page", entity_id=page.id,
        after=service.page_snapshot(page), request=request,
    )  # fmt: skip
    return redirect(request, "admin/content", f"Page “{page.title}” created.")


@router.get("/pages/{page_id:int}")
async def edit_page(request: Request, db: Db, page_id: int, _: Writer) -> Response:
    page = await service.get_page(db, page_id)
    values = {f: getattr(page, f) for f in service.PAGE_FIELDS}
    values.update(
        is_published=page.is_published, show_in_footer=page.show_in_footer, position=page.position
    )
    return _page_form(request, values, page, {})


@router.post("/pages/{page_id:int}")
async def update_page(request: Request, db: Db, page_id: int, actor: Writer) -> Response:
    page = await service.get_page(db, page_id)
    before = service.page_snapshot(page)
    form = await request.form()
    try:
        page = await service.update_page(db, page_id, _page_in(form))
    except ValidationFailed as exc:
        return _page_form(request, dict(form), page, {exc.field or "title": exc.message}, 422)
    await audit.record(
        db, actor=actor, action="content.page.update", entity_type="page", entity_id=page.id,
        before=before, after=service.page_snapshot(page), request=request,
    )  # fmt: skip
    return redirect(request, "admin/content", f"Page “{page.title}” saved.")


@router.post("/pages/{page_id:int}/delete")
async def delete_page(request: Request, db: Db, page_id: int, actor: Writer) -> Response:
    page = await service.delete_page(db, page_id)
    await audit.record(
        db, actor=actor, action="content.page.delete", entity_type="page", entity_id=page_id,
        before=service.page_snapshot(page), request=request,
    )  # fmt: skip
    return redirect(request, "admin/content", f"Page “{page.title}” deleted.")


# ---- Testimonials -------------------------------------------------------------------------


def _testimonial_values(form: Any) -> dict[str, Any]:
    values: dict[str, Any] = {f: str(form.get(f) or "") for f in service.TESTIMONIAL_TEXT}
    values.update({f: _checked(form, f) for f in service.TESTIMONIAL_FLAGS})
    values["position"] = form.get("position") or 0
    values["product_id"] = form.get("product_id") or None
    return values


def _testimonial_form(
    request: Request,
    values: dict[str, Any],
    testimonial: Any,
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    return admin_render(
        request,
        "admin/content/testimonial_form.html",
        {"values": values, "testimonial": testimonial, "errors": errors},
        section=SECTION,
        status_code=status,
    )


@router.get("/testimonials/new")
async def new_testimonial(request: Request, _: Writer) -> Response:
    return _testimonial_form(request, {}, None, {})


@router.post("/testimonials/new")
async def create_testimonial(request: Request, db: Db, actor: Writer) -> Response:
    values = _testimonial_values(await request.form())
    try:
        t = await service.create_testimonial(db, values)
    except ValidationFailed as exc:
        return _testimonial_form(request, values, None, {exc.field or "quote": exc.message}, 422)
    await audit.record(
        db, actor=actor, action="content.testimonial.create", entity_type="testimonial",
        entity_id=t.id, after=service.testimonial_snapshot(t), request=request,
    )  # fmt: skip
    return redirect(request, "admin/content", f"Testimonial from {t.author_name} added.")


@router.get("/testimonials/{testimonial_id:int}")
async def edit_testimonial(request: Request, db: Db, testimonial_id: int, _: Writer) -> Response:
    t = await service.get_testimonial(db, testimonial_id)
    return _testimonial_form(request, service.testimonial_snapshot(t), t, {})


@router.post("/testimonials/{testimonial_id:int}")
async def update_testimonial(
    request: Request, db: Db, testimonial_id: int, actor: Writer
) -> Response:
    t = await service.get_testimonial(db, testimonial_id)
    before = service.testimonial_snapshot(t)
    values = _testimonial_values(await request.form())
    try:
        t = await service.update_testimonial(db, testimonial_id, values)
    except ValidationFailed as exc:
        return _testimonial_form(request, values, t, {exc.field or "quote": exc.message}, 422)
    await audit.record(
        db, actor=actor, action="content.testimonial.update", entity_type="testimonial",
        entity_id=t.id, before=before, after=service.testimonial_snapshot(t), request=request,
    )  # fmt: skip
    return redirect(request, "admin/content", f"Testimonial from {t.author_name} saved.")


@router.post("/testimonials/{testimonial_id:int}/delete")
async def delete_testimonial(
    request: Request, db: Db, testimonial_id: int, actor: Writer
) -> Response:
    t = await service.delete_testimonial(db, testimonial_id)
    await audit.record(
        db, actor=actor, action="content.testimonial.delete", entity_type="testimonial",
        entity_id=testimonial_id, before=service.testimonial_snapshot(t), request=request,
    )  # fmt: skip
    return redirect(request, "admin/content", f"Testimonial from {t.author_name} deleted.")


# ---- Alchemy steps ----------------------------------------------------------------------


@router.get("/steps/{step_id:int}")
async def edit_step(request: Request, db: Db, step_id: int, _: Writer) -> Response:
    step = await service.get_step(db, step_id)
    return admin_render(
        request,
        "admin/content/step_form.html",
        {"step": step, "values": service.step_snapshot(step), "errors": {}},
        section=SECTION,
    )


@router.post("/steps/{step_id:int}")
async def update_step(request: Request, db: Db, step_id: int, actor: Writer) -> Response:
    step = await service.get_step(db, step_id)
    before = service.step_snapshot(step)
    form = await request.form()
    values = {f: str(form.get(f) or "") for f in service.STEP_FIELDS}
    try:
        step = await service.update_step(db, step_id, values)
    except ValidationFailed as exc:
        return admin_render(
            request,
            "admin/content/step_form.html",
            {"step": step, "values": values, "errors": {exc.field or "title": exc.message}},
            section=SECTION,
            status_code=422,
        )
    await audit.record(
        db, actor=actor, action="content.step.update", entity_type="alchemy_step",
        entity_id=step.id, before=before, after=service.step_snapshot(step), request=request,
    )  # fmt: skip
    return redirect(request, "admin/content", f"Step {step.roman_numeral} saved.")
