"""create_app(): the host app that mounts one sub-app per store (DESIGN.md §3)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from mercato import modules as _modules  # noqa: F401 - registers the built-in modules
from mercato.config import Settings, get_settings
from mercato.platform.ratelimit import RateLimiter
from mercato.platform.realtime import make_hub
from mercato.platform.runtime import StoreRuntime, build_runtime
from mercato.platform.stores import StoreConfig, discover_stores
from mercato.web.middleware import SECURITY_HEADERS, RequestContextMiddleware
from mercato.web.page_cache import PageCacheFront
from mercato.web.store_app import build_store_app
from mercato.web.templating import BASE_TEMPLATES
from mercato.web.theme import STATIC_DIR

log = logging.getLogger("mercato.app")


def create_app(
    settings: Settings | None = None,
    *,
    only_store: str | None = None,
    run_worker: bool = False,
    stores: list[StoreConfig] | None = None,
) -> FastAPI:
    """Build the host. ``only_store`` serves that one store at "/" (one store per domain)."""
    settings = settings or get_settings()
    configs = stores if stores is not None else discover_stores(settings.stores_dir)
    if only_store:
        configs = [c for c in configs if c.slug == only_store]
        if not configs:
            raise SystemExit(f"no store named {only_store!r} in {settings.stores_dir}")
    hub = make_hub(settings.redis_url)
    limiter = RateLimiter(settings.redis_url)
    runtimes: dict[str, StoreRuntime] = {}
    for config in configs:
        mount_path = "" if only_store else f"/{config.slug}"
        runtimes[config.slug] = build_runtime(config, settings, hub, limiter, mount_path=mount_path)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        worker_task = None
        if run_worker:
            from mercato.platform.worker import run_worker_loop

            worker_task = asyncio.create_task(run_worker_loop(list(runtimes.values())))
        # Everything built so far (modules, templates, ORM metadata) lives as long as the
        # process: moved out of the collector's generations, full collections stop walking
        # it on every pass, which shortens the pauses behind the slowest responses.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            if worker_task:
                worker_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await worker_task
            for runtime in runtimes.values():
                await runtime.db.dispose()
            await hub.close()

    host = FastAPI(
        title="Mercato",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
        telemetry=settings.fastapi_telemetry,
    )
    host.state.runtimes = runtimes
    host.state.settings = settings
    host_templates = Environment(
        loader=FileSystemLoader(str(BASE_TEMPLATES)), autoescape=select_autoescape(["html"])
    )

    @host.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @host.get("/readyz", include_in_schema=False)
    async def readyz() -> Response:
        failures = {}
        for slug, runtime in runtimes.items():
            try:
                async with runtime.db.engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
            except Exception as exc:  # any failure means "not ready"; the reason is logged
                log.warning("database not ready", extra={"store": slug, "error": str(exc)})
                failures[slug] = "database unreachable"
        status = 503 if failures else 200
        return JSONResponse(
            {"status": "unready" if failures else "ready", "failures": failures}, status
        )

    @host.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    if only_store:
        host.router.routes.append(Mount("/", app=build_store_app(runtimes[only_store])))
    else:

        @host.get("/", response_class=HTMLResponse, include_in_schema=False)
        async def store_index(request: Request) -> HTMLResponse:
            html = host_templates.get_template("host/index.html").render(
                stores=[r.config for r in runtimes.values()]
            )
            return HTMLResponse(html, headers={k.decode(): v.decode() for k, v in SECURITY_HEADERS})

        for slug, runtime in runtimes.items():
            host.mount(f"/{slug}", build_store_app(runtime), name=slug)
    host.mount("/static", StaticFiles(directory=STATIC_DIR), name="host-static")
    # Level 4, not Starlette's 9: on a 24 KB catalogue page it costs 0.15 ms instead of 0.66 ms
    # for 3 % more bytes (4.7 KB vs 4.6 KB), and every cached page is compressed again.
    host.add_middleware(GZipMiddleware, minimum_size=800, compresslevel=4)
    # Cache hits are answered here, outside gzip, routing and the store app's stack, which
    # were most of a hit's cost; only the request id and the access log come first.
    host.add_middleware(PageCacheFront, runtimes=runtimes, only_store=only_store)
    host.add_middleware(RequestContextMiddleware)
    return host
