"""ASGI entry point for `mercato serve`.

Any ASGI server works too: ``uvicorn --factory mercato.asgi:app``. The factory runs in every
server worker process, so logging is configured here: Uvicorn's worker processes do not
inherit the parent's logging set-up.
"""

import os

from fastapi import FastAPI

from mercato.app import create_app
from mercato.config import get_settings
from mercato.platform.logs import configure_logging


def app() -> FastAPI:
    configure_logging(get_settings().log_level)
    return create_app(
        only_store=os.environ.get("MERCATO_SERVE_STORE") or None,
        run_worker=bool(os.environ.get("MERCATO_SERVE_WORKER")),
    )
