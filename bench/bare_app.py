"""The baseline for bench/load.py: a bare Starlette app that answers every GET with the
same bytes as a store's home page. The gap between it and Mercato is what Mercato costs
(routing, middleware, sessions, the database, templates), on the same machine and server.

    python bench/bare_app.py --port 8010 --body-file home.html [--workers 2]
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def build() -> Starlette:
    """The app factory; each Uvicorn worker reads the body once from BARE_BODY_FILE."""
    body = Path(os.environ["BARE_BODY_FILE"]).read_bytes()

    async def page(request: Request) -> Response:
        return Response(body, media_type="text/html; charset=utf-8")

    return Starlette(routes=[Route("/{path:path}", page)])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--body-file", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    os.environ["BARE_BODY_FILE"] = str(args.body_file.resolve())
    uvicorn.run(
        "bare_app:build",
        factory=True,
        app_dir=str(Path(__file__).parent),
        host="127.0.0.1",
        port=args.port,
        workers=args.workers,
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
