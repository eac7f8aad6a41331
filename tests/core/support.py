"""A throwaway store for core tests: its own folder, settings and migrated SQLite database."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi import FastAPI

from mercato.app import create_app
from mercato.config import Settings
from mercato.platform.migrate import upgrade


async def one_store_app(tmp_path: Path, slug: str, name: str, modules: list[str]) -> FastAPI:
    """The host app serving one store named ``slug`` with ``modules`` enabled."""
    folder = tmp_path / "stores" / slug
    folder.mkdir(parents=True)
    listed = ", ".join(f'"{m}"' for m in modules)
    (folder / "store.toml").write_text(f'name = "{name}"\nmodules = [{listed}]\n')
    settings = Settings(
        env="test", secret_key="x" * 40, var_dir=tmp_path / "var", stores_dir=folder.parent
    )
    await asyncio.to_thread(upgrade, settings.database_url_for(slug))  # Alembic runs its own loop
    return create_app(settings)
