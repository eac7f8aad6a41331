"""Store backups: one file per store database, restorable with ``mercato restore``.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent snapshot
page by page while the store keeps serving; restore copies the file back the same way, so
open connections see the restored pages instead of a file swapped under them.
PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean --if-exists
--single-transaction``; the password goes through PGPASSWORD, never the command line
(which other users of the machine can read).

Uploaded files are not in the database backup; they live in the storage folder (or S3) and
are backed up with it.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

SQLITE_HEADER = b"SQLite format 3\x00"
NAME = re.compile(r"^[a-z0-9-]+-\d{8}T\d{6}Z\.(sqlite3|dump)$")


class BackupError(RuntimeError):
    pass


@dataclass(frozen=True)
class BackupFile:
    path: Path
    size: int
    created_at: datetime

    @property
    def name(self) -> str:
        return self.path.name


def backups_dir(var_dir: Path, slug: str) -> Path:
    return var_dir / "backups" / slug


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory database cannot be backed up")
    return Path(database)


def _pg_env_and_url(url: str) -> tuple[dict[str, str], str]:
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    libpq = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return env, libpq


def _stamp(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")


def backup_database(url: str, folder: Path, slug: str, *, now: datetime | None = None) -> Path:
    """Write a backup of ``url`` into ``folder`` and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        target = folder / f"{slug}-{_stamp(now)}.sqlite3"
        source = sqlite3.connect(_sqlite_path(url))
        try:
            dest = sqlite3.connect(target)
            try:
                source.backup(dest)
            finally:
                dest.close()
        finally:
            source.close()
        return target
    if backend == "postgresql":
        program = shutil.which("pg_dump")
        if program is None:
            raise BackupError("pg_dump is not installed")
        target = folder / f"{slug}-{_stamp(now)}.dump"
        env, libpq = _pg_env_and_url(url)
        done = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
            [program, "--format=custom", "--no-owner", "--file", str(target), "--dbname", libpq],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            target.unlink(missing_ok=True)
            raise BackupError(f"pg_dump failed: {done.stderr.strip()[:500]}")
        return target
    raise BackupError(f"no backup method for {backend}")


def check_sqlite_backup(path: Path) -> None:
    with path.open("rb") as fh:
        if fh.read(16) != SQLITE_HEADER:
            raise BackupError(f"{path.name} is not a SQLite database")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()
    finally:
        conn.close()
    if not result or result[0] != "ok":
        raise BackupError(f"{path.name} failed the integrity check")


def restore_database(url: str, path: Path) -> None:
    """Replace the database at ``url`` with the backup at ``path`` (all of it)."""
    if not path.is_file():
        raise BackupError(f"no such file: {path}")
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        check_sqlite_backup(path)
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            dest = sqlite3.connect(_sqlite_path(url), timeout=30)
            try:
                source.backup(dest)
            finally:
                dest.close()
        finally:
            source.close()
        return
    if backend == "postgresql":
        program = shutil.which("pg_restore")
        if program is None:
            raise BackupError("pg_restore is not installed")
        env, libpq = _pg_env_and_url(url)
        done = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
            [
                program,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--dbname",
                libpq,
                str(path),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise BackupError(f"pg_restore failed: {done.stderr.strip()[:500]}")
        return
    raise BackupError(f"no restore method for {backend}")


def list_backups(folder: Path) -> list[BackupFile]:
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        if path.is_file() and NAME.match(path.name):
            stat = path.stat()
            found.append(BackupFile(path, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC)))
    return sorted(found, key=lambda b: b.name, reverse=True)
