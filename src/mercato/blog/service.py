"""Blog, projects and site features: reading for the storefront, writing for the admin.

Markdown goes through the content module's renderer (CommonMark without raw HTML, then nh3
with a short tag list), once on save. Slugs are ASCII without Vietnamese diacritics
("Chọn loa cho phòng khách" → "chon-loa-cho-phong-khach") so URLs stay readable anywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from mercato.content import service as content_service
from mercato.kit.errors import Conflict, NotFound, ValidationFailed
from mercato.kit.i18n import _
from mercato.kit.pagination import Page, page_number, paginate
from mercato.kit.text import slugify as kit_slugify
from mercato.kit.time import utcnow
from mercato.models.blog import BlogCategory, BlogPost, Project, SiteSection

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

PAGE_SIZE = 9
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(text: str) -> str:
    return kit_slugify(text)[:150]


def render_markdown(text: str) -> str:
    return content_service.render_markdown(text)


def clean_tags(raw: str | list[str]) -> list[str]:
    items = raw.split(",") if isinstance(raw, str) else raw
    tags = []
    for item in items:
        tag = " ".join(str(item).split()).lower()[:40]
        if tag and tag not in tags:
            tags.append(tag)
    return tags[:10]


# --- reading --------------------------------------------------------------------------------


async def categories(db: AsyncSession) -> list[BlogCategory]:
    return list(await db.scalars(select(BlogCategory).order_by(BlogCategory.name)))


async def published_posts(
    db: AsyncSession,
    *,
    page: int = 1,
    category_id: int | None = None,
    tag: str = "",
    per_page: int = PAGE_SIZE,
) -> Page[BlogPost]:
    stmt = select(BlogPost).where(BlogPost.status == "published", BlogPost.published_at <= utcnow())
    if category_id:
        stmt = stmt.where(BlogPost.category_id == category_id)
    posts: Page[BlogPost]
    if tag:
        # Tags are a short JSON list; matched in Python over the (small) published set so
        # the same code serves SQLite and PostgreSQL.
        rows = [
            p
            for p in await db.scalars(
                stmt.order_by(BlogPost.published_at.desc(), BlogPost.id.desc())
            )
            if tag in (p.tags or [])
        ]
        n = page_number(page)
        return Page(
            items=rows[(n - 1) * per_page : n * per_page],
            total=len(rows),
            page=n,
            per_page=per_page,
        )
    posts = await paginate(
        db,
        stmt.order_by(BlogPost.published_at.desc(), BlogPost.id.desc()),
        page_number(page),
        per_page,
        clamp=True,
    )
    return posts


async def published_post(db: AsyncSession, slug: str) -> BlogPost:
    post = await db.scalar(
        select(BlogPost).where(
            BlogPost.slug == slug[:160],
            BlogPost.status == "published",
            BlogPost.published_at <= utcnow(),
        )
    )
    if post is None:
        raise NotFound(_("There is no such post."))
    return post


async def category_by_slug(db: AsyncSession, slug: str) -> BlogCategory:
    category = await db.scalar(select(BlogCategory).where(BlogCategory.slug == slug[:120]))
    if category is None:
        raise NotFound(_("There is no such blog category."))
    return category


async def related_posts(db: AsyncSession, post: BlogPost, limit: int = 3) -> list[BlogPost]:
    stmt = (
        select(BlogPost)
        .where(
            BlogPost.status == "published",
            BlogPost.id != post.id,
            BlogPost.published_at <= utcnow(),
        )
        .order_by(BlogPost.published_at.desc())
        .limit(limit)
    )
    if post.category_id:
        stmt = stmt.where(BlogPost.category_id == post.category_id)
    return list(await db.scalars(stmt))


async def published_projects(db: AsyncSession, limit: int = 50) -> list[Project]:
    return list(
        await db.scalars(
            select(Project)
            .where(Project.is_published.is_(True))
            .order_by(Project.completed_on.desc(), Project.id.desc())
            .limit(limit)
        )
    )


async def published_project(db: AsyncSession, slug: str) -> Project:
    project = await db.scalar(
        select(Project).where(Project.slug == slug[:160], Project.is_published.is_(True))
    )
    if project is None:
        raise NotFound(_("There is no such project."))
    return project


async def active_sections(db: AsyncSession) -> list[SiteSection]:
    return list(
        await db.scalars(
            select(SiteSection)
            .where(SiteSection.is_active.is_(True))
            .order_by(SiteSection.position, SiteSection.id)
        )
    )


# --- writing (admin) -----------------------------------------------------------------------------


@dataclass
class PostIn:
    title: str
    body: str
    slug: str = ""
    excerpt: str = ""
    category_id: int | None = None
    tags: list[str] | str = ""
    seo_title: str = ""
    seo_description: str = ""
    cover_alt: str = ""
    publish: bool = False


async def _checked(db: AsyncSession, data: PostIn, exclude_id: int | None) -> dict[str, Any]:
    title = " ".join(data.title.split())[:200]
    if len(title) < 3:
        raise ValidationFailed(_("A title needs at least 3 characters."), field="title")
    slug = (data.slug.strip().lower() or slugify(title))[:160]
    if not SLUG.match(slug):
        raise ValidationFailed(
            _("A slug has only lower-case letters without accents, digits and dashes."),
            field="slug",
        )
    clash = await db.scalar(
        select(BlogPost.id).where(BlogPost.slug == slug, BlogPost.id != (exclude_id or 0))
    )
    if clash is not None:
        raise Conflict(_("Another post already uses this slug."), field="slug")
    if data.category_id is not None and await db.get(BlogCategory, data.category_id) is None:
        raise ValidationFailed(_("There is no such blog category."), field="category_id")
    if len(data.body) > 100_000:
        raise ValidationFailed(_("The post is too long."), field="body")
    return {
        "title": title,
        "slug": slug,
        "excerpt": data.excerpt.strip()[:400],
        "body": data.body,
        "body_html": render_markdown(data.body),
        "category_id": data.category_id,
        "tags": clean_tags(data.tags),
        "seo_title": data.seo_title.strip()[:200],
        "seo_description": data.seo_description.strip()[:300],
        "cover_alt": data.cover_alt.strip()[:200],
    }


async def save_post(
    db: AsyncSession,
    data: PostIn,
    *,
    post_id: int | None = None,
    author_id: int | None = None,
    now: datetime | None = None,
) -> BlogPost:
    values = await _checked(db, data, post_id)
    if post_id is None:
        post = BlogPost(author_id=author_id, **values)
        db.add(post)
    else:
        post = await get_post(db, post_id)
        for key, value in values.items():
            setattr(post, key, value)
    if data.publish and post.status != "published":
        post.status = "published"
        post.published_at = now or utcnow()
    elif not data.publish:
        post.status = "draft"
    await db.flush()
    return post


async def get_post(db: AsyncSession, post_id: int) -> BlogPost:
    post = await db.get(BlogPost, post_id)
    if post is None:
        raise NotFound(_("There is no such post."))
    return post


async def all_posts(db: AsyncSession) -> list[BlogPost]:
    return list(
        await db.scalars(select(BlogPost).order_by(BlogPost.updated_at.desc(), BlogPost.id.desc()))
    )


async def all_projects(db: AsyncSession) -> list[Project]:
    return list(await db.scalars(select(Project).order_by(Project.id.desc())))


async def all_sections(db: AsyncSession) -> list[SiteSection]:
    return list(
        await db.scalars(select(SiteSection).order_by(SiteSection.position, SiteSection.id))
    )


def _local_or_https(link: str) -> str:
    link = link.strip()[:300]
    if not link:
        return ""
    if (link.startswith("/") and not link.startswith("//")) or link.startswith("https://"):
        return link
    raise ValidationFailed(_("A link starts with / or https://"), field="link_url")


async def save_section(
    db: AsyncSession, values: dict[str, Any], *, section_id: int | None = None
) -> SiteSection:
    title = " ".join(str(values.get("title") or "").split())[:200]
    if not title:
        raise ValidationFailed(_("Please enter a title."), field="title")
    kind = str(values.get("kind") or "section")
    if kind not in ("banner", "section"):
        raise ValidationFailed(_("That kind is not valid."), field="kind")
    try:
        position = int(values.get("position") or 0)
    except ValueError as exc:
        raise ValidationFailed(_("The position is a number."), field="position") from exc
    if not -1000 <= position <= 1000:
        raise ValidationFailed(_("The position is from -1000 to 1000."), field="position")
    section = SiteSection() if section_id is None else await db.get(SiteSection, section_id)
    if section is None:
        raise NotFound(_("There is no such item."))
    section.kind = kind
    section.title = title
    section.body = str(values.get("body") or "").strip()[:1000]
    section.link_url = _local_or_https(str(values.get("link_url") or ""))
    section.link_label = str(values.get("link_label") or "").strip()[:80]
    section.position = position
    section.is_active = bool(values.get("is_active"))
    if section_id is None:
        db.add(section)
    await db.flush()
    return section


async def counts(db: AsyncSession) -> dict[str, int]:
    posts = await db.scalar(
        select(func.count()).select_from(BlogPost).where(BlogPost.status == "published")
    )
    projects = await db.scalar(
        select(func.count()).select_from(Project).where(Project.is_published.is_(True))
    )
    return {"posts": int(posts or 0), "projects": int(projects or 0)}
