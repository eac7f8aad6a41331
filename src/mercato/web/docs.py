"""Interactive API docs at ``/<slug>/api/docs`` that respect the strict CSP.

FastAPI's built-in docs page loads Swagger UI from a CDN and starts it with an inline script;
our CSP forbids both. Here the Swagger UI files come from the ``swagger-ui-bundle`` package
(installed from PyPI, not copied into the repository) and are served by the store itself, and
the page starts them with an external script (``static/docs-init.js``) that reads the
OpenAPI address from a ``data-`` attribute.

The Swagger UI shipped by that package (4.x) reads OpenAPI 3.0 but refuses 3.1, which FastAPI
writes. ``/api/openapi.json`` stays the true 3.1 document; the explorer reads a 3.0 rendering
of it from ``/api/openapi-3.0.json`` (nullable instead of ``type: null`` and the like).
"""

from __future__ import annotations

import logging
from html import escape
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse
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
<a href="{path("api/openapi.json")}">OpenAPI document (JSON)</a></p>
</header>
<main id="swagger-ui" data-openapi-url="{escape(openapi_url)}">
<noscript><p>The interactive explorer needs JavaScript. The API is described by the
<a href="{path("api/openapi.json")}">OpenAPI document</a>.</p></noscript>
</main>
</body>
</html>
"""


# Maps whose keys are names chosen by us (a field called "const" is not the keyword).
NAMED_MAPS = frozenset({"properties", "schemas", "paths", "responses", "securitySchemes"})


def as_openapi_30(node: Any, *, named: bool = False) -> Any:
    """A copy of an OpenAPI 3.1 document (or part) in the 3.0 dialect Swagger UI 4 reads."""
    if isinstance(node, list):
        return [as_openapi_30(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: as_openapi_30(value, named=key in NAMED_MAPS) for key, value in node.items()}
    if named:
        return out
    if isinstance(out.get("openapi"), str) and out["openapi"].startswith("3.1"):
        out["openapi"] = "3.0.3"
    for key in ("anyOf", "oneOf"):
        options = out.get(key)
        if isinstance(options, list) and {"type": "null"} in options:
            rest = [o for o in options if o != {"type": "null"}]
            del out[key]
            out["nullable"] = True
            if len(rest) == 1 and "$ref" in rest[0]:
                out["allOf"] = rest
            elif len(rest) == 1:
                out.update(rest[0])
            elif rest:
                out[key] = rest
    if isinstance(out.get("type"), list):
        types = [t for t in out["type"] if t != "null"]
        if len(types) < len(out["type"]):
            out["nullable"] = True
        out["type"] = types[0] if len(types) == 1 else "string"
    if isinstance(out.get("examples"), list):  # a schema's examples; 3.0 has one example
        examples = out.pop("examples")
        if examples:
            out["example"] = examples[0]
    if "const" in out:
        out["enum"] = [out.pop("const")]
    for bound, flag in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(out.get(bound), int | float) and not isinstance(out[bound], bool):
            out[flag] = out[bound]
            out[bound] = True
    return out


def mount_docs(app: FastAPI, runtime: StoreRuntime) -> None:
    """Add ``/api/docs`` (and its assets) to a store's sub-app."""
    folder = swagger_ui_dir()
    if folder is None:
        log.warning("swagger-ui-bundle is not installed; /api/docs shows a plain page")
    else:
        app.mount("/" + ASSETS, StaticFiles(directory=folder), name="api-docs-assets")
    html = docs_page(runtime, runtime.path("api/openapi-3.0.json"), with_ui=folder is not None)
    legacy: dict[str, Any] = {}

    @app.get("/api/openapi-3.0.json", include_in_schema=False)
    async def openapi_30() -> JSONResponse:
        if not legacy:
            legacy.update(as_openapi_30(app.openapi()))
        return JSONResponse(legacy)

    @app.get("/api/docs", include_in_schema=False)
    async def api_docs() -> HTMLResponse:
        return HTMLResponse(html, headers={"cache-control": "no-cache"})
