"""Admin pages: blog posts (write in Markdown, publish), home banners and sections.
Changes are audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from mercato.admin.pages import admin_render
from mercato.blog import admin_projects, service
from mercato.identity.deps import require_permission
from mercato.kit.errors import DomainError
from mercato.kit.i18n import _
from mercato.models import User
from mercato.platform import audit
from mercato.web.deps import Db
from mercato.web.flash import redirect

router = APIRouter()
router.include_router(admin_projects.router)
Editor = Annotated[User, Depends(require_permission("content.blog"))]
IdPath = Annotated[int, Path(ge=1, le=2**63 - 1)]
POST_FIELDS = (
    "title",
    "slug",
    "excerpt",
    "category_id",
    "tags",
    "body",
    "seo_title",
    "seo_description",
    "publish",
)


@router.get("/blog")
async def posts_page(request: Request, db: Db, _: Editor) -> Response:
    return admin_render(
        request, "admin/blog_posts.html", {"posts": await service.all_posts(db)}, section="blog"
    )


async def _form(request: Request, db: Db, post, values, errors, status_code=200) -> Response:  # noqa: ANN001
    return admin_render(
        request,
        "admin/blog_post_form.html",
        {
            "post": post,
            "values": values,
            "errors": errors,
            "categories": await service.categories(db),
        },
        section="blog",
        status_code=status_code,
    )


@router.get("/blog/new")
async def new_post(request: Request, db: Db, _: Editor) -> Response:
    return await _form(request, db, None, {}, {})


@router.get("/blog/{post_id}")
async def edit_post(request: Request, post_id: IdPath, db: Db, _: Editor) -> Response:
    post = await service.get_post(db, post_id)
    values = {
        "title": post.title,
        "slug": post.slug,
        "excerpt": post.excerpt,
        "category_id": str(post.category_id or ""),
        "tags": ", ".join(post.tags or []),
        "body": post.body,
        "seo_title": post.seo_title,
        "seo_description": post.seo_description,
        "publish": post.status == "published",
    }
    return await _form(request, db, post, values, {})


async def _save(request: Request, db: Db, user: User, post_id: int | None) -> Response:
    form = await request.form()
    values = {k: str(form.get(k) or "")[:100_001] for k in POST_FIELDS}
    post = await service.get_post(db, post_id) if post_id else None
    category = values["category_id"]
    try:
        saved = await service.save_post(
            db,
            service.PostIn(
                title=values["title"],
                body=values["body"],
                slug=values["slug"],
                excerpt=values["excerpt"],
                category_id=int(category) if category.isdigit() and len(category) < 12 else None,
                tags=values["tags"],
                seo_title=values["seo_title"],
                seo_description=values["seo_description"],
                publish=bool(values["publish"]),
            ),
            post_id=post_id,
            author_id=user.id,
        )
    except DomainError as exc:
        return await _form(request, db, post, values, {exc.field or "form": exc.message}, 422)
    await audit.record(
        db,
        actor=user,
        action="blog.post.save",
        entity_type="blog_post",
        entity_id=saved.id,
        after={"slug": saved.slug, "status": saved.status},
        request=request,
    )
    return redirect(request, f"admin/blog/{saved.id}", _("Post saved."))


@router.post("/blog/new")
async def create_post(request: Request, db: Db, user: Editor) -> Response:
    return await _save(request, db, user, None)


@router.post("/blog/{post_id}")
async def update_post(request: Request, post_id: IdPath, db: Db, user: Editor) -> Response:
    return await _save(request, db, user, post_id)


@router.get("/site-sections")
async def sections_page(request: Request, db: Db, _: Editor) -> Response:
    return admin_render(
        request,
        "admin/site_sections.html",
        {"sections": await service.all_sections(db), "error": ""},
        section="site",
    )


async def _save_section(request: Request, db: Db, user: User, section_id: int | None) -> Response:
    form = await request.form()
    values = {
        k: str(form.get(k) or "")[:1000]
        for k in ("title", "kind", "body", "link_url", "link_label", "position", "is_active")
    }
    try:
        section = await service.save_section(db, values, section_id=section_id)
    except DomainError as exc:
        return admin_render(
            request,
            "admin/site_sections.html",
            {"sections": await service.all_sections(db), "error": exc.message},
            section="site",
            status_code=422,
        )
    await audit.record(
        db,
        actor=user,
        action="site.section.save",
        entity_type="site_section",
        entity_id=section.id,
        after=values,
        request=request,
    )
    return redirect(request, "admin/site-sections", _("Saved."))


@router.post("/site-sections")
async def create_section(request: Request, db: Db, user: Editor) -> Response:
    return await _save_section(request, db, user, None)


@router.post("/site-sections/{section_id}")
async def update_section(request: Request, section_id: IdPath, db: Db, user: Editor) -> Response:
    return await _save_section(request, db, user, section_id)
