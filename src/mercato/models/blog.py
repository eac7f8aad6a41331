"""Blog posts with categories and tags, installation projects (showcases with a gallery and
the products used), and site features (home banners and sections managed in the admin).

Markdown is stored as written and rendered once on save into sanitised HTML (``*_html``),
so pages never render Markdown per request and never show unsanitised markup.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mercato.models.base import Base, BigId, IdMixin, TimestampMixin


class BlogCategory(IdMixin, Base):
    __tablename__ = "blog_categories"

    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(String(300), default="")


class BlogPost(IdMixin, TimestampMixin, Base):
    __tablename__ = "blog_posts"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'published')", name="status_known"),
        Index("ix_blog_posts_status_published", "status", "published_at"),
    )

    slug: Mapped[str] = mapped_column(String(160), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    excerpt: Mapped[str] = mapped_column(String(400), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    cover_key: Mapped[str] = mapped_column(String(300), default="")
    cover_alt: Mapped[str] = mapped_column(String(200), default="")
    category_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("blog_categories.id", ondelete="SET NULL"), index=True
    )
    tags: Mapped[list[Any]] = mapped_column(default=list)
    seo_title: Mapped[str] = mapped_column(String(200), default="")
    seo_description: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(10), default="draft")
    published_at: Mapped[datetime | None]
    author_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )


class Project(IdMixin, TimestampMixin, Base):
    """An installation showcase: what was built where, with photos and the products used
    (``products_used``: [{"name", "sku"}], names kept so a later catalogue change does not
    rewrite history)."""

    __tablename__ = "projects"
    __table_args__ = (Index("ix_projects_published", "is_published", "completed_on"),)

    slug: Mapped[str] = mapped_column(String(160), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(400), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    cover_key: Mapped[str] = mapped_column(String(300), default="")
    gallery: Mapped[list[Any]] = mapped_column(default=list)  # [{"key", "alt"}]
    products_used: Mapped[list[Any]] = mapped_column(default=list)
    completed_on: Mapped[date | None]
    is_published: Mapped[bool] = mapped_column(default=True)
    seo_title: Mapped[str] = mapped_column(String(200), default="")
    seo_description: Mapped[str] = mapped_column(String(300), default="")


class SiteSection(IdMixin, TimestampMixin, Base):
    """A home banner or section, ordered by ``position``."""

    __tablename__ = "site_sections"
    __table_args__ = (
        CheckConstraint("kind IN ('banner', 'section')", name="kind_known"),
        Index("ix_site_sections_active", "is_active", "position"),
    )

    kind: Mapped[str] = mapped_column(String(10), default="section")
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(1000), default="")
    link_url: Mapped[str] = mapped_column(String(300), default="")
    link_label: Mapped[str] = mapped_column(String(80), default="")
    image_key: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
