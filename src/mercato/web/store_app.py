"""One FastAPI sub-app per store, holding only the routers of its enabled modules."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi import params as fastapi_params
from fastapi import routing as fastapi_routing
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute
from fastapi.utils import get_path_param_names
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute
from starlette.staticfiles import StaticFiles

from mercato.identity.deps import SignInRequired, load_web_user, require_staff
from mercato.identity.pages import sign_in_required_handler
from mercato.kit.errors import DomainError
from mercato.kit.i18n import N_
from mercato.platform.runtime import StoreRuntime
from mercato.web import theme
from mercato.web.csrf import csrf_protect
from mercato.web.docs import mount_docs
from mercato.web.errors import (
    domain_error_response,
    error_response,
    http_error_response,
    validation_error_response,
)
from mercato.web.hot_routes import HotRoutes
from mercato.web.i18n import LanguageMiddleware
from mercato.web.middleware import StoreMiddleware
from mercato.web.page_cache import PageCacheMiddleware

log = logging.getLogger("mercato.web")
API_PREFIX = "/api/v1"


def build_store_app(runtime: StoreRuntime) -> FastAPI:
    config = runtime.config
    app = FastAPI(
        title=f"{config.name} API",
        description=f"The JSON API of {config.name}. Authenticate with a bearer access token "
        "from `POST /api/v1/auth/token`, or an API key in `X-API-Key`.",
        version="1",
        openapi_url="/api/openapi.json",
        docs_url=None,  # served by mercato.web.docs with a CSP-safe page
        redoc_url=None,
        telemetry=runtime.settings.fastapi_telemetry,
    )
    app.state.runtime = runtime
    page_deps = [Depends(load_web_user), Depends(csrf_protect)]
    page_deps += [Depends(d) for m in runtime.modules.modules for d in m.page_dependencies]
    # API routers first: FastAPI tries routes in order, and the API is the busiest path (add
    # to cart walked about 150 page and admin routes before its own: a quarter of its CPU).
    # Every API path starts with /api/v1 and no page or admin route can match one, so the
    # order between the groups changes no answer.
    for module in runtime.modules.modules:
        for router in module.api:
            _include(app, router, prefix=API_PREFIX)
    for module in runtime.modules.modules:
        for router in module.pages:
            _include(app, router, dependencies=page_deps, include_in_schema=False)
        for router in module.admin:
            _include(
                app,
                router,
                prefix="/admin",
                dependencies=[*page_deps, Depends(require_staff)],
                include_in_schema=False,
            )
        for router in module.websockets:
            app.include_router(router)
    theme.mount(app, runtime)
    mount_docs(app, runtime)
    if runtime.config.theme_dir and (runtime.config.theme_dir / "static").is_dir():
        app.mount(
            "/theme-static",
            StaticFiles(directory=runtime.config.theme_dir / "static"),
            name="theme-static",
        )
    _install_error_handlers(app)
    # Pages answer "sign in first" with a redirect to the sign-in form (identity owns it).
    app.add_exception_handler(SignInRequired, sign_in_required_handler)  # type: ignore[arg-type]
    hot = {key: h for m in runtime.modules.modules for key, h in m.hot_routes.items()}
    if hot:
        # Innermost: a hot answer has the unit of work, headers and language of any other.
        app.add_middleware(HotRoutes, routes=hot)
    # The language is known to handlers and error pages, and a page kept by the cache
    # carries the Content-Language it was rendered with.
    app.add_middleware(LanguageMiddleware, runtime=runtime)
    # Added before StoreMiddleware, so it runs inside it (which knows the CSRF seed).
    app.add_middleware(PageCacheMiddleware, runtime=runtime)
    app.add_middleware(StoreMiddleware, runtime=runtime)
    return app


# One inclusion of a router per (router, prefix, dependencies, schema flag), shared by every
# store app that includes it the same way. FastAPI builds an included router's routes (their
# dependency trees, pydantic fields and type adapters) for each inclusion when a request first
# walks it, and keeps them: five stores held five copies of the same structures, about 2 MiB
# per store in each worker (issue 3). Nothing in an inclusion is store-specific: handlers
# find their store through the request (StoreMiddleware), and no store app has dependency
# overrides or router-level tags, responses or dependencies.
_inclusions: dict[tuple, BaseRoute] = {}


def _include(
    app: FastAPI,
    router: APIRouter,
    *,
    prefix: str = "",
    dependencies: Sequence[Any] = (),
    include_in_schema: bool = True,
) -> None:
    key = (
        id(router),
        prefix,
        tuple((d.dependency, d.use_cache, d.scope) for d in dependencies),
        include_in_schema,
    )
    shared = _inclusions.get(key)
    if shared is not None and getattr(shared, "original_router", None) is router:
        app.router.routes.append(shared)
        app.router._mark_routes_changed()  # FastAPI caches its route list by version
        return
    app.include_router(
        router, prefix=prefix, dependencies=list(dependencies), include_in_schema=include_in_schema
    )
    _inclusions[key] = app.router.routes[-1]
    _release_decorator_state(router)


# What `@router.get(...)` builds for a route so that it could serve on its own: its dependency
# tree, request body and response fields (pydantic type adapters) and request handler. Once
# the router is included, FastAPI serves the route through its inclusion, which builds its own
# from the route's declared settings (path, endpoint, response model, dependencies...), kept
# here; the decorator's copies were never read again, about 6 MiB per worker (issue 3). Any
# later read of one fails loudly (AttributeError) instead of serving from a stale copy.
_DECORATOR_STATE = (
    "dependant",
    "body_field",
    "response_field",
    "response_fields",
    "stream_item_field",
    "app",
)


def _release_decorator_state(router: APIRouter) -> None:
    for route in router.routes:
        if isinstance(route, APIRoute):
            for name in _DECORATOR_STATE:
                route.__dict__.pop(name, None)
        elif isinstance(included := getattr(route, "original_router", None), APIRouter):
            _release_decorator_state(included)  # a router the module's router includes


# FastAPI builds a route's dependency tree anew for every route, including the subtrees of the
# page dependencies that all page and admin routes of a store carry (load_web_user,
# csrf_protect, each module's, each with its own sub-dependencies): over half of a page
# route's memory, about 8.7 MiB per worker once every store's pages and admin are built (one
# request for a missing page walks them all). The subtree of a dependency given without a
# parameter depends only on the callable, its scope and the names of the route's path
# parameters, and FastAPI only reads it once built (to solve a request, for OpenAPI), so routes
# share one (issue 3). Dependencies with a concurrency limit or security scopes, which carry
# per-declaration state, are built as before. This wraps FastAPI 0.165's
# routing.get_parameterless_sub_dependant: a FastAPI without it fails at import, and
# tests/platform/test_lean_server.py checks the sharing.
_subtrees: dict[tuple[int, str | None, frozenset[str]], tuple[Any, Dependant]] = {}


def _share_parameterless_subtrees() -> None:
    build = fastapi_routing.get_parameterless_sub_dependant
    if getattr(build, "shares_subtrees", False):
        return

    def shared(*, depends: fastapi_params.Depends, path: str) -> Dependant:
        if depends._concurrency is not None or isinstance(depends, fastapi_params.Security):
            return build(depends=depends, path=path)
        call = depends.dependency
        key = (id(call), depends.scope, frozenset(get_path_param_names(path)))
        found = _subtrees.get(key)
        if found is None or found[0] is not call:  # the callable is kept, so ids stay unique
            found = _subtrees[key] = (call, build(depends=depends, path=path))
        return found[1]

    shared.shares_subtrees = True  # type: ignore[attr-defined]
    fastapi_routing.get_parameterless_sub_dependant = shared


_share_parameterless_subtrees()


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        return domain_error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        return validation_error_response(request, exc.errors())

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return http_error_response(request, exc)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error", exc_info=exc)
        # The unit of work has rolled back, expiring every loaded row; the error page must
        # not touch them (it would raise DetachedInstanceError), so it renders signed out.
        request.state.user = None
        return error_response(
            request,
            500,
            N_("Something went wrong on our side. It has been logged; please try again."),
        )
