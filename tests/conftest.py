"""Fixtures (DESIGN.md §8): every test runs in a transaction that is rolled back, on a schema
built by the real Alembic migrations; SQLite by default, PostgreSQL when
``MERCATO_TEST_DATABASE_URL`` is set, Redis parts when ``MERCATO_TEST_REDIS_URL`` is set.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from mercato.app import create_app
from mercato.config import PROJECT_ROOT, Settings
from mercato.db import STORE_INFO_KEY, create_engine
from mercato.kit import security
from mercato.platform.migrate import upgrade
from mercato.platform.stores import discover_stores

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
PG_URL = os.environ.get("MERCATO_TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("MERCATO_TEST_REDIS_URL", "")
STORES = [s.slug for s in discover_stores(PROJECT_ROOT / "stores")]

# Argon2 at production cost takes ~0.1-0.5 s a hash or a check on this machine, and hundreds
# of tests create users and sign in. In-process tests hash at the lowest cost argon2 allows;
# the production hasher is kept here and tests/kit/test_password_cost.py pins its parameters.
# Servers the journeys start (tests/e2e) run in their own process, at production cost.
PRODUCTION_HASHER = security._hasher
security._hasher = type(PRODUCTION_HASHER)(time_cost=1, memory_cost=8, parallelism=1)
security._DUMMY_HASH = security._hasher.hash("mercato-timing-equaliser")


async def _pg_admin(base: str, *statements: str) -> None:
    """Run statements on the server's ``postgres`` database (CREATE/DROP DATABASE)."""
    import asyncpg

    url = make_url(base)
    conn = await asyncpg.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        database="postgres",
    )
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def _pg_database_urls(base: str, slugs: list[str]) -> dict[str, str]:
    """One PostgreSQL database per store, recreated for this run, like production.

    The migrations run once, on the first store's database; the others are created from it
    as a template: the schema is the same for every store, and running the Alembic history
    five times cost ~10 s of every PostgreSQL run.
    """
    import asyncio

    url = make_url(base)
    names = {slug: f"{url.database}_{slug.replace('-', '_')}" for slug in slugs}
    urls = {
        slug: url.set(database=name).render_as_string(hide_password=False)
        for slug, name in names.items()
    }
    first, *others = slugs
    drop = [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in names.values()]
    asyncio.run(_pg_admin(base, *drop, f'CREATE DATABASE "{names[first]}"'))
    upgrade(urls[first])
    template = names[first]
    asyncio.run(
        _pg_admin(base, *(f'CREATE DATABASE "{names[s]}" TEMPLATE "{template}"' for s in others))
    )
    return urls


def _sqlite_database_urls(folder: Path, slugs: list[str]) -> dict[str, str]:
    """One SQLite file per store: the first is migrated, the others are copies of it (the
    backup API copies a consistent database whatever is still in its WAL file)."""
    import sqlite3

    paths = {slug: folder / f"{slug}.db" for slug in slugs}
    urls = {slug: f"sqlite+aiosqlite:///{path}" for slug, path in paths.items()}
    first, *others = slugs
    upgrade(urls[first])
    source = sqlite3.connect(paths[first])
    try:
        for slug in others:
            target = sqlite3.connect(paths[slug])
            try:
                source.backup(target)
            finally:
                target.close()
    finally:
        source.close()
    return urls


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    if PG_URL:
        return _pg_database_urls(PG_URL, STORES)
    return _sqlite_database_urls(tmp_path_factory.mktemp("db"), STORES)


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    var = tmp_path_factory.mktemp("var")
    return Settings(
        env="test",
        secret_key=TEST_SECRET,
        var_dir=var,
        stores_dir=PROJECT_ROOT / "stores",
        base_url="http://testserver",
        # Tests share one app across rolled-back data; tests/web/test_page_cache.py turns it on.
        page_cache_seconds=0,
        # Rolled-back tests never commit, so the storefront version would not move: keep
        # catalogue-derived values uncached here (tests/catalog/test_listing.py turns it on).
        facet_cache=False,
    )


class BoundDatabase:
    """A store database whose sessions all join one outer transaction, rolled back after
    the test; a service's commit() ends a savepoint, not the transaction."""

    def __init__(self, url: str, store: str = "", engine: AsyncEngine | None = None) -> None:
        self.url = url
        self.store = store
        self.sqlite = url.startswith("sqlite")
        # A shared engine (the ``app`` fixture's, one per store for the whole run) is not
        # disposed here: building an engine and its dialect's first-connect queries per
        # test and per store cost more than most tests' own work.
        self._owns_engine = engine is None
        self.engine: AsyncEngine = engine or create_engine(url, pool=False)
        self.connection: AsyncConnection | None = None

    async def open(self) -> None:
        self.connection = await self.engine.connect()
        await self.connection.begin()

    def session(self, *, write: bool) -> AsyncSession:
        assert self.connection is not None, "BoundDatabase.open() was not awaited"
        return AsyncSession(
            bind=self.connection,
            join_transaction_mode="create_savepoint",
            expire_on_commit=False,
            info={STORE_INFO_KEY: self.store},
        )

    def transaction(self, *, write: bool = True):
        from contextlib import asynccontextmanager

        @asynccontextmanager
        async def scope() -> AsyncIterator[AsyncSession]:
            async with self.session(write=write) as session:
                try:
                    yield session
                    await session.commit()
                except BaseException:
                    await session.rollback()
                    raise

        return scope()

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.rollback()
            await self.connection.close()
            self.connection = None
        if self._owns_engine:
            await self.engine.dispose()

    async def dispose(self) -> None:
        await self.close()


@pytest.fixture(scope="session")
def host_app(settings: Settings, database_urls: dict[str, str]):
    from mercato.web.page_cache import PageCache

    app = create_app(settings)
    # The app lives for the run and builds each store's middleware (which makes the page
    # cache) on that store's first request. Tests that swap the cache restore the value
    # they found: give them one to find, never "no cache yet", which would outlive them.
    for runtime in app.state.runtimes.values():
        runtime.page_cache = runtime.page_cache or PageCache(runtime)
    return app


@pytest.fixture(scope="session")
def store_engines(database_urls: dict[str, str]) -> Iterator[dict[str, AsyncEngine]]:
    """One engine per store for the whole run. No pool: each test runs on its own event
    loop, and a connection belongs to the loop that opened it."""
    engines = {slug: create_engine(url, pool=False) for slug, url in database_urls.items()}
    yield engines
    for engine in engines.values():
        engine.sync_engine.dispose()  # nothing pooled; releases the dialect's resources


@pytest.fixture
async def app(host_app, database_urls: dict[str, str], store_engines) -> AsyncIterator:
    """The host app with every store bound to a rolled-back test transaction."""
    import asyncio

    bound = {}
    for slug, runtime in host_app.state.runtimes.items():
        db = BoundDatabase(database_urls[slug], store=slug, engine=store_engines[slug])
        runtime.db = db
        bound[slug] = db
        await runtime.limiter.reset()
        # Per-process state about rows (counted product views, conversation marks) outlives
        # the previous test's rolled-back rows, and ids are reused: start each test without it.
        runtime.extras.clear()
    try:
        # Connections open side by side: on PostgreSQL each is a few round trips.
        await asyncio.gather(*(db.open() for db in bound.values()))
        yield host_app
    finally:
        for db in bound.values():
            await db.close()


@pytest.fixture
def runtime(app):
    """The Atelier Arôme store runtime: the default store for store-independent tests."""
    return app.state.runtimes["atelier-arome"]


@pytest.fixture
async def db(runtime) -> AsyncIterator[AsyncSession]:
    async with runtime.db.session(write=True) as session:
        yield session


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def redis_url() -> Iterator[str]:
    if not REDIS_URL:
        pytest.skip("set MERCATO_TEST_REDIS_URL to run Redis-backed tests")
    yield REDIS_URL


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = Path(__file__).parent / "e2e"
    for item in items:
        if root in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)
