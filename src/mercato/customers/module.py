"""The customers module: address book and customer accounts."""

from pathlib import Path

from mercato.customers import api, assets, pages
from mercato.platform.modules import Module, lazy_seed

customers_module = Module(
    name="customers",
    title="Customers",
    requires=("identity",),
    pages=[pages.router, assets.router],
    api=[api.router],
    template_dir=str(Path(__file__).parent / "templates"),
    seed=lazy_seed("mercato.customers.seed", "seed_customers"),
)
