"""Alembic environment: runs against the URL that mercato.platform.migrate passes in."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from mercato.db import create_engine
from mercato.models import Base

config = context.config
target_metadata = Base.metadata

# Search objects written by hand (2026-11-22_product_search): FTS5 tables with their shadow
# tables on SQLite, the stored tsvector column (2026-11-30_search_document) and its GIN index
# on PostgreSQL. Autogenerate must not propose dropping them.
UNMANAGED_PREFIXES = ("products_fts", "ix_products_search", "search_document")


def _include_object(obj, name, type_, reflected, compare_to) -> bool:  # noqa: ANN001
    return not (reflected and compare_to is None and (name or "").startswith(UNMANAGED_PREFIXES))


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters by copying tables
        compare_type=True,
        include_object=_include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    engine = create_engine(url, pool=False)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_configure)
            await connection.commit()
    finally:
        await engine.dispose()


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database URL: run migrations through `mercato migrate`")
    asyncio.run(_run_async(url))


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    run()
