"""Per-store theme assets: CSS custom properties and an SVG logo mark made from tokens.

Both are generated from store.toml, so a store gets its own look with no files of its own,
and no page needs an inline style (the CSP forbids them).
"""

from __future__ import annotations

import hashlib
from html import escape
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.staticfiles import StaticFiles

from mercato.platform.runtime import StoreRuntime

STATIC_DIR = Path(__file__).parent / "static"
LONG_CACHE = "public, max-age=31536000, immutable"


def theme_css(runtime: StoreRuntime) -> str:
    t = runtime.config.theme
    extra = ""
    if runtime.config.theme_dir and (runtime.config.theme_dir / "theme.css").is_file():
        extra = (runtime.config.theme_dir / "theme.css").read_text(encoding="utf-8")
    return (
        ":root{"
        f"--primary:{t.primary};--on-primary:{t.on_primary};--accent:{t.accent};"
        f"--bg:{t.background};--surface:{t.surface};--text:{t.text};--muted:{t.muted};"
        f"--font-heading:{t.heading_font};--font-body:{t.body_font};--radius:{t.radius};"
        f"--heading-case:{t.heading_case};"
        "}\n" + extra
    )


def logo_svg(runtime: StoreRuntime) -> str:
    t = runtime.config.theme
    shapes = {
        "circle": '<circle cx="32" cy="32" r="30"/>',
        "square": '<rect x="3" y="3" width="58" height="58" rx="10"/>',
        "diamond": '<path d="M32 2 62 32 32 62 2 32Z"/>',
    }
    shape = shapes.get(t.logo_shape, shapes["circle"])
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" '
        f'aria-label="{escape(runtime.config.name)}">'
        f'<g fill="{t.primary}" stroke="{t.accent}" stroke-width="2">{shape}</g>'
        f'<text x="32" y="33" text-anchor="middle" dominant-baseline="central" '
        f'font-family="{escape(t.heading_font)}" font-size="26" fill="{t.on_primary}">'
        f"{escape(t.logo_mark)}</text></svg>"
    )


def _cached(body: str, media_type: str, request: Request) -> Response:
    etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:16] + '"'
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"etag": etag})
    return Response(
        body, media_type=media_type, headers={"etag": etag, "cache-control": "public, max-age=300"}
    )


def mount(app: FastAPI, runtime: StoreRuntime) -> None:
    css = theme_css(runtime)
    svg = logo_svg(runtime)

    @app.get("/theme.css", include_in_schema=False)
    async def theme_stylesheet(request: Request) -> Response:
        return _cached(css, "text/css", request)

    @app.get("/logo.svg", include_in_schema=False)
    async def logo(request: Request) -> Response:
        return _cached(svg, "image/svg+xml", request)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # Uploaded files from the local storage; production may serve them from S3 or a CDN.
    files_root = getattr(runtime.storage, "root", None)
    if files_root is not None:
        files_root.mkdir(parents=True, exist_ok=True)
        app.mount("/files", StaticFiles(directory=files_root), name="files")
