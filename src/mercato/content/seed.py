"""Loads stores/<slug>/seed/content.yaml: pages, testimonials and the alchemy steps.
Idempotent: a page (by slug), testimonial (by author and quote) or step (by position) that
exists is left as staff last saved it."""

from __future__ import annotations

from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.content import service
from mercato.models.content import AlchemyStep, Page
from mercato.models.engagement import Testimonial

SEED_FILE = "content.yaml"


async def seed_content(db: AsyncSession, ctx: Any) -> str:
    path = ctx.seed_dir / SEED_FILE
    if not path.is_file():
        return "no content.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    new = {"pages": 0, "testimonials": 0, "steps": 0}
    for n, row in enumerate(data.get("pages", [])):
        if await db.scalar(select(Page.id).where(Page.slug == row["slug"])) is None:
            await service.create_page(
                db,
                service.PageIn(
                    title=row["title"],
                    slug=row["slug"],
                    body=row.get("body", ""),
                    meta_title=row.get("meta_title", ""),
                    meta_description=row.get("meta_description", ""),
                    is_published=row.get("is_published", True),
                    show_in_footer=row.get("show_in_footer", True),
                    position=row.get("position", n + 1),
                ),
            )
            new["pages"] += 1
    for n, row in enumerate(data.get("testimonials", [])):
        exists = await db.scalar(
            select(Testimonial.id).where(
                Testimonial.author_name == row["author_name"], Testimonial.quote == row["quote"]
            )
        )
        if exists is None:
            await service.create_testimonial(db, {"position": n + 1, **row})
            new["testimonials"] += 1
    for row in data.get("alchemy_steps", []):
        if await db.scalar(select(AlchemyStep.id).where(AlchemyStep.position == row["position"])):
            continue
        db.add(AlchemyStep(**row))
        new["steps"] += 1
    await db.flush()
    return ", ".join(f"{n} new {what}" for what, n in new.items())
