"""ASGI entry point for `mercato serve`.

Any ASGI server works too: ``uvicorn --factory mercato.asgi:app``. The factory runs in every
server worker process, so logging is configured here: Uvicorn's worker processes do not
inherit the parent's logging set-up.

``mercato serve`` replaces itself with ``python -m mercato.asgi`` (see :func:`main`): Uvicorn
starts its workers with multiprocessing's "spawn", which imports the parent's main module in
every worker; the ``mercato`` command's module brings Typer, Click and Rich (about 4 MiB per
worker) that a server never uses, this one only what serving needs.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

# httpx imports its command line (httpx._main: Rich, Pygments and Click, about 7 MiB per
# worker) when they are installed, and carries on without it when that import fails, which a
# None entry here makes it do. A server never runs httpx's command line; the modules that
# send requests with httpx (webhooks, OAuth) are unaffected.
sys.modules.setdefault("httpx._main", None)
# FastAPI imports pydantic's v1 compatibility package (about 1.5 MiB per worker) only to refuse
# pydantic v1 models with a clear error, when it builds its first route; Mercato has none, and
# FastAPI treats a failed import as "no v1 models". Nothing else a server runs imports it.
sys.modules.setdefault("pydantic.v1", None)

if TYPE_CHECKING:
    from fastapi import FastAPI


def app() -> FastAPI:
    # Imported here, not at the top: multiprocessing imports this module in each worker
    # before the worker answers Uvicorn's start-up health check; the app is built after.
    from mercato.app import create_app
    from mercato.config import get_settings
    from mercato.platform.logs import configure_logging

    configure_logging(get_settings().log_level)
    return create_app(
        only_store=os.environ.get("MERCATO_SERVE_STORE") or None,
        run_worker=bool(os.environ.get("MERCATO_SERVE_WORKER")),
    )


def main(argv: list[str] | None = None) -> None:
    """``python -m mercato.asgi --host H --port P --workers N``; `mercato serve` checks the
    settings, sets MERCATO_SERVE_STORE / MERCATO_SERVE_WORKER, then runs this."""
    import argparse

    import uvicorn

    from mercato.config import get_settings
    from mercato.platform.logs import configure_logging

    parser = argparse.ArgumentParser(prog="mercato serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    configure_logging(get_settings().log_level)
    uvicorn.run(
        "mercato.asgi:app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=True,
        log_config=None,
        access_log=False,
    )


if __name__ == "__main__":
    main()
