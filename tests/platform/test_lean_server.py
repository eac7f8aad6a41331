"""A server worker imports only what serving needs (issue 3: under 150 MiB per worker).

Each worker is a fresh interpreter (Uvicorn spawns them), so every module the app imports at
start is resident in every worker. These packages are needed only by some requests, by the
command line or by seeding, and are imported where they are used; a top-level import of one
of them anywhere under mercato.app would quietly add its megabytes back.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

# package → why a serving worker does not need it at start
LAZY = {
    "PIL": "Pillow: drawing seed artwork and resizing uploads",
    "yaml": "seed files",
    "jwt": "bearer tokens and OAuth sign-in, on the requests that carry them",
    "cryptography": "PyJWT's RSA/EC keys and the secret box, on first use",
    "croniter": "the scheduler, started with the worker loop",
    "dateutil": "croniter's dependency",
    "limits": "rate limits, from the first attempt counted (sign-in, sign-up, reset)",
    "wrapt": "limits' dependency (through deprecated)",
    "aiosmtplib": "sending email, from the worker loop",
    "fpdf": "PDF invoices",
    "httpx": "webhook delivery and OAuth",
    "markdown_it": "Markdown rendering",
    "nh3": "Markdown rendering",
    "zxcvbn": "password strength at sign-up",
    "typer": "the mercato command line",
    "click": "the mercato command line",
    "rich": "the mercato command line",
    "pydantic.v1": "FastAPI asks for it only to refuse pydantic v1 models (mercato.asgi)",
}


def test_a_server_worker_does_not_import_what_only_some_requests_need(tmp_path):
    code = (
        "import json, sys, mercato.asgi\n"
        "mercato.asgi.app()\n"
        f"print(json.dumps(sorted(m for m in {sorted(LAZY)!r} if sys.modules.get(m))))"
    )
    env = {**os.environ, "MERCATO_VAR_DIR": str(tmp_path), "MERCATO_REDIS_URL": ""}
    # a fresh interpreter, as a Uvicorn worker is: this one has imported them all for tests
    out = subprocess.run(  # noqa: S603 - our own interpreter and a constant program
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert loaded == [], {name: LAZY[name] for name in loaded}


def test_store_apps_share_each_inclusion_of_a_router_they_include_alike(host_app):
    from starlette.routing import Mount

    from mercato.catalog.api import router as catalogue_api

    # FastAPI builds an included router's routes per inclusion; one inclusion shared by the
    # stores builds them once per worker instead of once per store.
    stores = [r.app for r in host_app.routes if isinstance(r, Mount) and r.name != "host-static"]
    inclusions = {
        id(route)
        for store in stores
        for route in store.router.routes
        if getattr(route, "original_router", None) is catalogue_api
    }
    assert len(stores) >= 2 and len(inclusions) == 1


def test_included_routers_keep_no_serving_state_of_their_own(host_app):
    from fastapi.routing import APIRoute

    from mercato.blog import admin_projects
    from mercato.catalog.api import router as catalogue_api

    # Given the host app built (every store includes its modules' routers)
    # then a route made by `@router.get` keeps only its declared settings: the dependency
    # tree, fields and handler FastAPI serves it with belong to its inclusions (issue 3,
    # about 6 MiB per worker), also for a router included by a module's own router
    for router in (catalogue_api, admin_projects.router):
        routes = [r for r in router.routes if isinstance(r, APIRoute)]
        assert routes
        for route in routes:
            held = [name for name in ("dependant", "response_field", "app") if hasattr(route, name)]
            assert held == [], (route.path, held)
            assert route.endpoint and route.dependencies is not None


async def test_routes_serve_through_their_inclusions_after_the_release(client):
    # Given the decorator state released, when a shopper and an app ask, they are answered
    # by the inclusions' own handlers (a validation error still comes from FastAPI's fields)
    assert (await client.get("/atelier-arome/api/v1/products")).status_code == 200
    assert (await client.get("/atelier-arome/api/v1/products?page=x")).status_code == 422
    assert (await client.get("/audio-tai-loc/admin/projects")).status_code in (200, 303)


def test_page_routes_share_the_dependency_trees_of_their_page_dependencies(host_app):
    from fastapi.routing import iter_route_contexts
    from fastapi.utils import get_path_param_names
    from starlette.routing import Mount

    from mercato.identity.deps import load_web_user

    # Given every store's page and admin routes (their inclusions built as a request would)
    stores = [r.app for r in host_app.routes if isinstance(r, Mount) and r.name != "host-static"]
    trees: dict[frozenset[str], set[int]] = {}
    routes = 0
    for store in stores:
        for context in iter_route_contexts(store.router.routes):
            dependant = getattr(context, "dependant", None)
            if (
                dependant
                and dependant.dependencies[:1]
                and (dependant.dependencies[0].call is load_web_user)
            ):
                names = frozenset(get_path_param_names(context.path_format))
                trees.setdefault(names, set()).add(id(dependant.dependencies[0]))
                routes += 1
    # then routes with the same path parameters, in every store, hold one tree for
    # load_web_user, not one each (FastAPI builds one per route: over half a page route's
    # memory, issue 3)
    assert routes > 500 and len(trees) < routes / 5
    assert all(len(ids) == 1 for ids in trees.values())
