"""Reading and saving the admin's project (installation showcase) form.

Every field and every uploaded picture is checked before anything is written: a form with
an error leaves neither a row nor a file, and shows all its problems at once. Pictures are
checked by content and re-encoded without metadata (platform.files.clean_image). The
products used are typed as SKUs and stored as {"name", "sku"} snapshots, so a later rename
in the catalogue does not rewrite a finished project."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.blog.service import SLUG, render_markdown, slugify
from mercato.kit.errors import ValidationFailed
from mercato.kit.i18n import _, translate
from mercato.models.blog import Project
from mercato.models.catalog import Product
from mercato.platform.files import CleanImage, clean_image, new_key

FIELDS = (
    "title",
    "slug",
    "summary",
    "location",
    "completed_on",
    "body",
    "products",
    "seo_title",
    "seo_description",
    "is_published",
)
MAX_GALLERY = 24  # pictures kept on one project
MAX_BODY = 100_000


@dataclass
class Parsed:
    data: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    cover: CleanImage | None = None
    gallery: list[CleanImage] = field(default_factory=list)
    removed: set[str] = field(default_factory=set)


def form_values(form: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        n: str(form.get(n) or "").strip()[: MAX_BODY + 1]
        for n in FIELDS
        if isinstance(form.get(n) or "", str)
    }
    values["remove"] = [str(v)[:300] for v in form.getlist("remove") if isinstance(v, str)]
    return values


def _pictures(form: Any, name: str) -> list[Any]:
    """Uploads of one file input that hold a file (a browser sends an empty part otherwise)."""
    return [u for u in form.getlist(name) if hasattr(u, "read") and getattr(u, "filename", None)]


async def read_project(
    db: AsyncSession,
    values: Mapping[str, Any],
    form: Any,
    *,
    row: Project | None,
    max_bytes: int,
) -> Parsed:
    parsed = Parsed()
    title = " ".join(values.get("title", "").split())
    if not 3 <= len(title) <= 200:
        parsed.errors["title"] = _("Enter a title of 3 to 200 characters.")
    slug = (values.get("slug", "").lower() or slugify(title))[:160]
    if not SLUG.match(slug or "-"):
        parsed.errors["slug"] = _("Use lower-case letters without marks, digits and dashes.")
    elif await db.scalar(
        select(Project.id).where(Project.slug == slug, Project.id != (row.id if row else 0))
    ):
        parsed.errors["slug"] = _("Another project already uses this address.")
    body = values.get("body", "")
    if len(body) > MAX_BODY:
        parsed.errors["body"] = _("The text is too long.")
    completed: date | None = None
    if values.get("completed_on"):
        try:
            completed = date.fromisoformat(values["completed_on"][:10])
        except ValueError:
            parsed.errors["completed_on"] = _("Enter a date such as 2026-11-30.")
    parsed.data.update(
        title=title,
        slug=slug,
        summary=" ".join(values.get("summary", "").split())[:400],
        location=" ".join(values.get("location", "").split())[:200],
        completed_on=completed,
        body=body,
        body_html=render_markdown(body[:MAX_BODY]),
        seo_title=values.get("seo_title", "")[:200],
        seo_description=values.get("seo_description", "")[:300],
        is_published=bool(values.get("is_published")),
    )
    await _products(db, values.get("products", ""), parsed)
    await _read_pictures(form, parsed, row=row, max_bytes=max_bytes)
    return parsed


async def _products(db: AsyncSession, raw: str, parsed: Parsed) -> None:
    skus = list(dict.fromkeys(s.strip() for s in re.split(r"[,\s]+", raw) if s.strip()))[:50]
    found: dict[str, str] = {}
    if skus:
        found = dict(
            (await db.execute(select(Product.sku, Product.name).where(Product.sku.in_(skus)))).all()
        )
    unknown = [s for s in skus if s not in found]
    if unknown:
        parsed.errors["products"] = _("No product has the SKU %(skus)s.", skus=", ".join(unknown))
    parsed.data["products_used"] = [{"name": found[s], "sku": s} for s in skus if s in found]


async def _read_pictures(form: Any, parsed: Parsed, *, row: Project | None, max_bytes: int) -> None:
    kept = list(row.gallery or []) if row else []
    parsed.removed = {str(k) for k in form.getlist("remove")} & {g["key"] for g in kept}
    kept = [g for g in kept if g["key"] not in parsed.removed]
    covers = _pictures(form, "cover")
    if covers:
        try:
            parsed.cover = clean_image(await covers[0].read(max_bytes + 1), max_bytes=max_bytes)
        except ValidationFailed as exc:
            parsed.errors["cover"] = translate(exc.message)
    uploads = _pictures(form, "gallery")
    if len(kept) + len(uploads) > MAX_GALLERY:
        parsed.errors["gallery"] = _(
            "A project keeps at most %(count)s pictures.", count=MAX_GALLERY
        )
        return
    for upload in uploads:
        try:
            parsed.gallery.append(
                clean_image(await upload.read(max_bytes + 1), max_bytes=max_bytes)
            )
        except ValidationFailed as exc:
            parsed.errors["gallery"] = _(
                "%(file)s: %(problem)s",
                file=str(upload.filename)[:80],
                problem=translate(exc.message),
            )
            return
    parsed.data["gallery"] = kept


async def save_project(
    db: AsyncSession, storage: Any, row: Project | None, parsed: Parsed
) -> Project:
    """Store the checked pictures, then the row; flushed, never committed. Files of removed
    pictures stay: an old page or feed may still show them, and they cost little."""
    data = dict(parsed.data)
    if parsed.cover is not None:
        data["cover_key"] = new_key("projects", parsed.cover.extension)
        await storage.save(data["cover_key"], parsed.cover.data)
    alt = data["title"]
    for picture in parsed.gallery:
        key = new_key("projects", picture.extension)
        await storage.save(key, picture.data)
        data["gallery"] = [*data["gallery"], {"key": key, "alt": alt}]
    if row is None:
        row = Project(**data)
        db.add(row)
    else:
        for name, value in data.items():
            setattr(row, name, value)
    await db.flush()
    return row


def project_values(row: Project) -> dict[str, Any]:
    return {
        "title": row.title,
        "slug": row.slug,
        "summary": row.summary,
        "location": row.location,
        "completed_on": row.completed_on.isoformat() if row.completed_on else "",
        "body": row.body,
        "products": ", ".join(p.get("sku", "") for p in row.products_used or []),
        "seo_title": row.seo_title,
        "seo_description": row.seo_description,
        "is_published": row.is_published,
        "remove": [],
    }


def snapshot(row: Project) -> dict[str, Any]:
    return {
        "title": row.title,
        "slug": row.slug,
        "is_published": row.is_published,
        "cover_key": row.cover_key,
        "gallery": [g["key"] for g in row.gallery or []],
        "products_used": [p.get("sku") for p in row.products_used or []],
    }


async def get_project(db: AsyncSession, project_id: int) -> Project | None:
    return await db.get(Project, project_id)
