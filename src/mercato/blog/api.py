"""Blog posts and projects in the JSON API (public, published only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from mercato.blog import service
from mercato.models.blog import BlogPost, Project
from mercato.web.deps import Db, Runtime

router = APIRouter(tags=["blog"])
Slug = Annotated[str, Path(max_length=160)]


def post_out(p: BlogPost, runtime, *, body: bool = False) -> dict[str, Any]:  # noqa: ANN001
    out = {
        "slug": p.slug,
        "title": p.title,
        "excerpt": p.excerpt,
        "tags": p.tags,
        "cover_url": runtime.storage.url(p.cover_key) if p.cover_key else None,
        "published_at": p.published_at.isoformat() if p.published_at else None,
        "seo_title": p.seo_title or p.title,
        "seo_description": p.seo_description or p.excerpt,
    }
    if body:
        out["body_html"] = p.body_html
    return out


def project_out(p: Project, runtime, *, body: bool = False) -> dict[str, Any]:  # noqa: ANN001
    out = {
        "slug": p.slug,
        "title": p.title,
        "summary": p.summary,
        "location": p.location,
        "completed_on": p.completed_on.isoformat() if p.completed_on else None,
        "cover_url": runtime.storage.url(p.cover_key) if p.cover_key else None,
        "products_used": p.products_used,
    }
    if body:
        out["body_html"] = p.body_html
        out["gallery"] = [
            {"url": runtime.storage.url(g["key"]), "alt": g.get("alt", "")} for g in p.gallery or []
        ]
    return out


@router.get("/posts")
async def posts(
    db: Db,
    runtime: Runtime,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    tag: Annotated[str, Query(max_length=40)] = "",
) -> dict[str, Any]:
    found = await service.published_posts(db, page=page, tag=tag)
    return {
        "total": found.total,
        "page": found.page,
        "items": [post_out(p, runtime) for p in found.items],
    }


@router.get("/posts/{slug}")
async def post(slug: Slug, db: Db, runtime: Runtime) -> dict[str, Any]:
    return post_out(await service.published_post(db, slug), runtime, body=True)


@router.get("/projects")
async def projects(db: Db, runtime: Runtime) -> list[dict[str, Any]]:
    return [project_out(p, runtime) for p in await service.published_projects(db)]


@router.get("/projects/{slug}")
async def project(slug: Slug, db: Db, runtime: Runtime) -> dict[str, Any]:
    return project_out(await service.published_project(db, slug), runtime, body=True)
