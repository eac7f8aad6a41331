"""Everything one running store needs, built once at start-up and shared by its requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mercato.config import Settings
from mercato.db import Database
from mercato.platform.modules import EnabledModules, registry
from mercato.platform.stores import StoreConfig

if TYPE_CHECKING:
    from jinja2 import Environment

    from mercato.platform.files import Storage
    from mercato.platform.ratelimit import RateLimiter
    from mercato.platform.realtime import Hub


@dataclass
class StoreRuntime:
    config: StoreConfig
    settings: Settings
    db: Database
    modules: EnabledModules
    hub: Hub
    limiter: RateLimiter
    storage: Storage
    templates: Environment | None = None
    # Set by the host when mounted under /<slug>; empty when one store is served at "/".
    mount_path: str = ""
    extras: dict[str, Any] = field(default_factory=dict)
    page_cache: Any = None  # web.page_cache.PageCache, set by its middleware

    @property
    def slug(self) -> str:
        return self.config.slug

    @property
    def secret(self) -> str:
        return self.settings.secret_key.get_secret_value()

    def path(self, relative: str = "") -> str:
        """Public path of a store page: path("account/signin") → /atelier-arome/account/signin."""
        return f"{self.mount_path}/{relative.lstrip('/')}"

    def absolute_url(self, relative: str) -> str:
        base = self.settings.base_url.rstrip("/") or "http://127.0.0.1:8000"
        return base + self.path(relative)


def build_runtime(
    config: StoreConfig, settings: Settings, hub: Hub, limiter: RateLimiter, *, mount_path: str
) -> StoreRuntime:
    from mercato.platform.files import LocalStorage
    from mercato.web.templating import build_environment

    modules = EnabledModules(registry.resolve(config.modules))
    runtime = StoreRuntime(
        config=config,
        settings=settings,
        db=Database(settings.database_url_for(config.slug), store=config.slug),
        modules=modules,
        hub=hub,
        limiter=limiter,
        storage=LocalStorage(settings.uploads_dir / config.slug, url_prefix=f"{mount_path}/files"),
        mount_path=mount_path,
    )
    runtime.templates = build_environment(runtime)
    return runtime
