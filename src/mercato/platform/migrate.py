"""Run the Alembic history against one store's database."""

from __future__ import annotations

import asyncio

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

from mercato.config import PROJECT_ROOT


def alembic_config(url: str | None = None) -> Config:
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    if url:
        cfg.attributes["url"] = url
    return cfg


def ensure_database(url: str) -> bool:
    """Create a store's PostgreSQL database when it does not exist yet (SQLite files create
    themselves). Returns True when it was created."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return False
    import asyncpg

    async def create() -> bool:
        conn = await asyncpg.connect(
            host=parsed.host or "127.0.0.1",
            port=parsed.port or 5432,
            user=parsed.username,
            password=parsed.password,
            database="postgres",
        )
        try:
            exists = await conn.fetchval(
                "SELECT 1 FROM pg_database WHERE datname = $1", parsed.database
            )
            if exists:
                return False
            name = parsed.database.replace('"', '""')
            await conn.execute(f'CREATE DATABASE "{name}"')
            return True
        finally:
            await conn.close()

    return asyncio.run(create())


def upgrade(url: str, revision: str = "heads") -> None:
    """Synchronous: call it from a command, never from inside a running event loop."""
    ensure_database(url)
    command.upgrade(alembic_config(url), revision)
