"""The store registry: one folder per store under ``stores/`` with a ``store.toml``."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError, field_validator

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


class Theme(BaseModel):
    """Design tokens; rendered into ``/<slug>/theme.css`` so pages carry no inline style."""

    primary: str = "#1f3a5f"
    on_primary: str = "#ffffff"
    accent: str = "#b5472c"
    background: str = "#ffffff"
    surface: str = "#f5f5f4"
    text: str = "#1c1917"
    muted: str = "#57534e"
    heading_font: str = "system-ui, sans-serif"
    body_font: str = "system-ui, sans-serif"
    radius: str = "6px"
    heading_case: str = "none"  # or "uppercase"
    logo_mark: str = "M"  # one or two glyphs drawn into the generated SVG mark
    logo_shape: str = "circle"  # circle | square | diamond

    @field_validator("primary", "on_primary", "accent", "background", "surface", "text", "muted")
    @classmethod
    def _hex(cls, value: str) -> str:
        if not HEX.match(value):
            raise ValueError("colours are #rrggbb")
        return value


class CatalogPaths(BaseModel):
    """The storefront catalogue's URL segments. The catalogue's own names (Atelier Arôme's
    ``essences`` and ``humours``) are the defaults, so its URLs never change; another store
    names them after its goods (``[catalog] products_path = "products"``)."""

    products_path: str = "essences"
    categories_path: str = "humours"

    @field_validator("products_path", "categories_path")
    @classmethod
    def _segment(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError("a catalogue path is one segment of lower-case letters and hyphens")
        return value

    def renamed(self) -> dict[str, str]:
        """The catalogue's own segment → this store's, for the segments the store renamed."""
        pairs = {"essences": self.products_path, "humours": self.categories_path}
        if len(set(pairs.values())) < len(pairs):
            raise ValueError("products_path and categories_path must differ")
        return {own: mine for own, mine in pairs.items() if own != mine}


class NavLink(BaseModel):
    """A link in the store's header: a path inside the store and its label, one text or one
    per language (``label = { vi = "Dịch vụ", en = "Services" }``)."""

    path: str
    label: str | dict[str, str]

    @field_validator("path")
    @classmethod
    def _inside(cls, value: str) -> str:
        if "://" in value or value.startswith("/"):
            raise ValueError("a header link is a path inside the store, without a leading /")
        return value

    def label_in(self, language: str) -> str:
        if isinstance(self.label, str):
            return self.label
        return self.label.get(language) or next(iter(self.label.values()), "")


class DemoUser(BaseModel):
    email: str
    password: str
    name: str
    roles: list[str] = Field(default_factory=lambda: ["customer"])


class StoreConfig(BaseModel):
    slug: str
    name: str
    tagline: str = ""
    locale: str = "en"
    languages: list[str] = Field(default_factory=list)
    currency: str = "USD"
    display_currencies: list[str] = Field(default_factory=list)
    timezone: str = "UTC"
    modules: list[str] = Field(default_factory=list)
    theme: Theme = Field(default_factory=Theme)
    payment_providers: list[str] = Field(default_factory=lambda: ["sandbox"])
    contact_email: str = ""
    # Store feature flags (seed 004 §3.4): e.g. {"reviews": false}; the admin may override.
    features: dict[str, bool] = Field(default_factory=dict)
    catalog: CatalogPaths = Field(default_factory=CatalogPaths)
    # Header links, first in the header's navigation ([[nav]] in store.toml).
    nav: list[NavLink] = Field(default_factory=list)
    demo_users: list[DemoUser] = Field(default_factory=list)
    path: Path | None = None

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError("a slug is lower-case letters, digits and single hyphens")
        return value

    @property
    def theme_dir(self) -> Path | None:
        return self.path / "theme" if self.path else None

    @property
    def seed_dir(self) -> Path | None:
        return self.path / "seed" if self.path else None


class StoreConfigError(RuntimeError):
    pass


def load_store(folder: Path) -> StoreConfig:
    file = folder / "store.toml"
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise StoreConfigError(f"{file}: {exc}") from exc
    data.setdefault("slug", folder.name)
    try:
        config = StoreConfig(**data, path=folder)
    except ValidationError as exc:
        raise StoreConfigError(f"{file}: {exc}") from exc
    if config.slug != folder.name:
        raise StoreConfigError(f"{file}: slug {config.slug!r} differs from folder {folder.name!r}")
    return config


def discover_stores(stores_dir: Path) -> list[StoreConfig]:
    if not stores_dir.is_dir():
        raise StoreConfigError(f"stores directory not found: {stores_dir}")
    folders = sorted(p for p in stores_dir.iterdir() if (p / "store.toml").is_file())
    return [load_store(p) for p in folders]
