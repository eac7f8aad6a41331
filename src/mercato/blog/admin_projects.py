"""Admin pages for projects (installation showcases): title, text in Markdown, where and
when, the products used, a cover and a gallery of uploaded pictures, published or not.
Included by blog.admin's router; needs content.blog; every save is audited; a form with an
error comes back with a 422 and writes neither a row nor a file."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from mercato.admin.pages import admin_render
from mercato.blog import admin_service, service
from mercato.identity.deps import require_permission
from mercato.kit.errors import NotFound
from mercato.kit.i18n import N_, _
from mercato.models import User
from mercato.models.blog import Project
from mercato.platform import audit
from mercato.web.deps import Db
from mercato.web.flash import redirect

router = APIRouter()
Editor = Annotated[User, Depends(require_permission("content.blog"))]
IdPath = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.get("/projects")
async def projects_page(request: Request, db: Db, _user: Editor) -> Response:
    return admin_render(
        request, "admin/projects.html", {"projects": await service.all_projects(db)}, section="blog"
    )


def _form(request: Request, row: Any, values: dict, errors: dict, status: int = 200) -> Response:
    return admin_render(
        request,
        "admin/project_form.html",
        {"row": row, "values": values, "errors": errors, "max_gallery": admin_service.MAX_GALLERY},
        section="blog",
        status_code=status,
    )


async def _project(db: Db, project_id: int) -> Project:
    row = await admin_service.get_project(db, project_id)
    if row is None:
        raise NotFound(N_("No such project."))
    return row


@router.get("/projects/new")
async def new_project(request: Request, _user: Editor) -> Response:
    return _form(request, None, {"is_published": True}, {})


@router.get("/projects/{project_id}")
async def edit_project(request: Request, project_id: IdPath, db: Db, _user: Editor) -> Response:
    row = await _project(db, project_id)
    return _form(request, row, admin_service.project_values(row), {})


async def _save(request: Request, db: Db, row: Project | None, actor: User) -> Response:
    form = await request.form()
    values = admin_service.form_values(form)
    runtime = request.state.runtime
    parsed = await admin_service.read_project(
        db, values, form, row=row, max_bytes=int(runtime.settings.upload_max_bytes)
    )
    if parsed.errors:
        return _form(request, row, values, parsed.errors, 422)
    before = admin_service.snapshot(row) if row is not None else None
    saved = await admin_service.save_project(db, runtime.storage, row, parsed)
    await audit.record(
        db,
        actor=actor,
        action="project.update" if before else "project.create",
        entity_type="project",
        entity_id=saved.id,
        before=before,
        after=admin_service.snapshot(saved),
        request=request,
    )
    return redirect(request, f"admin/projects/{saved.id}", _("Project saved."))


@router.post("/projects/new")
async def create_project(request: Request, db: Db, actor: Editor) -> Response:
    return await _save(request, db, None, actor)


@router.post("/projects/{project_id}")
async def update_project(request: Request, project_id: IdPath, db: Db, actor: Editor) -> Response:
    return await _save(request, db, await _project(db, project_id), actor)
