"""Backups are usable: a backup taken, the data then changed, and a restore brings back
exactly what was backed up, on SQLite (online backup API) and on PostgreSQL (pg_dump /
pg_restore) when a test server and the tools are there; bad files are refused; the admin
can make one (audited) and customers cannot."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from sqlalchemy.engine import make_url

from mercato.backup import service
from mercato.db import Database
from mercato.models import AuditEntry
from mercato.models.bookings import ServiceType
from mercato.platform.migrate import upgrade
from mercato.platform.seeding import ensure_user, sync_roles
from tests.bookings.support import PASSWORD, make_user
from tests.conftest import PG_URL
from tests.helpers import csrf_from, signin
from tests.inventory.test_concurrency import _pg_admin

STORE = "audio-tai-loc"


@pytest.fixture(params=["sqlite", "postgresql"])
async def store_url(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
        name = ""
    else:
        if not PG_URL or shutil.which("pg_dump") is None:
            pytest.skip("needs MERCATO_TEST_DATABASE_URL and pg_dump")
        name = f"{make_url(PG_URL).database}_backup"
        await _pg_admin(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await _pg_admin(PG_URL, f'CREATE DATABASE "{name}"')
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    await asyncio.to_thread(upgrade, url)
    yield url
    if name:
        await _pg_admin(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _codes(url: str) -> list[str]:
    db = Database(url)
    try:
        async with db.transaction(write=False) as session:
            return sorted(await session.scalars(select(ServiceType.code)))
    finally:
        await db.dispose()


async def _write(url: str, *, add: list[str] = (), remove: list[str] = ()) -> None:
    db = Database(url)
    try:
        async with db.transaction() as session:
            if remove:
                await session.execute(delete(ServiceType).where(ServiceType.code.in_(remove)))
            for code in add:
                session.add(
                    ServiceType(code=code, name=code, duration_minutes=60, price=1, currency="VND")
                )
    finally:
        await db.dispose()


async def test_a_restored_backup_brings_back_the_data_as_it_was(store_url, tmp_path):
    # Given a store with two services
    await _write(store_url, add=["lap-dat", "sua-chua"])
    # When it is backed up, then changed (one removed, one added)
    path = await asyncio.to_thread(service.backup_database, store_url, tmp_path / "backups", STORE)
    assert path.exists() and path.stat().st_size > 0
    await _write(store_url, add=["bao-tri"], remove=["lap-dat"])
    assert await _codes(store_url) == ["bao-tri", "sua-chua"]
    # Then restoring the backup gives back exactly the backed-up rows
    await asyncio.to_thread(service.restore_database, store_url, path)
    assert await _codes(store_url) == ["lap-dat", "sua-chua"]
    # and the restored database still takes writes
    await _write(store_url, add=["tu-van"])
    assert await _codes(store_url) == ["lap-dat", "sua-chua", "tu-van"]
    assert [b.name for b in service.list_backups(tmp_path / "backups")] == [path.name]


async def test_a_file_that_is_not_a_backup_is_refused(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
    await asyncio.to_thread(upgrade, url)
    await _write(url, add=["lap-dat"])
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 10)
    with pytest.raises(service.BackupError):
        service.restore_database(url, junk)
    with pytest.raises(service.BackupError):
        service.restore_database(url, tmp_path / "missing.sqlite3")
    assert await _codes(url) == ["lap-dat"]


async def test_the_admin_makes_a_backup_and_customers_cannot(client, db, runtime):
    n = await make_user(db)
    roles = await sync_roles(db, runtime.modules)
    admin, _ = await ensure_user(
        db, roles, email=f"bk-{n.id}@example.vn", password=PASSWORD, name="A", role_names=["admin"]
    )
    customer, _ = await ensure_user(
        db,
        roles,
        email=f"bk-c{n.id}@example.vn",
        password=PASSWORD,
        name="C",
        role_names=["customer"],
    )
    await signin(client, STORE, customer.email, PASSWORD)
    assert (await client.get(f"/{STORE}/admin/backups")).status_code in (403, 404)
    client.cookies.clear()
    await signin(client, STORE, admin.email, PASSWORD)
    token = await csrf_from(client, f"/{STORE}/admin/backups")
    made = await client.post(f"/{STORE}/admin/backups", data={"csrf_token": token})
    assert made.status_code == 303
    folder = service.backups_dir(Path(runtime.settings.var_dir), STORE)
    backups = service.list_backups(folder)
    assert backups, "no backup file was written"
    page = await client.get(f"/{STORE}/admin/backups")
    assert backups[0].name in page.text
    assert await db.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "backup.create", AuditEntry.entity_id == backups[0].name
        )
    )
