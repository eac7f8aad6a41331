"""The pricing module: currencies, shipping zones and rates, tax rules."""

from pathlib import Path

from mercato.kit.i18n import N_
from mercato.platform.modules import Module, NavItem, lazy_seed
from mercato.pricing import admin, api, pages
from mercato.pricing.deps import load_display_currency

pricing_module = Module(
    name="pricing",
    title="Pricing",
    requires=("catalog",),
    pages=[pages.router],
    api=[api.router],
    admin=[admin.router],
    page_dependencies=[load_display_currency],
    permissions={
        "pricing.read": "See currency rates, shipping and tax rules",
        "pricing.write": "Change currency rates, shipping and tax rules",
    },
    default_roles={"staff": ["pricing.read"], "admin": ["*"]},
    admin_nav=[NavItem(N_("Pricing"), "pricing", "pricing.read", order=40)],
    template_dir=str(Path(__file__).parent / "templates"),
    seed=lazy_seed("mercato.pricing.seed", "seed_pricing"),
)
