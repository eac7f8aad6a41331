"""Interactive API docs at ``/<slug>/api/docs`` that respect the strict CSP.

FastAPI's built-in docs page loads Swagger UI from a CDN and starts it with an inline script;
our CSP forbids both. Here the Swagger UI files come from the ``swagger-ui-bundle`` package
(installed from PyPI, not copied into the repository) and are served by the store itself, and
the page starts them with an external script (``static/docs-init.js``) that reads the
OpenAPI address from a ``data-`` attribute.
"""

from __future__ import annotations

import logging
from html import escape
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

from mercato.platform.runtime import StoreRuntime

log = logging.getLogger("mercato.web")
ASSETS = "api/docs/assets"


def swagger_ui_dir() -> Path | None:
    """The folder holding swagger-ui-bundle.js and swagger-ui.css, if the package is present."""
    try:
        import swagger_ui_bundle
    except ImportError:
        return None
    folder = Path(str(swagger_ui_bundle.swagger_ui_path))
    return folder if (folder / "swagger-ui-bundle.js").is_file() else None


def docs_page(runtime: StoreRuntime, openapi_url: str, *, with_ui: bool) -> str:
    name = escape(runtime.config.name)
    path = runtime.path
    ui = (
        f'<link rel="stylesheet" href="{path(ASSETS + "/swagger-ui.css")}">\n'
        f'<script defer src="{path(ASSETS + "/swagger-ui-bundle.js")}"></script>\n'
        f'<script type="module" src="{path("static/docs-init.js")}"></script>\n'
        if with_ui
        else ""
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{name} API</title>
<link rel="icon" href="{path("logo.svg")}" type="image/svg+xml">
{ui}</head>
<body>
<header class="docs-header">
<p><a href="{path("")}">&larr; Back to {name}</a> &middot;
<a href="{escape(openapi_url)}">OpenAPI document (JSON)</a></p>
</header>
<main id="swagger-ui" data-openapi-url="{escape(openapi_url)}">
<noscript><p>The interactive explorer needs JavaScript. The API is described by the
<a href="{escape(openapi_url)}">OpenAPI document</a>.</p></noscript>
</main>
</body>
</html>
"""


def mount_docs(app: FastAPI, runtime: StoreRuntime) -> None:
    """Add ``/api/docs`` (and its assets) to a store's sub-app."""
    folder = swagger_ui_dir()
    if folder is None:
        log.warning("swagger-ui-bundle is not installed; /api/docs shows a plain page")
    else:
        app.mount("/" + ASSETS, StaticFiles(directory=folder), name="api-docs-assets")
    openapi_url = runtime.path(app.openapi_url or "api/openapi.json")
    html = docs_page(runtime, openapi_url, with_ui=folder is not None)

    @app.get("/api/docs", include_in_schema=False)
    async def api_docs() -> HTMLResponse:
        return HTMLResponse(html, headers={"cache-control": "no-cache"})
