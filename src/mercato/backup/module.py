"""Backups of a store's database: `mercato backup` / `mercato restore` and an admin page."""

from __future__ import annotations

from pathlib import Path

from mercato.backup import admin
from mercato.kit.i18n import N_
from mercato.platform.modules import Module, NavItem

backup_module = Module(
    name="backup",
    title="Backups",
    admin=[admin.router],
    permissions={"backup.manage": "Make database backups and see the list"},
    default_roles={"admin": ["*"]},
    admin_nav=[NavItem(N_("Backups"), "backups", "backup.manage", order=95)],
    template_dir=str(Path(__file__).parent / "templates"),
)
