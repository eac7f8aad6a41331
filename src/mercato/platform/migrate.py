"""Run the Alembic history against one store's database."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from mercato.config import PROJECT_ROOT


def alembic_config(url: str | None = None) -> Config:
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    if url:
        cfg.attributes["url"] = url
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Synchronous: call it from a command, never from inside a running event loop."""
    command.upgrade(alembic_config(url), revision)
