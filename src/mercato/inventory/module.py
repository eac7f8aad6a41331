"""The inventory module: stock permissions and the reservation-expiry schedule. Registered,
and enabled by the stores that sell stock once the catalogue, cart and checkout arrive."""

from pathlib import Path

from mercato.inventory import admin, jobs
from mercato.platform.modules import Module, Schedule

inventory_module = Module(
    name="inventory",
    title="Inventory",
    permissions={
        "inventory.stock.read": "See stock levels and the movement ledger",
        "inventory.stock.write": "Adjust stock with a reason",
    },
    default_roles={"staff": ["inventory.stock.read"], "admin": ["*"]},
    # The stock page of a product (admin/products/<id>/stock); reached from the product page.
    admin=[admin.router],
    template_dir=str(Path(__file__).parent / "templates"),
    jobs={"release_expired": jobs.release_expired_reservations},
    schedules=[
        Schedule(
            name="inventory.release_expired",
            cron="* * * * *",
            job=jobs.release_expired_reservations,
        )
    ],
)
