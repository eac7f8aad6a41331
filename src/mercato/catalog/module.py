"""The catalog module: the storefront catalogue, search, product pages, their JSON API and
the catalogue admin (routers, permissions and the seeder are added here)."""

from pathlib import Path

from mercato.catalog import admin as catalog_admin
from mercato.catalog import admin_media, admin_taxonomy, api, pages
from mercato.kit.i18n import N_
from mercato.platform.modules import Module, NavItem, lazy_seed

catalog_module = Module(
    name="catalog",
    title="Catalogue",
    requires=("inventory",),
    pages=[pages.router],
    page_dependencies=[pages.add_assets],
    api=[api.router],
    permissions={
        "catalog.read": "See products, categories and tags in the admin",
        "catalog.write": "Create, edit and delete products, images, categories and tags",
    },
    default_roles={"staff": ["catalog.read"], "admin": ["*"]},
    admin=[catalog_admin.router, admin_media.router, admin_taxonomy.router],
    admin_nav=[
        NavItem(N_("Products"), "products", "catalog.read", 20),
        NavItem(N_("Categories"), "categories", "catalog.read", 21),
        NavItem(N_("Tags"), "tags", "catalog.read", 22),
    ],
    template_dir=str(Path(__file__).parent / "templates"),
    seed=lazy_seed("mercato.catalog.seed", "seed_catalog"),
)
