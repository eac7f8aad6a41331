"""The support module: tickets about a customer's orders and bookings, replies, assignment,
SLA targets, and live chat with staff over the store WebSocket."""

from __future__ import annotations

from pathlib import Path

from mercato.kit.i18n import N_
from mercato.platform.modules import Module, NavItem, lazy_seed
from mercato.support import admin, api, assets, pages, service

support_module = Module(
    name="support",
    title="Support and live chat",
    requires=("notifications",),
    pages=[pages.router, assets.router],
    api=[api.router],
    admin=[admin.router],
    permissions={"support.manage": "Answer, assign and close support tickets and chats"},
    default_roles={"staff": ["support.manage"], "admin": ["*"]},
    admin_nav=[NavItem(N_("Customer support"), "support", "support.manage", order=45)],
    event_handlers={service.MESSAGE_EVENT: [service.push_message]},
    template_dir=str(Path(__file__).parent / "templates"),
    seed=lazy_seed("mercato.support.seed", "seed_support"),
)
