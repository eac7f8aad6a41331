"""Editorial content: pages (Markdown, sanitised), testimonials and the alchemy steps.

Import as ``from mercato.content import service as content_service``. Services flush, never
commit; every rule failure is a ValidationFailed naming its field, checked before any write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.errors import NotFound, ValidationFailed
from mercato.kit.time import utcnow
from mercato.models.catalog import Product
from mercato.models.content import AlchemyStep, Page
from mercato.models.engagement import Testimonial

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@lru_cache(maxsize=1)
def _markdown() -> Any:
    """CommonMark without raw HTML; nh3 then keeps only ALLOWED_TAGS, whatever a writer pastes.
    Built on first use: only admins saving text render Markdown, and markdown-it with nh3
    would cost every worker about 2 MiB at start."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True}).enable(
        "table"
    )


ALLOWED_TAGS = {
    "p", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "a", "blockquote", "hr", "br",
    "code", "pre", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
PAGE_FIELDS = ("title", "slug", "body", "meta_title", "meta_description")
TESTIMONIAL_TEXT = ("author_name", "author_title", "author_location", "quote", "folio_reference")
TESTIMONIAL_FLAGS = ("is_verified", "is_featured", "is_illuminated", "is_approved")
STEP_FIELDS = (
    "roman_numeral", "title", "description", "symbol", "duration", "temperature", "vessel",
    "process",
)  # fmt: skip
_LIMITS = {
    "title": 200, "slug": 140, "meta_title": 200, "author_name": 120, "author_title": 150,
    "author_location": 150, "folio_reference": 60, "roman_numeral": 8, "symbol": 8,
    "duration": 60, "temperature": 60, "vessel": 100, "process": 100,
}  # fmt: skip


def render_markdown(text: str) -> str:
    """Markdown → HTML safe to show: no raw HTML, no scripts, links without javascript:."""
    import nh3

    html = _markdown().render(text or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "th": {"scope"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def _text(values: dict[str, Any], field: str, *, required: bool = False, label: str = "") -> str:
    value = str(values.get(field) or "").strip()
    if required and not value:
        raise ValidationFailed(
            f"{label or field.replace('_', ' ').capitalize()} is required.", field=field
        )
    limit = _LIMITS.get(field)
    if limit and len(value) > limit:
        raise ValidationFailed(f"At most {limit} characters.", field=field)
    return value


# ---- Pages ------------------------------------------------------------------------------


@dataclass
class PageIn:
    title: str
    slug: str = ""
    body: str = ""
    meta_title: str = ""
    meta_description: str = ""
    is_published: bool = False
    show_in_footer: bool = True
    position: int = 0


async def _checked_page(db: AsyncSession, data: PageIn, exclude_id: int | None) -> dict[str, Any]:
    from mercato.catalog.service import slugify

    raw = vars(data)
    title = _text(raw, "title", required=True)
    slug = _text(raw, "slug").lower() or slugify(title)
    if not _SLUG.match(slug):
        raise ValidationFailed("Use lower-case letters, digits and single hyphens.", field="slug")
    stmt = select(Page.id).where(Page.slug == slug)
    if exclude_id is not None:
        stmt = stmt.where(Page.id != exclude_id)
    if await db.scalar(stmt.limit(1)) is not None:
        raise ValidationFailed("Another page already uses this slug.", field="slug")
    return {
        "title": title,
        "slug": slug,
        "body": str(data.body or ""),
        "meta_title": _text(raw, "meta_title"),
        "meta_description": str(data.meta_description or "").strip(),
        "is_published": bool(data.is_published),
        "show_in_footer": bool(data.show_in_footer),
        "position": int(data.position or 0),
    }


def page_snapshot(page: Page) -> dict[str, Any]:
    return {
        "title": page.title,
        "slug": page.slug,
        "is_published": page.is_published,
        "show_in_footer": page.show_in_footer,
        "position": page.position,
        "body_chars": len(page.body),
    }


async def create_page(db: AsyncSession, data: PageIn) -> Page:
    values = await _checked_page(db, data, None)
    page = Page(**values, published_at=utcnow() if values["is_published"] else None)
    db.add(page)
    await db.flush()
    return page


async def update_page(db: AsyncSession, page_id: int, data: PageIn) -> Page:
    page = await get_page(db, page_id)
    values = await _checked_page(db, data, page_id)
    if values["is_published"] and not page.is_published:
        page.published_at = utcnow()
    for key, value in values.items():
        setattr(page, key, value)
    await db.flush()
    return page


async def delete_page(db: AsyncSession, page_id: int) -> Page:
    page = await get_page(db, page_id)
    await db.delete(page)
    await db.flush()
    return page


async def get_page(db: AsyncSession, page_id: int) -> Page:
    page = await db.get(Page, page_id)
    if page is None:
        raise NotFound("No such page.", field="page_id")
    return page


async def published_page(db: AsyncSession, slug: str) -> Page:
    page = await db.scalar(select(Page).where(Page.slug == slug, Page.is_published))
    if page is None:
        raise NotFound("We could not find that page.")
    return page


async def all_pages(db: AsyncSession) -> list[Page]:
    return list(await db.scalars(select(Page).order_by(Page.position, Page.title)))


async def footer_pages(db: AsyncSession) -> list[tuple[str, str]]:
    """(slug, title) of published footer pages: one small query per page view."""
    stmt = (
        select(Page.slug, Page.title)
        .where(Page.is_published, Page.show_in_footer)
        .order_by(Page.position, Page.title)
    )
    return [(row[0], row[1]) for row in await db.execute(stmt)]


async def sitemap_pages(db: AsyncSession) -> list[tuple[str, Any]]:
    stmt = select(Page.slug, Page.updated_at).where(Page.is_published).order_by(Page.position)
    return [(row[0], row[1]) for row in await db.execute(stmt)]


# ---- Testimonials -------------------------------------------------------------------------


async def _checked_testimonial(db: AsyncSession, values: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {
        "author_name": _text(values, "author_name", required=True, label="Name"),
        "quote": _text(values, "quote", required=True, label="Quote"),
    }
    for field in ("author_title", "author_location", "folio_reference"):
        clean[field] = _text(values, field)
    for flag in TESTIMONIAL_FLAGS:
        clean[flag] = bool(values.get(flag))
    try:
        clean["position"] = int(values.get("position") or 0)
    except (TypeError, ValueError):
        raise ValidationFailed("Give the position as a whole number.", field="position") from None
    product_id = values.get("product_id") or None
    if product_id is not None:
        try:
            product_id = int(product_id)
        except (TypeError, ValueError):
            raise ValidationFailed("Choose an essence from the list.", field="product_id") from None
        exists = await db.scalar(
            select(Product.id).where(Product.id == product_id, Product.deleted_at.is_(None))
        )
        if exists is None:
            raise ValidationFailed("Choose an essence from the list.", field="product_id")
    clean["product_id"] = product_id
    return clean


def testimonial_snapshot(t: Testimonial) -> dict[str, Any]:
    data: dict[str, Any] = {f: getattr(t, f) for f in TESTIMONIAL_TEXT}
    data.update({f: getattr(t, f) for f in TESTIMONIAL_FLAGS})
    data.update(position=t.position, product_id=t.product_id)
    return data


async def create_testimonial(db: AsyncSession, values: dict[str, Any]) -> Testimonial:
    testimonial = Testimonial(**await _checked_testimonial(db, values))
    db.add(testimonial)
    await db.flush()
    return testimonial


async def update_testimonial(
    db: AsyncSession, testimonial_id: int, values: dict[str, Any]
) -> Testimonial:
    testimonial = await get_testimonial(db, testimonial_id)
    for key, value in (await _checked_testimonial(db, values)).items():
        setattr(testimonial, key, value)
    await db.flush()
    return testimonial


async def delete_testimonial(db: AsyncSession, testimonial_id: int) -> Testimonial:
    testimonial = await get_testimonial(db, testimonial_id)
    await db.delete(testimonial)
    await db.flush()
    return testimonial


async def get_testimonial(db: AsyncSession, testimonial_id: int) -> Testimonial:
    testimonial = await db.get(Testimonial, testimonial_id)
    if testimonial is None:
        raise NotFound("No such testimonial.", field="testimonial_id")
    return testimonial


async def all_testimonials(db: AsyncSession) -> list[Testimonial]:
    stmt = select(Testimonial).order_by(Testimonial.position, Testimonial.id)
    return list(await db.scalars(stmt))


async def shown_testimonials(db: AsyncSession, limit: int = 3) -> list[Testimonial]:
    """Approved and featured, the illuminated one first: what the home page quotes."""
    stmt = (
        select(Testimonial)
        .where(Testimonial.is_approved, Testimonial.is_featured)
        .order_by(Testimonial.is_illuminated.desc(), Testimonial.position, Testimonial.id)
        .limit(limit)
    )
    return list(await db.scalars(stmt))


# ---- Alchemy steps ----------------------------------------------------------------------


async def alchemy_steps(db: AsyncSession) -> list[AlchemyStep]:
    return list(await db.scalars(select(AlchemyStep).order_by(AlchemyStep.position)))


async def get_step(db: AsyncSession, step_id: int) -> AlchemyStep:
    step = await db.get(AlchemyStep, step_id)
    if step is None:
        raise NotFound("No such step.", field="step_id")
    return step


def step_snapshot(step: AlchemyStep) -> dict[str, Any]:
    return {f: getattr(step, f) for f in ("position", *STEP_FIELDS)}


async def update_step(db: AsyncSession, step_id: int, values: dict[str, Any]) -> AlchemyStep:
    step = await get_step(db, step_id)
    clean = {
        "roman_numeral": _text(values, "roman_numeral", required=True, label="Numeral"),
        "title": _text(values, "title", required=True),
        "description": _text(values, "description", required=True),
    }
    for field in ("symbol", "duration", "temperature", "vessel", "process"):
        clean[field] = _text(values, field)
    for key, value in clean.items():
        setattr(step, key, value)
    await db.flush()
    return step


async def count_rows(db: AsyncSession, model: type) -> int:
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)
