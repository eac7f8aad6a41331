"""The b2b module: business registration and verification, sellers and product ownership,
and the roles and permissions of the seed's permission matrix (``mercato.b2b.access``)."""

from pathlib import Path

from mercato.b2b import access, admin, api, pages
from mercato.b2b.deps import load_abilities, signin_message
from mercato.platform.modules import Module, NavItem, lazy_seed

b2b_module = Module(
    name="b2b",
    title="Business accounts",
    # After pricing: its page dependency replaces pricing's price() for hidden prices.
    requires=("catalog", "pricing", "customers", "notifications"),
    pages=[pages.router],
    api=[api.router, api.seller_router],
    admin=[admin.router],
    page_dependencies=[load_abilities],
    permissions=access.PERMISSIONS,
    default_roles=access.DEFAULT_ROLES,
    admin_nav=[NavItem("Business verification", "b2b/verifications", access.VERIFY, 40)],
    template_dir=str(Path(__file__).parent / "templates"),
    seed=lazy_seed("mercato.b2b.seed", "seed_b2b"),
    on_signin=signin_message,
)
