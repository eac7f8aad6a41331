"""The inventory module: stock permissions and the expiry schedule. Not registered yet: the
commerce-core work adds it to mercato.modules with the catalogue, cart and checkout."""

from mercato.inventory import jobs
from mercato.platform.modules import Module, Schedule

inventory_module = Module(
    name="inventory",
    title="Inventory",
    permissions={
        "inventory.stock.read": "See stock levels and the movement ledger",
        "inventory.stock.write": "Adjust stock with a reason",
    },
    default_roles={"staff": ["inventory.stock.read"], "admin": ["*"]},
    jobs={"release_expired": jobs.release_expired_reservations},
    schedules=[
        Schedule(
            name="inventory.release_expired",
            cron="* * * * *",
            job=jobs.release_expired_reservations,
        )
    ],
)
