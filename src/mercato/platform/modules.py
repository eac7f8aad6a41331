"""The module registry (DESIGN.md §3).

A module is a plain object naming its routers, permissions, admin navigation, event
handlers, jobs and schedules. A store's ``modules = [...]`` decides which of them exist in
its sub-app; routers of a disabled module are never mounted, so their URLs are 404.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter

# handler(ctx, event) where ctx is a platform.outbox.HandlerContext
EventHandler = Callable[[Any, Any], Awaitable[None]]
Job = Callable[[Any], Awaitable[None]]
# seeder(db, ctx) -> a short summary line; ctx is a platform.seeding.SeedContext
Seeder = Callable[[Any, Any], Awaitable[str]]


def lazy_seed(module: str, name: str) -> Seeder:
    """The seeder ``module.name``, imported when `mercato seed` first runs it.

    Seed modules bring YAML, Pillow (drawn artwork) and their own code, which every server
    worker would otherwise hold for nothing: a worker never seeds (issue 3, memory).
    """

    async def seeder(db: Any, ctx: Any) -> str:
        return await getattr(importlib.import_module(module), name)(db, ctx)

    seeder.__qualname__ = seeder.__name__ = name
    return seeder


@dataclass(frozen=True)
class NavItem:
    label: str
    path: str  # relative to the store's admin root, e.g. "users"
    permission: str
    order: int = 100


@dataclass(frozen=True)
class Schedule:
    name: str
    cron: str  # five-field cron in the store's timezone
    job: Job


@dataclass
class Module:
    name: str
    title: str = ""
    requires: tuple[str, ...] = ()
    core: bool = False  # always on, whatever store.toml says
    pages: list[APIRouter] = field(default_factory=list)  # HTML under /<slug>/
    api: list[APIRouter] = field(default_factory=list)  # JSON under /<slug>/api/v1
    admin: list[APIRouter] = field(default_factory=list)  # HTML under /<slug>/admin
    websockets: list[APIRouter] = field(default_factory=list)  # no page dependencies
    # (method, path under the store) -> handler answering before FastAPI's routing, beside an
    # API route of the same path (mercato.web.hot_routes): add to cart.
    hot_routes: dict[tuple[str, str], Any] = field(default_factory=dict)
    # FastAPI dependencies run before every page and admin page of a store that enables the
    # module; they may put template variables in request.state.template_context (the badge).
    page_dependencies: list[Any] = field(default_factory=list)
    permissions: dict[str, str] = field(default_factory=dict)  # permission → description
    default_roles: dict[str, list[str]] = field(default_factory=dict)  # role → permissions
    admin_nav: list[NavItem] = field(default_factory=list)
    event_handlers: dict[str, list[EventHandler]] = field(default_factory=dict)
    jobs: dict[str, Job] = field(default_factory=dict)
    schedules: list[Schedule] = field(default_factory=list)
    template_dir: str | None = None  # absolute path of the module's templates
    # Loads the module's demo data from stores/<slug>/seed/ (idempotent); run by
    # `mercato seed` in dependency order after the demo users exist.
    seed: Seeder | None = None
    # Extra template variables for the storefront product page: fn(db, request, product) ->
    # dict, awaited by the catalogue's product handler (wishlist state, reviews, alerts...).
    product_page: Callable[[Any, Any, Any], Awaitable[dict[str, Any]]] | None = None
    # Extra template variables wherever the catalogue draws product cards (listing, related
    # products, home): fn(db, request, products) -> dict, one call per page for all its cards;
    # each card then includes "<module>/_card_extras.html" (the wholesale MOQ badge).
    product_cards: Callable[[Any, Any, list[Any]], Awaitable[dict[str, Any]]] | None = None
    # Extra template variables for the store home page: fn(db, request) -> dict, awaited by
    # the site module (a store theme's site/home.html decides how to draw them).
    home_page: Callable[[Any, Any], Awaitable[dict[str, Any]]] | None = None
    # Runs when a browser session starts (sign-in, sign-up): fn(request, db, user) -> list of
    # messages for the shopper; the cart module merges the guest cart here.
    on_signin: Callable[[Any, Any, Any], Awaitable[list[str]]] | None = None
    # Rules over a store's cart lines (a mercato.cart.service.CartRules): unit prices,
    # per-line problems with a fix, the largest line; the wholesale module's tiers and MOQ.
    cart_rules: Any = None
    # Discounts on a whole order (a mercato.checkout.service.OrderDiscounts): computed on every
    # checkout quote, then made final inside place_order's transaction (vouchers, issue 7).
    order_discounts: Any = None
    # Extra sitemap.xml entries: fn(db, runtime) -> [(store-relative path, updated_at or None)].
    sitemap: Callable[[Any, Any], Awaitable[list[tuple[str, Any]]]] | None = None


class ModuleError(RuntimeError):
    pass


class ModuleRegistry:
    def __init__(self) -> None:
        self._modules: dict[str, Module] = {}

    def register(self, module: Module) -> Module:
        if module.name in self._modules:
            raise ModuleError(f"module {module.name!r} registered twice")
        self._modules[module.name] = module
        return module

    def get(self, name: str) -> Module:
        try:
            return self._modules[name]
        except KeyError:
            raise ModuleError(f"unknown module {name!r}") from None

    def names(self) -> list[str]:
        return sorted(self._modules)

    def resolve(self, requested: list[str]) -> list[Module]:
        """Core modules plus ``requested`` and their dependencies, dependencies first."""
        ordered: list[Module] = []
        seen: set[str] = set()
        visiting: set[str] = set()

        def visit(name: str, wanted_by: str | None) -> None:
            if name in seen:
                return
            if name in visiting:
                raise ModuleError(f"module dependency cycle through {name!r}")
            if name not in self._modules:
                by = f" (needed by {wanted_by!r})" if wanted_by else ""
                raise ModuleError(f"unknown module {name!r}{by}")
            visiting.add(name)
            for dep in self._modules[name].requires:
                visit(dep, name)
            visiting.discard(name)
            seen.add(name)
            ordered.append(self._modules[name])

        for module in self._modules.values():
            if module.core:
                visit(module.name, None)
        for name in requested:
            visit(name, None)
        return ordered


class EnabledModules:
    """The resolved modules of one store, with their merged contributions."""

    def __init__(self, modules: list[Module]) -> None:
        self.modules = modules
        self.names = frozenset(m.name for m in modules)

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def handlers_for(self, event_type: str) -> list[EventHandler]:
        return [h for m in self.modules for h in m.event_handlers.get(event_type, [])]

    def permissions(self) -> dict[str, str]:
        return {p: d for m in self.modules for p, d in m.permissions.items()}

    def default_roles(self) -> dict[str, set[str]]:
        roles: dict[str, set[str]] = {}
        for m in self.modules:
            for role, perms in m.default_roles.items():
                roles.setdefault(role, set()).update(perms)
        return roles

    def admin_nav(self) -> list[NavItem]:
        return sorted((i for m in self.modules for i in m.admin_nav), key=lambda i: i.order)

    def jobs(self) -> dict[str, Job]:
        return {f"{m.name}.{k}": j for m in self.modules for k, j in m.jobs.items()}

    def schedules(self) -> list[Schedule]:
        return [s for m in self.modules for s in m.schedules]

    def template_dirs(self) -> list[str]:
        return [m.template_dir for m in self.modules if m.template_dir]


registry = ModuleRegistry()
