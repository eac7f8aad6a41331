"""`mercato backup` and `mercato restore` on a store's SQLite database, end to end through
the command line (Typer's runner, settings from the environment)."""

from __future__ import annotations

import asyncio
import sqlite3

from typer.testing import CliRunner

from mercato.cli import app
from mercato.config import get_settings
from mercato.platform.migrate import upgrade

STORE = "audio-tai-loc"


def _codes(path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return sorted(r[0] for r in conn.execute("SELECT code FROM service_districts"))
    finally:
        conn.close()


def _exec(path, sql: str) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute(sql)
        conn.commit()
    finally:
        conn.close()


async def test_backup_then_restore_from_the_command_line(tmp_path, monkeypatch):
    monkeypatch.setenv("MERCATO_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("MERCATO_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        url = get_settings().database_url_for(STORE)
        await asyncio.to_thread(upgrade, url)
        path = tmp_path / "audio_tai_loc.db"
        _exec(
            path,
            "INSERT INTO service_districts (code, name, city, travel_fee, is_active, sort_order)"
            " VALUES ('quan-1', 'Quận 1', '', 50000, 1, 0)",
        )
        runner = CliRunner()
        made = runner.invoke(app, ["backup", "--store", STORE])
        assert made.exit_code == 0, made.output
        files = list((tmp_path / "backups" / STORE).iterdir())
        assert len(files) == 1
        _exec(path, "DELETE FROM service_districts")
        assert _codes(path) == []
        refused = runner.invoke(app, ["restore", "--store", STORE, str(files[0])], input="n\n")
        assert refused.exit_code != 0 and _codes(path) == []
        done = runner.invoke(app, ["restore", "--store", STORE, str(files[0]), "--yes"])
        assert done.exit_code == 0, done.output
        assert _codes(path) == ["quan-1"]
        bad = runner.invoke(
            app, ["restore", "--store", STORE, str(tmp_path / "nope.sqlite3"), "--yes"]
        )
        assert bad.exit_code == 1
    finally:
        get_settings.cache_clear()
