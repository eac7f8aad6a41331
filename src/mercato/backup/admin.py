"""Admin page for backups: the store's backup files and a button that makes one now.
Restoring replaces the whole database, so it stays a deliberate command-line step
(``mercato restore``), not a button."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from mercato.admin.pages import admin_render
from mercato.backup import service
from mercato.identity.deps import require_permission
from mercato.kit.i18n import _
from mercato.models import User
from mercato.platform import audit
from mercato.web.deps import Db, Runtime
from mercato.web.flash import redirect

router = APIRouter(prefix="/backups")
Manager = Annotated[User, Depends(require_permission("backup.manage"))]


@router.get("")
async def backups_page(request: Request, runtime: Runtime, _: Manager) -> Response:
    folder = service.backups_dir(runtime.settings.var_dir, runtime.slug)
    return admin_render(
        request,
        "admin/backups.html",
        {
            "backups": service.list_backups(folder),
            "engine": "PostgreSQL" if not runtime.db.sqlite else "SQLite",
        },
        section="backups",
    )


@router.post("")
async def make_backup(request: Request, db: Db, runtime: Runtime, user: Manager) -> Response:
    folder = service.backups_dir(runtime.settings.var_dir, runtime.slug)
    try:
        path = await asyncio.to_thread(
            service.backup_database, runtime.db.url, folder, runtime.slug
        )
    except service.BackupError as exc:
        return redirect(
            request, "admin/backups", _("Backup failed: %(problem)s", problem=str(exc)), "error"
        )
    await audit.record(
        db,
        actor=user,
        action="backup.create",
        entity_type="backup",
        entity_id=path.name,
        request=request,
    )
    return redirect(request, "admin/backups", _("Backup %(file)s made.", file=path.name))
