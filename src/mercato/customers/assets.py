"""The engagement modules' small stylesheet and ES module, served from this package.

They are linked from partials that other modules' pages include (the product page), so the
files live with the code that uses them rather than in the base theme."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

from mercato.kit.errors import NotFound

router = APIRouter()
STATIC = Path(__file__).parent / "static"
FILES = {"engagement.css": "text/css", "wishlist.js": "text/javascript"}


@router.get("/engagement/{name}", include_in_schema=False)
async def asset(name: str) -> Response:
    if name not in FILES:
        raise NotFound("We could not find that page.")
    return FileResponse(
        STATIC / name,
        media_type=FILES[name],
        headers={"Cache-Control": "public, max-age=3600"},
    )
