"""The `mercato` command."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from mercato.config import get_settings
from mercato.platform.stores import StoreConfig, discover_stores

app = typer.Typer(
    help="Mercato: one commerce engine, many stores.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold passwords and secrets
)
console = Console()


def _stores(only: str | None = None) -> list[StoreConfig]:
    stores = discover_stores(get_settings().stores_dir)
    if only:
        stores = [s for s in stores if s.slug == only]
        if not stores:
            raise typer.BadParameter(f"no store named {only!r}", param_hint="--store")
    return stores


@app.command()
def stores() -> None:
    """List the stores in the stores directory."""
    table = Table("slug", "name", "locale", "currency", "modules")
    for s in _stores():
        table.add_row(s.slug, s.name, s.locale, s.currency, ", ".join(s.modules))
    console.print(table)


@app.command()
def migrate(store: Annotated[str | None, typer.Option(help="Only this store")] = None) -> None:
    """Upgrade every store's database to the latest schema."""
    from mercato.kit.pdf import prepare_fonts_in_background
    from mercato.platform.migrate import upgrade

    settings = get_settings()
    prepare_fonts_in_background()  # a deploy step: the first PDF then needs no font cut
    for s in _stores(store):
        upgrade(settings.database_url_for(s.slug))
        console.print(f"[green]✓[/] {s.slug} migrated")


@app.command()
def seed(store: Annotated[str | None, typer.Option(help="Only this store")] = None) -> None:
    """Load each store's demo data; running it again keeps what is there."""
    from mercato.platform.seeding import seed_store

    for s in _stores(store):
        summary = asyncio.run(seed_store(s, get_settings()))
        console.print(f"[green]✓[/] {s.slug} seeded ({summary})")


@app.command()
def backup(
    store: Annotated[str, typer.Option(help="The store's slug")],
    output: Annotated[
        Path | None, typer.Option(help="Folder for the file (default var/backups/<store>)")
    ] = None,
) -> None:
    """Back up one store's database (SQLite online backup, or pg_dump for PostgreSQL)."""
    from mercato.backup import service as backup_service

    settings = get_settings()
    config = _stores(store)[0]
    folder = output or backup_service.backups_dir(settings.var_dir, config.slug)
    try:
        path = backup_service.backup_database(
            settings.database_url_for(config.slug), folder, config.slug
        )
    except backup_service.BackupError as exc:
        console.print(f"[red]✗[/] {exc}")
        raise typer.Exit(1) from exc
    console.print(f"[green]✓[/] {config.slug} backed up to {path}")


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="A file made by `mercato backup`")],
    store: Annotated[str, typer.Option(help="The store's slug")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation")] = False,
) -> None:
    """Replace one store's database with a backup (everything in it now is lost)."""
    from mercato.backup import service as backup_service

    settings = get_settings()
    config = _stores(store)[0]
    if not yes:
        typer.confirm(f"Replace ALL data of {config.slug} with {file.name}?", abort=True)
    try:
        backup_service.restore_database(settings.database_url_for(config.slug), file)
    except backup_service.BackupError as exc:
        console.print(f"[red]✗[/] {exc}")
        raise typer.Exit(1) from exc
    console.print(f"[green]✓[/] {config.slug} restored from {file.name}")


@app.command()
def createadmin(
    store: Annotated[str, typer.Option(help="The store's slug")],
    email: Annotated[str, typer.Option(prompt=True)],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    name: Annotated[str, typer.Option()] = "Administrator",
) -> None:
    """Create (or promote) an administrator of one store."""
    from mercato.platform.seeding import create_admin

    config = _stores(store)[0]
    try:
        asyncio.run(create_admin(config, get_settings(), email=email, password=password, name=name))
    except ValueError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from exc
    console.print(f"[green]✓[/] {email} is an admin of {store}")


@app.command()
def serve(
    store: Annotated[str | None, typer.Option(help="Serve only this store, at /")] = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    with_worker: Annotated[
        bool, typer.Option(help="Also run the outbox worker in process")
    ] = False,
) -> None:
    """Serve the stores with Uvicorn."""
    import os
    import sys

    settings = get_settings()
    if not settings.is_development and settings.uses_default_secret():
        console.print("[red]Refusing to start: set MERCATO_SECRET_KEY outside development.[/]")
        raise typer.Exit(2)
    os.environ["MERCATO_SERVE_STORE"] = store or ""
    os.environ["MERCATO_SERVE_WORKER"] = "1" if with_worker else ""
    # This process becomes the lean server entry (mercato.asgi gives the reason): its
    # workers then do not import this command's Typer, Click and Rich.
    command = [sys.executable, "-m", "mercato.asgi", "--host", host, "--port", str(port)]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [*command, "--workers", str(workers)])  # noqa: S606 - our own interpreter


@app.command()
def worker(store: Annotated[str | None, typer.Option(help="Only this store")] = None) -> None:
    """Deliver outbox events and run scheduled jobs (no web server)."""
    from mercato.platform.logs import configure_logging
    from mercato.platform.worker import run_standalone

    configure_logging()
    asyncio.run(run_standalone(get_settings(), [s.slug for s in _stores(store)]))


@app.command()
def demo(port: int = 8000, host: str = "127.0.0.1") -> None:
    """Migrate and seed every store, then serve them all with an in-process worker."""
    import uvicorn

    from mercato.app import create_app
    from mercato.kit.pdf import prepare_fonts_in_background
    from mercato.platform.logs import configure_logging
    from mercato.platform.migrate import upgrade
    from mercato.platform.seeding import seed_store

    settings = get_settings()
    configs = _stores()
    prepare_fonts_in_background()
    with console.status("Preparing the demo stores…"):
        for s in configs:
            upgrade(settings.database_url_for(s.slug))
            asyncio.run(seed_store(s, settings))
    # Plain lines, not a table: a narrow or non-interactive terminal would cut URLs and
    # passwords short with an ellipsis.
    console.print("\n[bold]Mercato demo[/]")
    for s in configs:
        console.print(f"\n[bold]{s.name}[/]  http://{host}:{port}/{s.slug}/", soft_wrap=True)
        for u in s.demo_users:
            console.print(f"  {u.email}  {u.password}  ({', '.join(u.roles)})", soft_wrap=True)
    console.print(f"\nAll stores: http://{host}:{port}/   (Ctrl+C stops)", soft_wrap=True)
    configure_logging("WARNING")
    uvicorn.run(create_app(settings, run_worker=True), host=host, port=port, log_config=None)


@app.command()
def makemigration(message: Annotated[str, typer.Option("-m", "--message")]) -> None:
    """(Developers) write a new Alembic revision from the model changes."""
    from alembic import command

    from mercato.platform.migrate import alembic_config, upgrade

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'autogen.db'}"
        upgrade(url)
        command.revision(alembic_config(url), message=message, autogenerate=True)


if __name__ == "__main__":
    app()
