"""The procurement module (seed 002): stock alerts, purchase orders received through the
core inventory service, the inventory log, forecasts, and the daily and monthly planning
jobs. Permissions are the b2b module's matrix ("View Inventory": all or own)."""

from pathlib import Path

from mercato.b2b import access
from mercato.platform.modules import Module, NavItem, Schedule, lazy_seed
from mercato.procurement import admin, api, jobs, pages

procurement_module = Module(
    name="procurement",
    title="Inventory planning",
    requires=("inventory", "profit", "b2b"),
    pages=[pages.router],
    api=[api.router],
    admin=[admin.router],
    admin_nav=[
        NavItem(
            label="Stock alerts",
            path="procurement/alerts",
            permission=access.INVENTORY_ALL,
            order=62,
        ),
        NavItem(
            label="Purchase orders",
            path="procurement/purchase-orders",
            permission=access.PRODUCTS_ALL,
            order=63,
        ),
        NavItem(
            label="Inventory log",
            path="procurement/logs",
            permission=access.INVENTORY_ALL,
            order=64,
        ),
    ],
    jobs={
        "inventory_check": jobs.daily_inventory_check,
        "stock_forecast": jobs.monthly_stock_forecast,
    },
    schedules=[
        Schedule("procurement.inventory_check", "0 9 * * *", jobs.daily_inventory_check),
        Schedule("procurement.stock_forecast", "0 7 1 * *", jobs.monthly_stock_forecast),
    ],
    template_dir=str(Path(__file__).parent / "templates"),
    seed=lazy_seed("mercato.procurement.seed", "seed_procurement"),
)
