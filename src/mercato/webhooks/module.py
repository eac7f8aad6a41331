"""Outbound webhooks for integrations: subscriptions per event type, HMAC-signed deliveries,
retries with backoff through the outbox, a delivery log and manual redelivery."""

from __future__ import annotations

from pathlib import Path

from mercato.kit.i18n import N_
from mercato.platform.modules import Module, NavItem
from mercato.webhooks import admin, api, service

webhooks_module = Module(
    name="webhooks",
    title="Outbound webhooks",
    api=[api.router],
    admin=[admin.router],
    permissions={"webhooks.manage": "Create webhook subscriptions, read deliveries, redeliver"},
    default_roles={"admin": ["*"]},
    admin_nav=[NavItem(N_("Webhooks"), "webhooks", "webhooks.manage", order=90)],
    event_handlers={
        service.DELIVER: [service.deliver],
        **{source: [service.fan_out] for source in set(service.EVENT_SOURCES.values())},
    },
    template_dir=str(Path(__file__).parent / "templates"),
)
