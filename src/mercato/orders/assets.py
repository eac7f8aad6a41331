"""The orders and payment pages' own stylesheet and script, served from this package
(the storefront needs no build step; DESIGN.md §6)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from mercato.kit.errors import NotFound

router = APIRouter()
STATIC = Path(__file__).parent / "static"
FILES = {
    "orders.css": "text/css",
    "order-status.js": "text/javascript",
    "order-live.js": "text/javascript",
}


@router.get("/orders-assets/{name}", include_in_schema=False)
async def asset(name: str) -> FileResponse:
    if name not in FILES:
        raise NotFound("No such file.")
    return FileResponse(
        STATIC / name,
        media_type=FILES[name],
        headers={"cache-control": "public, max-age=3600"},
    )
