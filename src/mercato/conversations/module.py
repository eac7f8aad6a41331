"""The conversations module: one conversation per buyer and brand with live messages, read
receipts, unread counts, digest emails, image attachments, reports and blocks (issue 5,
scenario 3)."""

from __future__ import annotations

from pathlib import Path

from mercato.conversations import admin, api, assets, events, pages
from mercato.conversations.service import DIGEST, MESSAGE_NEW, MESSAGE_READ
from mercato.platform.modules import Module, NavItem, lazy_seed

conversations_module = Module(
    name="conversations",
    title="Conversations",
    requires=("inquiries", "brands", "notifications"),
    pages=[pages.router, assets.router],
    api=[api.router],
    admin=[admin.router],
    permissions={admin.MODERATE: "Read reported messages and block users from messaging"},
    default_roles={"admin": ["*"]},
    admin_nav=[NavItem("Messaging", "messaging", admin.MODERATE, 60)],
    event_handlers={
        MESSAGE_NEW: [events.push_live],
        MESSAGE_READ: [events.push_live],
        DIGEST: [events.send_digest],
    },
    template_dir=str(Path(__file__).parent / "templates"),
    seed=lazy_seed("mercato.inquiries.seed", "seed_conversations"),
)
