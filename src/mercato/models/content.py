"""Editorial content: pages (about, shipping, returns, privacy) and the alchemy steps that
the Atelier Arôme home page tells its process with (seed 004 §5.2)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mercato.models.base import Base, IdMixin, TimestampMixin


class Page(IdMixin, TimestampMixin, Base):
    __tablename__ = "pages"
    __table_args__ = (Index("ix_pages_published", "is_published", "slug"),)

    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(140), unique=True)
    # Markdown-like plain text written by staff; rendered to HTML and sanitised with nh3.
    body: Mapped[str] = mapped_column(Text, default="")
    meta_title: Mapped[str] = mapped_column(String(200), default="")
    meta_description: Mapped[str] = mapped_column(Text, default="")
    is_published: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime | None]
    show_in_footer: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)


class AlchemyStep(IdMixin, TimestampMixin, Base):
    __tablename__ = "alchemy_steps"

    position: Mapped[int] = mapped_column(unique=True)
    roman_numeral: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(150))  # "Nigredo • The Blackening"
    description: Mapped[str] = mapped_column(Text)
    symbol: Mapped[str] = mapped_column(String(8), default="")
    duration: Mapped[str] = mapped_column(String(60), default="")
    temperature: Mapped[str] = mapped_column(String(60), default="")
    vessel: Mapped[str] = mapped_column(String(100), default="")
    process: Mapped[str] = mapped_column(String(100), default="")
