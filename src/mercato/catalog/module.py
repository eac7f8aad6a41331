"""The catalog module: the storefront catalogue, search, product pages, their JSON API and
the catalogue admin (routers, permissions and the seeder are added here)."""

from mercato.platform.modules import Module

catalog_module = Module(
    name="catalog",
    title="Catalogue",
    requires=("inventory",),
)
