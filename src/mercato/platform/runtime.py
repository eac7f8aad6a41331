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
    # The catalogue's URL segments this store renamed (store.toml [catalog]): outgoing
    # ("essences" → "products") for path(), incoming for the request router.
    catalog_renames: dict[str, str] = field(init=False, default_factory=dict)
    catalog_routes: dict[str, str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.catalog_renames = self.config.catalog.renamed()
        self.catalog_routes = {mine: own for own, mine in self.catalog_renames.items()}

    @property
    def slug(self) -> str:
        return self.config.slug

    @property
    def secret(self) -> str:
        return self.settings.secret_key.get_secret_value()

    def path(self, relative: str = "") -> str:
        """Public path of a store page: path("account/signin") → /atelier-arome/account/signin.
        The catalogue's segments are written as the store names them ("essences/x" is
        /wholesale/products/x in a store whose products_path is "products")."""
        relative = relative.lstrip("/")
        if self.catalog_renames:
            relative = rename_first_segment(relative, self.catalog_renames)
        return f"{self.mount_path}/{relative}"

    def absolute_url(self, relative: str) -> str:
        base = self.settings.base_url.rstrip("/") or "http://127.0.0.1:8000"
        return base + self.path(relative)


def rename_first_segment(relative: str, renames: dict[str, str]) -> str:
    """``relative`` with its first path segment renamed when ``renames`` names it."""
    end = len(relative)
    for stop in "/?#":
        at = relative.find(stop)
        if at != -1:
            end = min(end, at)
    head = relative[:end]
    return renames[head] + relative[end:] if head in renames else relative


def build_runtime(
    config: StoreConfig, settings: Settings, hub: Hub, limiter: RateLimiter, *, mount_path: str
) -> StoreRuntime:
    from mercato.platform.files import LocalStorage
    from mercato.web.templating import build_environment

    modules = EnabledModules(registry.resolve(config.modules))
    runtime = StoreRuntime(
        config=config,
        settings=settings,
        db=Database(
            settings.database_url_for(config.slug),
            store=config.slug,
            pool_size=settings.db_pool_size,
        ),
        modules=modules,
        hub=hub,
        limiter=limiter,
        storage=LocalStorage(settings.uploads_dir / config.slug, url_prefix=f"{mount_path}/files"),
        mount_path=mount_path,
    )
    runtime.templates = build_environment(runtime)
    return runtime
