"""The blog pages' stylesheet, served from this package (no build step)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from mercato.kit.errors import NotFound

router = APIRouter()
STATIC = Path(__file__).parent / "static"
FILES = {"blog.css": "text/css"}


@router.get("/blog-assets/{name}", include_in_schema=False)
async def asset(name: str) -> FileResponse:
    if name not in FILES:
        raise NotFound("No such file.")
    return FileResponse(
        STATIC / name, media_type=FILES[name], headers={"cache-control": "public, max-age=3600"}
    )
