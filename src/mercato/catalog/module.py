"""The catalog module: the storefront catalogue, search, product pages, their JSON API and
the catalogue admin (routers, permissions and the seeder are added here)."""

from pathlib import Path

from mercato.catalog import api, pages
from mercato.catalog.seed import seed_catalog
from mercato.platform.modules import Module

catalog_module = Module(
    name="catalog",
    title="Catalogue",
    requires=("inventory",),
    pages=[pages.router],
    api=[api.router],
    template_dir=str(Path(__file__).parent / "templates"),
    seed=seed_catalog,
)
