"""Blog and project pages: lists with categories and tags, a post with SEO tags and
related posts, the projects showcase with galleries and the products used."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from mercato.blog import service
from mercato.web.deps import Db, Runtime
from mercato.web.templating import render

router = APIRouter()
Slug = Annotated[str, Path(max_length=160)]


def _page(request: Request) -> int:
    raw = request.query_params.get("trang", "1")
    return int(raw) if raw.isdigit() and len(raw) < 6 else 1


@router.get("/blog")
async def blog_index(request: Request, db: Db, runtime: Runtime) -> Response:
    tag = request.query_params.get("tag", "")[:40]
    posts = await service.published_posts(db, page=_page(request), tag=tag)
    return render(
        request,
        "blog/index.html",
        {
            "posts": posts,
            "categories": await service.categories(db),
            "category": None,
            "tag": tag,
            "storage": runtime.storage,
        },
    )


@router.get("/blog/chuyen-muc/{slug}")
async def blog_category(request: Request, slug: Slug, db: Db, runtime: Runtime) -> Response:
    category = await service.category_by_slug(db, slug)
    posts = await service.published_posts(db, page=_page(request), category_id=category.id)
    return render(
        request,
        "blog/index.html",
        {
            "posts": posts,
            "categories": await service.categories(db),
            "category": category,
            "tag": "",
            "storage": runtime.storage,
        },
    )


@router.get("/blog/{slug}")
async def blog_post(request: Request, slug: Slug, db: Db, runtime: Runtime) -> Response:
    post = await service.published_post(db, slug)
    categories = {c.id: c for c in await service.categories(db)}
    return render(
        request,
        "blog/post.html",
        {
            "post": post,
            "category": categories.get(post.category_id) if post.category_id else None,
            "related": await service.related_posts(db, post),
            "storage": runtime.storage,
            "canonical": runtime.absolute_url(f"blog/{post.slug}"),
        },
    )


@router.get("/du-an")
async def projects_index(request: Request, db: Db, runtime: Runtime) -> Response:
    return render(
        request,
        "blog/projects.html",
        {"projects": await service.published_projects(db), "storage": runtime.storage},
    )


@router.get("/du-an/{slug}")
async def project_page(request: Request, slug: Slug, db: Db, runtime: Runtime) -> Response:
    project = await service.published_project(db, slug)
    return render(
        request,
        "blog/project.html",
        {
            "project": project,
            "storage": runtime.storage,
            "canonical": runtime.absolute_url(f"du-an/{project.slug}"),
        },
    )


async def home_features(db, request) -> dict:  # noqa: ANN001 - Module.home_page hook
    """Home banners and sections, the latest posts and projects, for the store's home
    template (``{% include "blog/_home_features.html" ignore missing %}``)."""
    sections = await service.active_sections(db)
    latest = await service.published_posts(db, per_page=3)
    return {
        "site_banners": [s for s in sections if s.kind == "banner"],
        "site_sections": [s for s in sections if s.kind == "section"],
        "latest_posts": latest.items,
        "featured_projects": await service.published_projects(db, limit=3),
        "blog_storage": request.state.runtime.storage,
    }
