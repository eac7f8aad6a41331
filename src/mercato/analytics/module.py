"""Admin analytics and reports: sales over time, top products, conversion from product
views (counted cheaply per day), bookings per technician, ticket SLA; CSV and PDF."""

from __future__ import annotations

from pathlib import Path

from mercato.analytics import admin, api, service
from mercato.kit.i18n import N_
from mercato.platform.modules import Module, NavItem, lazy_seed

analytics_module = Module(
    name="analytics",
    title="Analytics and reports",
    api=[api.router],
    admin=[admin.router],
    permissions={"analytics.read": "See analytics and download reports"},
    default_roles={"admin": ["*"]},
    admin_nav=[NavItem(N_("Analytics"), "analytics", "analytics.read", order=5)],
    product_page=service.product_page_hook,
    template_dir=str(Path(__file__).parent / "templates"),
    seed=lazy_seed("mercato.analytics.seed", "seed_views"),
)
