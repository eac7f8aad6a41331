"""The brands module: Qala's designer brands, discovery, boutique approval and brand
dashboard. Other modules ask ``mercato.brands.access`` who is a brand user or an approved
buyer."""

from pathlib import Path

from mercato.brands import access, admin, api, dashboard, discovery, pages, signup
from mercato.platform.modules import Module, NavItem, lazy_seed

brands_module = Module(
    name="brands",
    title="Designer brands",
    # Uses the catalogue's tables and services (products, images, search), not the catalog
    # module's routes: Qala's product pages and /api/v1/products are this module's.
    requires=("inventory", "notifications"),
    pages=[pages.router, signup.router, dashboard.router],
    api=[api.router],
    admin=[admin.router],
    page_dependencies=[pages.add_assets],
    permissions=access.PERMISSIONS,
    default_roles=access.DEFAULT_ROLES,
    admin_nav=[
        NavItem("Brands", "brands", access.BRANDS_MANAGE, 35),
        NavItem("Boutique approvals", "brands/boutiques", access.BOUTIQUES_REVIEW, 36),
    ],
    template_dir=str(Path(__file__).parent / "templates"),
    seed=lazy_seed("mercato.brands.seed", "seed_brands"),
    home_page=discovery.home_context,
    sitemap=discovery.sitemap,
)
