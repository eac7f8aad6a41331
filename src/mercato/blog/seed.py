"""Demo blog posts, projects and home sections from stores/<slug>/seed/{posts,projects}.yaml,
with covers and galleries drawn by mercato.blog.artwork. Idempotent by slug."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import yaml
from sqlalchemy import select

from mercato.blog import artwork, service
from mercato.kit.time import utcnow
from mercato.models.blog import BlogCategory, BlogPost, Project, SiteSection


def _load(ctx: Any, name: str) -> dict[str, Any]:
    path = ctx.seed_dir / name
    if not path.is_file():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


async def _picture(ctx: Any, prefix: str, seed: str, variant: int = 0) -> str:
    key = f"{prefix}/{service.slugify(seed)}-{variant}.webp"
    await ctx.storage.save(key, artwork.cover(seed, variant=variant))
    return key


async def seed_blog(db, ctx) -> str:  # noqa: ANN001 - (AsyncSession, SeedContext)
    data = _load(ctx, "posts.yaml")
    made = {"posts": 0, "projects": 0, "sections": 0}
    categories = {c.slug: c for c in await db.scalars(select(BlogCategory))}
    for item in data.get("categories", []):
        if item["slug"] not in categories:
            row = BlogCategory(
                slug=item["slug"], name=item["name"], description=item.get("description", "")
            )
            db.add(row)
            categories[row.slug] = row
    await db.flush()
    existing = set(await db.scalars(select(BlogPost.slug)))
    now = utcnow()
    for n, item in enumerate(data.get("posts", [])):
        slug = service.slugify(item["title"])
        if slug in existing:
            continue
        post = await service.save_post(
            db,
            service.PostIn(
                title=item["title"],
                body=item["body"],
                slug=slug,
                excerpt=item.get("excerpt", ""),
                category_id=categories[item["category"]].id if item.get("category") else None,
                tags=item.get("tags", []),
                seo_description=item.get("excerpt", ""),
                cover_alt=item.get("cover_alt", item["title"]),
                publish=True,
            ),
            now=now - timedelta(days=int(item.get("days_ago", n * 5))),
        )
        post.cover_key = await _picture(ctx, "blog", item["title"])
        made["posts"] += 1
    projects = set(await db.scalars(select(Project.slug)))
    for item in _load(ctx, "projects.yaml").get("projects", []):
        slug = service.slugify(item["title"])
        if slug in projects:
            continue
        db.add(
            Project(
                slug=slug,
                title=item["title"],
                summary=item.get("summary", ""),
                body=item["body"],
                body_html=service.render_markdown(item["body"]),
                location=item.get("location", ""),
                completed_on=date.fromisoformat(str(item["completed_on"]))
                if item.get("completed_on")
                else None,
                cover_key=await _picture(ctx, "projects", item["title"]),
                gallery=[
                    {"key": await _picture(ctx, "projects", item["title"], v), "alt": alt}
                    for v, alt in enumerate(item.get("gallery", []), start=1)
                ],
                products_used=item.get("products_used", []),
                seo_description=item.get("summary", ""),
            )
        )
        made["projects"] += 1
    if not await db.scalar(select(SiteSection.id).limit(1)):
        for n, item in enumerate(data.get("home_sections", [])):
            db.add(
                SiteSection(
                    kind=item.get("kind", "section"),
                    title=item["title"],
                    body=item.get("body", ""),
                    link_url=item.get("link_url", ""),
                    link_label=item.get("link_label", ""),
                    position=n,
                )
            )
            made["sections"] += 1
    await db.flush()
    return ", ".join(f"{v} {k}" for k, v in made.items())
