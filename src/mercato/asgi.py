"""ASGI entry point for `mercato serve`."""

# Any ASGI server works too: uvicorn --factory mercato.asgi:app

import os

from fastapi import FastAPI

from mercato.app import create_app


def app() -> FastAPI:
    return create_app(
        only_store=os.environ.get("MERCATO_SERVE_STORE") or None,
        run_worker=bool(os.environ.get("MERCATO_SERVE_WORKER")),
    )
